"""What if: one unit's nodes with some values changed, or every unit's index under other weights."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dti_cli.analysis.averages import diff
from dti_cli.analysis.recompute import Year, check_ranked, is_raw, propagate, rerun
from dti_cli.errors import UsageError
from dti_cli.model.method import Method
from dti_cli.model.scores import Scores
from dti_cli.pipeline.ranks import competition_ranks


def whatif_values(scores: Scores, year: int, unit: str, changes: dict[str, float], *, dataset=None) -> pd.DataFrame:
    """One unit's nodes before and after setting some of them, with ranks among the units with a value (`of`).

    Published-index methods: the values set are the nodes' scores, and the change moves the published figures
    above them. Methods built from raw data: the values are raw figures in the indicators' own units, and the
    whole pipeline runs again (a new maximum changes everyone's min-max scores).
    """
    check_ranked(scores, year, "whatif")
    yr = Year.of(scores, year)
    i = yr.row(unit)
    for node in changes:
        yr.col(node)
    fixed = np.zeros(yr.values.shape, dtype=bool)
    if is_raw(yr.method):
        if dataset is None:
            raise ValueError("whatif on a method built from raw data needs the data set")
        new = Year.of(rerun(dataset, scores, year, unit, changes), year).values
        for node in changes:
            fixed[i, yr.col(node)] = True
    else:
        values = yr.values.copy()
        for node, v in changes.items():
            j = yr.col(node)
            values[i, j] = v
            fixed[i, j] = True
        new = propagate(yr, values, yr.method, fixed)
        root = yr.col(yr.method.root)
        for node in changes:  # a figure the unit's score is not built from changes nothing: say so, no new ranks
            j = yr.col(node)
            if np.isnan(yr.values[i, j]) and new[i, root] == yr.values[i, root]:
                raise UsageError("whatif.no_effect", option="set", node=node, unit=unit, year=year,
                                 parents=", ".join(yr.method.parents(node)))
    old_rank = competition_ranks(yr.values, yr.decimals)
    new_rank = competition_ranks(new, yr.decimals)
    ranked = (~np.isnan(new)).sum(axis=0)  # how many units each node's new ranks are among
    recs = []
    for j, node in enumerate(yr.nodes):
        if np.isnan(yr.values[i, j]) and np.isnan(new[i, j]):
            continue
        recs.append({"node": node, "old": yr.values[i, j], "new": new[i, j],
                     "delta": float(diff(new[i, j], yr.values[i, j])),
                     "old_rank": old_rank[i, j], "new_rank": new_rank[i, j], "of": int(ranked[j]),
                     "set": bool(fixed[i, j])})
    order = {n: i for i, n in enumerate(yr.method.tree_order())}
    out = pd.DataFrame(recs, columns=["node", "old", "new", "delta", "old_rank", "new_rank", "of", "set"])
    return out.assign(_o=out["node"].map(order)).sort_values("_o", kind="stable").drop(columns="_o").reset_index(
        drop=True)


def whatif_weights(scores: Scores, year: int, changes: dict[str, float]) -> tuple[pd.DataFrame, Method]:
    """Every unit's index before and after new weights (children's raw weights in every parent listing them)."""
    check_ranked(scores, year, "whatif")
    yr = Year.of(scores, year)
    listed = {c for a in yr.method.aggregates.values() for c in a.children}
    for node, w in changes.items():
        if node not in listed:
            raise UsageError("whatif.not_a_child", option="weights", node=node, children=", ".join(sorted(listed)))
        if not w > 0:
            raise UsageError("whatif.weight_positive", option="weights", node=node, weight=w)
    method = yr.method.with_weights(changes)
    new = propagate(yr, yr.values, method)
    root = yr.col(yr.method.root)
    old_rank = competition_ranks(yr.values, yr.decimals)[:, root]
    new_rank = competition_ranks(new, yr.decimals)[:, root]
    out = pd.DataFrame({"unit": yr.units, "old": yr.values[:, root], "new": new[:, root],
                        "delta": diff(new[:, root], yr.values[:, root]), "old_rank": old_rank,
                        "new_rank": new_rank, "rank_change": old_rank - new_rank})
    out = out.dropna(subset=["old", "new"], how="all").sort_values(["new_rank", "old_rank"], kind="stable")
    return out.reset_index(drop=True), method
