"""Rankings, deltas, comparisons, national and region averages, profiles and verification, as frames."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dti_cli import provinces
from dti_cli.aggregate import aggregate
from dti_cli.engine import Scores
from dti_cli.errors import UsageError
from dti_cli.method import Method

NOISE_DECIMALS = 12  # differences of decimal figures, rounded to drop binary floating-point noise
PUBLISHED_TOLERANCE = 1e-4  # a weighted mean of 4-decimal inputs against a 4-decimal published figure
DERIVED_TOLERANCE = 2e-4  # a figure derived from 4-decimal figures carries up to about twice that


def diff(a, b):
    """a − b without the last-bit noise of binary floating point."""
    return np.round(np.asarray(a, dtype=float) - np.asarray(b, dtype=float), NOISE_DECIMALS)


@dataclass(frozen=True)
class Names:
    """Display names of units in a language."""

    kind: str
    lang: str = "vi"
    boundaries: int | None = None
    labels: dict | None = None  # unit -> name, from a data file's `name` column

    def __call__(self, unit: str) -> str:
        if self.kind != "province":
            return (self.labels or {}).get(unit, unit)
        reg = provinces.registry()
        table = reg.by_slug34 if self.boundaries == 2025 else reg.by_slug63
        p = table.get(unit)
        # Vietnamese names in both languages, as the English press of record writes them ("Quảng Ninh")
        return p.name_vi if p else unit

    @classmethod
    def of(cls, dataset, kind: str, lang: str = "vi", boundaries: int | None = None) -> "Names":
        """Names for a data set's units: the registry for provinces, the data's `name` column otherwise."""
        labels = None
        if kind != "province" and dataset is not None and dataset.attributes is not None \
                and "name" in dataset.attributes:
            labels = dict(zip(dataset.attributes["unit"], dataset.attributes["name"]))
        return cls(kind, lang, boundaries, labels)

    def region(self, unit: str) -> str:
        if self.kind != "province":
            return ""
        reg = provinces.registry()
        table = reg.by_slug34 if self.boundaries == 2025 else reg.by_slug63
        p = table.get(unit)
        return p.region if p else ""


def check_year(scores: Scores, year: int) -> None:
    if year not in scores.methods:
        raise UsageError(f"unknown year {year} (the data has {', '.join(map(str, scores.years))})")


def check_node(scores: Scores, year: int, node: str) -> None:
    m = scores.methods[year]
    if node not in m.nodes:
        raise UsageError(f"unknown indicator '{node}' for {year} (the {m.id} method has: {', '.join(m.nodes)})")


def coverage_note(scores: Scores, year: int, node: str) -> str | None:
    """A plain sentence when a year's scores for a node are incomplete (ranks are then the published ones)."""
    m = scores.year_mask(year)
    j = scores.col(node)
    n = int(m.sum())
    vals = scores.value[m, j]
    have = int((~np.isnan(vals)).sum())
    if have == n:
        return None
    prov = scores.provenance(m, node)
    computed = int(((prov == "computed") & ~np.isnan(vals)).sum())
    ranks = int((~np.isnan(scores.pub_rank[m, j])).sum())
    what = "scores" if not computed else f"scores ({have - computed} published, {computed} computed)"
    kind = "provinces" if scores.unit_kind == "province" else "units"
    if scores.unit_kind != "province" and ranks == 0:
        return f"{year}: {have} of {n} units have a {node} score; they are ranked among themselves"
    if have == 0 and ranks == 0:
        meth = scores.methods[year]
        if not meth.aggregates.get(node, None) or meth.aggregates[node].computable:
            return f"{year}: no {node} figures in the data"
        return f"{year}: {node} is neither published nor computable ({meth.note_en or 'weights unknown'})"
    return (f"{year}: {have} of {n} {node} {what} and {ranks} of {n} ranks are published; "
            f"ranks shown are the published ones, {kind} without one are listed unranked")


def _prev_year(scores: Scores, year: int) -> int | None:
    return year - 1 if (year - 1) in scores.methods else None


