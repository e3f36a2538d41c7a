"""What if, what would it take, how sure are we: recomputation with changed values or weights, the gap to a
target rank, and a Monte Carlo uncertainty analysis of the ranks (vectorised over samples)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from dti_cli.aggregate import a_mean
from dti_cli.engine import Scores, competition_ranks
from dti_cli.errors import UsageError
from dti_cli.method import Aggregation, Method, Normalise


@dataclass(frozen=True)
class Year:
    """One year's shown values (units × nodes) with the method that computes them."""

    units: np.ndarray
    nodes: tuple[str, ...]
    values: np.ndarray
    method: Method
    decimals: int

    @classmethod
    def of(cls, scores: Scores, year: int) -> "Year":
        if year not in scores.methods:
            raise UsageError(f"unknown year {year} (the data has {', '.join(map(str, scores.years))})")
        m = scores.year_mask(year)
        method = scores.methods[year]
        cols = [scores.col(n) for n in method.nodes]
        return cls(scores.rows["unit"].to_numpy()[m], method.nodes, scores.value[m][:, cols].copy(), method,
                   method.rank_decimals)

    def col(self, node: str) -> int:
        if node not in self.nodes:
            raise UsageError(f"unknown indicator '{node}' (the {self.method.id} method has: {', '.join(self.nodes)})")
        return self.nodes.index(node)

    def row(self, unit: str) -> int:
        hit = np.flatnonzero(self.units == unit)
        if not len(hit):
            raise UsageError(f"no figures for '{unit}' in this year")
        return int(hit[0])


def from_children(values: np.ndarray, nodes: tuple[str, ...], method: Method) -> np.ndarray:
    """Each aggregate computed from its children's shown values (leaf columns NaN)."""
    col = {n: j for j, n in enumerate(nodes)}
    out = np.full(values.shape, np.nan)
    for agg in method.aggregates.values():
        if agg.computable:
            out[:, col[agg.id]] = a_mean(values[:, [col[c] for c in agg.children]], np.array(agg.weights),
                                         agg.aggregate, agg.min_coverage)
    return out


def propagate(yr: Year, values: np.ndarray, method: Method, fixed: np.ndarray | None = None) -> np.ndarray:
    """Shown values after a change: each aggregate moves by the change of its value computed from its children.

    Applying a change as a difference keeps published figures where nothing changes (unchanged inputs give the
    baseline exactly, ties included). `fixed` marks cells set by hand, which keep their new value.
    """
    base = from_children(yr.values, yr.nodes, yr.method)
    new = values.copy()
    col = {n: j for j, n in enumerate(yr.nodes)}
    for agg in method.aggregates.values():
        j = col[agg.id]
        if not agg.computable:
            continue
        mine = a_mean(new[:, [col[c] for c in agg.children]], np.array(agg.weights), agg.aggregate,
                      agg.min_coverage)
        moved = np.where(np.isnan(yr.values[:, j]), mine, yr.values[:, j] + (mine - base[:, j]))
        # where the old value had no computed counterpart (children missing), it stays as it was
        moved = np.where(np.isnan(base[:, j]) & ~np.isnan(yr.values[:, j]), yr.values[:, j], moved)
        if fixed is not None:
            moved = np.where(fixed[:, j], new[:, j], moved)
        new[:, j] = moved
    return new


def parse_assignments(items: list[str], what: str) -> dict[str, float]:
    """"node=value" pairs from --set or --weights (comma-separated or repeated)."""
    out: dict[str, float] = {}
    for item in items:
        for part in filter(None, (p.strip() for p in item.split(","))):
            if "=" not in part:
                raise UsageError(f"{what}: expected NODE=NUMBER, got '{part}'")
            key, val = (x.strip() for x in part.split("=", 1))
            try:
                out[key] = float(val)
            except ValueError:
                raise UsageError(f"{what}: '{val}' is not a number (in '{part}')") from None
            if not np.isfinite(out[key]):
                raise UsageError(f"{what}: '{val}' is not a finite number")
    if not out:
        raise UsageError(f"{what}: nothing to change")
    return out


def _check_computable(method: Method, year: int) -> None:
    if not method.computable:
        raise UsageError(f"{year}: the {method.id} edition does not publish its weights, so nothing can be "
                         "recomputed (" + (method.note_en or "weights unknown") + ")")


