"""The table commands: rank, compare, show, scores, movers."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from dti_cli.cli import emit
from dti_cli.cli.options import (BoundariesOpt, Data, Decimal, LangOpt, LevelOpt, MethodFile, Na, NoColor, Opts, Output,
                                 Province, ProvinceList, Region, Tables, Thousands, Year, Years,
                                 _complete_node, boundaries, examples)
from dti_cli.render.formats import TABLES

app = typer.Typer()

By = Annotated[Optional[str], typer.Option(
    "--by", help="Rank on this node id (default: the index), e.g. cqs, kts, xhs, hd_cqs, ha_tang_so; `dti list nodes` "
                 "lists every edition's.", autocompletion=_complete_node)]


@app.command("rank", epilog=examples(
    "dti rank --year 2023 --top 10", "dti rank --by cqs --region mekong --year 2022",
    "dti rank --year 2022 -f csv -o rank_2022.csv", "dti rank --level ministries --year 2021"))
def rank_cmd(ctx: typer.Context, year: Year = None, by: By = None,
             top: Annotated[Optional[int], typer.Option("--top", min=1, help="Show only the first N.")] = None,
             region: Region = None, boundaries_: BoundariesOpt = None, level: LevelOpt = None, data: Data = None,
             method: MethodFile = None, fmt: Tables = None, lang: LangOpt = None, no_color: NoColor = False,
             decimal: Decimal = None, thousands: Thousands = None, na: Na = None, output: Output = None):
    """Rank every province on the index (or any node) with last year's score, the change and the pillars
    (--level ministries: the ministries' DTI as published)."""
    from dti_cli.app import tables

    opts = Opts.of(ctx, data=data, method=method, lang=lang, fmt=fmt, no_color=no_color, decimal=decimal,
                   thousands=thousands, na=na, output=output, formats=TABLES)
    emit.emit(tables.rank(opts.source(), year=year, by=by, top=top, region=region,
                          boundaries=boundaries(boundaries_), level=level, lang=opts.lang), opts)


@app.command("compare", epilog=examples(
    "dti compare ha-noi da-nang --year 2023", "dti compare quang-ninh --national --region --year 2024",
    "dti compare hai-duong --boundaries 2025 -f json"))
def compare_cmd(ctx: typer.Context, province: ProvinceList,
                national: Annotated[bool, typer.Option("--national",
                                                       help="Add the national average and the gap to it.")] = False,
                region: Annotated[bool, typer.Option("--region",
                                                     help="Add the province's region average and the gap.")] = False,
                year: Year = None, boundaries_: BoundariesOpt = None, data: Data = None, method: MethodFile = None,
                fmt: Tables = None, lang: LangOpt = None, no_color: NoColor = False, decimal: Decimal = None,
                thousands: Thousands = None, na: Na = None, output: Output = None):
    """Provinces side by side on the index, each pillar and each main index: value, rank, change, averages."""
    from dti_cli.app import tables

    opts = Opts.of(ctx, data=data, method=method, lang=lang, fmt=fmt, no_color=no_color, decimal=decimal,
                   thousands=thousands, na=na, output=output, formats=TABLES)
    emit.emit(tables.compare(opts.source(), provinces_=province, national=national, region=region, year=year,
                             boundaries=boundaries(boundaries_), lang=opts.lang), opts)


@app.command("show", epilog=examples(
    "dti show quang-ninh", 'dti show "Cần Thơ" --year 2022 -f markdown', "dti show hai-phong --boundaries 2025",
    "dti show viet-nam"))
def show_cmd(ctx: typer.Context, province: Province, year: Year = None, boundaries_: BoundariesOpt = None,
             level: LevelOpt = None, data: Data = None, method: MethodFile = None, fmt: Tables = None,
             lang: LangOpt = None, no_color: NoColor = False, decimal: Decimal = None, thousands: Thousands = None,
             na: Na = None, output: Output = None):
    """A province's profile: every year's score and rank, its pillars and main indices, strengths and weaknesses
    (viet-nam: the national DTI and the published means; --level ministries: a ministry's published DTI)."""
    from dti_cli.app import profile

    opts = Opts.of(ctx, data=data, method=method, lang=lang, fmt=fmt, no_color=no_color, decimal=decimal,
                   thousands=thousands, na=na, output=output, formats=TABLES)
    emit.emit(profile.show(opts.source(), province=province, year=year, boundaries=boundaries(boundaries_),
                           level=level, lang=opts.lang), opts)


@app.command("scores", epilog=examples(
    "dti scores --year 2023 -f csv -o scores_2023.csv", "dti scores --year 2024 --boundaries 2025 -f json"))
def scores_cmd(ctx: typer.Context, year: Years = None, boundaries_: BoundariesOpt = None, data: Data = None,
               method: MethodFile = None, fmt: Tables = None, lang: LangOpt = None, no_color: NoColor = False,
               decimal: Decimal = None, thousands: Thousands = None, na: Na = None, output: Output = None):
    """Every node's score and rank for every province and year, in long form, with provenance."""
    from dti_cli.app import profile

    opts = Opts.of(ctx, data=data, method=method, lang=lang, fmt=fmt, no_color=no_color, decimal=decimal,
                   thousands=thousands, na=na, output=output, formats=TABLES)
    emit.emit(profile.scores(opts.source(), year=year, boundaries=boundaries(boundaries_), lang=opts.lang), opts)


@app.command("movers", epilog=examples(
    "dti movers --year 2023", "dti movers --year 2023 --by hd_kts --top 3",
    "dti movers --year 2023 --region red-river -f csv"))
def movers_cmd(ctx: typer.Context, year: Year = None, by: By = None,
               top: Annotated[int, typer.Option("--top", min=1, help="How many risers and fallers of each kind.")] = 5,
               region: Region = None, boundaries_: BoundariesOpt = None, data: Data = None, method: MethodFile = None,
               fmt: Tables = None, lang: LangOpt = None, no_color: NoColor = False, decimal: Decimal = None,
               thousands: Thousands = None, na: Na = None, output: Output = None):
    """The biggest risers and fallers of a year, by rank change and by score change."""
    from dti_cli.app import tables

    opts = Opts.of(ctx, data=data, method=method, lang=lang, fmt=fmt, no_color=no_color, decimal=decimal,
                   thousands=thousands, na=na, output=output, formats=TABLES)
    emit.emit(tables.movers(opts.source(), year=year, by=by, top=top, region=region,
                            boundaries=boundaries(boundaries_), lang=opts.lang), opts)
