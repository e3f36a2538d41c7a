"""The pipeline: data + method → impute → treat → normalise → aggregate → ranks, as one Scores object."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dti_cli import provinces
from dti_cli.aggregate import aggregate
from dti_cli.data import Dataset
from dti_cli.errors import UsageError
from dti_cli.impute import impute
from dti_cli.method import Method
from dti_cli.normalise import normalise, year_rows
from dti_cli.parallel import thread_map
from dti_cli.treat import treat

COMPUTED = "computed"


@dataclass(frozen=True)
class Scores:
    """Every node's value and rank for every (year, unit): what all analysis and output reads."""

    rows: pd.DataFrame  # year (int64), unit (str); row i of every matrix
    nodes: tuple[str, ...]
    value: np.ndarray  # shown and ranked: published where the data has it, else computed
    computed: np.ndarray  # the engine's own value (aggregates from children; leaves normalised)
    raw: np.ndarray  # the data's value before imputation, treatment and normalisation
    prov: np.ndarray  # int codes into labels
    labels: tuple[str, ...]
    source: np.ndarray  # int codes into sources
    sources: tuple[str, ...]
    pub_rank: np.ndarray  # the data's published rank (NaN: none)
    rank: np.ndarray  # the rank shown (NaN: none)
    rank_computed: np.ndarray  # bool: rank computed from a complete set of scores (else published)
    universe: dict  # year -> number of units ranked that year
    methods: dict  # year -> Method
    unit_kind: str
    treated: pd.DataFrame = field(default_factory=pd.DataFrame)  # year, unit, indicator, raw, treated, how
    notes: tuple[str, ...] = ()

    # ---- lookups

    def col(self, node: str) -> int:
        try:
            return self.nodes.index(node)
        except ValueError:
            raise UsageError(f"unknown indicator '{node}' (known: {', '.join(self.nodes)})") from None

    @property
    def years(self) -> list[int]:
        return sorted(self.methods)

    def year_mask(self, year: int) -> np.ndarray:
        return self.rows["year"].to_numpy() == year

    def frame(self, year: int, nodes: list[str] | tuple[str, ...] | None = None) -> pd.DataFrame:
        """One year as a frame indexed by unit, columns `node` (value) and `node:rank` for each node."""
        m = self.year_mask(year)
        units = self.rows["unit"].to_numpy()[m]
        out = {}
        for node in nodes or self.nodes:
            if node not in self.nodes:
                out[node] = np.full(m.sum(), np.nan)
                out[node + ":rank"] = np.full(m.sum(), np.nan)
                continue
            j = self.nodes.index(node)
            out[node] = self.value[m, j]
            out[node + ":rank"] = self.rank[m, j]
        return pd.DataFrame(out, index=pd.Index(units, name="unit"))

    def cell(self, year: int, unit: str, node: str) -> dict:
        """Everything known about one figure."""
        m = self.year_mask(year) & (self.rows["unit"].to_numpy() == unit)
        if node not in self.nodes or not m.any():
            return {"value": np.nan, "rank": np.nan, "provenance": "", "source": "", "computed": np.nan,
                    "pub_rank": np.nan, "raw": np.nan}
        i, j = int(np.flatnonzero(m)[0]), self.nodes.index(node)
        return {"value": self.value[i, j], "rank": self.rank[i, j], "computed": self.computed[i, j],
                "raw": self.raw[i, j], "pub_rank": self.pub_rank[i, j],
                "provenance": self.labels[self.prov[i, j]], "source": self.sources[self.source[i, j]]}

    def only(self, method: Method) -> "Scores":
        """These scores restricted to the years one method computes."""
        import dataclasses

        years = [y for y, m in self.methods.items() if m is method]
        mask = self.rows["year"].isin(years).to_numpy()
        cut = {f.name: getattr(self, f.name)[mask] for f in dataclasses.fields(self)
               if isinstance(getattr(self, f.name), np.ndarray)}
        return dataclasses.replace(self, rows=self.rows[mask].reset_index(drop=True),
                                   methods={y: method for y in years}, **cut)

    def provenance(self, mask: np.ndarray, node: str) -> np.ndarray:
        j = self.nodes.index(node)
        return np.asarray(self.labels, dtype=object)[self.prov[mask, j]]


