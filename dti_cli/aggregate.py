"""Weighted means over the method's DAG, bottom-up, with the published-over-computed rule."""

from __future__ import annotations

import numpy as np

from dti_cli.errors import DataError
from dti_cli.method import Aggregation, Method

COVERAGE_EPS = 1e-12


def a_mean(X: np.ndarray, w: np.ndarray, kind: Aggregation = Aggregation.arithmetic,
           min_coverage: float = 1.0) -> np.ndarray:
    """Row-wise weighted mean of X's columns; a missing child is skipped and the others' weights rescaled,
    and the result is missing when the present children carry less than `min_coverage` of the weight."""
    w = np.asarray(w, dtype=float) / np.sum(w)
    present = ~np.isnan(X)
    cover = present @ w
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind is Aggregation.arithmetic:
            val = np.where(present, X, 0.0) @ w / cover
        elif kind is Aggregation.geometric:
            val = np.exp(np.where(present, np.log(np.where(present, X, 1.0)), 0.0) @ w / cover)
        else:
            val = cover / (np.where(present, 1.0 / np.where(present, X, 1.0), 0.0) @ w)
    return np.where((cover >= min_coverage - COVERAGE_EPS) & (cover > 0), val, np.nan)


def aggregate(values: np.ndarray, published: np.ndarray | None, nodes: list[str], method: Method, *,
              row_label=None, inplace: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Compute every aggregate column from its children's shown values, children first.

    `values` holds the leaves' (normalised) values; `published` the data's own values (only its aggregate
    columns are read; None: nothing published). Returns (shown, computed): shown = published where present, else
    computed. When nothing is published the two are the same array (no copy of a large matrix).
    """
    shown = values if inplace else values.copy()
    own: dict[int, np.ndarray] = {}
    col = {n: j for j, n in enumerate(nodes)}
    for agg in method.aggregates.values():
        j = col[agg.id]
        if agg.computable:
            idx = [col[c] for c in agg.children]
            X = shown[:, idx]
            if agg.aggregate is not Aggregation.arithmetic:
                bad = ~np.isnan(X) & (X <= 0)
                if bad.any():
                    r, c = np.argwhere(bad)[0]
                    who = row_label(r) if row_label else f"row {r}"
                    raise DataError(f"aggregates.{agg.id} ({agg.aggregate.value} mean): {who}: child "
                                    f"'{agg.children[c]}' is {X[r, c]:g}; a {agg.aggregate.value} mean needs "
                                    "positive values (normalise onto e.g. range = [1, 100])")
            mine = a_mean(X, np.array(agg.weights), agg.aggregate, agg.min_coverage)
        else:
            mine = np.full(len(shown), np.nan)
        pub = published[:, j] if published is not None else None
        if pub is not None and not np.isnan(pub).all():
            own[j] = mine
            shown[:, j] = np.where(np.isnan(pub), mine, pub)
        else:
            shown[:, j] = mine
    if not own:
        return shown, shown
    computed = shown.copy()
    for j, mine in own.items():
        computed[:, j] = mine
    return shown, computed
