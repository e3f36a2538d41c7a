"""What the command functions share: the Excel about sheet, the source line of pictures, common columns."""

from __future__ import annotations

import collections

import pandas as pd

from dti_cli import __version__
from dti_cli.i18n import Msg, Plain
from dti_cli.model import provinces
from dti_cli.model.result import PROVENANCE_VALUES, Column
from dti_cli.model.scores import Scores
from dti_cli.render.cells import first_provenance, provenance

GENERATED_BY = f"dti {__version__}"


def require_index(scores: Scores, year: int, key: str) -> None:
    """The error `key` when no unit has an index figure in the year (none published, none computable): a report or
    an uncertainty analysis would have nothing to show."""
    import numpy as np

    from dti_cli.errors import DataError

    root = scores.methods[year].root
    if not (~np.isnan(scores.value[scores.year_mask(year), scores.col(root)])).any():
        raise DataError(key, year=year, root=root)


def sources_table() -> pd.DataFrame:
    """source, url_or_note: where each source id of the bundled data and of the user's imported years points."""
    from dti_cli.io import store

    out = pd.read_csv(provinces.DATA_DIR / "sources.csv", dtype=str, keep_default_na=False)
    recs = store.stored().values()
    if recs:
        out = pd.concat([out, pd.DataFrame({
            "source": [r.source_id for r in recs],
            "url_or_note": [" ".join(x for x in (r.source, f"(dti import of {r.file}, {r.imported})") if x)
                            for r in recs]})], ignore_index=True)
    return out


def about(scores: Scores, year: int, lang: str = "vi") -> tuple:
    """The 'about' sheet of an Excel file: edition, method source, data sources, provenance, tool."""
    from dti_cli.render.excel import about_rows

    meth = scores.methods[year]
    src = sources_table()
    used = {t for s_ in scores.sources for t in s_.split()}
    src = src[src["source"].isin(used)].rename(columns={"url_or_note": "url"})
    return tuple(about_rows(edition=meth.label(lang), method=meth.source, sources=src, generated_by=GENERATED_BY,
                            lang=lang))


class SourceLine:
    """Where the figures of a picture come from, with how many of each provenance."""

    def __init__(self, scores: Scores, year: int, node: str):
        m = scores.year_mask(year)
        prov = scores.provenance(m, node)
        vals = scores.value[m, scores.col(node)]
        self.counts = collections.Counter(first_provenance(p) for p, v in zip(prov, vals) if v == v)
        self.method = scores.methods[year]
        self.provinces = scores.unit_kind == "province"

    def text(self, lang: str = "en") -> str:
        what = ", ".join(f"{provenance(k, lang)[0]} {n}" for k, n in self.counts.most_common())
        origin = Msg("source.publication" if self.provinces else "source.user")
        return Msg("source.line", origin=origin, what=what, method=Plain(self.method.source),
                   version=GENERATED_BY).text(lang).rstrip()


def unit_columns(unit_kind: str, *, name_table: bool = True) -> list[Column]:
    """The id (machine only) and the name of a unit."""
    province = unit_kind == "province"
    return [Column(unit_kind, Msg("col.slug"), "text", table=False),
            Column("name", Msg("col.province" if province else "col.unit_name"), "text", table=name_table)]


PROVENANCE = Column("provenance", Msg("col.provenance"), "text", table=False, values=PROVENANCE_VALUES)


def no_values(loaded, year: int, node: str, region: str | None = None) -> Msg:
    """Why no unit of a year has a figure of a node: a method that cannot compute it, method leaves missing from
    the data, or simply no figures (in a region)."""
    from dti_cli.analysis.averages import MethodNote
    from dti_cli.analysis.units import kind_word

    scores = loaded.scores
    meth, kind = scores.methods[year], kind_word(scores.unit_kind)
    agg = meth.aggregates.get(node)
    if agg is not None and not agg.computable:
        return Msg("note.coverage.not_computable", year=year, node=node, reason=MethodNote(meth))
    below = ({node} | set(meth.descendants(node))) & set(meth.leaves)
    missing = sorted(below - set(loaded.dataset.indicators))
    if missing:
        return Msg("empty.leaves_missing", year=year, node=node, kind=kind, leaves=", ".join(missing))
    scope = Msg("empty.in_region", region=provinces.RegionName(region)) if region else ""
    return Msg("empty.no_values", year=year, node=node, kind=kind, scope=scope)


def no_figures(loaded, units: list[str], year: int, names) -> Msg:
    """Why units have no row in a year: the years in which they have figures."""
    rows = loaded.dataset.frame
    years = sorted(int(y) for y in rows.loc[rows["unit"].isin(units), "year"].unique())
    return Msg("empty.compare_none", names=", ".join(names(u) for u in units), year=year,
               years=", ".join(map(str, years)) or "–")
