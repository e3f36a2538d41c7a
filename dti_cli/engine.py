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
from dti_cli.normalise import normalise
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

    def codes(self, values: pd.Series) -> np.ndarray:
        cat = pd.Categorical(values)
        lut = np.array([self.code(str(c)) for c in cat.categories] + [0], dtype=np.int16)
        return lut[cat.codes]


def plan(dataset: Dataset, method: Method | None, years: list[int] | None = None) -> dict[int, Method]:
    """Which method computes which year: the user's method, or the shipped edition for each year."""
    from dti_cli.method import editions

    wanted = years or dataset.years
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


def evaluate(dataset: Dataset, methods: dict[int, Method]) -> Scores:
    """Run the whole pipeline for the planned years; years sharing one method are computed together."""
    labels, sources = _Interner(("", COMPUTED)), _Interner(("",))
    parts, notes, treated = [], [], []
    groups: dict[int, list[int]] = {}
    for y, m in methods.items():
        groups.setdefault(id(m), []).append(y)
    for ys in groups.values():
        m = methods[ys[0]]
        part, part_notes, part_treated = _evaluate_group(dataset, m, sorted(ys), labels, sources)
        parts.append(part)
        notes += part_notes
        treated.append(part_treated)
    return _concat(parts, dataset, methods, labels, sources, notes, treated)


def _grid(dataset: Dataset, years: list[int]) -> tuple[pd.DataFrame, dict[int, np.ndarray]]:
    """Rows to compute: every unit in every year of the group; and, per year, which rows are ranked."""
    f = dataset.frame
    present = f[f["year"].isin(years)]
    if dataset.unit_kind == "province":
        units = [p.slug for p in provinces.registry().p63]
    else:
        units = sorted(present["unit"].unique().tolist())
    grid = pd.DataFrame({"year": np.repeat(np.array(years, dtype=np.int64), len(units)),
                         "unit": np.tile(np.array(units, dtype=object), len(years))})
    if dataset.unit_kind == "province":
        keep = np.ones(len(grid), dtype=bool)
    else:
        seen = set(zip(present["year"].to_numpy().tolist(), present["unit"].to_numpy().tolist())) \
            if len(present) < 2_000_000 else None
        if seen is not None:
            keep = np.array([(y, u) in seen for y, u in zip(grid["year"], grid["unit"])], dtype=bool)
        else:
            pairs = pd.MultiIndex.from_frame(present[["year", "unit"]].drop_duplicates())
            keep = pd.MultiIndex.from_frame(grid).isin(pairs)
    return grid, keep


def _evaluate_group(dataset: Dataset, method: Method, years: list[int], labels: _Interner, sources: _Interner):
    grid, keep = _grid(dataset, years)
    nodes = list(method.nodes)
    n, k = len(grid), len(nodes)
    f = dataset.frame
    sub = f[f["year"].isin(years) & f["indicator"].isin(nodes)]
    unit_index = pd.Index(grid["unit"].iloc[: n // len(years)].to_numpy())
    r = unit_index.get_indexer(sub["unit"].to_numpy()) + (
        pd.Index(years).get_indexer(sub["year"].to_numpy()) * len(unit_index))
    c = pd.Index(nodes).get_indexer(sub["indicator"].to_numpy())
    ok = r >= 0
    r, c, sub = r[ok], c[ok], sub[ok]
    raw = np.full((n, k), np.nan)
    raw[r, c] = sub["value"].to_numpy()
    pub_rank = np.full((n, k), np.nan)
    pub_rank[r, c] = sub["rank"].to_numpy()
    prov = np.zeros((n, k), dtype=np.int16)
    prov[r, c] = labels.codes(sub["provenance"])
    src = np.zeros((n, k), dtype=np.int16)
    src[r, c] = sources.codes(sub["source"])
    # a row with only a rank still carries provenance; a missing value has none
    years_v = grid["year"].to_numpy()
    units_v = grid["unit"].to_numpy()

    leaves = list(method.leaves.values())
    nl = len(leaves)
    L = raw[:, :nl]
    groups = _groups(dataset, grid, leaves)
    L_imp, imputed = impute(L, years_v, units_v, leaves, groups)
    L_tr, treated_mask, notes = treat(L_imp, years_v, leaves)
    L_norm, norm_notes = normalise(L_tr, years_v, leaves)
    notes += norm_notes
    values = np.full((n, k), np.nan)
    values[:, :nl] = L_norm
    published = raw.copy()
    published[:, :nl] = np.nan

    def label(i: int) -> str:
        return f"{units_v[i]} ({years_v[i]})"

    shown, computed = aggregate(values, published, nodes, method, row_label=label)
    computed[:, :nl] = L_norm
    # provenance of computed and imputed cells
    is_comp = np.isnan(raw) & ~np.isnan(shown)
    prov[is_comp] = labels.code(COMPUTED)
    for j, lf in enumerate(leaves):
        if imputed[:, j].any():
            prov[imputed[:, j], j] = labels.code(f"imputed:{lf.impute.value}")
        if treated_mask[:, j].any():
            for code in np.unique(prov[treated_mask[:, j], j]):
                m = treated_mask[:, j] & (prov[:, j] == code)
                prov[m, j] = labels.code(f"{labels.items[code]}+{lf.treat.value}")
    tr = np.argwhere(treated_mask)
    treated_df = pd.DataFrame({
        "year": years_v[tr[:, 0]], "unit": units_v[tr[:, 0]], "indicator": [nodes[j] for j in tr[:, 1]],
        "raw": L_imp[tr[:, 0], tr[:, 1]], "treated": L_tr[tr[:, 0], tr[:, 1]],
        "how": [leaves[j].treat.value for j in tr[:, 1]],
    })
    part = dict(rows=grid[keep].reset_index(drop=True), nodes=nodes, value=shown[keep], computed=computed[keep],
                raw=raw[keep], prov=prov[keep], source=src[keep], pub_rank=pub_rank[keep], method=method,
                years=years)
    return part, notes, treated_df


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


def ranks(values: np.ndarray, years: np.ndarray, decimals: int) -> np.ndarray:
    """Competition ranks ("1, 2, 2, 4") of values rounded to `decimals`, within each year, higher is better."""
    rounded = pd.DataFrame(np.round(values, decimals))
    return rounded.groupby(years).rank(method="min", ascending=False, na_option="keep").to_numpy()


def _concat(parts, dataset, methods, labels, sources, notes, treated) -> Scores:
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
            mats[name][sl, idx] = p[name]
        prov[sl, idx] = p["prov"]
        src[sl, idx] = p["source"]
        years_v = p["rows"]["year"].to_numpy()
        computed_rank = ranks(p["value"], years_v, p["method"].rank_decimals)
        for y in p["years"]:
            m = years_v == y
            universe[y] = int(m.sum())
            complete = (~np.isnan(p["value"][m])).sum(axis=0) == m.sum()
            block = np.where(complete, computed_rank[m], p["pub_rank"][m])
            sub_rank = mats["rank"][sl][m]
            sub_rank[:, idx] = block
            mats["rank"][np.flatnonzero(m) + start] = sub_rank
            rc = rank_computed[sl][m]
            rc[:, idx] = np.broadcast_to(complete, block.shape) & ~np.isnan(block)
            rank_computed[np.flatnonzero(m) + start] = rc
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
