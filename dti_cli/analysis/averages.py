"""National and region means, how complete a year's figures are, and the checks on a year and a node."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dti_cli.analysis.units import kind_word
from dti_cli.errors import UsageError
from dti_cli.i18n import Msg
from dti_cli.model import levels, provinces
from dti_cli.model.method import Method
from dti_cli.model.scores import COMPUTED, Scores

NOISE_DECIMALS = 12  # differences of decimal figures, rounded to drop binary floating-point noise


def diff(a, b):
    """a − b without the last-bit noise of binary floating point."""
    return np.round(np.asarray(a, dtype=float) - np.asarray(b, dtype=float), NOISE_DECIMALS)


class MethodNote:
    """A method's own note (why it cannot compute, say) in the reader's language."""

    def __init__(self, method: Method):
        self.method = method

    def text(self, lang: str = "en") -> str:
        m = self.method
        own = (m.note_en or m.note) if lang == "en" else (m.note or m.note_en)
        return own or Msg("note.weights_unknown").text(lang)


def check_year(scores: Scores, year: int) -> None:
    if year not in scores.methods:
        raise UsageError("year.unknown", year=year, years=", ".join(map(str, scores.years)))


def check_node(scores: Scores, year: int, node: str) -> None:
    m = scores.methods[year]
    if node not in m.nodes:
        raise UsageError("node.unknown_in_year", node=node, year=year, method=m.id, nodes=", ".join(m.nodes))


def prev_year(scores: Scores, year: int) -> int | None:
    return year - 1 if (year - 1) in scores.methods else None


def coverage_note(scores: Scores, year: int, node: str) -> Msg | None:
    """A plain sentence when a year's scores for a node are incomplete (ranks are then the published ones)."""
    m = scores.year_mask(year)
    j = scores.col(node)
    n = int(m.sum())
    vals = scores.value[m, j]
    have = int((~np.isnan(vals)).sum())
    if have == n:
        return None
    prov = scores.provenance(m, node)
    computed = int(((prov == COMPUTED) & ~np.isnan(vals)).sum())
    ranks = int((~np.isnan(scores.pub_rank[m, j])).sum())
    if scores.unit_kind != "province" and ranks == 0:
        return Msg("note.coverage.units", year=year, have=have, n=n, node=node)
    if have == 0 and ranks == 0:
        meth = scores.methods[year]
        if not meth.aggregates.get(node, None) or meth.aggregates[node].computable:
            return Msg("note.coverage.none", year=year, node=node)
        return Msg("note.coverage.not_computable", year=year, node=node, reason=MethodNote(meth))
    what = Msg("note.coverage.scores") if not computed else Msg("note.coverage.scores_mixed", published=have - computed,
                                                                 computed=computed)
    return Msg("note.coverage.partial", year=year, have=have, n=n, node=node, what=what, ranks=ranks,
               kind=kind_word(scores.unit_kind))


def national_mean(scores: Scores, year: int, node: str) -> tuple[float, int]:
    """Plain mean over the units with a value, as the ministry publishes it, and how many units that is."""
    if node not in scores.nodes:
        return float("nan"), 0
    vals = scores.value[scores.year_mask(year), scores.col(node)]
    vals = vals[~np.isnan(vals)]
    return (float(np.mean(vals)) if len(vals) else float("nan")), int(len(vals))


def mean_label(unit_kind: str, n: int) -> Msg:
    """What a mean of all the units is called: "Trung bình 63 tỉnh", "Mean of 4 units" (never "national")."""
    return Msg("levels.col.provinces_mean" if unit_kind == "province" else "levels.col.units_mean", n=n)


# ---------------------------------------------------------------- coverage: how many units a mean or a rank is over

MIN_REGION = 2  # a region "mean" of one unit is that unit's own value (gap 0): left out, and said so


@dataclass(frozen=True)
class Mean:
    """A mean as shown: its value, how many units it is over (`n`), how many the set it is named after has (`of`:
    the year's units, the region's units), and the source id of a published figure ("" when dti computed it)."""

    value: float
    n: int
    of: int
    source: str = ""

    @property
    def partial(self) -> bool:
        """Over some but not all of the units it is named after."""
        return bool(marks(self.n, self.of) != "")