def national_mean(scores: Scores, year: int, node: str) -> tuple[float, int]:
    """Plain mean over the units with a value, as the ministry publishes it, and how many units that is."""
    if node not in scores.nodes:
        return float("nan"), 0
    vals = scores.value[scores.year_mask(year), scores.col(node)]
    vals = vals[~np.isnan(vals)]
    return (float(np.mean(vals)) if len(vals) else float("nan")), int(len(vals))


def _national(scores: Scores, year: int, node: str) -> float:
    return national_mean(scores, year, node)[0]


def _region_mean(scores: Scores, year: int, node: str, region: str, names: Names) -> float:
    if node not in scores.nodes:
        return float("nan")
    m = scores.year_mask(year)
    units = scores.rows["unit"].to_numpy()[m]
    inside = np.array([names.region(u) == region for u in units])
    vals = scores.value[m, scores.col(node)][inside]
    vals = vals[~np.isnan(vals)]
    return float(np.mean(vals)) if len(vals) else float("nan")


def rank_table(scores: Scores, year: int, *, by: str, names: Names, top: int | None = None,
               region: str | None = None) -> pd.DataFrame:
    """Every unit of a year ranked on one node, with the previous year, the change and the pillars."""
    check_year(scores, year)
    check_node(scores, year, by)
    method = scores.methods[year]
    pillars = [p for p in method.pillars if p != by]
    cur = scores.frame(year, [by, *pillars])
    prev_year = _prev_year(scores, year)
    prev = scores.frame(prev_year, [by]) if prev_year else pd.DataFrame(
        {by: np.nan, by + ":rank": np.nan}, index=cur.index)
    prev = prev.reindex(cur.index)
    m = scores.year_mask(year)
    out = pd.DataFrame({
        "rank": cur[by + ":rank"].to_numpy(),
        scores.unit_kind: cur.index.to_numpy(),
        "name": [names(u) for u in cur.index],
        "score": cur[by].to_numpy(),
        "prev_score": prev[by].to_numpy(),
        "delta": diff(cur[by].to_numpy(), prev[by].to_numpy()),
        "prev_rank": prev[by + ":rank"].to_numpy(),
        "rank_change": prev[by + ":rank"].to_numpy() - cur[by + ":rank"].to_numpy(),
    })
    for p in pillars:
        out[p] = cur[p].to_numpy()
    out["provenance"] = scores.provenance(m, by)
    if region:
        out["region"] = [names.region(u) for u in out[scores.unit_kind]]
        out = out[out["region"] == region].drop(columns="region")
        # the rank inside the region follows the rank shown (published ranks in years without every score)
        out.insert(1, "region_rank", out["rank"].rank(method="min"))
    out = out[out["score"].notna() | out["rank"].notna()]
    out = out.assign(_s=-out["score"].fillna(-np.inf)).sort_values(["rank", "_s"], na_position="last",
                                                                   kind="stable").drop(columns="_s")
    if top:
        out = out.head(top)
    return out.reset_index(drop=True)


def display_nodes(method: Method) -> list[str]:
    """The root, the pillars, then the other nodes in tree order: the order profiles and comparisons use."""
    return list(method.tree_order())


def compare_table(scores: Scores, units: list[str], year: int, *, names: Names, national: bool = False,
                  region: bool = False) -> pd.DataFrame:
    """Units side by side on every node: value, rank, change, and optionally the national and region means."""
    check_year(scores, year)
    method = scores.methods[year]
    prev_year = _prev_year(scores, year)
    recs = []
    for unit in units:
        reg = names.region(unit) if region else ""
        for node in display_nodes(method):
            cur = scores.cell(year, unit, node)
            prev = scores.cell(prev_year, unit, node) if prev_year else scores.cell(-1, unit, node)
            rec = {
                scores.unit_kind: unit, "name": names(unit), "indicator": node,
                "indicator_name": method.node_label(node, names.lang),
                "value": cur["value"], "rank": cur["rank"], "prev_value": prev["value"],
                "delta": float(diff(cur["value"], prev["value"])), "prev_rank": prev["rank"],
                "rank_change": prev["rank"] - cur["rank"], "provenance": cur["provenance"],
            }
            if national:
                nat, n_nat = national_mean(scores, year, node)
                rec.update(national=nat, gap=float(diff(cur["value"], nat)), national_n=n_nat)
            if region:
                rm = _region_mean(scores, year, node, reg, names) if reg else float("nan")
                rec.update(region=reg, region_mean=rm, region_gap=float(diff(cur["value"], rm)))
            recs.append(rec)
    out = pd.DataFrame(recs)
    has_any = out.groupby("indicator", sort=False)[["value", "rank"]].transform(lambda s: s.notna().any())
    return out[has_any.any(axis=1)].reset_index(drop=True)


