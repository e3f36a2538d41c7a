"""`dti import`: add a published results table to the user's store, list the store, remove a year."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, List, Optional

import typer

from dti_cli.cli import emit
from dti_cli.cli.options import LangOpt, NoColor, Opts, Output, Tables, examples
from dti_cli.render.formats import TABLES

app = typer.Typer()


class UnitSet(str, Enum):
    u63 = "63"
    u34 = "34"
    b2008 = "2008"
    b2025 = "2025"


_EPILOG = examples("dti import dti_2025.csv --year 2025 --source https://example.org/dti-2025",
                   'dti import dti_2025.csv --year 2025 --replace --map "Xếp hạng=dti.rank"', "dti import --list",
                   "dti import --remove 2025")


@app.command("import", epilog=_EPILOG)
def import_cmd(ctx: typer.Context,
               file: Annotated[Optional[str], typer.Argument(
                   help="The published table: CSV (comma, semicolon or tab; UTF-8) or XLSX, as received: title rows, "
                        "an STT column, Vietnamese headers and decimal commas are read.")] = None,
               year: Annotated[Optional[int], typer.Option("--year", "-y", help="The year of the table's results.")]
               = None,
               mapping: Annotated[Optional[List[str]], typer.Option(
                   "--map", metavar="HEADER=NODE",
                   help="What a column holds, when its header is not a known name: HEADER=dti, HEADER=cqs.rank, or "
                        "HEADER= to leave it out (repeatable).")] = None,
               unit_set: Annotated[Optional[UnitSet], typer.Option(
                   "--boundaries", help="The units the table is on: 63 (or 2008; the provinces before July 2025) or "
                                        "34 (or 2025); default: the set every name belongs to.")] = None,
               source: Annotated[Optional[str], typer.Option("--source", metavar="URL",
                                                             help="Where the table was published.")] = None,
               replace: Annotated[bool, typer.Option("--replace", help="Replace a year already in the store, or the "
                                                                       "bundled figures of that year.")] = False,
               partial: Annotated[bool, typer.Option("--partial", help="Import a table that lacks some units.")]
               = False,
               list_: Annotated[bool, typer.Option("--list", help="List the imported years.")] = False,
               remove: Annotated[Optional[int], typer.Option("--remove", metavar="YEAR",
                                                             help="Remove an imported year.")] = None,
               fmt: Tables = None, lang: LangOpt = None, no_color: NoColor = False, output: Output = None):
    """Add a published results table to your store (DTI_HOME, else the platform's data directory); every command
    reads it beside the bundled years. Nothing is written unless the whole table checks out."""
    from dti_cli.app import importing
    from dti_cli.errors import UsageError

    opts = Opts.of(ctx, lang=lang, fmt=fmt, no_color=no_color, output=output, formats=TABLES)
    if sum((file is not None, list_, remove is not None)) != 1:
        raise UsageError("import.one_action")
    if list_:
        result = importing.listing()
    elif remove is not None:
        result = importing.remove(remove)
    else:
        if year is None:
            raise UsageError("import.needs_year", option="year")
        result = importing.import_table(file, year=year, mapping=mapping or (),
                                        boundaries=None if unit_set is None else int(unit_set.value), source=source,
                                        replace=replace, partial=partial)
    emit.emit(result, opts)
