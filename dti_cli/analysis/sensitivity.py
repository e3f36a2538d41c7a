"""What if, what would it take, how sure are we: recomputation with changed values or weights, the gap to a
target rank, and a Monte Carlo uncertainty analysis of the ranks (vectorised over samples)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from dti_cli.aggregate import a_mean, moved_by
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
    baseline exactly, ties included). A published parent whose other children are not in the data (a derived
    nen_tang with only one of its five indices) moves by the changes of the children it has. `fixed` marks cells
    set by hand, which keep their new value.
    """
    base = from_children(yr.values, yr.nodes, yr.method)
    new = values.copy()
    col = {n: j for j, n in enumerate(yr.nodes)}
    for agg in method.aggregates.values():
        j = col[agg.id]
        if not agg.computable:
            continue
        kids = [col[c] for c in agg.children]
        mine = a_mean(new[:, kids], np.array(agg.weights), agg.aggregate, agg.min_coverage)
        partial = moved_by(agg.aggregate, np.array(agg.weights), yr.values[:, j], yr.values[:, kids], new[:, kids])
        new[:, j] = shift(yr.values[:, j], mine, base[:, j], partial,
                          fixed[:, j] if fixed is not None else None, new[:, j])
    return new


def shift(shown: np.ndarray, mine: np.ndarray, base: np.ndarray, partial: np.ndarray | None = None,
          fixed: np.ndarray | None = None, kept: np.ndarray | None = None) -> np.ndarray:
    """The rule every recomputation follows: a shown figure moves by (new computed − old computed); without an old
    computed value (children missing) by `partial`, or not at all; a figure nobody showed is the new computed one."""
    moved = np.where(np.isnan(shown), mine, shown + (mine - base))
    keep_old = np.isnan(base) & ~np.isnan(shown)
    moved = np.where(keep_old, shown if partial is None else np.where(np.isnan(partial), shown, partial), moved)
    return np.where(fixed, kept, moved) if fixed is not None else moved


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


def check_ranked(scores: Scores, year: int, what: str) -> None:
    """Ranks after a change mean something only when every province has a score (2020 and 2021 do not)."""
    yr = Year.of(scores, year)
    _check_computable(yr.method, year)
    if scores.unit_kind != "province":
        return
    have = int((~np.isnan(yr.values[:, yr.col(yr.method.root)])).sum())
    if have < len(yr.units):
        raise UsageError(f"{year}: only {have} of {len(yr.units)} provinces have a {yr.method.root} score, so "
                         f"{what} cannot rank them (the published ranks of the others cannot be recomputed)")


def is_raw(method: Method) -> bool:
    """Whether the method builds its leaves from raw data (normalised, treated or imputed)."""
    return any(lf.normalise is not Normalise.none or lf.treat.value != "none" or lf.impute.value != "none"
               for lf in method.leaves.values())


def rerun(dataset, scores: Scores, year: int, unit: str, changes: dict[str, float]) -> Scores:
    """The whole pipeline again with some raw figures of one unit replaced (in the indicators' own units)."""
    from dti_cli import engine

    f = dataset.frame
    method = scores.methods[year]
    for node in changes:
        if node not in method.leaves:
            raise UsageError(f"--set {node}: with a method built from raw data, set an indicator (a leaf) in its own "
                             f"units; {node} is computed (indicators: {', '.join(method.leaves)})")
    hit = (f["year"].to_numpy() == year) & (f["unit"].astype(str).to_numpy() == unit) & \
        f["indicator"].astype(str).isin(list(changes)).to_numpy()
    add = pd.DataFrame({"year": year, "unit": unit, "indicator": list(changes),
                        "value": [float(v) for v in changes.values()], "rank": np.nan, "provenance": "what-if",
                        "source": ""})
    new = pd.concat([f[~hit].astype({c: str for c in ("unit", "indicator", "provenance", "source")}), add],
                    ignore_index=True)
    for c in ("unit", "indicator", "provenance", "source"):
        new[c] = new[c].astype("category")
    from dataclasses import replace as dc_replace

    ds = dc_replace(dataset, frame=new)
    return engine.evaluate(ds, {y: m for y, m in scores.methods.items() if m is method})


