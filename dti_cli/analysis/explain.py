"""Why did it move: exact decomposition of a change into its children's contributions, and a printable sentence."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dti_cli.aggregate import a_mean
from dti_cli.engine import Scores
from dti_cli.errors import UsageError
from dti_cli.method import Aggregation, Method

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
        raise UsageError("a child is missing in one of the two years: no exact decomposition")
    w = np.where(have0, w, 0) / np.where(have0, w, 0).sum()
    if kind is Aggregation.geometric:
        terms = w * (np.log(np.where(have1, x1, 1)) - np.log(np.where(have0, x0, 1)))
        total = np.log(p1) - np.log(p0)
        scale = (p1 - p0) / total if total != 0 else p0  # logarithmic mean of p0 and p1
        return terms * scale
    terms = w * (1 / np.where(have1, x1, 1) - 1 / np.where(have0, x0, 1))  # harmonic: 1/p = Σ w/x
    total = 1 / p1 - 1 / p0
    return terms * ((p1 - p0) / total) if total != 0 else terms * (-p0 * p0)


def explain(scores: Scores, unit: str, year: int, names=None, lang: str = "vi") -> tuple[pd.DataFrame, list[str]]:
    """Rows node, parent, weight_share, prev_value, value, delta, contribution for the index and each pillar,
    down to the leaves; and notes on what cannot be explained."""
    if year not in scores.methods:
        raise UsageError(f"unknown year {year} (the data has {', '.join(map(str, scores.years))})")
    prev = year - 1
    method = scores.methods[year]
    notes: list[str] = []
    if prev not in scores.methods:
        return _empty(), [f"no {prev} figures in the data: nothing to compare {year} with"]
    if scores.methods[prev] is not method and set(scores.methods[prev].nodes) != set(method.nodes):
        notes.append(f"{prev} and {year} were computed with different editions ({scores.methods[prev].id} and "
                     f"{method.id}); children are compared where both years have them")
    cur = {n: scores.cell(year, unit, n)["value"] for n in method.nodes}
    old = {n: scores.cell(prev, unit, n)["value"] for n in method.nodes}
    rows: list[dict] = []
    done: set[tuple[str, str]] = set()
    stuck: list[str] = []

    def walk(node: str) -> None:
        agg = method.aggregates.get(node)
        if agg is None or np.isnan(cur[node]) or np.isnan(old[node]):
            return
        if not agg.computable:
            stuck.append(f"{node}: weights unknown")
            return
        x0 = np.array([old[c] for c in agg.children])
        x1 = np.array([cur[c] for c in agg.children])
        if np.isnan(x0).all() or np.isnan(x1).all() or (agg.min_coverage >= 1 and (np.isnan(x0).any()
                                                                                   or np.isnan(x1).any())):
            missing = [c for c, a, b in zip(agg.children, x0, x1) if np.isnan(a) or np.isnan(b)]
            gone0, gone1 = np.isnan(x0).any(), np.isnan(x1).any()
            which = f"{prev} and {year}" if gone0 and gone1 else (f"{prev}" if gone0 else f"{year}")
            stuck.append(f"{node}: {', '.join(missing)} not in the {which} data")
            return
        # the change the decomposition accounts for is the one between the values computed from these children;
        # a published parent differs from it by rounding, shown on its own row
        p0 = a_mean(x0[None, :], np.array(agg.weights), agg.aggregate, agg.min_coverage)[0]
        p1 = a_mean(x1[None, :], np.array(agg.weights), agg.aggregate, agg.min_coverage)[0]
        try:
            contrib = contributions(agg.aggregate, np.array(agg.weights), x0, x1, p0, p1)
        except UsageError as exc:
            stuck.append(f"{node}: {exc}")
            return
        shares = np.array(agg.weights)
        for c, share, a, b, k in zip(agg.children, shares, x0, x1, contrib):
            if (c, node) in done:
                continue
            done.add((c, node))
            rows.append({"node": c, "parent": node, "weight_share": share, "prev_value": a, "value": b,
                         "delta": _d(b, a), "contribution": k})
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
                     "delta": _d(cur[top], old[top]), "contribution": np.nan})
        walk(top)
    if np.isnan(old[method.root]):
        notes.append(f"the {prev} {method.root} of {unit} is not in the data: the change cannot be computed")
    for s in dict.fromkeys(stuck):
        notes.append(f"cannot go below {s}")
    out = pd.DataFrame(head + rows, columns=list(_empty().columns))
    if len(out):
        out["name"] = [method.node_label(n, lang) if n != ROUNDING else (
            "(làm tròn)" if lang == "vi" else "(rounding)") for n in out["node"]]
    return out, notes


def _d(a: float, b: float) -> float:
    return float(np.round(a - b, 12))


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=["node", "parent", "weight_share", "prev_value", "value", "delta", "contribution"])


# ---------------------------------------------------------------- sentences

def number(x: float, lang: str, decimals: int = 4) -> str:
    """A number in the language's convention: 0,7024 in Vietnamese, 0.7024 in English."""
    text = f"{abs(x):.{decimals}f}"
    return text.replace(".", ",") if lang == "vi" else text


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st…"""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def headline(name: str, year: int, score: float, rank: float, of: int, prev_score: float, prev_rank: float,
             lang: str = "vi") -> str:
    """The sentence a journalist prints: the score, its change, the rank and its change."""
    has_d = not (np.isnan(score) or np.isnan(prev_score))
    has_r = not (np.isnan(rank) or np.isnan(prev_rank))
    d = float(np.round(score - prev_score, 12)) if has_d else 0.0
    moved = int(prev_rank - rank) if has_r else 0
    if np.isnan(score):  # a published rank without its score (2020, 2021)
        if np.isnan(rank):
            return (f"Năm {year}, {name} không có điểm hay thứ hạng được công bố." if lang == "vi" else
                    f"In {year} no score or rank of {name} was published.")
        if lang == "vi":
            change = (f", {'tăng' if moved > 0 else 'giảm'} {abs(moved)} bậc so với năm {year - 1}" if moved else
                      (f", giữ nguyên thứ hạng so với năm {year - 1}" if has_r else ""))
            return f"Năm {year}, {name} xếp thứ {int(rank)}/{of} (điểm số không được công bố){change}."
        places = "place" if abs(moved) == 1 else "places"
        change = (f", {'up' if moved > 0 else 'down'} {abs(moved)} {places} on {year - 1}" if moved else
                  (f", unchanged on {year - 1}" if has_r else ""))
        return f"In {year} {name} ranked {ordinal(int(rank))} of {of} (its score was not published){change}."
    if lang == "vi":
        parts = [f"Năm {year}, {name} đạt {number(score, lang)} điểm"]
        changes = []
        if has_d:
            changes.append(f"{'tăng' if d > 0 else 'giảm'} {number(d, lang)} điểm" if d else "giữ nguyên điểm số")
        if has_r:
            changes.append(f"{'tăng' if moved > 0 else 'giảm'} {abs(moved)} bậc" if moved else "giữ nguyên thứ hạng")
        if changes:
            parts.append(f"{' và '.join(changes)} so với năm {year - 1}")
        tail = f"xếp thứ {int(rank)}/{of}" if not np.isnan(rank) else ""
        return ", ".join(parts + ([tail] if tail else [])) + "."
    text = f"In {year} {name} scored {number(score, lang)}"
    if has_d:
        text += f", {'up' if d > 0 else 'down'} {number(d, lang)} on {year - 1}" if d else \
            f", unchanged on {year - 1}"
    if not np.isnan(rank):
        if has_r and moved:
            places = "place" if abs(moved) == 1 else "places"
            text += f", and {'rose' if moved > 0 else 'fell'} {abs(moved)} {places} to {ordinal(int(rank))} of {of}"
        elif has_r:
            text += f", and held {ordinal(int(rank))} of {of}"
        else:
            text += f", {ordinal(int(rank))} of {of}"
    return text + "."


def drivers(frame: pd.DataFrame, root: str, lang: str = "vi", n: int = 2) -> str:
    """A second sentence: the children of the index that moved it most, with their contributions."""
    kids = frame[(frame["parent"] == root) & (frame["node"] != ROUNDING)].dropna(subset=["contribution"])
    if kids.empty:
        return ""
    total = float(kids["contribution"].sum())
    same = kids[np.sign(kids["contribution"]) == np.sign(total)] if total else kids
    top = same.reindex(same["contribution"].abs().sort_values(ascending=False).index).head(n)
    if top.empty or (top["contribution"] == 0).all():
        return ""
    items = [f"{row['name'].lower() if lang == 'vi' else row['name'][0].lower() + row['name'][1:]} "
             f"({'+' if row['contribution'] > 0 else '−'}{number(row['contribution'], lang)})"
             for _, row in top.iterrows()]
    if lang == "vi":
        return ("Đóng góp lớn nhất vào mức " + ("tăng" if total > 0 else "giảm") + " đến từ "
                + " và ".join(items) + ".")
    return ("The largest contributions to the " + ("rise" if total > 0 else "fall") + " came from "
            + " and ".join(items) + ".")


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
