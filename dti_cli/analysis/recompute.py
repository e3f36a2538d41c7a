"""Recomputing a year with changed values or weights: the published figures move by the change of what the
method computes from them, so that unchanged inputs give the published figures back exactly."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from dti_cli.analysis.averages import MethodNote, check_year
from dti_cli.errors import UsageError
from dti_cli.i18n import Msg
from dti_cli.model.method import Method, Normalise
from dti_cli.model.scores import Scores
from dti_cli.pipeline.aggregate import a_mean, moved_by


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
        check_year(scores, year)
        m = scores.year_mask(year)
        method = scores.methods[year]
        cols = [scores.col(n) for n in method.nodes]
        return cls(scores.rows["unit"].to_numpy()[m], method.nodes, scores.value[m][:, cols].copy(), method,
                   method.rank_decimals)

    def col(self, node: str) -> int:
        if node not in self.nodes:
            raise UsageError("node.unknown_in_method", node=node, method=self.method.id, nodes=", ".join(self.nodes))
        return self.nodes.index(node)

    def row(self, unit: str) -> int:
        hit = np.flatnonzero(self.units == unit)
        if not len(hit):
            raise UsageError("unit.no_figures", unit=unit)
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


def parse_assignments(items, option: str) -> dict[str, float]:
    """"node=value" pairs, comma-separated or repeated (or a mapping already), as {node: value}."""
    if isinstance(items, dict):
        items = [f"{k}={v}" for k, v in items.items()]
    elif isinstance(items, str):
        items = [items]
    out: dict[str, float] = {}
    for item in items or ():
        for part in filter(None, (p.strip() for p in str(item).split(","))):
            if "=" not in part:
                raise UsageError("assign.expected", option=option, part=part)
            key, val = (x.strip() for x in part.split("=", 1))
            try:
                out[key] = float(val)
            except ValueError:
                raise UsageError("assign.not_a_number", option=option, value=val, part=part) from None
            if not np.isfinite(out[key]):
                raise UsageError("assign.not_finite", option=option, value=val)
    if not out:
        raise UsageError("assign.nothing", option=option)
    return out


def _problem(scores: Scores, year: int, what: str) -> tuple[str, dict] | None:
    """Why a year cannot be recomputed and ranked (its weights unknown, or provinces without a score), or None."""
    method = scores.methods[year]
    if not method.computable:
        return "recompute.weights_unknown", dict(year=year, method=method.id, reason=MethodNote(method))
    if scores.unit_kind != "province":
        return None
    m = scores.year_mask(year)
    have = int((~np.isnan(scores.value[m, scores.col(method.root)])).sum())
    if have < int(m.sum()):
        return "recompute.incomplete", dict(year=year, have=have, n=int(m.sum()), root=method.root,
                                            what=Msg(f"analysis.{what}"))
    return None


def recomputable(scores: Scores, what: str = "gap") -> list[int]:
    """The years whose scores can be recomputed and ranked."""
    return [y for y in sorted(scores.methods) if _problem(scores, y, what) is None]


def check_ranked(scores: Scores, year: int, what: str, every=None) -> None:
    """Ranks after a change mean something only when the weights are known and every province has a score (2020 and
    2021 do not); the error names the years that would work (among `every`: a callable giving the scores of every
    year, when `scores` holds only some)."""
    check_year(scores, year)
    problem = _problem(scores, year, what)
    if problem:
        ok = recomputable(every() if every else scores, what)
        key, params = problem
        raise UsageError(key, **params, ok=Msg("recompute.try_years", years=", ".join(map(str, ok))) if ok else "")


def is_raw(method: Method) -> bool:
    """Whether the method builds its leaves from raw data (normalised, treated or imputed)."""
    return any(lf.normalise is not Normalise.none or lf.treat.value != "none" or lf.impute.value != "none"
               for lf in method.leaves.values())


def rerun(dataset, scores: Scores, year: int, unit: str, changes: dict[str, float]) -> Scores:
    """The whole pipeline again with some raw figures of one unit replaced (in the indicators' own units)."""
    from dti_cli.pipeline.evaluate import evaluate

    f = dataset.frame
    method = scores.methods[year]
    for node in changes:
        if node not in method.leaves:
            raise UsageError("recompute.set_leaf", option="set", node=node, leaves=", ".join(method.leaves))
    hit = (f["year"].to_numpy() == year) & (f["unit"].astype(str).to_numpy() == unit) & \
        f["indicator"].astype(str).isin(list(changes)).to_numpy()
    add = pd.DataFrame({"year": year, "unit": unit, "indicator": list(changes),
                        "value": [float(v) for v in changes.values()], "rank": np.nan, "provenance": "what-if",
                        "source": ""})
    new = pd.concat([f[~hit].astype({c: str for c in ("unit", "indicator", "provenance", "source")}), add],
                    ignore_index=True)
    for c in ("unit", "indicator", "provenance", "source"):
        new[c] = new[c].astype("category")
    ds = replace(dataset, frame=new)
    return evaluate(ds, {y: m for y, m in scores.methods.items() if m is method})