class _Interner:
    """Strings to small integer codes, shared across matrices."""

    def __init__(self, first: tuple[str, ...] = ("",)):
        self.items: list[str] = list(first)
        self.index = {s: i for i, s in enumerate(self.items)}

    def code(self, s: str) -> int:
        if s not in self.index:
            self.index[s] = len(self.items)
            self.items.append(s)
        return self.index[s]

    def lut(self, values: pd.Series) -> np.ndarray:
        """Codes for a categorical's categories (index -1, a missing label, maps to the empty string)."""
        return np.array([self.code(str(c)) for c in values.cat.categories] + [0], dtype=np.int16)


def plan(dataset: Dataset, method: Method | None, years: list[int] | None = None) -> dict[int, Method]:
    """Which method computes which year: the user's method, or the shipped edition for each year.

    Asking for some years brings in every data year their methods cover: a method's figures for a year can depend
    on its other years (scope = "panel", imputation along the years), so a year is the same however it is asked.
    """
    from dti_cli.method import editions

    if years:
        full = plan(dataset, method, None) if _covered(dataset, method) else plan(dataset, method, list(years))
        chosen = {id(full[y]) for y in years if y in full}
        return {y: m for y, m in full.items() if id(m) in chosen}
    wanted = dataset.years
    out: dict[int, Method] = {}
    for y in wanted:
        if method is not None:
            if method.applies_to(y):
                out[y] = method
            continue
        ed = next((e for e in editions() if e.applies_to(y)), None)
        if ed is None:
            raise UsageError(f"no shipped DTI edition covers {y}; pass --method FILE to compute it")
        out[y] = ed
    if not out:
        raise UsageError(f"{method.path}: years = {list(method.years or [])} matches no year in the data "
                         f"({', '.join(map(str, dataset.years))})")
    return out


def _covered(dataset: Dataset, method: Method | None) -> bool:
    """Whether every data year has a method (else only the years asked for are planned)."""
    from dti_cli.method import editions

    if method is not None:
        return True
    return all(any(e.applies_to(y) for e in editions()) for y in dataset.years)


def evaluate(dataset: Dataset, methods: dict[int, Method], *, release: bool = False) -> Scores:
    """Run the whole pipeline for the planned years; years sharing one method are computed together.

    `release`: the caller no longer needs the dataset's rows; they are dropped once in the matrices, so that the
    matrices computed next can reuse their memory (hundreds of megabytes for millions of rows)."""
    labels, sources = _Interner(("", COMPUTED)), _Interner(("",))
    parts, notes, treated = [], [], []
    groups: dict[int, list[int]] = {}
    for y, m in methods.items():
        groups.setdefault(id(m), []).append(y)
    for i, ys in enumerate(groups.values()):
        m = methods[ys[0]]
        last = release and i == len(groups) - 1
        part, part_notes, part_treated = _evaluate_group(dataset, m, sorted(ys), labels, sources, release=last)
        parts.append(part)
        notes += part_notes
        treated.append(part_treated)
    return _concat(parts, dataset, methods, labels, sources, notes, treated)


def _grid_units(dataset: Dataset, years: list[int], in_years: np.ndarray | None) -> list[str]:
    """Units to compute: the 63 provinces (the DTI ranks all 63), or every unit with a figure in these years."""
    if dataset.unit_kind == "province":
        return [p.slug for p in provinces.registry().units(dataset.boundaries)]
    f = dataset.frame
    codes = f["unit"].array.codes
    cats = f["unit"].cat.categories
    used = np.zeros(len(cats) + 1, dtype=bool)  # the last place takes code -1 (none)
    used[codes if in_years is None else codes[in_years]] = True
    return sorted(cats[used[:-1]].tolist())