def whatif_values(scores: Scores, year: int, unit: str, changes: dict[str, float], *, dataset=None) -> pd.DataFrame:
    """One unit's nodes before and after setting some of them, with ranks among all units.

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
            raise UsageError("whatif on a method built from raw data needs the data set")
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
    check_ranked(scores, year, "whatif")
    yr = Year.of(scores, year)
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
        raise UsageError(f"{unit} has no {yr.method.root} score in {year}: there is nothing to close a gap from")
    n_units = int((~np.isnan(yr.values[:, root])).sum())
    if not 1 <= target <= n_units:
        raise UsageError(f"--target-rank must be between 1 and {n_units}")
    ranks_now = competition_ranks(yr.values, yr.decimals)[:, root]
    others = np.delete(np.round(yr.values[:, root], yr.decimals), i)
    others = np.sort(others[~np.isnan(others)])[::-1]
    needed = float(others[target - 1]) if target - 1 < len(others) else -np.inf
    summary = {"unit": unit, "year": year, "score": score, "rank": ranks_now[i], "target_rank": target,
               "needed_score": needed, "gap": float(np.round(needed - np.round(score, yr.decimals), 12))}
    columns = ["leaf", "current", "needed", "increase", "index_points", "reachable"]
    if ranks_now[i] <= target:
        return summary, pd.DataFrame(columns=columns)
    raw = is_raw(yr.method)
    if raw and dataset is None:
        raise UsageError("gap on a method built from raw data needs the data set")

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
        recs.append({"leaf": node, "current": cur, "needed": hi, "increase": float(np.round(hi - cur, 12)),
                     "index_points": float(np.round(new_index - score, 12)), "reachable": True})
    out = pd.DataFrame(recs, columns=columns)
    if len(out):
        cost = out["increase"].abs() / out["current"].abs().where(out["current"] != 0, 1.0) if raw else \
            out["increase"]
        out = out.assign(_r=~out["reachable"].astype(bool), _c=cost).sort_values(
            ["_r", "index_points", "_c"], kind="stable").drop(columns=["_r", "_c"])
    return summary, out.reset_index(drop=True)


def _raw_value(scores: Scores, year: int, unit: str, node: str) -> float:
    return scores.cell(year, unit, node)["raw"]


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
        mine = a_mean(X, weights[agg.id], kind or agg.aggregate, agg.min_coverage)
        vals[agg.id] = shift(yr.values[:, col[agg.id]], mine, base[:, col[agg.id]])
    return vals[yr.method.root]


def uncertainty(scores: Scores, year: int, *, samples: int = 10_000, noise: float = 0.25, seed: int = 0,
                alternatives: Alternatives = Alternatives(), leaf_sets: list[np.ndarray] | None = None,
                progress=None, chunk: int = 2_000) -> pd.DataFrame:
    """Nominal rank, median rank and 5th–95th percentile band of every unit under random weights (and methods).

    Each sample multiplies every weight by a uniform draw in [1 − noise, 1 + noise] (renormalised within each
    parent); with alternatives it also draws a normalisation (from `leaf_sets`, one leaf matrix per
    alternative, computed by the caller) and an aggregation used at every node.
    """
    check_ranked(scores, year, "uncertainty")
    yr = Year.of(scores, year)
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
    # a unit can fall out of a sample (a weight draw leaves it below a node's min_coverage): its band is over the
    # samples in which it has an index; a unit never ranked has no band
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        q5, q95 = np.nanpercentile(ranks[:, ok], [5, 95], axis=0, method="nearest")
        med = np.nanmedian(ranks[:, ok], axis=0)
    out = pd.DataFrame({"unit": yr.units[ok], "score": yr.values[ok, root], "rank": nominal[ok],
                        "median_rank": med, "q5": q5, "q95": q95,
                        "samples_ranked": (~np.isnan(ranks[:, ok])).sum(axis=0)})
    out = out.sort_values(["rank", "unit"], kind="stable").reset_index(drop=True)
    lo, hi = out["q5"].to_numpy(), out["q95"].to_numpy()
    with np.errstate(invalid="ignore"):
        touch = lo[1:] <= hi[:-1]
    above = np.r_[False, touch]
    below = np.r_[touch, False]
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
