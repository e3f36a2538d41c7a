"""What it would take: the index score needed for a target rank, and the value each lowest node alone would
need to reach it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dti_cli.analysis.averages import diff
from dti_cli.analysis.recompute import Year, check_ranked, is_raw, propagate, rerun
from dti_cli.errors import UsageError
from dti_cli.model.method import Method, Normalise
from dti_cli.model.scores import Scores
from dti_cli.pipeline.ranks import competition_ranks


def frontier(yr: Year, i: int) -> list[str]:
    """The lowest nodes with a value under the root for one unit: leaves, or aggregates whose children are
    missing (e.g. a published nen_tang without its five indices)."""
    out: list[str] = []
    seen: set[str] = set()

    def walk(node: str) -> None:
        if node in seen:
            return
        seen.add(node)
        agg = yr.method.aggregates.get(node)
        kids = [c for c in agg.children] if agg else []
        if agg and all(not np.isnan(yr.values[i, yr.col(c)]) for c in kids):
            for c in kids:
                walk(c)
        elif not np.isnan(yr.values[i, yr.col(node)]) and node != yr.method.root:
            out.append(node)

    walk(yr.method.root)
    return out


def leaf_max(method: Method, node: str) -> float:
    """The most a leaf can score: its normalisation's top (1 for published indices on 0–1)."""
    lf = method.leaves.get(node)
    if lf is None or lf.normalise in (Normalise.none, Normalise.fracmax, Normalise.dist2max, Normalise.prank):
        return 1.0
    if lf.normalise is Normalise.minmax:
        return lf.hi
    if lf.normalise is Normalise.goalposts:
        return lf.scale
    if lf.normalise is Normalise.dist2target:
        return 1.0 if lf.cap else np.inf
    return np.inf  # zscore, rank: no natural ceiling


def raw_bound(dataset, method: Method, year: int, node: str, current: float) -> float:
    """How far a raw indicator can usefully go: its goalpost, else the best value any unit has that year."""
    lf = method.leaves[node]
    if lf.normalise is Normalise.goalposts:
        return lf.gp_hi if lf.direction > 0 else lf.gp_lo
    f = dataset.frame
    vals = f.loc[(f["year"] == year) & (f["indicator"].astype(str) == node), "value"].dropna()
    if vals.empty:
        return current
    return float(vals.max() if lf.direction > 0 else vals.min())


def gap(scores: Scores, year: int, unit: str, target: int, *, dataset=None,
        tol: float = 1e-10) -> tuple[dict, pd.DataFrame]:
    """The index score needed for rank `target`, and for each frontier node the value that alone gets there.

    Published-index methods: each lowest published node, capped at its maximum (1 for indices on 0–1). Methods
    built from raw data: each indicator in its own units, up to its goalpost or the best value any unit has.
    """
    check_ranked(scores, year, "gap")
    yr = Year.of(scores, year)
    i = yr.row(unit)
    root = yr.col(yr.method.root)
    score = yr.values[i, root]
    if np.isnan(score):
        raise UsageError("gap.no_score", unit=unit, root=yr.method.root, year=year)
    n_units = int((~np.isnan(yr.values[:, root])).sum())
    if not 1 <= target <= n_units:
        raise UsageError("gap.target_range", option="target_rank", n=n_units)
    ranks_now = competition_ranks(yr.values, yr.decimals)[:, root]
    others = np.delete(np.round(yr.values[:, root], yr.decimals), i)
    others = np.sort(others[~np.isnan(others)])[::-1]
    needed = float(others[target - 1]) if target - 1 < len(others) else -np.inf
    summary = {"unit": unit, "year": year, "score": score, "rank": ranks_now[i], "target_rank": target,
               "needed_score": needed, "gap": float(diff(needed, np.round(score, yr.decimals)))}
    columns = ["leaf", "current", "needed", "increase", "index_points", "reachable"]
    if ranks_now[i] <= target:
        return summary, pd.DataFrame(columns=columns)
    raw = is_raw(yr.method)
    if raw and dataset is None:
        raise ValueError("gap on a method built from raw data needs the data set")

    def rank_with(node: str, v: float) -> tuple[float, float]:
        if raw:
            new = Year.of(rerun(dataset, scores, year, unit, {node: v}), year).values
        else:
            values = yr.values.copy()
            j = yr.col(node)
            values[i, j] = v
            fixed = np.zeros(values.shape, dtype=bool)
            fixed[i, j] = True
            new = propagate(yr, values, yr.method, fixed)
        return competition_ranks(new[:, [root]], yr.decimals)[i, 0], new[i, root]

    recs = []
    nodes = [n for n in yr.method.leaves if not np.isnan(_raw_value(scores, year, unit, n))] if raw else \
        frontier(yr, i)
    for node in nodes:
        cur = _raw_value(scores, year, unit, node) if raw else yr.values[i, yr.col(node)]
        if raw:
            top = raw_bound(dataset, yr.method, year, node, cur)
        else:
            top = leaf_max(yr.method, node)
            top = top if np.isfinite(top) else cur + 1e6
        sign = 1.0 if not raw or yr.method.leaves[node].direction > 0 else -1.0
        if (top - cur) * sign <= 0 or rank_with(node, top)[0] > target:
            recs.append({"leaf": node, "current": cur, "needed": np.nan, "increase": np.nan, "index_points": np.nan,
                         "reachable": False})
            continue
        lo, hi = cur, top  # the value nearest the current one that reaches the target (ranks are monotone)
        scale = max(1.0, abs(top - cur))
        while abs(hi - lo) > tol * scale:
            mid = (lo + hi) / 2
            if rank_with(node, mid)[0] <= target:
                hi = mid
            else:
                lo = mid
        _, new_index = rank_with(node, hi)
        recs.append({"leaf": node, "current": cur, "needed": hi, "increase": float(diff(hi, cur)),
                     "index_points": float(diff(new_index, score)), "reachable": True})
    out = pd.DataFrame(recs, columns=columns)
    if len(out):
        cost = out["increase"].abs() / out["current"].abs().where(out["current"] != 0, 1.0) if raw else \
            out["increase"]
        out = out.assign(_r=~out["reachable"].astype(bool), _c=cost).sort_values(
            ["_r", "index_points", "_c"], kind="stable").drop(columns=["_r", "_c"])
    return summary, out.reset_index(drop=True)


def _raw_value(scores: Scores, year: int, unit: str, node: str) -> float:
    return scores.cell(year, unit, node)["raw"]
