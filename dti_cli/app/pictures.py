"""The picture commands' contents: the rank, history and comparison charts, and the map's figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable

import numpy as np
import pandas as pd

from dti_cli.analysis import averages, profile, tables
from dti_cli.analysis.units import kind_word
from dti_cli.app.common import SourceLine
from dti_cli.app.session import Source, load
from dti_cli.errors import DataError, UsageError
from dti_cli.i18n import Msg, plural, render, text
from dti_cli.i18n.numbers import display


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
    node = by if by is not None else meth.root
    averages.check_node(scores, year, node)
    table = tables.rank_table(scores, year, by=node, names=loaded.names(lang))
    frame = table.rename(columns={scores.unit_kind: "unit"})[["unit", "name", "score", "rank"]]
    marked = loaded.units(list(highlight or []))
    n = int(frame["score"].notna().sum())
    where = kind_word("unit" if boundaries else scores.unit_kind, n)  # the 34 of 2025 are "units", as elsewhere
    label = meth.node_label(node, lang)
    if n == 0:
        from dti_cli.app.common import no_values

        raise DataError("empty.because", why=no_values(loaded, year, node))

    mean = averages.national(scores, year, node, published=loaded.published(year))
    loaded.notes.extend(averages.line_note(mean, node, kind_word(scores.unit_kind)))  # drawn over those with one

    def figure():
        return charts.rank_chart(frame, title=f"{label} {year}",
                                 subtitle=f"{meth.label(lang)} · {render(where, lang)}",
                                 source=render(SourceLine(scores, year, node), lang),
                                 national=mean.value,
                                 highlight=marked,
                                 value_label=label, lang=lang)

    return Picture(figure, tuple(loaded.notes), Msg("word.bars", n=n))


def chart_history(src: Source = Source(), *, provinces_: list[str], boundaries: int | None = None,
                  lang: str = "vi") -> Picture:
    """The index and pillars of units over the years, ranks marked, missing years left as gaps."""
    charts = _charts()
    loaded = load(src, boundaries=boundaries)
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
                  year: int | None = None, boundaries: int | None = None, lang: str = "vi") -> Picture:
    """A unit's pillars and main indices against the national and region averages."""
    charts = _charts()
    loaded = load(src, year=year, boundaries=boundaries)
    year = loaded.year(year)
    scores, meth = loaded.scores, loaded.scores.methods[year]
    unit = loaded.unit(province)
    names = loaded.names(lang)
    table = tables.compare_table(scores, [unit], year, names=names, national=True, region=region,
                                 published=loaded.published(year))
    # a mean over only some of the units would mislead in a picture: left out, and the notes say so
    kind = kind_word(scores.unit_kind)
    for which, shown in (("national", national), ("region", region and "region_mean" in table)):
        if shown:
            table, notes = averages.leave_out_partial(table, which=which, kind=kind)
            loaded.notes.extend(notes)
    frame = table[table["value"].notna()][["indicator_name", "value", "national"] +
                                          (["region_mean"] if region and "region_mean" in table else [])]
    if not len(frame):
        from dti_cli.app.common import no_figures

        raise DataError("empty.because", why=no_figures(loaded, [unit], year, names))
    if not national:
        frame = frame.assign(national=np.nan)
    mean = render(averages.mean_label(scores.unit_kind, scores.universe.get(year, 0)), lang)
    return Picture(lambda: charts.compare_chart(frame, title=f"{names(unit)} — {year}", label=names(unit),
                                                mean_label=mean,
                                                source=render(SourceLine(scores, year, meth.root), lang), lang=lang),
                   tuple(loaded.notes))


@dataclass(frozen=True)
class MapData:
    """What a map shows: each unit's value (and rank), the title, legend, source line, and what to draw on it."""

    frame: pd.DataFrame  # unit, name, value (the score, or the rank with by="rank"), score, rank, lat, lon
    title: str
    subtitle: str
    legend: str
    source: str
    borders: int | None  # which borders: the 63 provinces' (None) or the 34 units' of 2025
    by: str = "score"
    highlight: tuple = ()
    focus: tuple | None = None  # the units of the region asked for
    hover: dict = field(default_factory=dict)
    notes: tuple = ()
    lang: str = "vi"
    n: int = 0  # the units shown with a value

    @property
    def what(self) -> Msg:
        """What the map holds, for the note that says where it was written."""
        return Msg(plural(self.n, "word.units_valued" if self.borders else "word.provinces_valued"), n=self.n)

    def figure(self, height: float | None = None):
        """The choropleth (matplotlib is imported here), `height` inches tall (default: a full page's map)."""
        from dti_cli.model import borders
        from dti_cli.render import choropleth

        _charts()
        names = dict(zip(self.frame["unit"], self.frame["name"]))
        islands = [choropleth.Island(slug, owner, text(f"map.{slug}", self.lang, owner=names.get(owner, owner)), at,
                                     points)
                   for slug, (owner, at, points) in borders.ARCHIPELAGOS.items()]
        hover = {**self.hover, **{i.slug: " ".join(i.label.split()) for i in islands}}
        layers = choropleth.Layers(islands=islands, sea=text("map.sea", self.lang), highlight=self.highlight,
                                   focus=self.focus, by_rank=self.by == "rank", hover=hover)
        source = " · ".join((self.source, text("map.credit", self.lang)))
        return choropleth.choropleth(self.frame, borders.outlines(self.borders), title=self.title,
                                     subtitle=self.subtitle, legend=self.legend, source=source, layers=layers,
                                     height=height, lang=self.lang)


FIRST_ON_34 = 2025  # the first DTI year on the 34 units of 1 July 2025


class MapBy(str, Enum):
    """What a map's colours show."""

    score = "score"
    rank = "rank"


