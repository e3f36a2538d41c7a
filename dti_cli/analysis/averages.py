"""National and region means, how complete a year's figures are, and the checks on a year and a node."""

from __future__ import annotations

import numpy as np

from dti_cli.analysis.units import kind_word
from dti_cli.errors import UsageError
from dti_cli.i18n import Msg
from dti_cli.model import levels
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


def national_figure(scores: Scores, year: int, node: str, *, published: bool = False) -> tuple[float, int, str]:
    """The mean of the provinces on a node: with `published` (the data is the bundled publication on the 63), the
    ministry's published mean where there is one, else the plain mean over the units with a value; how many units
    it is over; and the source id of a published mean ("" when dti computed it)."""
    if published:
        fig = levels.provinces_mean(year, node)
        if fig is not None:
            return fig.value, fig.n or scores.universe.get(year, 0), fig.source
    value, n = national_mean(scores, year, node)
    return value, n, ""


def region_mean(scores: Scores, year: int, node: str, region: str, names) -> float:
    """Plain mean over the units of a region that have a value."""
    if node not in scores.nodes:
        return float("nan")
    m = scores.year_mask(year)
    units = scores.rows["unit"].to_numpy()[m]
    inside = np.array([names.region(u) == region for u in units], dtype=bool)
    vals = scores.value[m, scores.col(node)][inside]
    vals = vals[~np.isnan(vals)]
    return float(np.mean(vals)) if len(vals) else float("nan")