def history(scores: Scores, unit: str, *, names: Names) -> pd.DataFrame:
    """One unit's index and pillars in every year, with changes."""
    recs = []
    for year in scores.years:
        method = scores.methods[year]
        root = scores.cell(year, unit, method.root)
        prev_year = _prev_year(scores, year)
        prev = scores.cell(prev_year, unit, method.root) if prev_year else scores.cell(-1, unit, method.root)
        rec = {"year": year, "score": root["value"], "rank": root["rank"],
               "delta": float(diff(root["value"], prev["value"])), "rank_change": prev["rank"] - root["rank"],
               "of": scores.universe.get(year), "provenance": root["provenance"], "edition": method.id}
        for p in ("cqs", "kts", "xhs") if scores.unit_kind == "province" else method.pillars:
            c = scores.cell(year, unit, p)
            rec[p] = c["value"]
            rec[p + "_rank"] = c["rank"]
        recs.append(rec)
    return pd.DataFrame(recs)


def components(scores: Scores, unit: str, year: int, *, names: Names) -> pd.DataFrame:
    """One unit's main indices in a year: value, rank, national mean, gap."""
    method = scores.methods[year]
    recs = []
    for node in display_nodes(method)[1 + len(method.pillars):]:
        c = scores.cell(year, unit, node)
        if np.isnan(c["value"]) and np.isnan(c["rank"]):
            continue
        nat = _national(scores, year, node)
        recs.append({"indicator": node, "indicator_name": method.node_label(node, names.lang), "value": c["value"],
                     "rank": c["rank"], "national": nat, "gap": float(diff(c["value"], nat)),
                     "provenance": c["provenance"]})
    return pd.DataFrame(recs, columns=["indicator", "indicator_name", "value", "rank", "national", "gap",
                                       "provenance"])


