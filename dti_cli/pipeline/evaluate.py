"""The pipeline: data + method → impute → treat → normalise → aggregate → ranks, as one Scores object."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dti_cli.errors import UsageError
from dti_cli.model import provinces
from dti_cli.model.dataset import Dataset
from dti_cli.model.method import Method, Normalise
from dti_cli.model.scores import COMPUTED, Scores
from dti_cli.pipeline.aggregate import aggregate
from dti_cli.pipeline.impute import impute
from dti_cli.pipeline.normalise import normalise
from dti_cli.pipeline.ranks import final_ranks
from dti_cli.pipeline.scatter import scatter
from dti_cli.pipeline.treat import treat


class Interner:
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


def evaluate(dataset: Dataset, methods: dict[int, Method], *, release: bool = False) -> Scores:
    """Run the whole pipeline for the planned years; years sharing one method are computed together.

    `release`: the caller no longer needs the dataset's rows; they are dropped once in the matrices, so that the
    matrices computed next can reuse their memory (hundreds of megabytes for millions of rows)."""
    labels, sources = Interner(("", COMPUTED)), Interner(("",))
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


def _evaluate_group(dataset: Dataset, method: Method, years: list[int], labels: Interner, sources: Interner,
                    release: bool = False):
    nodes = list(method.nodes)
    g = scatter(dataset, years, nodes, labels, sources)
    if release:
        dataset.release_rows()
    grid, raw, pub_rank, prov, src = g.rows, g.raw, g.pub_rank, g.prov, g.src
    n, k = raw.shape
    years_v = grid["year"].to_numpy()
    units_v = grid["unit"].to_numpy()
    # rows that are ranked: every province of the publication; a user's units only in the years they have a figure
    if dataset.publication:
        keep = np.ones(n, dtype=bool)
    else:
        keep = ~np.isnan(raw).all(axis=1)
        if pub_rank.strides != (0, 0):
            keep |= ~np.isnan(pub_rank).all(axis=1)

    leaves = list(method.leaves.values())
    nl = len(leaves)
    L = raw[:, :nl]
    _check_magnitude(L, nodes, years_v, units_v)
    groups = _groups(dataset, grid, leaves)
    L_imp, imputed = impute(L, years_v, units_v, leaves, groups)
    L_tr, treated_mask, notes = treat(L_imp, years_v, leaves)
    values = np.empty((n, k))
    norm_notes = normalise(L_tr, years_v, leaves, out=values[:, :nl])[1]
    notes += norm_notes

    def label(i: int) -> str:
        return f"{units_v[i]} ({years_v[i]})"

    shown, computed = aggregate(values, raw, nodes, method, row_label=label, inplace=True)
    _mark(prov, labels, leaves, np.isnan(raw) & ~np.isnan(shown), imputed, treated_mask)
    normalised = [j for j, lf in enumerate(leaves) if lf.normalise is not Normalise.none]
    figure = None
    if normalised:  # the figures in their own units beside their scores; provenance says the score is normalised
        figure = np.full_like(shown, np.nan)
        figure[:, normalised] = L_imp[:, normalised]
        _mark_normalised(prov, labels, normalised, ~np.isnan(shown))
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
                figure=None if figure is None else take(figure),
                prov=take(prov), source=take(src),
                pub_rank=take(pub_rank), method=method, years=years)
    return part, notes, treated_df


def _check_magnitude(L: np.ndarray, nodes, years_v, units_v) -> None:
    """A figure past ±MAGNITUDE is an error naming its cell: normalising it could overflow to inf (a wrong 0 or a
    vanished index), never to be shown."""
    from dti_cli.errors import DataError
    from dti_cli.model.method_file import MAGNITUDE

    with np.errstate(invalid="ignore"):
        big = np.abs(L) > MAGNITUDE
    if big.any():
        i, j = np.argwhere(big)[0]
        raise DataError("data.too_large", unit=str(units_v[i]), year=int(years_v[i]), node=nodes[j],
                        value=float(L[i, j]), limit=MAGNITUDE)


def _mark(prov: np.ndarray, labels: Interner, leaves, computed: np.ndarray, imputed: np.ndarray,
          treated: np.ndarray) -> None:
    """The provenance of computed, imputed and treated cells ("imputed:mean+winsorise")."""
    prov[computed] = labels.code(COMPUTED)
    for j in np.flatnonzero(imputed.any(axis=0)):
        prov[imputed[:, j], j] = labels.code(f"imputed:{leaves[j].impute.value}")
    for j in np.flatnonzero(treated.any(axis=0)):  # after imputation
        for code in np.unique(prov[treated[:, j], j]):
            m = treated[:, j] & (prov[:, j] == code)
            prov[m, j] = labels.code(f"{labels.items[code]}+{leaves[j].treat.value}")


NORMALISED = "normalised"


def _mark_normalised(prov: np.ndarray, labels: Interner, cols: list[int], has: np.ndarray) -> None:
    """A normalised leaf's provenance ends in "+normalised" (once: dti's own output read back has it already)."""
    for j in cols:
        for code in np.unique(prov[has[:, j], j]):
            text = labels.items[code]
            if text.rsplit("+", 1)[-1] != NORMALISED:
                m = has[:, j] & (prov[:, j] == code)
                prov[m, j] = labels.code(f"{text}+{NORMALISED}" if text else NORMALISED)


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
            raise UsageError("plan.no_group_column", id=lf.id, group=lf.group)
    return out


def _single(p, dataset, methods, labels, sources, notes, treated) -> Scores:
    years_v = p["rows"]["year"].to_numpy()
    rank, from_scores, universe = final_ranks(p["value"], p["pub_rank"], years_v, p["years"],
                                               p["method"].rank_decimals, not dataset.publication)
    return Scores(
        rows=p["rows"], nodes=tuple(p["nodes"]), value=p["value"],
        computed=p["value"] if p["computed"] is None else p["computed"], raw=p["raw"], figure=p["figure"],
        prov=p["prov"], labels=tuple(labels.items), source=p["source"], sources=tuple(sources.items),
        pub_rank=p["pub_rank"], rank=rank, rank_computed=from_scores, universe=universe,
        methods=dict(sorted(methods.items())), unit_kind=dataset.unit_kind,
        treated=treated[0] if treated else pd.DataFrame(), notes=tuple(notes),
    )


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
    with_figure = any(p["figure"] is not None for p in parts)
    figure = np.full((n_total, k), np.nan) if with_figure else None
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
        if p["figure"] is not None:
            figure[sl, idx] = p["figure"]
        years_v = p["rows"]["year"].to_numpy()
        rank, from_scores, uni = final_ranks(p["value"], p["pub_rank"], years_v, p["years"],
                                              p["method"].rank_decimals, not dataset.publication)
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
        figure=None if figure is None else take(figure),
        labels=tuple(labels.items), source=take(src), sources=tuple(sources.items),
        pub_rank=take(mats["pub_rank"]), rank=take(mats["rank"]), rank_computed=take(rank_computed),
        universe=universe, methods=dict(sorted(methods.items())), unit_kind=dataset.unit_kind,
        treated=pd.concat(treated, ignore_index=True) if treated else pd.DataFrame(), notes=tuple(notes),
    )
