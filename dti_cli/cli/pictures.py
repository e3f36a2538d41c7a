"""The picture commands: chart rank|history|compare, map, report."""

from __future__ import annotations

from typing import Annotated, List, Optional

import typer

from dti_cli.cli import emit
from dti_cli.cli.options import (BoundariesOpt, Charts, Data, Decimal, LangOpt, Maps, MethodFile, Na, NoColor, Opts,
                                 Output, Province, ProvinceList, Region, Reports, Thousands, Year,
                                 _complete_node, _complete_province, boundaries, examples)
from dti_cli.i18n import Msg
from dti_cli.render.formats import Format, choose

app = typer.Typer()
chart_app = typer.Typer(name="chart", help="Charts as SVG or PNG files (needs the 'plot' extra: matplotlib).",
                        no_args_is_help=True,
                        epilog=examples("dti chart rank --year 2023 --highlight quang-ninh -o rank_2023.svg",
                                        "dti chart history ha-noi da-nang -o history.svg",
                                        "dti chart compare can-tho --year 2023 -o can_tho_2023.png"))
app.add_typer(chart_app)

PICTURES = (Format.svg, Format.png)
Highlight = Annotated[Optional[List[str]], typer.Option("--highlight", help="Provinces to pick out (repeatable).",
                                                         autocompletion=_complete_province)]


def _picture(opts: Opts, supported=PICTURES) -> Format:
    """The format of a picture written to -o FILE (a picture is always a file)."""
    from dti_cli.errors import UsageError

    if not opts.output:
        raise UsageError("chart.needs_file", hint="output_picture")
    return choose(opts.fmt, opts.output, supported, tty=False)


def _save(picture, opts: Opts, fmt: Format) -> None:
    for n in picture.notes:
        emit.note(opts, n)
    emit.save_figure(picture.figure(), opts, fmt, picture.what)


@chart_app.command("rank", epilog=examples(
    "dti chart rank --year 2023 --highlight quang-ninh -o rank_2023.svg",
    "dti chart rank --by kts --year 2022 -o kts_2022.png"))
def chart_rank_cmd(ctx: typer.Context, year: Year = None,
                   by: Annotated[Optional[str], typer.Option(
                       "--by", help="Chart this node id (default: the index), e.g. cqs, hd_kts; `dti list nodes` "
                                    "lists them.", autocompletion=_complete_node)] = None,
                   highlight: Highlight = None,
                   boundaries_: BoundariesOpt = None, data: Data = None, method: MethodFile = None,
                   fmt: Charts = None, lang: LangOpt = None, no_color: NoColor = False, decimal: Decimal = None,
                   thousands: Thousands = None, na: Na = None, output: Output = None):
    """Every province as a sorted bar, the national average as a line, highlighted provinces coloured (-o FILE)."""
    from dti_cli.app import pictures

    opts = Opts.of(ctx, data=data, method=method, lang=lang, fmt=fmt, no_color=no_color, decimal=decimal,
                   thousands=thousands, na=na, output=output)
    fmt_ = _picture(opts)
    _save(pictures.chart_rank(opts.source(), year=year, by=by, highlight=highlight or (),
                              boundaries=boundaries(boundaries_), lang=opts.lang), opts, fmt_)


@chart_app.command("history", epilog=examples(
    "dti chart history ha-noi da-nang -o history.svg", "dti chart history can-tho -o can_tho.png"))
def chart_history_cmd(ctx: typer.Context, province: ProvinceList, boundaries_: BoundariesOpt = None,
                      data: Data = None, method: MethodFile = None,
                      fmt: Charts = None, lang: LangOpt = None, no_color: NoColor = False, decimal: Decimal = None,
                      thousands: Thousands = None, na: Na = None, output: Output = None):
    """The index and pillars of provinces over the years, ranks marked, missing years left as gaps (-o FILE)."""
    from dti_cli.app import pictures

    opts = Opts.of(ctx, data=data, method=method, lang=lang, fmt=fmt, no_color=no_color, decimal=decimal,
                   thousands=thousands, na=na, output=output)
    fmt_ = _picture(opts)
    _save(pictures.chart_history(opts.source(), provinces_=province, boundaries=boundaries(boundaries_),
                                 lang=opts.lang), opts, fmt_)


@chart_app.command("compare", epilog=examples(
    "dti chart compare can-tho --year 2023 -o can_tho_2023.svg",
    "dti chart compare ha-noi --no-region --year 2022 -o ha_noi.png"))
