"""Normalisation kernels (one per method, over a block of units × indicators) and the frame-level step."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from dti_cli.i18n import Msg
from dti_cli.io.processes import thread_map
from dti_cli.model.method import Leaf, Normalise, Scope


def _nanstat(fn, X: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(X, axis=0)


def n_minmax(X: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """(x − min)/(max − min)·(hi − lo) + lo, per column."""
    mn, mx = _nanstat(np.nanmin, X), _nanstat(np.nanmax, X)
    return _safe_div(X - mn, mx - mn) * (hi - lo) + lo


def n_zscore(X: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """(x − mean)/sd with the sample standard deviation, then · sd_target + mean_target."""
    m = _nanstat(np.nanmean, X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        s = np.nanstd(X, axis=0, ddof=1)
    return _safe_div(X - m, s) * sd + mean


def n_goalposts(R: np.ndarray, lo: np.ndarray, hi: np.ndarray, direction: np.ndarray, scale: np.ndarray,
                truncate: np.ndarray) -> np.ndarray:
    """(x − lo)/(hi − lo), or (x − hi)/(lo − hi) for direction −1, on raw values; clipped to [0, 1] if truncating."""
    y = np.where(direction > 0, (R - lo) / (hi - lo), (R - hi) / (lo - hi))
    y = np.where(truncate, np.clip(y, 0.0, 1.0), y)
    return y * scale


def n_fracmax(X: np.ndarray) -> np.ndarray:
    """x / max."""
    return _safe_div(X, _nanstat(np.nanmax, X))


def n_dist2max(X: np.ndarray) -> np.ndarray:
    """1 − (max − x)/(max − min)."""
    mn, mx = _nanstat(np.nanmin, X), _nanstat(np.nanmax, X)
    return 1.0 - _safe_div(mx - X, mx - mn)


def n_dist2target(X: np.ndarray, target: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """1 − (target − x)/(target − min), optionally capped at 1 (target already direction-adjusted)."""
    mn = _nanstat(np.nanmin, X)
    y = 1.0 - _safe_div(target - X, target - mn)
    return np.where(cap, np.minimum(y, 1.0), y)


def n_rank(X: np.ndarray) -> np.ndarray:
    """Ranks within the column, higher value higher rank, ties averaged."""
    return pd.DataFrame(X).rank(method="average", na_option="keep").to_numpy()


def n_prank(X: np.ndarray) -> np.ndarray:
    """Percentile ranks (rank − 1)/(n − 1), ties at the lowest rank (COINr's n_prank)."""
    r = pd.DataFrame(X).rank(method="min", na_option="keep").to_numpy()
    n = (~np.isnan(X)).sum(axis=0)
    return _safe_div(r - 1.0, (n - 1).astype(float))


def _safe_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    b = np.asarray(b, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = a / np.where(b == 0, np.nan, b)
    return out


def _no_spread(X: np.ndarray, kind: Normalise, target: np.ndarray | None = None) -> np.ndarray:
    """Columns whose normalisation would divide by zero."""
    n = (~np.isnan(X)).sum(axis=0)
    has = n > 0
    mn, mx = _nanstat(np.nanmin, X), _nanstat(np.nanmax, X)
    if kind in (Normalise.minmax, Normalise.dist2max, Normalise.prank):
        return has & ((mx == mn) | (n < 2))
    if kind is Normalise.zscore:
        return has & ((mx == mn) | (n < 2))
    if kind is Normalise.fracmax:
        return has & (mx == 0)
    if kind is Normalise.dist2target:
        return has & (target == mn)
    return np.zeros(X.shape[1], dtype=bool)


def normalise(R: np.ndarray, years: np.ndarray, leaves: list[Leaf], *,
              out: np.ndarray | None = None) -> tuple[np.ndarray, list[Msg]]:
    """Normalise every leaf column of R (rows: units × years) as its Leaf says; returns values and warnings."""
    out = np.full_like(R, np.nan) if out is None else out
    notes: list[Msg] = []
    direction = np.array([lf.direction for lf in leaves], dtype=float)
    groups: dict[tuple[Normalise, Scope], list[int]] = {}
    for j, lf in enumerate(leaves):
        groups.setdefault((lf.normalise, lf.scope), []).append(j)
    year_values = np.unique(years)
    for (kind, scope), cols in groups.items():
        cols_a = np.array(cols)
        if kind is Normalise.none:
            out[:, cols_a] = R[:, cols_a]
            continue
        blocks = [(None, slice(None))] if scope is Scope.panel else [
            (int(y), year_rows(years, y)) for y in year_values]
        cols_s = slice(cols_a[0], cols_a[-1] + 1) if (np.diff(cols_a) == 1).all() else cols_a
        p = _params(leaves, cols)
        if kind is Normalise.minmax and isinstance(cols_s, slice) and all(isinstance(r, slice) for _, r in blocks):
            # in place, one block (year) per thread: numpy releases the GIL for this arithmetic
            def one(block, cols_s=cols_s, cols_a=cols_a, p=p):
                rows = block[1]
                return _minmax_into(R[rows, cols_s], direction[cols_a], p["lo"], p["hi"], out[rows, cols_s])

            for (year, _), flat in zip(blocks, thread_map(one, blocks, R[:, cols_s].size)):
                _spread_notes(notes, leaves, cols_a[flat], year)
            continue
        for year, rows in blocks:
            block = R[rows][:, cols_s]
            sub = block * direction[cols_a]
            target = p["target"] * direction[cols_a] if kind is Normalise.dist2target else None
            flat = _no_spread(sub, kind, target)
            res = _apply(kind, sub, block, p, direction[cols_a], target)
            if flat.any():
                res[:, flat] = np.nan
                _spread_notes(notes, leaves, cols_a[flat], year)
            if isinstance(rows, slice) and isinstance(cols_s, slice):
                out[rows, cols_s] = res
            else:
                out[np.ix_(np.arange(len(years))[rows], cols_a)] = res
    return out, notes


def _minmax_into(X: np.ndarray, direction: np.ndarray, lo: np.ndarray, hi: np.ndarray, out: np.ndarray) -> np.ndarray:
    """n_minmax of X · direction written straight into `out` (no temporaries of X's size); returns the columns
    without spread (their values are missing)."""
    np.multiply(X, direction, out=out)
    if not len(out):
        return np.zeros(out.shape[1], dtype=bool)
    mn, mx = np.fmin.reduce(out, axis=0), np.fmax.reduce(out, axis=0)  # NaN only for an empty column
    flat = mx == mn
    np.subtract(out, mn, out=out)
    np.divide(out, np.where(flat, np.nan, mx - mn), out=out)
    np.multiply(out, hi - lo, out=out)
    np.add(out, lo, out=out)
    return flat


def _spread_notes(notes: list[Msg], leaves: list[Leaf], flat_cols, year) -> None:
    for j in flat_cols:
        if year is None:
            notes.append(Msg("note.no_spread_panel", id=leaves[j].id))
        else:
            notes.append(Msg("note.no_spread", id=leaves[j].id, year=year))


def year_rows(years: np.ndarray, year: int):
    """The rows of one year: a slice when they are contiguous (the grid is year-major), else a mask."""
    idx = np.flatnonzero(years == year)
    return slice(idx[0], idx[-1] + 1) if len(idx) and idx[-1] - idx[0] + 1 == len(idx) else years == year


def _params(leaves: list[Leaf], cols: list[int]) -> dict[str, np.ndarray]:
    sel = [leaves[j] for j in cols]
    return {
        "lo": np.array([lf.lo for lf in sel]), "hi": np.array([lf.hi for lf in sel]),
        "gp_lo": np.array([lf.gp_lo for lf in sel]), "gp_hi": np.array([lf.gp_hi for lf in sel]),
        "mean": np.array([lf.mean for lf in sel]), "sd": np.array([lf.sd for lf in sel]),
        "scale": np.array([lf.scale for lf in sel]), "truncate": np.array([lf.truncate for lf in sel]),
        "target": np.array([lf.target if lf.target is not None else np.nan for lf in sel]),
        "cap": np.array([lf.cap for lf in sel]),
    }


def _apply(kind: Normalise, X, R, p, direction, target) -> np.ndarray:
    if kind is Normalise.minmax:
        return n_minmax(X, p["lo"], p["hi"])
    if kind is Normalise.zscore:
        return n_zscore(X, p["mean"], p["sd"])
    if kind is Normalise.goalposts:
        return n_goalposts(R, p["gp_lo"], p["gp_hi"], direction, p["scale"], p["truncate"])
    if kind is Normalise.fracmax:
        return n_fracmax(X)
    if kind is Normalise.dist2max:
        return n_dist2max(X)
    if kind is Normalise.dist2target:
        return n_dist2target(X, target, p["cap"])
    if kind is Normalise.rank:
        return n_rank(X)
    if kind is Normalise.prank:
        return n_prank(X)
    raise AssertionError(kind)
