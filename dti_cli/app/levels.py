"""The national and ministry levels: the national DTI and the published means beside a province's figures
(`compare --national`), the national series (`show viet-nam`), and the ministry scores the press printed
(`rank --level ministries`, `show MINISTRY --level ministries`), always marked partial."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from dti_cli.analysis.averages import mean_label, national_mean
from dti_cli.app.common import PROVENANCE
from dti_cli.errors import UsageError
from dti_cli.i18n import Msg
from dti_cli.model import levels
from dti_cli.model.provinces import fold
from dti_cli.model.result import PROVENANCE_VALUES, Column, Result, Table

SOURCE = Column("source", Msg("col.source"), "text")


def national_columns(frame: pd.DataFrame, loaded, year: int, n: int) -> tuple[list[Column], list[Msg]]:
    """`compare --national`: the columns of the provinces' mean and of the national DTI, and the notes saying what
    each is, which means are published, and where a published mean differs from the mean of the values dti has."""
    scores = loaded.scores
    label = mean_label(scores.unit_kind, n)
    has_dti = bool(frame["national_dti"].notna().any())
    cols = [Column("national", label, "score", prov="national_mark"),
            Column("gap", Msg("levels.col.gap_mean"), "delta"),
            Column("national_n", Msg("col.national_n"), "int", table=False),
            Column("national_source", Msg("levels.col.national_source"), "text", table=False),
            Column("national_dti", Msg("levels.col.national_dti"), "score", table=has_dti),
            Column("national_dti_gap", Msg("levels.col.national_dti_gap"), "delta", table=False),
            Column("national_dti_source", Msg("levels.col.national_dti_source"), "text", table=False)]
    notes = []
    nodes = frame.drop_duplicates("indicator")
    pub = nodes[nodes["national_source"] != ""]
    if len(pub):
        notes.append(Msg("levels.note.published_mean", year=year, n=n, nodes=", ".join(pub["indicator"]),
                         source=", ".join(dict.fromkeys(pub["national_source"]))))
        for r in pub.itertuples():
            computed, count = national_mean(scores, year, r.indicator)
            if count and round(computed, 4) != round(r.national, 4):
                notes.append(Msg("levels.note.mean_differs", year=year, node=r.indicator, published=r.national,
                                 computed=computed, count=count, n=n))
    root = scores.methods[year].root
    if loaded.published(year) and root in set(nodes["indicator"]) and root not in set(pub["indicator"]):
        notes.append(Msg("levels.note.mean_not_published", year=year, n=n, node=root))
    if loaded.boundaries == 2025 and loaded.national_dti(year):
        for node in nodes["indicator"]:
            fig = levels.provinces_mean(year, node)
            if fig is not None:
                notes.append(Msg("levels.note.mean_of_34", year=year, node=node, n=n, published=fig.value,
                                 source=fig.source))
    if has_dti:
        fig = levels.national(year)
        notes.append(Msg("levels.note.national_dti", year=year, value=fig.value, source=fig.source))
    elif loaded.national_dti(year):
        known = sorted(set(levels.table().query("level == 'national'")["year"]))
        notes.append(Msg("levels.note.no_national_dti", year=year, years=", ".join(map(str, known))))
    return cols, notes


def national_series(lang: str = "vi") -> Result:
    """`show viet-nam`: each year's national DTI beside the published mean of the provinces and of the two
    ministry groups, every figure with its source."""
    from dti_cli.app.session import Source, load

    t = levels.table()
    years = sorted(set(t["year"]))
    loaded = load(Source(), store_34=False)
    recs = []
    for y in years:
        nat = levels.national(y)
        mean = levels.provinces_mean(y, "dti")
        ps, nps = levels.group_mean(y, "ministries_ps"), levels.group_mean(y, "ministries_nps")
        sources = [f.source for f in (nat, mean, ps, nps) if f is not None]
        computed, count = national_mean(loaded.scores, y, "dti") if y in loaded.scores.methods else (np.nan, 0)
        n = loaded.scores.universe.get(y, 0)
        complete = mean is None and count and count == n and loaded.published(y)
        recs.append({"year": y, "national_dti": nat.value if nat else np.nan,
                     "provinces_mean": mean.value if mean else computed if complete else np.nan,
                     "provinces_n": mean.n if mean else count if complete else np.nan,
                     "provinces_mean_provenance": levels.PROVENANCE if mean else "computed" if complete else "",
                     "ministries_ps_mean": ps.value if ps else np.nan,
                     "ministries_nps_mean": nps.value if nps else np.nan,
                     "source": " ".join(dict.fromkeys(s for ss in sources for s in ss.split())),
                     "provenance": levels.PROVENANCE})
    frame = pd.DataFrame(recs)
    cols = [Column("year", Msg("col.year"), "int"),
            Column("national_dti", Msg("levels.col.national_dti"), "score", prov="provenance"),
            Column("provinces_mean", mean_label("province", 63), "score",
                   prov="provinces_mean_provenance"),
            Column("provinces_n", Msg("col.national_n"), "int", table=False),
            Column("provinces_mean_provenance", Msg("levels.col.provinces_mean_provenance"), "text", table=False,
                   values=PROVENANCE_VALUES),
            Column("ministries_ps_mean", Msg("levels.col.ministries_ps_mean"), "score", prov="provenance"),
            Column("ministries_nps_mean", Msg("levels.col.ministries_nps_mean"), "score", prov="provenance"),
            SOURCE, PROVENANCE]
    title = Msg("levels.title.national", first=years[0], last=years[-1])
    notes = (Msg("levels.note.national_is"), Msg("levels.note.published_only"))
    if (frame["provinces_mean_provenance"] == "computed").any():
        notes += (Msg("levels.note.computed_mean", years=", ".join(
            str(y) for y in frame.loc[frame["provinces_mean_provenance"] == "computed", "year"])),)
    machine = Table.of("national", frame, cols)
    return Result(machine, views=(Table("national", machine.frame, machine.columns, title=title),), notes=notes)


def is_national(text: str) -> bool:
    """Whether a name asked for is the country (viet-nam, Việt Nam, cả nước, national)."""
    return fold(text) in levels.NATIONAL_NAMES


def _ministry_frame(lang: str) -> pd.DataFrame:
    m = levels.ministries()
    return m.assign(group_name=[Msg(f"levels.group.{g}").text(lang) for g in m["group"]])


def _group_notes(frame: pd.DataFrame) -> list[Msg]:
    """For each year and group shown: how many of the group's ministries the press printed, of how many, and the
    group's mean."""
    notes = []
    printed = levels.ministries()
    shown = sorted(set(zip(frame["year"], frame["group"])), key=lambda k: (k[0], levels.MINISTRY_GROUPS.index(k[1])))
    for y, g in shown:
        mean = levels.group_mean(y, g)
        size = mean.n if mean else None  # how many the group had, where the source of its mean says
        count = int(((printed["year"] == y) & (printed["group"] == g)).sum())  # the group's, not the rows shown
        notes.append(Msg("levels.note.group", year=y, group=Msg(f"levels.group.{g}"), shown=count,
                         of=Msg("levels.of_n", n=size) if size else "",
                         mean=Msg("levels.mean", value=mean.value, source=mean.source) if mean else ""))
    return notes


