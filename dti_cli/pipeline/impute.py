"""Imputation of missing leaf values: by year (mean, median, group mean) or along a unit's years."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from dti_cli.model.method import Impute, Leaf


def impute(R: np.ndarray, years: np.ndarray, units: np.ndarray, leaves: list[Leaf],
           groups: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Fill missing values of the leaves that ask for it; returns values and a mask of imputed cells.

    `groups` maps a grouping name (a data column, or "region") to one label per row.
    """
    todo = [j for j, lf in enumerate(leaves) if lf.impute is not Impute.none and np.isnan(R[:, j]).any()]
    if not todo:  # nothing to fill: no copy of a large matrix
        return R, np.zeros(R.shape, dtype=bool)
    out = R.copy()
    for j in todo:
        out[:, j] = _fill(R[:, j], years, units, leaves[j], groups)
    imputed = np.isnan(R) & ~np.isnan(out)
    return out, imputed


def _fill(col: np.ndarray, years: np.ndarray, units: np.ndarray, lf: Leaf, groups: dict) -> np.ndarray:
    s = pd.Series(col)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if lf.impute is Impute.mean:
            fill = s.groupby(years).transform("mean")
        elif lf.impute is Impute.median:
            fill = s.groupby(years).transform("median")
        elif lf.impute is Impute.group_mean:
            fill = s.groupby([years, groups[lf.group]]).transform("mean")
        elif lf.impute is Impute.previous_year:
            fill = _along_years(s, years, units, "previous")
        else:
            fill = _along_years(s, years, units, "linear")
    return s.fillna(fill).to_numpy()


def _along_years(s: pd.Series, years: np.ndarray, units: np.ndarray, how: str) -> pd.Series:
    """Per unit over its years: the latest earlier value, or linear interpolation between known years."""
    frame = pd.DataFrame({"unit": units, "year": years, "v": s.to_numpy()})
    order = np.lexsort((years, units))
    f = frame.iloc[order]
    known_year = f["year"].where(f["v"].notna())
    g = f.assign(ky=known_year).groupby("unit", sort=False)
    prev_v, prev_y = g["v"].ffill(), g["ky"].ffill()
    if how == "previous":
        res = prev_v
    else:
        next_v, next_y = g["v"].bfill(), g["ky"].bfill()
        span = (next_y - prev_y).where(lambda d: d > 0)
        res = prev_v + (next_v - prev_v) * (f["year"] - prev_y) / span
        res = res.where(f["v"].isna())
    out = pd.Series(np.nan, index=s.index)
    out.iloc[order] = res.to_numpy()
    return out
