"""A unit's profile (show) and the long table of every score (scores)."""

from __future__ import annotations

import functools

import pandas as pd

from dti_cli.analysis import averages, profile
from dti_cli.analysis.units import kind_word
from dti_cli.app.common import PROVENANCE, about
from dti_cli.app.session import Source, load
from dti_cli.i18n import Msg
from dti_cli.model.result import Column, Result, Table, Text
from dti_cli.model.scores import long_columns, long_frame


class _Strengths:
    """"Mạnh nhất: …; yếu nhất: … (theo thứ hạng)"."""

    def __init__(self, method, best: list[str], worst: list[str]):
        self.method, self.best, self.worst = method, best, worst

    def text(self, lang: str = "en") -> str:
        name = lambda xs: ", ".join(self.method.node_label(x, lang) for x in xs)  # noqa: E731
        return Msg("sentence.strengths", best=name(self.best), worst=name(self.worst)).text(lang)


def show(src: Source = Source(), *, province: str, year: int | None = None, boundaries: int | None = None,
         level: str | None = None, lang: str = "vi") -> Result:
    """A unit's profile: every year's score and rank, its pillars and main indices, strengths and weaknesses;
    "viet-nam" gives the national series, and level="ministries" a ministry's printed scores."""
    from dti_cli.app import levels
    from dti_cli.render.terminal import sparkline

    if levels.level_of(level) == "ministries":
        levels.published_only(src, "levels.show_options", year=year, boundaries=boundaries)
        return levels.ministry_show(province, lang=lang)
    if levels.is_national(province):
        levels.published_only(src, "levels.national_options", year=year, boundaries=boundaries)
        return levels.national_series(lang)

    loaded = load(src, boundaries=boundaries)
    scores = loaded.scores
    unit = loaded.unit(province)
    names = loaded.names(lang)
    hist = profile.history(scores, unit, names=names)
    year = loaded.year(year)
    comp = profile.components(scores, unit, year, names=names, published=loaded.published(year))
    best, worst = profile.strengths(comp)
    method = scores.methods[year]
    comp = comp.assign(national_mark=averages.marks(comp["national_n"], comp["national_of"]))
    loaded.notes.extend(averages.mean_notes(comp, which="national", kind=kind_word(scores.unit_kind)))
    n = scores.universe.get(year, 0)  # labelled as compare labels it: the mean of the year's provinces
    national_label = averages.mean_label(scores.unit_kind, n)
    pillars = list(dict.fromkeys(p for m in scores.methods.values() for p in m.pillars if p in hist.columns))
    hcols = [Column("year", Msg("col.year"), "int"), Column("score", method.named(method.root), "score",
                                                            prov="provenance"),
             Column("rank", Msg("col.rank"), "rank"), Column("of", "/", "int", table=False),
             Column("delta", "±", "delta"), Column("rank_change", "↕", "change"),
             *(Column(p, method.named(p), "score") for p in pillars),
             Column("edition", Msg("col.edition"), "text"), PROVENANCE]
    ccols = [Column("indicator", Msg("col.slug"), "text", table=False),
             Column("indicator_name", Msg("col.indicator"), "text"),
             Column("value", Msg("col.value"), "score", prov="provenance"), Column("rank", Msg("col.rank"), "rank"),
             Column("national", national_label, "score", prov="national_mark"), Column("gap", Msg("col.gap"), "delta"),
             Column("national_n", Msg("col.national_n"), "int", table=False),
             Column("national_source", Msg("levels.col.national_source"), "text", table=False), PROVENANCE]
    figures = scores.figure is not None
    if figures:  # a method built from raw data: the figure in its own unit, and its normalised score
        comp, ccols = with_figures(scores, year, comp.assign(**{scores.unit_kind: unit}), ccols)
        comp = comp.drop(columns=[scores.unit_kind])
    history, components = Table.of("years", hist, hcols), Table.of("components", comp, ccols)
    both = pd.concat([hist.assign(section="history"),
                      (comp if figures else comp.rename(columns={"value": "score"})).assign(section="components",
                                                                                              year=year)],
                     ignore_index=True)
    long = [Column("section", Msg("col.section"), "text"), *hcols,
            *(c for c in ccols if c.key not in ("value", "rank", "provenance", "score"))]
    if figures:
        long.insert(long.index(next(c for c in long if c.key == "indicator_name")) + 1,
                    next(c for c in ccols if c.key == "value"))
    name = names(unit)
    doc = {scores.unit_kind: unit, "name": name, "history": history, "year": year, "components": components,
           "strongest": best, "weakest": worst}

    def views(screen: bool = True):
        spark = sparkline(hist["score"].tolist(), 0.0, max(1.0, float(hist["score"].max())))
        title = Msg("title.history", name=name, root=method.named(method.root), first=min(scores.years),
                    last=max(scores.years), spark=spark)
        out = [Table("years", hist, tuple(hcols), title=title)]
        if len(comp):
            out.append(Table("components", comp, tuple(ccols), title=Msg("title.compare", names=name, year=year),
                             caption=method.named()))
        return (*out, Text(_Strengths(method, best, worst))) if best else tuple(out)

    return Result(Table.of("show", both, long), views=views, sheets=(history, components), doc=doc,
                  notes=tuple(loaded.notes), about=about(scores, year, lang),
                  attrs={"name": name, "strongest": best, "weakest": worst})


