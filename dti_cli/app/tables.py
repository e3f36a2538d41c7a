"""The table commands: rank, compare, movers."""

from __future__ import annotations

import numpy as np

from dti_cli.analysis import averages, tables
from dti_cli.analysis.units import kind_word
from dti_cli.app.common import PROVENANCE, about, no_figures, no_values, unit_columns
from dti_cli.app.session import Source, load
from dti_cli.errors import UsageError
from dti_cli.i18n import Msg, plural
from dti_cli.model import provinces
from dti_cli.model.result import Column, Result, Table, Text


def _at_least_one(value, option: str) -> None:
    if value is not None and value < 1:
        raise UsageError("option.at_least_one", option=option, got=value)


def _ranking(src: Source, year, by, region, boundaries):
    """What rank-like commands share: the scores, the year (default the latest), the node, the region."""
    loaded = load(src, year=year, boundaries=boundaries)
    year = loaded.year(year)
    node = by if by is not None else loaded.scores.methods[year].root  # an empty --by is refused, not ignored
    averages.check_node(loaded.scores, year, node)
    reg = provinces.resolve_region(region) if region is not None else None
    if reg and loaded.scores.unit_kind != "province":
        raise UsageError("region.needs_provinces", option="region")
    return loaded, year, node, reg


def rank(src: Source = Source(), *, year: int | None = None, by: str | None = None, top: int | None = None,
         region: str | None = None, boundaries: int | None = None, level: str | None = None,
         lang: str = "vi") -> Result:
    """Every unit ranked on the index (or any node), with last year's score, the change and the pillars; with
    level="ministries", the ministry scores and ranks the press printed."""
    _at_least_one(top, "top")
    from dti_cli.app import levels

    if levels.level_of(level) == "ministries":
        levels.published_only(src, "levels.level_options", by=by, region=region, boundaries=boundaries)
        return levels.ministries_rank(year=year, top=top, lang=lang)
    loaded, year, node, reg = _ranking(src, year, by, region, boundaries)
    scores, method = loaded.scores, loaded.scores.methods[year]
    frame = tables.rank_table(scores, year, by=node, names=loaded.names(lang), top=top, region=reg)
    loaded.coverage(year, node)  # says why a node that cannot be computed is empty; rank needs no weights
    prev = year - 1
    cols = [Column("rank", Msg("col.rank"), "rank"), Column("region_rank", Msg("col.region_rank"), "rank"),
            *unit_columns(scores.unit_kind),
            Column("score", method.named(node), "score", prov="provenance"),
            Column("prev_score", str(prev), "score", table=False),
            Column("delta", Msg("col.delta_since", year=prev), "delta"),
            Column("prev_rank", Msg("col.rank_in", year=prev), "rank", table=False),
            Column("rank_change", "↕", "change"),
            *(Column(p, method.named(p), "score") for p in method.pillars if p != node), PROVENANCE]
    if "missing" in frame:  # units listed unranked, with what their score lacks (issue 10, item 6)
        cols.append(Column("missing", Msg("own.missing"), "text"))
        loaded.notes.append(Msg("own.unranked", n=int(frame["rank"].isna().sum()), node=method.named(node)))
    if scores.unit_kind == "province":
        scope = Msg("title.scope", region=provinces.RegionName(reg)) if reg else ""
        title = Msg(plural(len(frame), "title.rank_provinces"), node=method.named(node), year=year, scope=scope,
                    n=len(frame))
    else:
        title = Msg("title.rank", node=method.named(node), year=year)
    machine = Table.of(f"rank {year}", frame, cols)

    def views(screen: bool = True):  # a bar proportional to the score, on screen only
        from dti_cli.render.terminal import bar

        if not screen:
            return (Table("rank", frame, tuple(cols), title=title, caption=method.named()),)
        top_score = frame["score"].max()
        shown = frame.assign(bar=[bar(v, top_score) for v in frame["score"]])
        at = next(i for i, c in enumerate(cols) if c.key == "delta")
        return (Table("rank", shown, (*cols[:at], Column("bar", "", "bar"), *cols[at:]), title=title,
                      caption=method.named()),)

    return Result(machine, views=views, notes=tuple(loaded.notes), about=about(scores, year, lang),
                  empty=None if len(frame) else no_values(loaded, year, node, reg))


