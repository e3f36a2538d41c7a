"""The commands that check and describe: verify, check, method, init."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from dti_cli.cli import emit
from dti_cli.cli.options import (Data, Decimal, Edition, LangOpt, MethodFile, Methods, Na, NoColor, Opts, Output,
                                 Tables, Thousands, Tomls, Years, examples)
from dti_cli.render.formats import TABLES, Format

app = typer.Typer()


@app.command("verify", epilog=examples("dti verify", "dti verify --show 3 -f json"))
def verify_cmd(ctx: typer.Context,
               show: Annotated[int, typer.Option("--show", min=1, help="How many of the largest differences to "
                                                                       "list.")] = 10,
               data: Data = None, method: MethodFile = None, fmt: Tables = None, lang: LangOpt = None,
               no_color: NoColor = False, decimal: Decimal = None, thousands: Thousands = None, na: Na = None,
               output: Output = None):
    """Recompute every published aggregate from its inputs and every published rank; exit 1 on a mismatch."""
    from dti_cli.app import checks

    opts = Opts.of(ctx, data=data, method=method, lang=lang, fmt=fmt, no_color=no_color, decimal=decimal,
                   thousands=thousands, na=na, output=output, formats=TABLES)
    emit.emit(checks.verify(opts.source(), show=show, lang=opts.lang), opts)


@app.command("check", epilog=examples("dti check --year 2023", "dti check -f csv -o findings.csv"))
def check_cmd(ctx: typer.Context, year: Years = None, data: Data = None, method: MethodFile = None,
              fmt: Tables = None, lang: LangOpt = None, no_color: NoColor = False, decimal: Decimal = None,
              thousands: Thousands = None, na: Na = None, output: Output = None):
    """Audit the data against the method: missing data, coverage, outliers, spread, correlations, alpha.

    Exits 1 when a finding is an error (a method leaf missing from the data, an indicator with no data or no
    spread, a non-positive input to a geometric or harmonic mean), so that it can gate a CI run.
    """
    from dti_cli.app import checks

    opts = Opts.of(ctx, data=data, method=method, lang=lang, fmt=fmt, no_color=no_color, decimal=decimal,
                   thousands=thousands, na=na, output=output, formats=TABLES)
    emit.emit(checks.check(opts.source(), year=year, lang=opts.lang), opts)


@app.command("method", epilog=examples(
    "dti method 922", "dti method 2024 -f csv", "dti method 922 --format toml -o my_method.toml",
    "dti rank --method my_method.toml --year 2022"))
def method_cmd(ctx: typer.Context, edition: Edition = None, method: MethodFile = None, fmt: Methods = None,
               lang: LangOpt = None, no_color: NoColor = False, output: Output = None,
               new: Annotated[Optional[int], typer.Option(
                   "--new", metavar="YEAR", help="Add to your store a method for a year dti ships none for: the "
                                                 "structure of EDITION (default: the latest) with weights "
                                                 "\"unknown\", to edit once they are published.")] = None,
               replace: Annotated[bool, typer.Option("--replace", help="With --new: replace the store's method "
                                                                       "of that year.")] = False):
    """The methodology tree: names, weights, and the share each node has in the index; with --format toml the
    method as a file to edit (change a weight, pass it to --method)."""
    from dti_cli.app import checks

    opts = Opts.of(ctx, method=method, lang=lang, fmt=fmt, no_color=no_color, output=output,
                   formats=(*TABLES, Format.toml))
    if opts.chosen is Format.toml:
        if new is not None:  # --new writes its file into the store; what it prints is a table
            from dti_cli.errors import UsageError

            raise UsageError("format.unsupported", option="format", fmt="toml",
                             known=", ".join(f.value for f in TABLES))
        emit.write(opts, checks.method_toml(opts.source(), edition=edition, lang=opts.lang))
        return
    if new is not None:
        from dti_cli.app import importing

        emit.emit(importing.new_method(new, base=edition, replace=replace, lang=opts.lang), opts)
        return
    emit.emit(checks.method(opts.source(), edition=edition, lang=opts.lang), opts)


@app.command("init", epilog=examples(
    "dti init --data districts.csv -o method.toml", "dti init --data districts.csv --lang en"))
def init_cmd(ctx: typer.Context, data: Data = None, fmt: Tomls = None, lang: LangOpt = None, decimal: Decimal = None,
             thousands: Thousands = None, na: Na = None, output: Output = None):
    """Write a starting method file for a data file: every column a leaf, min-max, equal weights (stdout or -o)."""
    from dti_cli.app import checks

    opts = Opts.of(ctx, data=data, lang=lang, fmt=fmt, decimal=decimal, thousands=thousands, na=na, output=output,
                   formats=(Format.toml,))
    emit.write(opts, checks.init(opts.source(), lang=opts.lang))
