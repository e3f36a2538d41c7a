"""How sure are we: a Monte Carlo analysis of the ranks under random weights (and methods), vectorised over
the samples, as COINr and the JRC's audits run it."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from dti_cli.analysis.recompute import Year, check_ranked, from_children, shift
from dti_cli.errors import DataError, DTIError, UsageError
from dti_cli.model.method import Aggregation, Method, Normalise
from dti_cli.model.scores import Scores
from dti_cli.pipeline.aggregate import a_mean
from dti_cli.pipeline.ranks import competition_ranks


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
                    raise UsageError("alternatives.unknown_key", option="alternatives", key=key.strip())
            except ValueError:
                known = ", ".join(e.value for e in (Normalise if key.strip() == "normalise" else Aggregation))
                raise UsageError("alternatives.unknown_method", option="alternatives", key=key.strip(),
                                 value=", ".join(names), known=known) from None
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


MAX_SAMPLES = 1_000_000  # bounds on the time and memory a run can ask for: the ranks of every sample are kept
MAX_RANKS = 50_000_000  # (samples × units, 8 bytes each: 400 MB)


def check_samples(samples: int, units: int) -> None:
    """At least one sample, and no more than MAX_SAMPLES or MAX_RANKS ranks in all."""
    most = max(1, min(MAX_SAMPLES, MAX_RANKS // max(1, units)))
    if not 1 <= samples <= most:
        raise UsageError("uncertainty.samples", option="samples", most=most, got=samples)


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
        raise UsageError("uncertainty.noise", option="weight_noise", noise=noise)
    check_samples(samples, len(yr.units))
    if not (isinstance(seed, (int, np.integer)) and seed >= 0):
        raise UsageError("uncertainty.seed", option="seed", got=seed)
    rng = np.random.default_rng(seed)
    root = yr.col(yr.method.root)
    nominal = competition_ranks(yr.values[:, [root]], yr.decimals)[:, 0]
    ok = ~np.isnan(yr.values[:, root])
    if not ok.any():
        raise DataError("uncertainty.no_index", year=year, root=yr.method.root)
    base = from_children(yr.values, yr.nodes, yr.method)
    sets = leaf_sets or [yr.values]
    kinds = list(alternatives.aggregate) or [None]
    if any(k in (Aggregation.geometric, Aggregation.harmonic) for k in kinds):
        leaf_cols = [yr.col(n) for n in yr.method.leaves]
        for vals in sets:
            x = vals[:, leaf_cols]
            if (~np.isnan(x) & (x <= 0)).any():
                raise UsageError("alternatives.not_positive", option="alternatives")
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
    from dti_cli.pipeline.evaluate import evaluate
    from dti_cli.pipeline.plan import plan

    out = []
    for norm in alternatives.normalise:
        leaves = {k: replace(v, normalise=norm) for k, v in method.leaves.items()}
        alt = replace(method, leaves=leaves)
        try:
            sc = evaluate(dataset, {y: alt for y in plan(dataset, method)})
        except DTIError as exc:
            raise UsageError("alternatives.failed", option="alternatives", norm=norm.value, detail=exc.msg) from None
        out.append(Year.of(sc, year).values)
    return out