def with_figures(scores, year: int, frame: pd.DataFrame, cols: list) -> tuple[pd.DataFrame, list]:
    """A table of nodes (columns unit, indicator, value) with each figure in its own unit as `value` and its
    normalised score as `score` (issue 10, item 6); the columns to show them."""
    out = frame.assign(score=frame["value"],
                       value=scores.figures(year, frame[scores.unit_kind], frame["indicator"]))
    at = next(i for i, c in enumerate(cols) if c.key == "value")
    new = [*cols[:at], Column("value", Msg("own.figure"), "num"),
           Column("score", Msg("col.score"), "score", prov="provenance"), *cols[at + 1:]]
    order = [c for c in out.columns if c != "score"]
    order.insert(order.index("value") + 1, "score")
    return out[order], new


def scores(src: Source = Source(), *, year: int | None = None, boundaries: int | None = None,
           lang: str = "vi") -> Result:
    """Every node's score and rank for every unit and year, in long form, with provenance."""
    from dti_cli.render.scores_writer import write_delimited, write_json

    loaded = load(src, year=year, with_prev=False, boundaries=boundaries, keep_rows=False)
    sc = loaded.scores
    years = [year] if year is not None else sc.years
    cols = long_columns(sc.unit_kind, figures=sc.figure is not None)
    attrs = loaded.dataset.attributes
    groups = [g for g in dict.fromkeys(lf.group for m in sc.methods.values() for lf in m.leaves.values() if lf.group)
              if attrs is not None and g in attrs]
    if groups or sc.figure is not None:  # a method built from raw data: its figures' names and the columns its
        # imputations group by go with them, so that the output reads back as it was read
        groups = [g for g in ("name", *groups) if attrs is not None and g in attrs]
    if groups:
        cols = (*cols[:2], *(Column(g, g, "text") for g in groups), *cols[2:])

    @functools.cache
    def machine() -> Table:  # built once, and only when a format needs it (csv, tsv, json take the bulk writer)
        frame = long_frame(sc, years)
        if groups:
            by = attrs[["year", "unit", *groups]].rename(columns={"unit": sc.unit_kind})
            frame = frame.merge(by, on=["year", sc.unit_kind], how="left")
        return Table.of("scores", frame, cols)

    def views(screen: bool = True):
        return (Table("scores", machine().frame, cols, title=Msg("title.scores", years=", ".join(map(str, years)))),)

    def bulk(fmt: str, out, workers: int = 1) -> None:
        if fmt == "json":
            write_json(sc, years, out, workers=workers)
        else:
            write_delimited(sc, years, "\t" if fmt == "tsv" else ",", out, workers=workers)

    # the bulk writer writes the long columns (and a normalised leaf's figure); the name and grouping columns of a
    # method built from raw data take the table's way; empty_ok: every unit of a year has its rows (and counting
    # them would build what the bulk writer avoids)
    return Result(machine, views=views, notes=tuple(loaded.notes), about=about(sc, max(years), lang),
                  bulk=None if groups else bulk, empty_ok=True)
