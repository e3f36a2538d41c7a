"""Weighted means over the method's DAG, bottom-up, with the published-over-computed rule."""

from __future__ import annotations

import numpy as np

from dti_cli.errors import DataError
from dti_cli.i18n import Msg
from dti_cli.model.method import Aggregation, Method

COVERAGE_EPS = 1e-12


def a_mean(X: np.ndarray, w: np.ndarray, kind: Aggregation = Aggregation.arithmetic,
           min_coverage: float = 1.0) -> np.ndarray:
    """Row-wise weighted mean of X's columns; a missing child is skipped and the others' weights rescaled,
    and the result is missing when the present children carry less than `min_coverage` of the weight.

    X is (rows, children) and w (children,); or, for many weight draws at once, X is (rows, children) or
    (draws, rows, children) and w (draws, children), giving (draws, rows).
    """
    w = np.asarray(w, dtype=float)
    w = w / w.sum(axis=-1, keepdims=True)
    present = ~np.isnan(X)

    def dot(A: np.ndarray) -> np.ndarray:
        return A @ w if w.ndim == 1 else np.einsum("...rc,...c->...r", A, w)

    cover = dot(present.astype(float))
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind is Aggregation.arithmetic:
            val = dot(np.where(present, X, 0.0)) / cover
        elif kind is Aggregation.geometric:
            val = np.exp(dot(np.where(present, np.log(np.where(present, X, 1.0)), 0.0)) / cover)
        else:
            val = cover / dot(np.where(present, 1.0 / np.where(present, X, 1.0), 0.0))
    return np.where((cover >= min_coverage - COVERAGE_EPS) & (cover > 0), val, np.nan)


def moved_by(kind: Aggregation, w: np.ndarray, parent: np.ndarray, old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """A parent after some children change, from the changes alone (the other children need not be known):
    + Σ wᵢΔxᵢ for an arithmetic mean, × Π (x'ᵢ/xᵢ)^wᵢ for a geometric one, 1/p + Σ wᵢΔ(1/xᵢ) for a harmonic one;
    children known in neither state count as unchanged."""
    w = np.asarray(w, dtype=float) / np.sum(w)
    same = np.isnan(old) | np.isnan(new)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind is Aggregation.arithmetic:
            return parent + np.where(same, 0.0, new - old) @ w
        if kind is Aggregation.geometric:
            return parent * np.exp(np.where(same, 0.0, np.log(new) - np.log(old)) @ w)
        return 1.0 / (1.0 / parent + np.where(same, 0.0, 1.0 / new - 1.0 / old) @ w)


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
                    raise DataError("aggregate.not_positive", id=agg.id, kind=Msg(f"mean.{agg.aggregate.value}"),
                                    row=who, child=agg.children[c], value=float(X[r, c]))
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
