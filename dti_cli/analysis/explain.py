"""Why did it move: the exact decomposition of a change into its children's contributions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dti_cli.analysis.averages import check_year, diff
from dti_cli.errors import UsageError
from dti_cli.i18n import Msg
from dti_cli.model.method import Aggregation
from dti_cli.model.scores import Scores
from dti_cli.pipeline.aggregate import a_mean

ROUNDING = "(rounding)"


def contributions(kind: Aggregation, w: np.ndarray, x0: np.ndarray, x1: np.ndarray, p0: float,
                  p1: float) -> np.ndarray:
    """Each child's contribution to the change p1 − p0 of a weighted mean of x (x0 → x1); they sum to p1 − p0.

    Arithmetic: w₁ᵢx₁ᵢ − w₀ᵢx₀ᵢ with the weights renormalised over the children present each year (= wᵢΔxᵢ when
    all are present). Geometric: the log decomposition, wᵢ·Δln xᵢ scaled by the logarithmic mean of p0 and p1.
    Harmonic: the same on 1/x.
    """
    w = np.asarray(w, dtype=float)
    have0, have1 = ~np.isnan(x0), ~np.isnan(x1)
    if kind is Aggregation.arithmetic:
        w0 = np.where(have0, w, 0) / np.where(have0, w, 0).sum()
        w1 = np.where(have1, w, 0) / np.where(have1, w, 0).sum()
        return w1 * np.nan_to_num(x1) - w0 * np.nan_to_num(x0)
    if not (have0 == have1).all():
        raise UsageError("explain.child_missing")
    w = np.where(have0, w, 0) / np.where(have0, w, 0).sum()
    if kind is Aggregation.geometric:
        terms = w * (np.log(np.where(have1, x1, 1)) - np.log(np.where(have0, x0, 1)))
        total = np.log(p1) - np.log(p0)
        scale = (p1 - p0) / total if total != 0 else p0  # logarithmic mean of p0 and p1
        return terms * scale
    terms = w * (1 / np.where(have1, x1, 1) - 1 / np.where(have0, x0, 1))  # harmonic: 1/p = Σ w/x
    total = 1 / p1 - 1 / p0
    return terms * ((p1 - p0) / total) if total != 0 else terms * (-p0 * p0)


def explain(scores: Scores, unit: str, year: int, lang: str = "vi") -> tuple[pd.DataFrame, list[Msg]]:
    """Rows node, parent, name, weight_share, prev_value, value, delta, contribution for the index and each
    pillar, down to the leaves; and notes on what cannot be explained."""
    check_year(scores, year)
    prev = year - 1
    method = scores.methods[year]
    notes: list[Msg] = []
    if prev not in scores.methods:
        return _empty(), [Msg("explain.no_prev", prev=prev, year=year)]
    if scores.methods[prev] is not method and set(scores.methods[prev].nodes) != set(method.nodes):
        notes.append(Msg("explain.editions", prev=prev, year=year, a=scores.methods[prev].id, b=method.id))
    cur = {n: scores.cell(year, unit, n)["value"] for n in method.nodes}
    old = {n: scores.cell(prev, unit, n)["value"] for n in method.nodes}
    rows: list[dict] = []
    done: set[tuple[str, str]] = set()
    stuck: list[Msg] = []

    def walk(node: str) -> None:
        agg = method.aggregates.get(node)
        if agg is None or np.isnan(cur[node]) or np.isnan(old[node]):
            return
        if not agg.computable:
            stuck.append(Msg("explain.stuck_weights", node=node))
            return
        x0 = np.array([old[c] for c in agg.children])
        x1 = np.array([cur[c] for c in agg.children])
        if np.isnan(x0).all() or np.isnan(x1).all() or (agg.min_coverage >= 1 and (np.isnan(x0).any()
                                                                                   or np.isnan(x1).any())):
            missing = ", ".join(c for c, a, b in zip(agg.children, x0, x1) if np.isnan(a) or np.isnan(b))
            gone0, gone1 = np.isnan(x0).any(), np.isnan(x1).any()
            if gone0 and gone1:
                stuck.append(Msg("explain.stuck_both", node=node, missing=missing, prev=prev, year=year))
            else:
                stuck.append(Msg("explain.stuck_missing", node=node, missing=missing, year=prev if gone0 else year))
            return
        # the change the decomposition accounts for is the one between the values computed from these children;
        # a published parent differs from it by rounding, shown on its own row
        p0 = a_mean(x0[None, :], np.array(agg.weights), agg.aggregate, agg.min_coverage)[0]
        p1 = a_mean(x1[None, :], np.array(agg.weights), agg.aggregate, agg.min_coverage)[0]
        try:
            contrib = contributions(agg.aggregate, np.array(agg.weights), x0, x1, p0, p1)
        except UsageError as exc:
            stuck.append(Msg("explain.stuck_other", node=node, detail=exc.msg))
            return
        shares = np.array(agg.weights)
        for c, share, a, b, k in zip(agg.children, shares, x0, x1, contrib):
            if (c, node) in done:
                continue
            done.add((c, node))
            rows.append({"node": c, "parent": node, "weight_share": share, "prev_value": a, "value": b,
                         "delta": float(diff(b, a)), "contribution": k})
        residual = (cur[node] - old[node]) - (p1 - p0)
        if abs(residual) > 1e-12:
            rows.append({"node": ROUNDING, "parent": node, "weight_share": np.nan, "prev_value": np.nan,
                         "value": np.nan, "delta": np.nan, "contribution": residual})
        for c in agg.children:
            walk(c)

    tops = [method.root] + [p for p in method.pillars if p in method.aggregates]
    head = []
    for top in tops:
        if np.isnan(cur[top]) or np.isnan(old[top]):
            continue
        head.append({"node": top, "parent": "", "weight_share": np.nan, "prev_value": old[top], "value": cur[top],
                     "delta": float(diff(cur[top], old[top])), "contribution": np.nan})
        walk(top)
    if np.isnan(old[method.root]):
        notes.append(Msg("explain.no_prev_root", prev=prev, root=method.root, unit=unit))
    for s in dict.fromkeys(stuck):
        notes.append(Msg("explain.cannot_go_below", detail=s))
    out = pd.DataFrame(head + rows, columns=list(_empty().columns))
    if len(out):
        rounding = Msg("explain.rounding").text(lang)
        out.insert(2, "name", [method.node_label(n, lang) if n != ROUNDING else rounding for n in out["node"]])
    return out, notes


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=["node", "parent", "weight_share", "prev_value", "value", "delta", "contribution"])


def tree_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows in tree order with names indented by depth, each parent followed by its children."""
    if not len(rows):
        return rows
    out = []

    def walk(parent: str, depth: int, seen: frozenset) -> None:
        for _, r in rows[rows["parent"] == parent].iterrows():
            out.append({**r.to_dict(), "name": "  " * depth + str(r["name"])})
            if r["node"] not in seen:
                walk(r["node"], depth + 1, seen | {r["node"]})

    for _, top in rows[rows["parent"] == ""].iterrows():
        out.append(top.to_dict())
        walk(top["node"], 1, frozenset([top["node"]]))
    return pd.DataFrame(out)
