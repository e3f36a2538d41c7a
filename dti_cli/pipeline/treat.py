"""Outlier treatment: COINr-style winsorisation and the COIN Tool log transform, every treated point recorded."""

from __future__ import annotations

import numpy as np

from dti_cli.i18n import Msg
from dti_cli.model.method import Leaf, Treat

SKEW_THRESHOLD = 2.0
KURT_THRESHOLD = 3.5


def skew(x: np.ndarray) -> float:
    """Sample skewness as Excel and e1071 type 2 (COINr's skew); NaN below 3 points."""
    x = x[~np.isnan(x)]
    n = len(x)
    if n < 3:
        return float("nan")
    d = x - x.mean()
    m2 = (d**2).sum()
    if m2 == 0:
        return 0.0
    return float(np.sqrt(n) * (d**3).sum() / m2**1.5 * np.sqrt(n * (n - 1)) / (n - 2))


def kurt(x: np.ndarray) -> float:
    """Sample excess kurtosis as Excel and e1071 type 2 (COINr's kurt); NaN below 4 points."""
    x = x[~np.isnan(x)]
    n = len(x)
    if n < 4:
        return float("nan")
    d = x - x.mean()
    m2 = (d**2).sum()
    if m2 == 0:
        return 0.0
    r = n * (d**4).sum() / m2**2
    return float(((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3)))


def fails(x: np.ndarray) -> bool:
    """True when |skew| > 2 and kurtosis > 3.5 (COINr's check_SkewKurt fails)."""
    s, k = skew(x), kurt(x)
    return bool(abs(s) > SKEW_THRESHOLD and k > KURT_THRESHOLD)


def winsorise(x: np.ndarray, winmax: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """While the skew/kurtosis check fails and fewer than winmax points are treated, set the most extreme value
    (on the side of the skew) to the next one; returns the values and a mask of treated points."""
    x = x.astype(float).copy()
    treated = np.zeros(len(x), dtype=bool)
    while fails(x) and treated.sum() < winmax:
        present = ~np.isnan(x)
        if skew(x) >= 0:
            extreme = present & (x == np.nanmax(x))
            rest = x[present & ~extreme]
            if not len(rest):
                break
            x[extreme] = rest.max()
        else:
            extreme = present & (x == np.nanmin(x))
            rest = x[present & ~extreme]
            if not len(rest):
                break
            x[extreme] = rest.min()
        treated |= extreme
    return x, treated


def log_ct(x: np.ndarray) -> np.ndarray:
    """COIN Tool log transform: log(x − min + 0.01·(max − min)) (COINr's log_CT)."""
    mn, mx = np.nanmin(x), np.nanmax(x)
    if mx == mn:
        return np.full_like(x, np.nan, dtype=float)
    return np.log(x - mn + 0.01 * (mx - mn))


def treat(R: np.ndarray, years: np.ndarray, leaves: list[Leaf]) -> tuple[np.ndarray, np.ndarray, list[Msg]]:
    """Treat the columns whose Leaf asks for it, per year; returns values, a mask of treated cells and notes."""
    mask = np.zeros(R.shape, dtype=bool)
    notes: list[Msg] = []
    cols = [j for j, lf in enumerate(leaves) if lf.treat is not Treat.none]
    if not cols:
        return R, mask, notes
    out = R.copy()
    for y in np.unique(years):
        rows = np.flatnonzero(years == y)
        for j in cols:
            lf = leaves[j]
            x = R[rows, j]
            if (~np.isnan(x)).sum() < 4:
                continue
            if lf.treat is Treat.winsorise:
                new, hit = winsorise(x, lf.winmax)
                if hit.any() and fails(new):
                    notes.append(Msg("note.still_skewed", id=lf.id, year=int(y), n=int(hit.sum()), winmax=lf.winmax))
            else:
                new = log_ct(x)
                hit = ~np.isnan(x)
                if np.isnan(new[hit]).all():
                    notes.append(Msg("note.log_no_spread", id=lf.id, year=int(y)))
            out[rows, j] = new
            mask[rows, j] = hit
    return out, mask, notes
