"""The analysis commands: explain, whatif, gap, uncertainty."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Annotated, List, Optional

import typer

from dti_cli.cli import emit
from dti_cli.cli.options import (BoundariesOpt, Data, Decimal, LangOpt, MethodFile, Na, NoColor, Opts, Output,
                                 Province, Tables, Thousands, Year, _complete_province, boundaries,
                                 examples)
from dti_cli.render.formats import TABLES

app = typer.Typer()


@app.command("explain", epilog=examples(
    "dti explain quang-ninh --year 2023", "dti explain da-nang --year 2022 -f json"))
def explain_cmd(ctx: typer.Context, province: Province, year: Year = None, boundaries_: BoundariesOpt = None,
                data: Data = None, method: MethodFile = None, fmt: Tables = None, lang: LangOpt = None,
                no_color: NoColor = False, decimal: Decimal = None, thousands: Thousands = None, na: Na = None,
                output: Output = None):
    """Why did it move: the change since the previous year, split exactly into its children's contributions.

    Weighted arithmetic means split as weight share × change of the child; geometric means by the log
    decomposition. Both sum exactly to the change; a published figure's rounding gets a row of its own.
    """
    from dti_cli.app import analyses

    opts = Opts.of(ctx, data=data, method=method, lang=lang, fmt=fmt, no_color=no_color, decimal=decimal,
                   thousands=thousands, na=na, output=output, formats=TABLES)
    emit.emit(analyses.explain(opts.source(), province=province, year=year, boundaries=boundaries(boundaries_),
                               lang=opts.lang), opts)


@app.command("whatif", epilog=examples(
    "dti whatif ha-noi --set hd_cqs=0.9 --year 2023", 'dti whatif --weights "hd_cqs=300,hd_kts=150" --year 2022'))
def whatif_cmd(ctx: typer.Context,
               province: Annotated[Optional[str], typer.Argument(help="Province whose values --set changes.",
                                                                 autocompletion=_complete_province)] = None,
               set_: Annotated[Optional[List[str]], typer.Option(
                   "--set", metavar="NODE=VALUE", help="A new value for a node of the province (repeatable).")] = None,
               weights: Annotated[Optional[str], typer.Option(
                   "--weights", metavar="NODE=W,…", help="New raw weights, e.g. \"hd_cqs=300,hd_kts=150\".")] = None,
               year: Year = None, boundaries_: BoundariesOpt = None, data: Data = None, method: MethodFile = None,
               fmt: Tables = None, lang: LangOpt = None, no_color: NoColor = False, decimal: Decimal = None,
               thousands: Thousands = None, na: Na = None, output: Output = None):
    """Recompute with changed values (--set) or weights (--weights): new score and rank next to the old."""
    from dti_cli.app import analyses

    opts = Opts.of(ctx, data=data, method=method, lang=lang, fmt=fmt, no_color=no_color, decimal=decimal,
                   thousands=thousands, na=na, output=output, formats=TABLES)
    emit.emit(analyses.whatif(opts.source(), province=province, set_=set_, weights=weights, year=year,
                              boundaries=boundaries(boundaries_), lang=opts.lang), opts)


@app.command("gap", epilog=examples(
    "dti gap bac-giang --target-rank 10 --year 2023", "dti gap ca-mau -r 30 --year 2022 -f csv"))
def gap_cmd(ctx: typer.Context, province: Province,
            target_rank: Annotated[int, typer.Option("--target-rank", "-r", min=1, help="The rank to reach.")],
            year: Year = None, boundaries_: BoundariesOpt = None, data: Data = None, method: MethodFile = None,
            fmt: Tables = None, lang: LangOpt = None, no_color: NoColor = False, decimal: Decimal = None,
            thousands: Thousands = None, na: Na = None, output: Output = None):
    """What it would take: the score needed to reach a rank, and how much each indicator alone would need to rise."""
    from dti_cli.app import analyses

    opts = Opts.of(ctx, data=data, method=method, lang=lang, fmt=fmt, no_color=no_color, decimal=decimal,
                   thousands=thousands, na=na, output=output, formats=TABLES)
    emit.emit(analyses.gap(opts.source(), province=province, target_rank=target_rank, year=year,
                           boundaries=boundaries(boundaries_), lang=opts.lang), opts)


@contextmanager
def _progress(opts: Opts, total: int):
    """A progress bar on a terminal's stderr (nothing when piped): yields the callback the Monte Carlo calls."""
    err = opts.console(stderr=True)
    if not err.is_terminal:
        yield None
        return
    from rich.progress import Progress

    bar = Progress(console=err, transient=True)
    task = bar.add_task("Monte Carlo", total=total)
    with bar:
        yield lambda n: bar.advance(task, n)


@app.command("uncertainty", epilog=examples(
    "dti uncertainty --year 2023 --samples 2000",
    "dti uncertainty --year 2022 --samples 500 --weight-noise 0.1 --seed 7 -f csv"))
def uncertainty_cmd(ctx: typer.Context, year: Year = None, boundaries_: BoundariesOpt = None,
                    samples: Annotated[int, typer.Option(
                        "--samples", help="Monte Carlo samples (at most 1,000,000; fewer for many units).")] = 10_000,
                    weight_noise: Annotated[float, typer.Option(
                        "--weight-noise", help="Each weight varies uniformly within ±this share (0 to below 1).")
                    ] = 0.25,
                    seed: Annotated[int, typer.Option("--seed", help="Random seed (the same seed gives the same "
                                                                     "result).")] = 0,
                    alternatives: Annotated[Optional[str], typer.Option(
                        "--alternatives", metavar="SPEC", help="Raw-data methods: also draw the method, e.g. "
                        "\"normalise=minmax,zscore;aggregate=arithmetic,geometric\".")] = None,
                    data: Data = None, method: MethodFile = None, fmt: Tables = None, lang: LangOpt = None,
                    no_color: NoColor = False, decimal: Decimal = None, thousands: Thousands = None, na: Na = None,
                    output: Output = None):
    """How sure are we: Monte Carlo ranks under random weights (and methods): median rank and 5–95% band."""
    from dti_cli.app import analyses

    opts = Opts.of(ctx, data=data, method=method, lang=lang, fmt=fmt, no_color=no_color, decimal=decimal,
                   thousands=thousands, na=na, output=output, formats=TABLES)
    with _progress(opts, samples) as progress:
        result = analyses.uncertainty(opts.source(), year=year, samples=samples, weight_noise=weight_noise,
                                      seed=seed, alternatives=alternatives, boundaries=boundaries(boundaries_),
                                      lang=opts.lang, progress=progress)
    emit.emit(result, opts)