def whatif_values(scores: Scores, year: int, unit: str, changes: dict[str, float]) -> pd.DataFrame:
    """One unit's nodes before and after setting some of them, with ranks among all units."""
    yr = Year.of(scores, year)
    _check_computable(yr.method, year)
    i = yr.row(unit)
    values = yr.values.copy()
    fixed = np.zeros(values.shape, dtype=bool)
    for node, v in changes.items():
        j = yr.col(node)
        values[i, j] = v
        fixed[i, j] = True
    new = propagate(yr, values, yr.method, fixed)
    old_rank = competition_ranks(yr.values, yr.decimals)
    new_rank = competition_ranks(new, yr.decimals)
    recs = []
    for j, node in enumerate(yr.nodes):
        if np.isnan(yr.values[i, j]) and np.isnan(new[i, j]):
            continue
        recs.append({"node": node, "old": yr.values[i, j], "new": new[i, j],
                     "delta": float(np.round(new[i, j] - yr.values[i, j], 12)),
                     "old_rank": old_rank[i, j], "new_rank": new_rank[i, j], "set": bool(fixed[i, j])})
    order = {n: i for i, n in enumerate(yr.method.tree_order())}
    out = pd.DataFrame(recs)
    return out.assign(_o=out["node"].map(order)).sort_values("_o", kind="stable").drop(columns="_o").reset_index(
        drop=True)


def whatif_weights(scores: Scores, year: int, changes: dict[str, float]) -> tuple[pd.DataFrame, Method]:
    """Every unit's index before and after new weights (children's raw weights in every parent listing them)."""
    yr = Year.of(scores, year)
    _check_computable(yr.method, year)
    listed = {c for a in yr.method.aggregates.values() for c in a.children}
    for node, w in changes.items():
        if node not in listed:
            raise UsageError(f"--weights: '{node}' is not a child of any aggregate (children: "
                             f"{', '.join(sorted(listed))})")
        if not w > 0:
            raise UsageError(f"--weights: the weight of '{node}' must be positive, got {w:g}")
    method = yr.method.with_weights(changes)
    new = propagate(yr, yr.values, method)
    root = yr.col(yr.method.root)
    old_rank = competition_ranks(yr.values, yr.decimals)[:, root]
    new_rank = competition_ranks(new, yr.decimals)[:, root]
    out = pd.DataFrame({"unit": yr.units, "old": yr.values[:, root], "new": new[:, root],
                        "delta": np.round(new[:, root] - yr.values[:, root], 12), "old_rank": old_rank,
                        "new_rank": new_rank, "rank_change": old_rank - new_rank})
    out = out.dropna(subset=["old", "new"], how="all").sort_values(["new_rank", "old_rank"], kind="stable")
    return out.reset_index(drop=True), method


# ---------------------------------------------------------------- gap

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


def gap(scores: Scores, year: int, unit: str, target: int, *, tol: float = 1e-10) -> tuple[dict, pd.DataFrame]:
    """The index score needed for rank `target`, and for each frontier node the value that alone gets there."""
    yr = Year.of(scores, year)
    _check_computable(yr.method, year)
    i = yr.row(unit)
    root = yr.col(yr.method.root)
    n_units = int((~np.isnan(yr.values[:, root])).sum())
    if not 1 <= target <= n_units:
        raise UsageError(f"--target-rank must be between 1 and {n_units}")
    ranks_now = competition_ranks(yr.values, yr.decimals)[:, root]
    score = yr.values[i, root]
    others = np.delete(np.round(yr.values[:, root], yr.decimals), i)
    others = np.sort(others[~np.isnan(others)])[::-1]
    needed = float(others[target - 1]) if target - 1 < len(others) else -np.inf
    summary = {"unit": unit, "year": year, "score": score, "rank": ranks_now[i], "target_rank": target,
               "needed_score": needed, "gap": float(np.round(needed - np.round(score, yr.decimals), 12))}
    recs = []
    if ranks_now[i] <= target:
        return summary, pd.DataFrame(columns=["leaf", "current", "needed", "increase", "index_points",
                                              "reachable"])
    shares = yr.method.shares()

    def rank_with(node_j: int, v: float) -> float:
        values = yr.values.copy()
        values[i, node_j] = v
        fixed = np.zeros(values.shape, dtype=bool)
        fixed[i, node_j] = True
        new = propagate(yr, values, yr.method, fixed)
        return competition_ranks(new[:, [root]], yr.decimals)[i, 0], new[i, root]

    for node in frontier(yr, i):
        j = yr.col(node)
        cur = yr.values[i, j]
        top = leaf_max(yr.method, node)
        best_rank, _ = rank_with(j, top if np.isfinite(top) else cur + 1e6)
        if best_rank > target:
            recs.append({"leaf": node, "current": cur, "needed": np.nan, "increase": np.nan,
                         "index_points": np.nan, "reachable": False})
            continue
        lo, hi = cur, (top if np.isfinite(top) else cur + 1e6)
        while hi - lo > tol:  # the smallest value of this node that reaches the target (ranks are monotone)
            mid = (lo + hi) / 2
            if rank_with(j, mid)[0] <= target:
                hi = mid
            else:
                lo = mid
        _, new_index = rank_with(j, hi)
        recs.append({"leaf": node, "current": cur, "needed": hi, "increase": float(np.round(hi - cur, 12)),
                     "index_points": float(np.round(new_index - score, 12)), "reachable": True,
                     "share": shares.get(node, np.nan)})
    out = pd.DataFrame(recs)
    if len(out):
        out = out.assign(_r=~out["reachable"]).sort_values(["_r", "index_points", "increase"],
                                                            kind="stable").drop(columns="_r")
    return summary, out.reset_index(drop=True)