MINISTRY_COLS = (Column("year", Msg("col.year"), "int"), Column("group", Msg("levels.col.group_id"), "text",
                                                                table=False),
                 Column("group_name", Msg("levels.col.group"), "text"), Column("rank", Msg("col.rank"), "rank"),
                 Column("unit", Msg("col.slug"), "text", table=False), Column("name", Msg("levels.col.ministry"),
                                                                             "text"),
                 Column("score", Msg("levels.col.score"), "score", prov="provenance"), SOURCE, PROVENANCE)


def ministries_rank(*, year: int | None = None, top: int | None = None, lang: str = "vi") -> Result:
    """`rank --level ministries`: the ministry scores and ranks the press printed for a year (the top 5 of each
    group at most), by group and rank."""
    m = _ministry_frame(lang).rename(columns={"value": "score"})
    years = sorted(set(m["year"]))
    year = years[-1] if year is None else year
    if year not in years:
        raise UsageError("levels.no_year", option="year", year=year, years=", ".join(map(str, years)))
    order = {g: i for i, g in enumerate(levels.MINISTRY_GROUPS)}
    printed = m[m["year"] == year].sort_values(["group", "rank"], key=lambda c: c.map(order) if c.name == "group"
                                               else c, kind="stable")
    frame = printed if top is None else printed.groupby("group", sort=False).head(top)
    machine = Table.of(f"ministries {year}", frame.reset_index(drop=True), MINISTRY_COLS)
    title = Msg("levels.title.ministries", year=year)
    shown = tuple(replace(c, table=False) if c.key == "year" else c for c in machine.columns)  # in the title
    return Result(machine, views=(Table("ministries", machine.frame, shown, title=title),),
                  notes=(Msg("levels.note.partial"), *_group_notes(printed)))


def ministry_show(name: str, *, lang: str = "vi") -> Result:
    """`show MINISTRY --level ministries`: a ministry's printed scores and ranks, year by year."""
    m = _ministry_frame(lang).rename(columns={"value": "score"})
    key = fold(name)
    by_name = {fold(n): u for u, n in zip(m["unit"], m["name"])}
    unit = key if key in set(m["unit"]) else by_name.get(key)
    if unit is None:
        known = sorted(set(m["unit"]))
        raise UsageError("levels.unknown_ministry", name=name, known=", ".join(known))
    frame = m[m["unit"] == unit].sort_values("year", kind="stable").reset_index(drop=True)
    machine = Table.of("ministry", frame, MINISTRY_COLS)
    title = Msg("levels.title.ministry", name=frame["name"].iloc[0])
    return Result(machine, views=(Table("ministry", machine.frame, machine.columns, title=title),),
                  notes=(Msg("levels.note.partial"), *_group_notes(frame)))


def level_of(level) -> str:
    """--level: provinces (the default) or ministries, in any case."""
    value = "provinces" if level is None else str(getattr(level, "value", level)).strip().lower()
    if value not in levels.LEVELS:
        raise UsageError("levels.unknown_level", option="level", value=str(level))
    return value


def published_only(src, key: str, option: str = "level", **given) -> None:
    """The published levels take no data, method, boundaries or node: refuse them rather than ignore them."""
    if src.data is not None or src.method is not None or any(v is not None for v in given.values()):
        raise UsageError(key, option=option)