def chart_compare_cmd(ctx: typer.Context, province: Province,
                      national: Annotated[bool, typer.Option("--national/--no-national",
                                                             help="Bars for the national average.")] = True,
                      region: Annotated[bool, typer.Option("--region/--no-region",
                                                           help="Bars for the region average too.")] = True,
                      year: Year = None, boundaries_: BoundariesOpt = None, data: Data = None,
                      method: MethodFile = None, fmt: Charts = None, lang: LangOpt = None, no_color: NoColor = False,
                      decimal: Decimal = None, thousands: Thousands = None, na: Na = None, output: Output = None):
    """A province's pillars and main indices against the national and region averages (-o FILE)."""
    from dti_cli.app import pictures

    opts = Opts.of(ctx, data=data, method=method, lang=lang, fmt=fmt, no_color=no_color, decimal=decimal,
                   thousands=thousands, na=na, output=output)
    fmt_ = _picture(opts)
    _save(pictures.chart_compare(opts.source(), province=province, national=national, region=region, year=year,
                                 boundaries=boundaries(boundaries_), lang=opts.lang), opts, fmt_)


@app.command("map", epilog=examples(
    "dti map --year 2023", "dti map --region mekong --by rank --year 2023", "dti map --year 2023 -o map_2023.svg"))
def map_cmd(ctx: typer.Context, year: Year = None,
            node: Annotated[Optional[str], typer.Option(
                "--node", help="Map this node id (default: the index), e.g. cqs, ha_tang_so; `dti list nodes` lists "
                               "them.", autocompletion=_complete_node)] = None,
            by: Annotated[str, typer.Option("--by", metavar="<score|rank>",
                                            help="Shade by score or by rank (rank 1 darkest).")] = "score",
            highlight: Highlight = None, region: Region = None, boundaries_: BoundariesOpt = None, data: Data = None,
            method: MethodFile = None, fmt: Maps = None, lang: LangOpt = None, no_color: NoColor = False,
            decimal: Decimal = None, thousands: Thousands = None, na: Na = None, output: Output = None):
    """A map of the provinces shaded by score: with -o FILE.svg|png the provinces with their borders (a
    choropleth), in the terminal a tile map, one cell per province.

    Borders: Natural Earth (public domain); the 34-unit map for --boundaries 2025 or data on the 34 units.
    """
    from dti_cli.app import pictures
    from dti_cli.render import geo

    opts = Opts.of(ctx, data=data, method=method, lang=lang, fmt=fmt, no_color=no_color, decimal=decimal,
                   thousands=thousands, na=na, output=output)
    fmt_ = choose(opts.fmt, opts.output, (Format.table, *PICTURES), tty=True)
    if fmt_ is Format.table and opts.output:
        fmt_ = _picture(opts)  # a tile map is for a terminal: a file is a picture
    m = pictures.map_data(opts.source(), year=year, node=node, by=by, highlight=highlight or (), region=region,
                          boundaries=boundaries(boundaries_), lang=opts.lang)
    for n in m.notes:
        emit.note(opts, n)
    if fmt_ is Format.table:
        frame = m.frame if m.focus is None else m.frame[m.frame["unit"].isin(m.focus)]
        grid = geo.tile_grid({r.unit: (r.lat, r.lon) for r in frame.itertuples()})
        console = opts.console()  # a narrow terminal crops the east rather than wrapping the grid out of shape
        console.print(geo.tile_map(frame, grid, title=m.title, lang=opts.lang, highlight=m.highlight,
                                   by_rank=m.by == "rank", width=console.width), crop=True, no_wrap=True,
                      overflow="crop")
        return
    emit.save_figure(m.figure(), opts, fmt_, m.what)


@app.command("report", epilog=examples(
    "dti report quang-ninh --year 2023 --samples 200 -o quang_ninh.html",
    "dti report can-tho --samples 0 -o can_tho.md"))
def report_cmd(ctx: typer.Context, province: Province, year: Year = None,
               samples: Annotated[int, typer.Option("--samples", min=0,
                                                    help="Monte Carlo samples for the rank band (0: none).")
                                  ] = 10_000,
               boundaries_: BoundariesOpt = None, data: Data = None, method: MethodFile = None, fmt: Reports = None, lang: LangOpt = None,
               no_color: NoColor = False, decimal: Decimal = None, thousands: Thousands = None, na: Na = None,
               output: Output = None):
    """A one-page province report (-o FILE.html or FILE.md): headline, ranks over the years, pillars and main
    indices against the averages, strengths, what moved, the rank band, the method and the sources."""
    from dti_cli.app import report
    from dti_cli.errors import UsageError
    from dti_cli.render import report_md

    opts = Opts.of(ctx, data=data, method=method, lang=lang, fmt=fmt, no_color=no_color, decimal=decimal,
                   thousands=thousands, na=na, output=output)
    if not opts.output:
        raise UsageError("report.needs_file", hint="output_report")
    fmt_ = choose(opts.fmt, opts.output, (Format.html, Format.markdown), tty=False)
    content, notes = report.report(opts.source(), province=province, year=year, samples=samples,
                                   boundaries=boundaries(boundaries_), lang=opts.lang)
    for n in notes:
        emit.note(opts, n)
    report_md.write_report(opts.output, content, fmt_)
    emit.note(opts, Msg("cli.wrote" if content.charts else "cli.wrote_no_charts", path=opts.output))
