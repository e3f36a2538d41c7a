"""League tables, side-by-side comparisons and the year's movers, as frames."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dti_cli.analysis import averages
from dti_cli.analysis.averages import check_node, check_year, diff, prev_year
from dti_cli.analysis.units import Names
from dti_cli.model import levels
from dti_cli.model.scores import Scores


def rank_table(scores: Scores, year: int, *, by: str, names: Names, top: int | None = None,
               region: str | None = None) -> pd.DataFrame:
    """Every unit of a year ranked on one node, with the previous year, the change and the pillars."""
    check_year(scores, year)
    check_node(scores, year, by)
    method = scores.methods[year]
    pillars = [p for p in method.pillars if p != by]
    cur = scores.frame(year, [by, *pillars])
    py = prev_year(scores, year)
    prev = scores.frame(py, [by]) if py else pd.DataFrame(
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
    if pillars:  # in one step: a method of thousands of children would otherwise fragment the frame
        out = pd.concat([out, pd.DataFrame({p: cur[p].to_numpy() for p in pillars}, index=out.index)], axis=1)
    out["provenance"] = scores.provenance(m, by)
    if region:
        out["region"] = [names.region(u) for u in out[scores.unit_kind]]
        out = out[out["region"] == region].drop(columns="region")
        # the rank inside the region follows the rank shown (published ranks in years without every score)
        out.insert(1, "region_rank", out["rank"].rank(method="min"))
    missing = _missing(scores, year, by, out[scores.unit_kind].to_numpy(),
                       out["score"].isna().to_numpy() & out["rank"].isna().to_numpy())
    if missing is not None:  # a unit with figures but no score is listed last, unranked, with what it lacks
        out["missing"] = missing
    out = out[out["score"].notna() | out["rank"].notna() | (out["missing"].ne("") if "missing" in out else False)]
    out = out.assign(_s=-out["score"].fillna(-np.inf)).sort_values(["rank", "_s"], na_position="last",
                                                                   kind="stable").drop(columns="_s")
    if top:
        out = out.head(top)
    return out.reset_index(drop=True)


def _missing(scores: Scores, year: int, node: str, units: np.ndarray, unscored: np.ndarray) -> np.ndarray | None:
    """For each unit without a score nor a rank on `node` but with some figure that year: the leaves under the node it
    lacks (else the node's children it lacks), as "a, b"; "" for the others. None when there is no such unit."""
    method = scores.methods[year]
    m = scores.year_mask(year)
    rows = np.flatnonzero(m)[pd.Index(scores.rows["unit"].to_numpy()[m]).get_indexer(units)]
    some = ~np.isnan(scores.value[rows]).all(axis=1)
    lacking = unscored & some
    if not lacking.any() or unscored.all():  # nobody has the node: an empty request, said as such (not 63 rows)
        return None
    under = method.descendants(node)
    leaves = [x for x in method.leaves if x in under and x in scores.nodes] or [
        x for x in (method.aggregates[node].children if node in method.aggregates else ()) if x in scores.nodes]
    cols = [scores.nodes.index(x) for x in leaves]
    gone = np.isnan(scores.value[rows][:, cols])
    out = np.full(len(units), "", dtype=object)
    out[lacking] = [", ".join(x for x, g in zip(leaves, row) if g) or node for row in gone[lacking]]
    return out


def compare_table(scores: Scores, units: list[str], year: int, *, names: Names, national: bool = False,
                  region: bool = False, published: bool = False, national_dti: bool = False) -> pd.DataFrame:
    """Units side by side on every node: value, rank, change, and optionally the national and region means with how
    many units each is over and of how many (with `published`, the ministry's published means of the provinces
    where there are, and the national DTI)."""
    check_year(scores, year)
    method = scores.methods[year]
    py = prev_year(scores, year)
    recs = []
    for unit in units:
        reg = names.region(unit) if region else ""
        for node in method.tree_order():
            cur = scores.cell(year, unit, node)
            prev = scores.cell(py, unit, node) if py else scores.cell(-1, unit, node)
            rec = {
                scores.unit_kind: unit, "name": names(unit), "indicator": node,
                "indicator_name": method.node_label(node, names.lang),
                "value": cur["value"], "rank": cur["rank"], "prev_value": prev["value"],
                "delta": float(diff(cur["value"], prev["value"])), "prev_rank": prev["rank"],
                "rank_change": prev["rank"] - cur["rank"], "provenance": cur["provenance"],
            }
            if national:
                nat = averages.national(scores, year, node, published=published)
                rec.update(national=nat.value, gap=float(diff(cur["value"], nat.value)), national_n=nat.n,
                           national_of=nat.of, national_source=nat.source)
                fig = levels.national(year) if national_dti and node == method.root else None
                rec.update(national_dti=fig.value if fig else float("nan"),
                           national_dti_gap=float(diff(cur["value"], fig.value)) if fig else float("nan"),
                           national_dti_source=fig.source if fig else "")
            if region:
                rm = averages.region_figure(scores, year, node, reg, names)
                rec.update(region=reg, region_mean=rm.value, region_gap=float(diff(cur["value"], rm.value)),
                           region_n=rm.n, region_of=rm.of)
            recs.append(rec)
    out = pd.DataFrame(recs)
    has_any = out.groupby("indicator", sort=False)[["value", "rank"]].transform(lambda s: s.notna().any())
    return out[has_any.any(axis=1)].reset_index(drop=True)


def movers(scores: Scores, year: int, *, by: str, names: Names, top: int = 5,
           region: str | None = None, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """The biggest risers and fallers of a year, by rank change and by score change (from `table`, the year's
    rank_table, when the caller has it)."""
    if table is None:
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
