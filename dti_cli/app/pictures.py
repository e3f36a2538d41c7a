"""The picture commands' contents: the rank, history and comparison charts, and the map's figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pandas as pd

from dti_cli.analysis import averages, profile, tables
from dti_cli.analysis.units import kind_word
from dti_cli.app.common import SourceLine
from dti_cli.app.session import Source, load
from dti_cli.errors import UsageError
from dti_cli.i18n import Msg, render


@dataclass(frozen=True)
class Picture:
    """A figure built on demand (matplotlib is imported then), the notes of the run, and what the figure holds
    ("63 bars") for the note that says where it was written."""

    figure: Callable[[], Any]
    notes: tuple = ()
    what: Any = None


def _charts():
    from dti_cli.render import charts

    charts.require_matplotlib()
    return charts


def chart_rank(src: Source = Source(), *, year: int | None = None, by: str | None = None, highlight=(),
               boundaries: int | None = None, lang: str = "vi") -> Picture:
    """Every unit as a sorted bar, the national average as a line, highlighted units coloured."""
    charts = _charts()
    loaded = load(src, year=year, boundaries=boundaries)
    year = loaded.year(year)
    scores, meth = loaded.scores, loaded.scores.methods[year]
    node = by or meth.root
    averages.check_node(scores, year, node)
    table = tables.rank_table(scores, year, by=node, names=loaded.names(lang))
    frame = table.rename(columns={scores.unit_kind: "unit"})[["unit", "name", "score", "rank"]]
    marked = loaded.units(list(highlight or []))
    n = int(frame["score"].notna().sum())
    where = kind_word("unit" if boundaries else scores.unit_kind, n)  # the 34 of 2025 are "units", as elsewhere
    label = meth.node_label(node, lang)

    def figure():
        return charts.rank_chart(frame, title=f"{label} {year}",
                                 subtitle=f"{meth.label(lang)} · {render(where, lang)}",
                                 source=render(SourceLine(scores, year, node), lang),
                                 national=averages.national_mean(scores, year, node)[0], highlight=marked,
                                 value_label=label, lang=lang)

    return Picture(figure, tuple(loaded.notes), Msg("word.bars", n=n))


def chart_history(src: Source = Source(), *, provinces_: list[str], lang: str = "vi") -> Picture:
    """The index and pillars of units over the years, ranks marked, missing years left as gaps."""
    charts = _charts()
    loaded = load(src)
    scores = loaded.scores
    names = loaded.names(lang)
    units = loaded.units(provinces_)
    series = {names(u): profile.history(scores, u, names=names) for u in units}
    latest = max(scores.years)
    meth = scores.methods[latest]
    pillars = {p: m.node_label(p, lang) for m in scores.methods.values() for p in m.pillars}
    root = meth.node_label(meth.root, lang)
    title = f"{', '.join(series)}: {root} {min(scores.years)}–{latest}"
    return Picture(lambda: charts.history_chart(series, title=title,
                                                source=render(SourceLine(scores, latest, meth.root), lang),
                                                value_label=root, pillars=pillars, lang=lang), tuple(loaded.notes))


def chart_compare(src: Source = Source(), *, province: str, national: bool = True, region: bool = True,
                  year: int | None = None, lang: str = "vi") -> Picture:
    """A unit's pillars and main indices against the national and region averages."""
    charts = _charts()
    loaded = load(src, year=year)
    year = loaded.year(year)
    scores, meth = loaded.scores, loaded.scores.methods[year]
    unit = loaded.unit(province)
    names = loaded.names(lang)
    table = tables.compare_table(scores, [unit], year, names=names, national=True, region=region)
    # averages over only the few provinces with a published value would mislead in a picture: left out
    partial = table["national_n"] < scores.universe.get(year, 0)
    table.loc[partial, [c for c in ("national", "region_mean") if c in table]] = np.nan
    frame = table[table["value"].notna()][["indicator_name", "value", "national"] +
                                          (["region_mean"] if region and "region_mean" in table else [])]
    if not national:
        frame = frame.assign(national=np.nan)
    return Picture(lambda: charts.compare_chart(frame, title=f"{names(unit)} — {year}", label=names(unit),
                                                source=render(SourceLine(scores, year, meth.root), lang), lang=lang),
                   tuple(loaded.notes))


@dataclass(frozen=True)
class MapData:
    """What a map shows: each unit's value at its reference point, the title, legend and source line."""

    frame: pd.DataFrame  # unit, name, value, lat, lon
    title: str
    legend: str
    source: str
    notes: tuple = ()


def map_data(src: Source = Source(), *, year: int | None = None, by: str | None = None,
             boundaries: int | None = None, lang: str = "vi") -> MapData:
    """Each province's value of a node at its reference point (the 63, or the 34 units of 2025)."""
    from dti_cli.model import provinces

    loaded = load(src, year=year, boundaries=boundaries)
    scores = loaded.scores
    if scores.unit_kind != "province":
        raise UsageError("map.needs_provinces")
    year = loaded.year(year)
    meth = scores.methods[year]
    node = by or meth.root
    averages.check_node(scores, year, node)
    units = provinces.registry().units(boundaries)
    f = scores.frame(year, [node])
    frame = pd.DataFrame({"unit": [p.slug for p in units], "name": [p.name_vi for p in units],
                          "value": [f[node].get(p.slug, np.nan) for p in units],
                          "lat": [p.lat for p in units], "lon": [p.lon for p in units]})
    label = meth.node_label(node, lang)
    title = f"{label} {year}" + (" · 34" if boundaries else "")
    return MapData(frame, title, label, render(SourceLine(scores, year, node), lang), tuple(loaded.notes))
