"""The options the commands share, as explicit types, and one run's options merged with the global ones."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, List, Optional

import typer

from dti_cli.i18n import Lang, lang_of
from dti_cli.model.levels import LEVELS
from dti_cli.render.formats import Format, subset

TableFormat = subset("TableFormat", (Format.table, Format.csv, Format.tsv, Format.json, Format.markdown, Format.xlsx))
ChartFormat = subset("ChartFormat", (Format.svg, Format.png))
MapFormat = subset("MapFormat", (Format.table, Format.svg, Format.png))
ReportFormat = subset("ReportFormat", (Format.html, Format.markdown))
TomlFormat = subset("TomlFormat", (Format.toml,))
MethodFormat = subset("MethodFormat", (*TableFormat, Format.toml))


class Boundaries(str, Enum):
    b2025 = "2025"


Level = Enum("Level", {name: name for name in LEVELS}, type=str)


def _complete_province(incomplete: str) -> list[str]:
    from dti_cli.model import provinces

    return provinces.registry().complete(incomplete)


def _complete_year(incomplete: str) -> list[str]:
    from dti_cli.model.editions import edition_years

    return [str(y) for y in edition_years() if str(y).startswith(incomplete)]


def _method_asked(ctx) -> str | None:
    """The --method given so far on the command line (the command's own, else the global one)."""
    while ctx is not None:
        value = (getattr(ctx, "params", None) or {}).get("method")
        if value:
            return value
        ctx = getattr(ctx, "parent", None)
    return None


def _complete_node(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """Node ids (with their English names) of the --method given, else of every edition dti knows."""
    from dti_cli.model.editions import editions

    methods = editions()
    asked = _method_asked(ctx)
    if asked:  # read here as the session reads it, without importing the data layer (pandas) for a completion
        from pathlib import Path

        from dti_cli.model import editions as eds, method_file

        try:
            path = Path(asked)
            methods = (method_file.load(path) if path.exists() or not asked.strip().isdigit()
                       else eds.edition(asked),)
        except Exception:  # a file still being typed, or not a method: complete from the editions
            pass
    seen: dict[str, str] = {}
    for m in reversed(methods):  # the latest edition's names first
        for node in m.nodes:
            seen.setdefault(node, m.node_label(node, "en"))
    return [(k, v) for k, v in seen.items() if k.startswith(incomplete)]


def _complete_region(incomplete: str) -> list[str]:
    from dti_cli.model.provinces import complete_region

    return complete_region(incomplete)


def examples(*lines: str) -> str:
    """A command's help epilog: examples that run on the bundled data, one per line (never rewrapped)."""
    return "Examples:\n\n\b\n" + "\n".join("  " + x for x in lines)


def _complete_edition(incomplete: str) -> list[str]:
    from dti_cli.model.editions import edition_years, editions

    keys = [e.id for e in editions()] + [str(y) for y in edition_years()]
    return [k for k in keys if k.startswith(incomplete)]


Data = Annotated[Optional[str], typer.Option(
    "--data", metavar="FILE", help="Indicator CSV (long or wide; '-' for stdin). Default: the bundled DTI data.")]
MethodFile = Annotated[Optional[str], typer.Option(
    "--method", metavar="FILE", help="Methodology TOML (or a shipped edition: 922) replacing the shipped editions.")]
LangOpt = Annotated[Optional[Lang], typer.Option(
    "--lang", case_sensitive=False, help="Language of everything shown: vi (default; DTI_LANG sets another) or en.")]
NoColor = Annotated[bool, typer.Option("--no-color", help="No colour (NO_COLOR is honoured too).")]
Decimal = Annotated[Optional[str], typer.Option(
    "--decimal", metavar="CHAR", help="Decimal mark of the data file: '.' (default) or ','.")]
Thousands = Annotated[Optional[str], typer.Option(
    "--thousands", metavar="CHAR", help="Thousands separator of the data file (e.g. '.'); none by default.")]
Na = Annotated[Optional[List[str]], typer.Option(
    "--na", metavar="TOKEN", help="Treat this cell text as missing (repeatable); empty cells always are.")]
Output = Annotated[Optional[str], typer.Option(
    "--output", "-o", metavar="FILE", help="Write to FILE (atomically) instead of stdout; its suffix sets the format "
                                          "unless --format does.")]
Tables = Annotated[Optional[TableFormat], typer.Option(
    "--format", "-f", help="table (default on a terminal), tsv (default when piped), csv, json, markdown, xlsx (-o).")]
Charts = Annotated[Optional[ChartFormat], typer.Option(
    "--format", "-f", help="svg or png (default: the suffix of -o).")]
Maps = Annotated[Optional[MapFormat], typer.Option(
    "--format", "-f", help="table (a tile map in the terminal), svg or png (-o FILE).")]
Reports = Annotated[Optional[ReportFormat], typer.Option(
    "--format", "-f", help="html or markdown (default: the suffix of -o).")]
Tomls = Annotated[Optional[TomlFormat], typer.Option("--format", "-f", help="toml (the only one).")]
Methods = Annotated[Optional[MethodFormat], typer.Option(
    "--format", "-f", help="table (default on a terminal), tsv (default when piped), csv, json, markdown, xlsx (-o), "
                           "or toml: the method as a file to edit and pass to --method.")]
Year = Annotated[Optional[int], typer.Option("--year", "-y", help="Data year (default: the latest).",
                                             autocompletion=_complete_year)]
Years = Annotated[Optional[int], typer.Option("--year", "-y", help="Only this year (default: every year).",
                                              autocompletion=_complete_year)]
BoundariesOpt = Annotated[Optional[Boundaries], typer.Option(
    "--boundaries", help="2025: re-express the figures on the 34 units in force from 1 July 2025 (a merged unit's "
                         "main indices are its old provinces' means).")]
LevelOpt = Annotated[Optional[Level], typer.Option(
    "--level", help="provinces (default) or ministries: the ministries' DTI as the press printed it (partial).")]
Region = Annotated[Optional[str], typer.Option(
    "--region", help="Only this GSO region, by its Vietnamese slug or English key: trung-du-mien-nui-phia-bac "
                     "(north), dong-bang-song-hong (red-river), bac-trung-bo-duyen-hai-mien-trung (central), "
                     "tay-nguyen (highlands), dong-nam-bo (southeast), dong-bang-song-cuu-long (mekong).",
    autocompletion=_complete_region)]
Province = Annotated[str, typer.Argument(help="Province (or unit): slug, name, alias or GSO code.",
                                         autocompletion=_complete_province)]
ProvinceList = Annotated[List[str], typer.Argument(help="One or more provinces: slug, name, alias or GSO code.",
                                                   autocompletion=_complete_province)]
Edition = Annotated[Optional[str], typer.Argument(
    help="A shipped edition (1726, 922, 405) or a year; default: the latest. --method FILE shows a file.",
    autocompletion=_complete_edition)]


@dataclass(frozen=True)
class Globals:
    """Options given before the command name (`dti --lang en rank`), for this run only."""

    data: str | None = None
    method: str | None = None
    lang: str | None = None
    no_color: bool = False


@dataclass(frozen=True)
class Opts:
    """One command's options, after merging the global ones."""

    data: str | None = None
    method: str | None = None
    lang: str = "vi"
    fmt: Format | None = None
    no_color: bool = False
    decimal: str | None = None  # as given (None: not given, '.')
    thousands: str | None = None
    na: tuple = ()
    output: str | None = None
    chosen: Format | None = None  # the format of the run, decided before any work when the command says which

    @classmethod
    def of(cls, ctx: typer.Context, *, data=None, method=None, lang=None, fmt=None, no_color=False, decimal=None,
           thousands=None, na=None, output=None, formats=None) -> "Opts":
        """The run's options; with `formats` (what the command writes), the format is chosen now, so that a bad
        -o or --format fails before a long computation. `-o -` is stdout; an empty -o is refused."""
        from dti_cli.errors import UsageError
        from dti_cli.render.formats import choose

        g = ctx.obj if isinstance(ctx.obj, Globals) else Globals()
        if output is not None and not output.strip():
            raise UsageError("output.empty", option="output")
        output = None if output == "-" else output
        if output is not None:
            from dti_cli.io.files import check_target

            check_target(output)
        fmt = Format(fmt.value) if fmt is not None else None
        chosen = choose(fmt, output, formats, tty=sys.stdout.isatty()) if formats is not None else None
        return cls(data=data or g.data, method=method or g.method,
                   lang=lang_of(lang or g.lang or os.environ.get("DTI_LANG") or "vi"),
                   fmt=fmt, no_color=no_color or g.no_color,
                   decimal=decimal, thousands=thousands, na=tuple(na or ()), output=output, chosen=chosen)

    def source(self):
        """What to read, as the application layer takes it (large files may be read by two processes)."""
        from dti_cli.app.session import Source
        from dti_cli.io.processes import auto_workers
        from dti_cli.model.dataset import NumberFormat

        return Source(data=self.data, method=self.method, workers=auto_workers(),
                      fmt=NumberFormat.given(self.decimal, self.thousands, self.na))

    def console(self, stderr: bool = False):
        """A Rich console for this run (made per call: Rich fixes colour and width when a console is built)."""
        from rich.console import Console

        no_color = self.no_color or bool(os.environ.get("NO_COLOR"))
        return Console(stderr=stderr, no_color=no_color, highlight=False, emoji=False)

    @property
    def tty(self) -> bool:
        return sys.stdout.isatty()


def boundaries(value) -> int | None:
    return 2025 if value is not None else None