# ---------------------------------------------------------------- Monte Carlo uncertainty

@dataclass(frozen=True)
class Alternatives:
    """Methods a sample may draw instead of the declared one (raw-data methods only)."""

    normalise: tuple[Normalise, ...] = ()
    aggregate: tuple[Aggregation, ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> "Alternatives":
        """"normalise=minmax,zscore;aggregate=arithmetic,geometric"."""
        if not text:
            return cls()
        norm, agg = [], []
        for part in filter(None, (p.strip() for p in text.split(";"))):
            key, _, vals = part.partition("=")
            names = [v.strip() for v in vals.split(",") if v.strip()]
            try:
                if key.strip() == "normalise":
                    norm = [Normalise(v) for v in names]
                elif key.strip() == "aggregate":
                    agg = [Aggregation(v) for v in names]
                else:
                    raise UsageError(f"--alternatives: unknown key '{key.strip()}' (normalise or aggregate)")
            except ValueError as exc:
                raise UsageError(f"--alternatives: {exc}") from None
        return cls(tuple(norm), tuple(agg))


def _batch_mean(X: np.ndarray, W: np.ndarray, kind: Aggregation, min_coverage: float) -> np.ndarray:
    """Weighted means for many weight draws: X (units, children) or (samples, units, children), W (samples,
    children) → (samples, units)."""
    W = W / W.sum(axis=1, keepdims=True)
    if X.ndim == 2:
        X = X[None, :, :]
    present = ~np.isnan(X)
    cover = np.einsum("suc,sc->su", present.astype(float), W)
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind is Aggregation.arithmetic:
            val = np.einsum("suc,sc->su", np.where(present, X, 0.0), W) / cover
        elif kind is Aggregation.geometric:
            val = np.exp(np.einsum("suc,sc->su", np.where(present, np.log(np.where(present, X, 1.0)), 0.0), W)
                         / cover)
        else:
            val = cover / np.einsum("suc,sc->su", np.where(present, 1.0 / np.where(present, X, 1.0), 0.0), W)
    return np.where((cover >= min_coverage - 1e-12) & (cover > 0), val, np.nan)


def sample_index(yr: Year, leaves: np.ndarray, weights: dict[str, np.ndarray], kind: Aggregation | None,
                 base: np.ndarray) -> np.ndarray:
    """The index for each weight draw (samples × units), children first, changes applied as differences."""
    col = {n: j for j, n in enumerate(yr.nodes)}
    S = next(iter(weights.values())).shape[0] if weights else 1
    vals: dict[str, np.ndarray] = {}
    for n in yr.nodes:
        if n in yr.method.leaves:
            vals[n] = np.broadcast_to(leaves[:, col[n]], (S, len(yr.units)))
    for agg in yr.method.aggregates.values():
        X = np.stack([vals[c] for c in agg.children], axis=-1)
        mine = _batch_mean(X, weights[agg.id], kind or agg.aggregate, agg.min_coverage)
        shown = yr.values[:, col[agg.id]]
        b = base[:, col[agg.id]]
        moved = np.where(np.isnan(shown), mine, shown + (mine - b))
        vals[agg.id] = np.where(np.isnan(b) & ~np.isnan(shown), shown, moved)
    return vals[yr.method.root]


def uncertainty(scores: Scores, year: int, *, samples: int = 10_000, noise: float = 0.25, seed: int = 0,
                alternatives: Alternatives = Alternatives(), leaf_sets: list[np.ndarray] | None = None,
                progress=None, chunk: int = 2_000) -> pd.DataFrame:
    """Nominal rank, median rank and 5th–95th percentile band of every unit under random weights (and methods).

    Each sample multiplies every weight by a uniform draw in [1 − noise, 1 + noise] (renormalised within each
    parent); with alternatives it also draws a normalisation (from `leaf_sets`, one leaf matrix per
    alternative, computed by the caller) and an aggregation used at every node.
    """
    yr = Year.of(scores, year)
    _check_computable(yr.method, year)
    if not 0 <= noise < 1:
        raise UsageError(f"--weight-noise must be in [0, 1), got {noise:g}")
    if samples < 1:
        raise UsageError("--samples must be at least 1")
    rng = np.random.default_rng(seed)
    root = yr.col(yr.method.root)
    nominal = competition_ranks(yr.values[:, [root]], yr.decimals)[:, 0]
    ok = ~np.isnan(yr.values[:, root])
    base = from_children(yr.values, yr.nodes, yr.method)
    sets = leaf_sets or [yr.values]
    kinds = list(alternatives.aggregate) or [None]
    if any(k in (Aggregation.geometric, Aggregation.harmonic) for k in kinds):
        leaf_cols = [yr.col(n) for n in yr.method.leaves]
        for vals in sets:
            x = vals[:, leaf_cols]
            if (~np.isnan(x) & (x <= 0)).any():
                raise UsageError("--alternatives: a geometric or harmonic mean needs positive values, and some "
                                 "normalised indicators are 0 or below (use a positive range, e.g. range = [1, 100])")
    ranks = np.empty((samples, len(yr.units)))
    done = 0
    while done < samples:
        s = min(chunk, samples - done)
        weights = {a.id: np.asarray(a.weights)[None, :] * rng.uniform(1 - noise, 1 + noise, (s, len(a.children)))
                   for a in yr.method.aggregates.values()}
        pick_set = rng.integers(len(sets), size=s)
        pick_kind = rng.integers(len(kinds), size=s)
        index = np.empty((s, len(yr.units)))
        for si in range(len(sets)):
            for ki in range(len(kinds)):
                m = (pick_set == si) & (pick_kind == ki)
                if m.any():
                    w = {k: v[m] for k, v in weights.items()}
                    index[m] = sample_index(yr, sets[si], w, kinds[ki], base)
        ranks[done:done + s] = _row_ranks(np.round(index, yr.decimals))
        done += s
        if progress:
            progress(s)
    q5, med, q95 = np.percentile(ranks[:, ok], [5, 50, 95], axis=0, method="nearest")
    out = pd.DataFrame({"unit": yr.units[ok], "score": yr.values[ok, root], "rank": nominal[ok],
                        "median_rank": np.median(ranks[:, ok], axis=0), "q5": q5, "q95": q95})
    out = out.sort_values(["rank", "unit"], kind="stable").reset_index(drop=True)
    lo, hi = out["q5"].to_numpy(), out["q95"].to_numpy()
    above = np.r_[False, (lo[1:] <= hi[:-1])]
    below = np.r_[(lo[1:] <= hi[:-1]), False]
    out["overlaps_neighbour"] = above | below
    return out


def _row_ranks(V: np.ndarray) -> np.ndarray:
    """Competition ranks within each row (higher is better), NaN stays NaN."""
    key = np.where(np.isnan(V), -np.inf, V)
    order = np.argsort(-key, axis=1, kind="stable")
    srt = np.take_along_axis(key, order, axis=1)
    pos = np.broadcast_to(np.arange(V.shape[1]), V.shape)
    start = np.where(np.r_[True, np.zeros(V.shape[1] - 1, dtype=bool)][None, :] |
                     np.c_[np.ones((V.shape[0], 1), dtype=bool), srt[:, 1:] != srt[:, :-1]], pos, 0)
    first = np.maximum.accumulate(start, axis=1) + 1.0
    out = np.empty(V.shape)
    np.put_along_axis(out, order, first, axis=1)
    return np.where(np.isnan(V), np.nan, out)


def alternative_leaves(dataset, method: Method, year: int, alternatives: Alternatives) -> list[np.ndarray]:
    """One (units × nodes) matrix of shown values per normalisation alternative, for a raw-data method."""
    from dti_cli import engine

    from dti_cli.errors import DTIError

    out = []
    for norm in alternatives.normalise:
        leaves = {k: replace(v, normalise=norm) for k, v in method.leaves.items()}
        alt = replace(method, leaves=leaves)
        try:
            sc = engine.evaluate(dataset, {y: alt for y in engine.plan(dataset, method)})
        except DTIError as exc:
            raise UsageError(f"--alternatives normalise={norm.value}: {exc}") from None
        out.append(Year.of(sc, year).values)
    return out