def compare(src: Source = Source(), *, provinces_: list[str], national: bool = False, region: bool = False,
            year: int | None = None, boundaries: int | None = None, lang: str = "vi") -> Result:
    """Units side by side on the index, each pillar and each main index: value, rank, change, averages."""
    if not provinces_:
        raise UsageError("compare.nothing")
    loaded = load(src, year=year, boundaries=boundaries)
    year = loaded.year(year)
    scores, method = loaded.scores, loaded.scores.methods[year]
    units = loaded.units(provinces_)
    names = loaded.names(lang)
    frame = tables.compare_table(scores, units, year, names=names, national=national, region=region,
                                 published=national and loaded.published(year),
                                 national_dti=national and loaded.national_dti(year))
    loaded.coverage(year, method.root)
    loaded.method_notes([year])
    n, prev = scores.universe.get(year), year - 1
    cols = [*unit_columns(scores.unit_kind, name_table=len(units) > 1),
            Column("indicator", Msg("col.indicator_id"), "text", table=False),
            Column("indicator_name", Msg("col.indicator"), "text"),
            Column("value", Msg("col.value"), "score", prov="provenance"),
            Column("rank", Msg("col.rank_of", n=n), "rank"),
            Column("prev_value", str(prev), "score", table=False), Column("delta", "±", "delta"),
            Column("prev_rank", Msg("col.rank_in", year=prev), "rank", table=False),
            Column("rank_change", "↕", "change")]
    if national:
        from dti_cli.app.levels import national_columns

        frame["national_mark"] = averages.marks(frame["national_n"], frame["national_of"])
        more, notes = national_columns(frame, loaded, year, n)
        cols += more
        loaded.notes.extend(averages.mean_notes(frame, which="national", kind=kind_word(scores.unit_kind)))
        loaded.notes.extend(notes)
    if region:
        frame["region_mark"] = averages.marks(frame["region_n"], frame["region_of"])
        cols += [Column("region", Msg("col.region"), "text", table=False),
                 Column("region_mean", Msg("col.region_mean"), "score", prov="region_mark"),
                 Column("region_gap", Msg("col.region_gap"), "delta"),
                 Column("region_n", Msg("coverage.col.region_n"), "int", table=False)]
        loaded.notes.extend(averages.mean_notes(frame, which="region", kind=kind_word(scores.unit_kind)))
    cols.append(PROVENANCE)
    if scores.figure is not None:  # a method built from raw data: each figure in its own unit beside its score
        from dti_cli.app.profile import with_figures

        frame, cols = with_figures(scores, year, frame, cols)
    title = Msg("title.compare", names=", ".join(names(u) for u in units), year=year)
    machine = Table.of(f"compare {year}", frame, cols)
    view = Table("compare", frame, tuple(cols), title=title, caption=method.named())

    def views(screen: bool = True):  # several units side by side on a screen; the long form in documents
        if not screen or len(units) < 2:
            return (view,)
        from dti_cli.app.wide import compare_views

        shared = tuple(c for c in cols if c.key in ("national", "national_dti") and c.table)
        return compare_views(frame, unit_key=scores.unit_kind, units=list(units), name=names, year=year, n=n,
                             national=shared, region=region, caption=method.named())

    return Result(machine, views=views, notes=tuple(loaded.notes), about=about(scores, year, lang),
                  empty=None if len(frame) else no_figures(loaded, units, year, names))


def movers(src: Source = Source(), *, year: int | None = None, by: str | None = None, top: int = 5,
           region: str | None = None, boundaries: int | None = None, lang: str = "vi") -> Result:
    """The biggest risers and fallers of a year, by rank change and by score change."""
    _at_least_one(top, "top")
    loaded, year, node, reg = _ranking(src, year, by, region, boundaries)
    scores, method = loaded.scores, loaded.scores.methods[year]
    names = loaded.names(lang)
    table = tables.rank_table(scores, year, by=node, names=names, region=reg)
    frame = tables.movers(scores, year, by=node, names=names, top=top, region=reg, table=table)
    loaded.coverage(year, node)
    prev = year - 1
    if prev not in scores.methods:
        loaded.notes.append(Msg("note.no_prev_year", year=prev))
    # changes are known only for the units with a figure in both years: among how many, said when not all
    among = {}
    for measure, cur_col, prev_col in (("rank", "rank", "prev_rank"), ("score", "score", "prev_score")):
        have = int(table[cur_col].notna().sum())
        among[measure] = int((table[cur_col].notna() & table[prev_col].notna()).sum())
        if 0 < among[measure] < have:
            loaded.notes.append(Msg("coverage.changes", measure=Msg(f"value.measure.{measure}"), prev=prev,
                                    count=among[measure], of=have, kind=kind_word(scores.unit_kind)))
    frame = frame.assign(of=frame["measure"].map(among).astype("Int64"))
    cols = [Column("measure", Msg("col.measure"), "text", values="value.measure.{}"),
            Column("direction", Msg("col.direction"), "text", values="value.direction.{}"),
            Column("position", "#", "int"), *unit_columns(scores.unit_kind),
            Column("prev", str(prev), "num"), Column("value", str(year), "num"), Column("change", "±", "num"),
            Column("rank", Msg("col.rank"), "rank"), Column("of", Msg("coverage.col.among"), "int", table=False)]

    def views(screen: bool = True):
        out = []
        for measure in ("rank", "score"):
            sub = frame[frame["measure"] == measure]
            kind = "score" if measure == "score" else "rank"
            view = (Column("position", "#", "int"), Column("name", cols[4].header, "text"),
                    Column("prev", str(prev), kind), Column("value", str(year), kind),
                    Column("change", "±", "delta" if measure == "score" else "change"))
            for direction in ("up", "down"):
                part = sub[sub["direction"] == direction]
                title = Msg(f"title.movers_{direction}", node=method.named(node), year=year,
                            by=Msg(f"value.measure.{measure}"))
                out.append(Table(f"{measure} {direction}", part, view, title=title) if len(part) else
                           Text(Msg("title.movers_none", title=title)))
        return tuple(out)

    return Result(Table.of("movers", frame, cols), views=views, notes=tuple(loaded.notes),
                  about=about(scores, year, lang), empty=None if len(frame) else _no_movers(loaded, year, node, reg))


def _no_movers(loaded, year: int, node: str, region: str | None) -> Msg:
    """Why a year has no risers or fallers: no previous year, no figures of the node, or none in both years."""
    from dti_cli.analysis.units import kind_word

    scores = loaded.scores
    if year - 1 not in scores.methods:
        years = [y for y in sorted(set(loaded.dataset.years)) if y - 1 in loaded.dataset.years]
        return Msg("empty.movers_no_prev", year=year, prev=year - 1, years=", ".join(map(str, years)) or "–")
    m, j = scores.year_mask(year), scores.col(node)
    if np.isnan(scores.value[m, j]).all() and np.isnan(scores.pub_rank[m, j]).all():
        return no_values(loaded, year, node, region)
    scope = Msg("empty.in_region", region=provinces.RegionName(region)) if region else ""
    return Msg("empty.movers_none", kind=kind_word(scores.unit_kind), node=node, prev=year - 1, year=year,
               scope=scope)
