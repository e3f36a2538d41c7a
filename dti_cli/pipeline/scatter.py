"""The long rows of a data set scattered into (year × unit, node) matrices: raw values, published ranks,
provenance and source codes, through integer codes and in blocks of rows (no string work per row)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dti_cli.io.processes import thread_map
from dti_cli.model import provinces
from dti_cli.model.dataset import Dataset

BLOCK = 1 << 20  # rows scattered at a time


@dataclass
class Grid:
    """Row i of every matrix is (year, unit) i of `rows`: years major, the units in order within each year."""

    rows: pd.DataFrame
    nodes: list[str]
    raw: np.ndarray  # the data's values (NaN: none)
    pub_rank: np.ndarray  # the data's published ranks (a read-only broadcast NaN when the file has none)
    prov: np.ndarray  # int16 codes into the provenance labels
    src: np.ndarray  # int16 codes into the sources (a read-only broadcast 0 when every row has the same)


def grid_units(dataset: Dataset, years: list[int], in_years: np.ndarray | None) -> list[str]:
    """Units to compute: the 63 provinces of the publication (the DTI ranks all 63), or every unit of a user's file
    with a figure in these years."""
    if dataset.publication:
        return [p.slug for p in provinces.registry().units(dataset.boundaries)]
    f = dataset.frame
    codes = f["unit"].array.codes
    cats = f["unit"].cat.categories
    used = np.zeros(len(cats) + 1, dtype=bool)  # the last place takes code -1 (none)
    used[codes if in_years is None else codes[in_years]] = True
    return sorted(cats[used[:-1]].tolist())


def scatter(dataset: Dataset, years: list[int], nodes: list[str], labels, sources) -> Grid:
    """The data set's rows of these years and nodes in matrices; `labels` and `sources` code the text columns."""
    f = dataset.frame
    yrs = f["year"].to_numpy()
    lo_y, hi_y = (int(yrs.min()), int(yrs.max())) if len(yrs) else (0, -1)
    every_year = set(range(lo_y, hi_y + 1)) <= set(years) or set(np.unique(yrs).tolist()) <= set(years)
    in_years = None if every_year else np.isin(yrs, years)
    units = grid_units(dataset, years, in_years)
    n, k = len(units) * len(years), len(nodes)
    grid = pd.DataFrame({"year": np.repeat(np.array(years, dtype=np.int64), len(units)),
                         "unit": np.tile(np.array(units, dtype=object), len(years))})
    # scatter the long rows into (row, node) matrices through integer codes: no string work per row
    small = np.int32 if n < 2**31 else np.int64  # row numbers; smaller arrays are cheaper to fill
    unit_pos = pd.Index(units).get_indexer(f["unit"].cat.categories).astype(small)
    node_pos = pd.Index(nodes).get_indexer(f["indicator"].cat.categories).astype(np.int16 if k < 2**15 else small)
    span = max(years) - min(years) + 1
    year_pos = np.full(max(span, hi_y - min(years) + 1, 1), -1, dtype=small)
    year_pos[np.array(years) - min(years)] = np.arange(len(years)) * len(units)
    raw = _nan_matrix(n, k)
    has_ranks = "rank" in f and not np.isnan(f["rank"].to_numpy()).all()
    # no published ranks (or sources): one shared read-only value, no (n, k) matrix
    pub_rank = _nan_matrix(n, k) if has_ranks else np.broadcast_to(np.float64(np.nan), (n, k))
    prov = np.zeros((n, k), dtype=np.int16)
    prov_lut, src_lut = labels.lut(f["provenance"]), sources.lut(f["source"])
    prov_one, src_one = _same_code(prov_lut, f["provenance"]), _same_code(src_lut, f["source"])
    src = np.broadcast_to(np.int16(0), (n, k)) if src_one == 0 else np.zeros((n, k), dtype=np.int16)
    outside = not every_year or (unit_pos < 0).any() or (node_pos < 0).any()  # rows the grid does not hold
    columns = {name: f[name].to_numpy() for name in ("year", "value", *(("rank",) if has_ranks else ()))}
    codes = {name: f[name].array.codes for name in ("unit", "indicator", "provenance", "source")}
    y0, last = min(years), len(year_pos) - 1
    # in blocks of rows: the flat cell numbers (row · k + column) of a block are small and reused, where
    # full-length index arrays would be hundreds of megabytes of fresh memory for millions of rows. Blocks run
    # in two threads: each cell is written by one row only (duplicates are gone).
    def block(lo: int) -> None:
        rows = slice(lo, lo + BLOCK)
        at = columns["year"][rows] - y0
        np.clip(at, 0, last, out=at)
        cell = year_pos[at].astype(np.int64)
        up, c = unit_pos[codes["unit"][rows]], node_pos[codes["indicator"][rows]]
        ok = ((cell >= 0) & (up >= 0) & (c >= 0)) if outside else None
        if not every_year:
            ok &= in_years[rows]
        cell += up
        cell *= k
        cell += c
        pick = (lambda a: a[rows]) if ok is None else (lambda a: a[rows][ok])
        if ok is not None:
            cell = cell[ok]
        raw.ravel()[cell] = pick(columns["value"])
        if has_ranks:
            pub_rank.ravel()[cell] = pick(columns["rank"])
        prov.ravel()[cell] = prov_lut[pick(codes["provenance"])] if prov_one is None else prov_one
        if src_one != 0:
            src.ravel()[cell] = src_lut[pick(codes["source"])] if src_one is None else src_one

    thread_map(block, list(range(0, len(f), BLOCK)), len(f))
    return Grid(grid, nodes, raw, pub_rank, prov, src)


def _nan_matrix(n: int, k: int) -> np.ndarray:
    """np.full((n, k), NaN), filled by two threads when large (first touch of fresh memory is slow)."""
    out = np.empty((n, k))
    halves = [slice(0, n // 2), slice(n // 2, n)]
    thread_map(lambda rows: np.copyto(out[rows], np.nan), halves, n * k)
    return out


def _same_code(lut: np.ndarray, col: pd.Series) -> int | None:
    """The one code (see evaluate.Interner.lut) every row of a categorical column has, or None when they differ."""
    cats = lut[:-1]
    if len(cats) and (cats == cats[0]).all() and not (col.array.codes < 0).any():
        return int(cats[0])
    return None
