"""One unit's profile: its index and pillars over the years, its main indices in a year, its strengths."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dti_cli.analysis import averages
from dti_cli.analysis.averages import diff, prev_year
from dti_cli.analysis.units import Names
from dti_cli.model.scores import Scores


def history(scores: Scores, unit: str, *, names: Names) -> pd.DataFrame:
    """One unit's index and pillars in every year, with changes."""
    recs = []
    for year in scores.years:
        method = scores.methods[year]
        root = scores.cell(year, unit, method.root)
        py = prev_year(scores, year)
        prev = scores.cell(py, unit, method.root) if py else scores.cell(-1, unit, method.root)
        rec = {"year": year, "score": root["value"], "rank": root["rank"],
               "delta": float(diff(root["value"], prev["value"])), "rank_change": prev["rank"] - root["rank"],
               "of": scores.universe.get(year), "provenance": root["provenance"], "edition": method.id}
        for p in method.pillars:
            c = scores.cell(year, unit, p)
            rec[p] = c["value"]
            rec[p + "_rank"] = c["rank"]
        recs.append(rec)
    return pd.DataFrame(recs)


def components(scores: Scores, unit: str, year: int, *, names: Names, published: bool = False) -> pd.DataFrame:
    """One unit's main indices in a year: value, rank, national mean (the published one with `published`) with how
    many units it is over and of how many, gap."""
    method = scores.methods[year]
    recs = []
    for node in method.tree_order()[1 + len(method.pillars):]:
        c = scores.cell(year, unit, node)
        if np.isnan(c["value"]) and np.isnan(c["rank"]):
            continue
        nat = averages.national(scores, year, node, published=published)
        recs.append({"indicator": node, "indicator_name": method.node_label(node, names.lang), "value": c["value"],
                     "rank": c["rank"], "national": nat.value, "gap": float(diff(c["value"], nat.value)),
                     "national_n": nat.n, "national_of": nat.of, "national_source": nat.source,
                     "provenance": c["provenance"]})
    return pd.DataFrame(recs, columns=["indicator", "indicator_name", "value", "rank", "national", "gap", "national_n",
                                       "national_of", "national_source", "provenance"])


def strengths(comp: pd.DataFrame, n: int = 2) -> tuple[list[str], list[str]]:
    """The strongest and weakest main indices by rank (best ranks first; weakest worst first)."""
    ranked = comp.dropna(subset=["rank"]).sort_values("rank", kind="stable")
    if len(ranked) < 2:
        return [], []
    k = min(n, len(ranked) // 2)
    return ranked["indicator"].head(k).tolist(), ranked["indicator"].tail(k)[::-1].tolist()
