"""Competition ranks ("1, 2, 2, 4") on scores rounded to the published decimals, per year and node; published
ranks where a year's scores are incomplete."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dti_cli.io.processes import thread_map
from dti_cli.pipeline.normalise import year_rows


def final_ranks(value: np.ndarray, pub_rank: np.ndarray, years_v: np.ndarray, years: list[int],
                 decimals: int, partial: bool) -> tuple[np.ndarray, np.ndarray, dict]:
    """Ranks shown: computed where a year's scores are complete, else the published ones.

    With `partial` (a user's units, whose universe is the units with a value), a node-year without
    any published rank is ranked among the units that have a value. Years are ranked in two threads (numpy
    releases the GIL for this work), each writing its own rows.
    """
    rank = np.empty(value.shape)
    from_scores = np.empty(value.shape, dtype=bool)
    universe = {}

    def one(y: int) -> None:
        rows = year_rows(years_v, y)
        block = value[rows]
        if not len(block):  # a year without a unit to rank (its figures all missing)
            return
        complete = ~np.isnan(block).any(axis=0)
        published = pub_rank[rows]
        if partial:
            complete |= np.isnan(published).all(axis=0)
        if complete.all():
            if isinstance(rows, slice):
                competition_ranks(block, decimals, out=rank[rows])
            else:
                rank[rows] = competition_ranks(block, decimals)
        else:
            mine = published.copy()
            if complete.any():
                mine[:, complete] = competition_ranks(block[:, complete], decimals)
            rank[rows] = mine
        from_scores[rows] = complete & ~np.isnan(rank[rows])

    for y in years:
        universe[y] = int(np.count_nonzero(years_v == y))
    thread_map(one, years, value.size)
    return rank, from_scores, universe


RANK_BY_COLUMN = 4096  # rows from which competition_ranks works column by column


def competition_ranks(X: np.ndarray, decimals: int, out: np.ndarray | None = None) -> np.ndarray:
    """Per column: 1 + the number of values strictly above, on values rounded to `decimals`; NaN stays NaN."""
    n, k = X.shape
    out = np.empty((n, k)) if out is None else out
    if n >= RANK_BY_COLUMN and k > 1:  # a column at a time: its temporaries stay in the CPU's cache (2x faster)
        for j in range(k):
            _competition_ranks(X[:, j:j + 1], decimals, out[:, j:j + 1])
        return out
    return _competition_ranks(X, decimals, out)


def _competition_ranks(X: np.ndarray, decimals: int, out: np.ndarray) -> np.ndarray:
    n, k = X.shape
    if n == 0 or k == 0:
        return out
    with np.errstate(invalid="ignore"):
        keys = np.multiply(X, 10.0**decimals)
        np.rint(keys, out=keys)
    missing = np.isnan(keys)
    some_missing = bool(missing.any())
    if some_missing and missing.all():
        out[...] = np.nan
        return out
    lo, hi = np.fmin.reduce(keys, axis=0), np.fmax.reduce(keys, axis=0)  # NaN only for an empty column
    if some_missing:
        lo, hi = np.where(np.isnan(lo), 0.0, lo), np.where(np.isnan(hi), 0.0, hi)
    span = int((hi - lo).max()) if np.isfinite(hi - lo).all() else 2**62
    # counting, while its bins (one per value step in every column) stay near the number of cells: a wide file of
    # thousands of columns over a few units takes the sort
    if k * (span + 1) <= 4 * n * k + 1_000_000:  # (so the span is below 4n + 1e6 too)
        # counting: rank = 1 + (number present) − (number at or below the value), one bincount for all columns
        width = span + 1
        keys -= lo
        keys += np.arange(k) * float(width)
        if some_missing:
            keys[missing] = k * width  # a bin of their own, past the columns' bins
        idx = keys.astype(np.intp)
        del keys
        counts = np.bincount(idx.ravel(), minlength=k * width + 1)[:k * width].reshape(k, width)
        at_or_below = np.cumsum(counts, axis=1)
        n_present = at_or_below[:, -1]
        if some_missing:
            idx[missing] = 0
        np.subtract(1 + n_present, at_or_below.ravel()[idx], out=out)
        if some_missing:
            out[missing] = np.nan
        return out
    # wide ranges: sort each column
    out[...] = pd.DataFrame(np.where(missing, np.nan, keys)).rank(method="min", ascending=False,
                                                                   na_option="keep").to_numpy()
    return out
