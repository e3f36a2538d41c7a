"""`dti list`: the provinces, regions, node ids and editions the other commands take."""

from __future__ import annotations

from typing import Annotated

import typer

from dti_cli.cli import emit
from dti_cli.cli.options import (BoundariesOpt, LangOpt, MethodFile, NoColor, Opts, Output, Region, Tables,
                                 boundaries, examples)
from dti_cli.render.formats import TABLES

app = typer.Typer()


def _what():
    from enum import Enum

    return Enum("What", {w: w for w in ("provinces", "regions", "nodes", "editions")}, type=str)


What = _what()  # the app layer's choices, without importing it (and pandas) for help and completion


@app.command("list", epilog=examples("dti list provinces --region mekong", "dti list regions --lang en",
                                     "dti list nodes -f csv", "dti list provinces --boundaries 2025 -f json"))
def list_cmd(ctx: typer.Context,
             what: Annotated[What, typer.Argument(help="provinces (with their GSO code and region), regions (both "
                                                       "keys --region takes), nodes (the ids --by takes, per "
                                                       "edition) or editions.", case_sensitive=False)],
             region: Region = None, boundaries_: BoundariesOpt = None, method: MethodFile = None, fmt: Tables = None, lang: LangOpt = None,
             no_color: NoColor = False, output: Output = None):
    """What the other commands take by name: provinces, regions, node ids or editions, in the run's language."""
    from dti_cli.app import lists

    opts = Opts.of(ctx, method=method, lang=lang, fmt=fmt, no_color=no_color, output=output, formats=TABLES)
    emit.emit(lists.listing(what.value, src=opts.source(), boundaries=boundaries(boundaries_), region=region,
                                  lang=opts.lang),
              opts)