def _evaluate_group(dataset: Dataset, method: Method, years: list[int], labels: _Interner, sources: _Interner,
                    release: bool = False):
    f = dataset.frame
    yrs = f["year"].to_numpy()
    lo_y, hi_y = (int(yrs.min()), int(yrs.max())) if len(yrs) else (0, -1)
    every_year = set(range(lo_y, hi_y + 1)) <= set(years) or set(np.unique(yrs).tolist()) <= set(years)
    in_years = None if every_year else np.isin(yrs, years)
    units = _grid_units(dataset, years, in_years)
    nodes = list(method.nodes)
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
    def scatter(lo: int) -> None:
        rows = slice(lo, lo + _SCATTER_BLOCK)
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

    thread_map(scatter, list(range(0, len(f), _SCATTER_BLOCK)), len(f))
    if release:
        del f, yrs, columns, codes, in_years
        dataset.release_rows()
    years_v = grid["year"].to_numpy()
    units_v = grid["unit"].to_numpy()
    # rows that are ranked: every province; other units only in the years they have a figure
    if dataset.unit_kind == "province":
        keep = np.ones(n, dtype=bool)
    else:
        keep = ~np.isnan(raw).all(axis=1)
        if pub_rank.strides != (0, 0):
            keep |= ~np.isnan(pub_rank).all(axis=1)

    leaves = list(method.leaves.values())
    nl = len(leaves)
    L = raw[:, :nl]
    groups = _groups(dataset, grid, leaves)
    L_imp, imputed = impute(L, years_v, units_v, leaves, groups)
    L_tr, treated_mask, notes = treat(L_imp, years_v, leaves)
    values = np.empty((n, k))
    norm_notes = normalise(L_tr, years_v, leaves, out=values[:, :nl])[1]
    notes += norm_notes

    def label(i: int) -> str:
        return f"{units_v[i]} ({years_v[i]})"

    shown, computed = aggregate(values, raw, nodes, method, row_label=label, inplace=True)
    # provenance of computed and imputed cells
    is_comp = np.isnan(raw) & ~np.isnan(shown)
    prov[is_comp] = labels.code(COMPUTED)
    for j in np.flatnonzero(imputed.any(axis=0)):
        prov[imputed[:, j], j] = labels.code(f"imputed:{leaves[j].impute.value}")
    for j in np.flatnonzero(treated_mask.any(axis=0)):  # after imputation: "imputed:mean+winsorise"
        for code in np.unique(prov[treated_mask[:, j], j]):
            m = treated_mask[:, j] & (prov[:, j] == code)
            prov[m, j] = labels.code(f"{labels.items[code]}+{leaves[j].treat.value}")
    tr = np.argwhere(treated_mask)
    treated_df = pd.DataFrame({
        "year": years_v[tr[:, 0]], "unit": units_v[tr[:, 0]], "indicator": [nodes[j] for j in tr[:, 1]],
        "raw": L_imp[tr[:, 0], tr[:, 1]], "treated": L_tr[tr[:, 0], tr[:, 1]],
        "how": [leaves[j].treat.value for j in tr[:, 1]],
    })
    take = (lambda a: a) if keep.all() else (
        lambda a: np.broadcast_to(a.flat[0], (int(keep.sum()), a.shape[1])) if a.strides == (0, 0) else a[keep])
    part = dict(rows=grid[keep].reset_index(drop=True) if not keep.all() else grid, nodes=nodes,
                value=take(shown), computed=take(computed) if computed is not shown else None, raw=take(raw),
                prov=take(prov), source=take(src),
                pub_rank=take(pub_rank), method=method, years=years)
    return part, notes, treated_df


_SCATTER_BLOCK = 1 << 20