def national(scores: Scores, year: int, node: str, *, published: bool = False) -> Mean:
    """The mean of the units on a node, with its coverage: with `published` (the data is the bundled publication on
    the 63), the ministry's published mean where there is one (with its source), else the plain mean over the units
    with a value."""
    of = int(scores.universe.get(year, 0))
    fig = levels.provinces_mean(year, node) if published else None
    if fig is not None:
        return Mean(fig.value, fig.n or of, of, fig.source)
    value, n = national_mean(scores, year, node)
    return Mean(value, n, of)


def region_figure(scores: Scores, year: int, node: str, region: str, names) -> Mean:
    """The plain mean of a region's units with a value, with its coverage; a mean of a single unit of a region of
    several is left out (NaN, `n` kept)."""
    if node not in scores.nodes or not region:
        return Mean(float("nan"), 0, 0)
    m = scores.year_mask(year)
    units = scores.rows["unit"].to_numpy()[m]
    inside = np.array([names.region(u) == region for u in units], dtype=bool)
    vals = scores.value[m, scores.col(node)][inside]
    vals = vals[~np.isnan(vals)]
    n, of = int(len(vals)), int(inside.sum())
    value = float(np.mean(vals)) if n and (n >= MIN_REGION or of < MIN_REGION) else float("nan")
    return Mean(value, n, of)


def marks(n, of) -> np.ndarray:
    """The mark key of each mean: "partial" where it covers some but not all of its units, else ""."""
    n, of = np.asarray(n, dtype=float), np.asarray(of, dtype=float)
    return np.where((n > 0) & (n < of), "partial", "")


_COLUMNS = {"national": ("national", "national_n", "national_of", "gap"),
            "region": ("region_mean", "region_n", "region_of", "region_gap")}  # value, count, of, gap


def mean_notes(frame: pd.DataFrame, *, which: str, kind, left_out: bool = False) -> list[Msg]:
    """One note per coverage of the partial means in a long frame (one row per unit and `indicator`): which="national"
    reads `national`, `national_n`, `national_of`; which="region" reads `region_mean`, `region_n`, `region_of`,
    `region`. A partial mean shown is marked (§; a chart's line: `line_note`); with `left_out` it
    is not shown, and the note says so; a region mean of a single unit is always left out."""
    value, n, of, _ = _COLUMNS[which]
    if n not in frame.columns or not len(frame):
        return []
    f = frame.assign(_region=frame["region"] if which == "region" else "")
    partial = f[marks(f[n], f[of]) != ""].drop_duplicates(["indicator", "_region"])
    notes = []
    for (count, total, reg), grp in partial.groupby([n, of, "_region"], sort=True):
        alone = which == "region" and count < MIN_REGION
        key = "coverage.left_out" if (left_out or alone) else "coverage.partial"
        notes.append(_mean_note(key, ", ".join(grp["indicator"]), int(count), int(total), kind,
                                provinces.RegionName(reg) if which == "region" else None))
    return notes


def line_note(mean: Mean, node: str, kind) -> list[Msg]:
    """A chart's line of the mean over only some of the units: said so (unmarked: a line has no mark)."""
    return [_mean_note("coverage.over", node, mean.n, mean.of, kind)] if mean.partial else []


def _mean_note(key: str, nodes: str, count: int, of: int, kind, region=None) -> Msg:
    what = Msg("coverage.what.region", region=region) if region is not None else Msg(
        "coverage.what.national", of=of, kind=kind)
    return Msg(key, what=what, nodes=nodes, count=count, of=of, kind=kind)


def leave_out_partial(frame: pd.DataFrame, *, which: str, kind) -> tuple[pd.DataFrame, list[Msg]]:
    """A compare frame with its partial means of `which` (and their gaps) left out, and the notes saying so: a
    report or a picture compares with means over every unit."""
    value, n, of, gap = _COLUMNS[which]
    notes = mean_notes(frame, which=which, kind=kind, left_out=True)
    out = frame.copy()
    out.loc[marks(frame[n], frame[of]) != "", [c for c in (value, gap) if c in frame]] = np.nan
    return out, notes


def rank_notes(nodes, counts, of: int, kind) -> list[Msg]:
    """"ranks among the N provinces with a value", one note per count, for the nodes ranked over fewer units than
    the `of` of the year."""
    f = pd.DataFrame({"node": list(nodes), "n": list(counts)})
    f = f[marks(f["n"], of) != ""].drop_duplicates("node")
    return [Msg("coverage.ranks", nodes=", ".join(grp["node"]), count=int(count), of=int(of), kind=kind)
            for count, grp in f.groupby("n", sort=True)]