def _hover(name: str, score: float, rank: float, lang: str) -> str:
    if not np.isfinite(score):  # a published rank without its score (2020, 2021)
        return text("map.hover_rank" if np.isfinite(rank) else "map.hover_none", lang, name=name,
                    rank=int(rank) if np.isfinite(rank) else 0)
    value = display(score, "score", lang=lang, point=False)
    if not np.isfinite(rank):
        return text("map.hover_score", lang, name=name, value=value)
    return text("map.hover", lang, name=name, value=value, rank=int(rank))


def _map_units(loaded, year: int) -> tuple[int | None, dict[str, str]]:
    """Which borders a map takes (the 34 units' when asked, or when the units with an index in the year are the
    34), and the data's unit for each drawn unit (a file on the 34 units reads "hue" as Thừa Thiên Huế's slug).

    A user's file whose units are some of the 34 only may be on either: from 2025 on (the first edition on the 34
    units) it is read as the 34, with a note; before, as the 63 provinces."""
    from dti_cli.model import provinces

    reg = provinces.registry()
    if loaded.boundaries:
        return 2025, {p.slug: p.slug for p in reg.p34}
    read_as = {p.slug: reg.resolve(p.slug) for p in reg.p34}  # a 34-unit slug as a data file's unit reads
    scores = loaded.scores
    m = scores.year_mask(year)
    have = set(scores.rows["unit"].to_numpy()[m][np.isfinite(scores.value[m]).any(axis=1)])  # units with a figure
    kept = set(read_as.values())  # none of the 29 provinces merged away
    if have == kept:
        return 2025, read_as
    if have and have < kept and not loaded.dataset.bundled and year >= FIRST_ON_34:
        loaded.notes.append(Msg("map.read_as_34", n=len(have), year=year))
        return 2025, read_as
    return None, {p.slug: p.slug for p in reg.p63}


def _marked(highlight, data_unit: dict[str, str], drawn: int | None) -> tuple:
    """The drawn units of the highlighted units of the data: on the 34 units' borders, the unit a province joined."""
    from dti_cli.model import provinces

    merge, drawn_of = provinces.registry().merge, {d: u for u, d in data_unit.items()}
    out = [drawn_of.get(h) or (merge.get(h) if drawn else None) for h in highlight]
    return tuple(dict.fromkeys(u for u in out if u))


def map_data(src: Source = Source(), *, year: int | None = None, node: str | None = None, by: str = "score",
             highlight=(), region: str | None = None, boundaries: int | None = None, lang: str = "vi") -> MapData:
    """Each province's value of a node (the 63, or the 34 units of 2025), shaded by score or by rank."""
    loaded = load(src, year=year, boundaries=boundaries)
    return map_of(loaded, loaded.year(year), node=node, by=by, highlight=loaded.units(list(highlight)),
                  region=region, lang=lang)


def map_of(loaded, year: int, *, node: str | None = None, by: str = "score", highlight=(), region: str | None = None,
           lang: str = "vi") -> MapData:
    """The map of loaded data in a year; `highlight` are units of the data."""
    from dti_cli.model import provinces

    scores = loaded.scores
    if scores.unit_kind != "province":
        raise UsageError("map.needs_provinces")
    meth = scores.methods[year]
    if by not in MapBy.__members__:
        if by in meth.nodes:
            raise UsageError("map.by_node", option="node", by=by)
        raise UsageError("map.by", option="by", by=by)
    node = meth.root if node is None else node  # an empty one is refused
    averages.check_node(scores, year, node)
    drawn, data_unit = _map_units(loaded, year)
    units = provinces.registry().units(drawn)
    f = scores.frame(year, [node]).reindex([data_unit[p.slug] for p in units])
    frame = pd.DataFrame({"unit": [p.slug for p in units], "name": [p.name_vi for p in units],
                          "score": f[node].to_numpy(dtype=float), "rank": f[node + ":rank"].to_numpy(dtype=float),
                          "lat": [p.lat for p in units], "lon": [p.lon for p in units]})
    frame["value"] = frame[by]
    focus, reg = None, None
    if region is not None:  # an empty one is refused
        reg = provinces.resolve_region(region)
        focus = tuple(p.slug for p in units if p.region == reg)
        if not focus:
            raise UsageError("map.region_empty", option="region", region=provinces.RegionName(reg))
    marked = _marked(highlight, data_unit, drawn)
    outside = [u for u in marked if focus is not None and u not in focus]
    if outside:
        raise UsageError("map.highlight_outside", option="highlight", unit=frame.set_index("unit")["name"][outside[0]],
                         region=provinces.RegionName(reg))
    label = meth.node_label(node, lang)
    legend = text("chart.rank", lang) if by == "rank" else label
    shown = focus if focus is not None else frame["unit"]
    n = int(frame.set_index("unit")["value"].reindex(shown).notna().sum())
    finite = frame["value"][np.isfinite(frame["value"])]
    with np.errstate(over="ignore"):
        if n and not np.isfinite(finite.max() - finite.min()):
            raise DataError("map.too_wide", year=year, node=label)
    if not n:
        no_ranks = by == "rank" and frame.set_index("unit")["score"].reindex(shown).notna().any()
        raise DataError("map.no_ranks" if no_ranks else "map.no_values", year=year, node=label)
    where = render(kind_word("unit" if drawn else "province", n), lang)
    hover = {r.unit: _hover(r.name, r.score, r.rank, lang) for r in frame.itertuples()}
    scope = f" · {provinces.region_name(reg, lang)}" if reg else ""
    return MapData(frame, f"{label} {year}{scope}", f"{meth.label(lang)} · {where}", legend,
                   render(SourceLine(scores, year, node), lang), drawn, by, marked, focus, hover,
                   tuple(loaded.notes), lang, n)