def _nan_matrix(n: int, k: int) -> np.ndarray:
    """np.full((n, k), NaN), filled by two threads when large (first touch of fresh memory is slow)."""
    out = np.empty((n, k))
    halves = [slice(0, n // 2), slice(n // 2, n)]
    thread_map(lambda rows: np.copyto(out[rows], np.nan), halves, n * k)
    return out


def _same_code(lut: np.ndarray, col: pd.Series) -> int | None:
    """The one code (see _Interner.lut) every row of a categorical column has, or None when they differ."""
    cats = lut[:-1]
    if len(cats) and (cats == cats[0]).all() and not (col.array.codes < 0).any():
        return int(cats[0])
    return None


def _groups(dataset: Dataset, grid: pd.DataFrame, leaves) -> dict[str, np.ndarray]:
    """Row labels for each grouping a group_mean imputation names."""
    out: dict[str, np.ndarray] = {}
    for lf in leaves:
        if lf.group is None or lf.group in out:
            continue
        if dataset.attributes is not None and lf.group in dataset.attributes:
            attrs = dataset.attributes.set_index(["year", "unit"])[lf.group]
            idx = pd.MultiIndex.from_frame(grid[["year", "unit"]])
            labels = attrs.reindex(idx).to_numpy()
            # a unit's group holds across years where a year does not repeat it
            by_unit = dataset.attributes.dropna(subset=[lf.group]).drop_duplicates("unit").set_index("unit")[lf.group]
            fallback = grid["unit"].map(by_unit).to_numpy()
            out[lf.group] = np.where(pd.isna(labels), fallback, labels)
        elif lf.group == "region" and dataset.unit_kind == "province":
            reg = {p.slug: p.region for p in provinces.registry().p63}
            out[lf.group] = grid["unit"].map(reg).to_numpy()
        else:
            raise UsageError(f"indicators.{lf.id}.group: no column '{lf.group}' in the data to group by "
                             "(a wide file can carry it as a text column)")
    return out


def _final_ranks(value: np.ndarray, pub_rank: np.ndarray, years_v: np.ndarray, years: list[int],
                 decimals: int, partial: bool) -> tuple[np.ndarray, np.ndarray, dict]:
    """Ranks shown: computed where a year's scores are complete, else the published ones.

    With `partial` (units other than provinces, whose universe is the units with a value), a node-year without
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


def _single(p, dataset, methods, labels, sources, notes, treated) -> Scores:
    years_v = p["rows"]["year"].to_numpy()
    rank, from_scores, universe = _final_ranks(p["value"], p["pub_rank"], years_v, p["years"],
                                               p["method"].rank_decimals, dataset.unit_kind != "province")
    return Scores(
        rows=p["rows"], nodes=tuple(p["nodes"]), value=p["value"],
        computed=p["value"] if p["computed"] is None else p["computed"], raw=p["raw"],
        prov=p["prov"], labels=tuple(labels.items), source=p["source"], sources=tuple(sources.items),
        pub_rank=p["pub_rank"], rank=rank, rank_computed=from_scores, universe=universe,
        methods=dict(sorted(methods.items())), unit_kind=dataset.unit_kind,
        treated=treated[0] if treated else pd.DataFrame(), notes=tuple(notes),
    )


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
    if span < 4 * n + 1_000_000 and span < 2**40:
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


def _concat(parts, dataset, methods, labels, sources, notes, treated) -> Scores:
    if len(parts) == 1:
        return _single(parts[0], dataset, methods, labels, sources, notes, treated)
    nodes: list[str] = []
    for p in parts:
        nodes += [x for x in p["nodes"] if x not in nodes]
    # method order for readability: leaves, then aggregates, as first met
    n_total = sum(len(p["rows"]) for p in parts)
    k = len(nodes)
    mats = {name: np.full((n_total, k), np.nan) for name in ("value", "computed", "raw", "pub_rank", "rank")}
    prov = np.zeros((n_total, k), dtype=np.int16)
    src = np.zeros((n_total, k), dtype=np.int16)
    rank_computed = np.zeros((n_total, k), dtype=bool)
    rows, universe = [], {}
    start = 0
    for p in parts:
        n = len(p["rows"])
        idx = [nodes.index(x) for x in p["nodes"]]
        sl = slice(start, start + n)
        for name in ("value", "computed", "raw", "pub_rank"):
            mats[name][sl, idx] = p["value"] if name == "computed" and p[name] is None else p[name]
        prov[sl, idx] = p["prov"]
        src[sl, idx] = p["source"]
        years_v = p["rows"]["year"].to_numpy()
        rank, from_scores, uni = _final_ranks(p["value"], p["pub_rank"], years_v, p["years"],
                                              p["method"].rank_decimals, dataset.unit_kind != "province")
        universe.update(uni)
        block = mats["rank"][sl]
        block[:, idx] = rank
        mats["rank"][sl] = block
        rc = rank_computed[sl]
        rc[:, idx] = from_scores
        rank_computed[sl] = rc
        rows.append(p["rows"])
        start += n
    all_rows = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame({"year": [], "unit": []})
    order = np.lexsort((all_rows["unit"].to_numpy(), all_rows["year"].to_numpy()))
    take = lambda a: a[order]  # noqa: E731
    return Scores(
        rows=all_rows.iloc[order].reset_index(drop=True), nodes=tuple(nodes),
        value=take(mats["value"]), computed=take(mats["computed"]), raw=take(mats["raw"]), prov=take(prov),
        labels=tuple(labels.items), source=take(src), sources=tuple(sources.items),
        pub_rank=take(mats["pub_rank"]), rank=take(mats["rank"]), rank_computed=take(rank_computed),
        universe=universe, methods=dict(sorted(methods.items())), unit_kind=dataset.unit_kind,
        treated=pd.concat(treated, ignore_index=True) if treated else pd.DataFrame(), notes=tuple(notes),
    )