def strengths(comp: pd.DataFrame, n: int = 2) -> tuple[list[str], list[str]]:
    """The strongest and weakest main indices by rank (best ranks first; weakest worst first)."""
    ranked = comp.dropna(subset=["rank"]).sort_values("rank", kind="stable")
    if len(ranked) < 2:
        return [], []
    k = min(n, len(ranked) // 2)
    return ranked["indicator"].head(k).tolist(), ranked["indicator"].tail(k)[::-1].tolist()


def verify(scores: Scores) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Recompute every published aggregate that has its inputs and every rank of a complete year.

    Values: each aggregate is recomputed from the leaves alone where they are all published (so a published
    intermediate such as a derived nen_tang cannot vouch for itself), else from its children as shown.
    """
    value_recs, rank_recs = [], []
    years_all = scores.rows["year"].to_numpy()
    units_all = scores.rows["unit"].to_numpy()
    for year in scores.years:
        method = scores.methods[year]
        m = years_all == year
        cols = [scores.col(n) for n in method.nodes]
        vals = scores.value[m][:, cols]
        nl = len(method.leaves)
        from_leaves = vals.copy()
        from_leaves[:, nl:] = np.nan
        none = np.full_like(vals, np.nan)
        _, leaves_only = aggregate(from_leaves, none, list(method.nodes), method)
        shown_aggs = vals.copy()
        shown_aggs[:, :nl] = np.nan
        _, children = aggregate(vals, shown_aggs, list(method.nodes), method)
        raw = scores.raw[m][:, cols]
        prov = np.asarray(scores.labels, dtype=object)[scores.prov[m][:, cols]]
        for jj, node in enumerate(method.nodes[nl:], start=nl):
            pub = raw[:, jj]
            for basis, comp in (("leaves", leaves_only[:, jj]), ("children", children[:, jj])):
                ok = ~np.isnan(pub) & ~np.isnan(comp)
                if basis == "children":
                    ok &= np.isnan(leaves_only[:, jj])
                for i in np.flatnonzero(ok):
                    tol = DERIVED_TOLERANCE if prov[i, jj] == "derived" else PUBLISHED_TOLERANCE
                    d = float(diff(comp[i], pub[i]))
                    value_recs.append({"year": year, scores.unit_kind: units_all[m][i], "indicator": node,
                                       "published": pub[i], "computed": comp[i], "difference": d,
                                       "tolerance": tol, "basis": basis, "provenance": prov[i, jj],
                                       "ok": abs(d) <= tol + 1e-12})
        for node in method.nodes:
            j = scores.col(node)
            pr, rk, rc = scores.pub_rank[m, j], scores.rank[m, j], scores.rank_computed[m, j]
            for i in np.flatnonzero(~np.isnan(pr) & rc):
                rank_recs.append({"year": year, scores.unit_kind: units_all[m][i], "indicator": node,
                                  "published_rank": pr[i], "computed_rank": rk[i], "ok": pr[i] == rk[i]})
    values = pd.DataFrame(value_recs, columns=["year", scores.unit_kind, "indicator", "published", "computed",
                                               "difference", "tolerance", "basis", "provenance", "ok"])
    ranks = pd.DataFrame(rank_recs, columns=["year", scores.unit_kind, "indicator", "published_rank",
                                             "computed_rank", "ok"])
    if len(values):
        values = values.reindex(values["difference"].abs().sort_values(ascending=False, kind="stable").index)
    return values.reset_index(drop=True), ranks


def method_rows(method: Method, *, lang: str = "vi") -> pd.DataFrame:
    """The methodology tree flattened: each node under each parent, with weights and shares in the index."""
    shares = method.shares()
    recs = []

    def walk(node: str, parent: str, weight: float | None, share: float | None, depth: int, tree: str) -> None:
        agg = method.aggregates.get(node)
        leaf = method.leaves.get(node)
        recs.append({
            "tree": tree, "depth": depth, "node": node, "parent": parent, "name": method.node_label(node, lang),
            "kind": "aggregate" if agg else "indicator",
            "aggregate": agg.aggregate.value if agg else "",
            "normalise": leaf.normalise.value if leaf else "",
            "weight": weight, "share_in_parent": share,
            "share_in_index": shares.get(node) if tree == method.root else np.nan,
        })
        if agg:
            raw = agg.raw_weights or (None,) * len(agg.children)
            norm = agg.weights or (None,) * len(agg.children)
            for c, w, s in zip(agg.children, raw, norm):
                walk(c, node, w, s, depth + 1, tree)

    walk(method.root, "", None, None, 0, method.root)
    for p in method.pillars:
        if p in method.aggregates:
            walk(p, "", None, None, 0, p)
    out = pd.DataFrame(recs)
    for col in ("weight", "share_in_parent", "share_in_index"):
        out[col] = pd.to_numeric(out[col], errors="coerce")
    return out


def movers(scores: Scores, year: int, *, by: str, names: Names, top: int = 5,
           region: str | None = None) -> pd.DataFrame:
    """The biggest risers and fallers of a year, by rank change and by score change."""
    table = rank_table(scores, year, by=by, names=names, region=region)
    unit = scores.unit_kind
    recs = []
    for measure, change, prev, cur in (("rank", "rank_change", "prev_rank", "rank"),
                                        ("score", "delta", "prev_score", "score")):
        known = table.dropna(subset=[change])
        for direction, asc in (("up", False), ("down", True)):
            side = known[known[change] > 0] if direction == "up" else known[known[change] < 0]
            side = side.sort_values([change, "rank"], ascending=[asc, True], kind="stable").head(top)
            for i, (_, row) in enumerate(side.iterrows(), start=1):
                recs.append({"measure": measure, "direction": direction, "position": i, unit: row[unit],
                             "name": row["name"], "prev": row[prev], "value": row[cur], "change": row[change],
                             "rank": row["rank"]})
    return pd.DataFrame(recs, columns=["measure", "direction", "position", unit, "name", "prev", "value", "change",
                                       "rank"])
