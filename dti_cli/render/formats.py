"""The output formats: one enum, the file suffixes that imply them, and the choice of a format for a run."""

from __future__ import annotations

from enum import Enum
from pathlib import Path

from dti_cli.errors import UsageError


class Format(str, Enum):
    table = "table"  # a terminal: Rich tables, text
    csv = "csv"
    tsv = "tsv"
    json = "json"
    markdown = "markdown"
    xlsx = "xlsx"
    svg = "svg"
    png = "png"
    html = "html"
    toml = "toml"


SUFFIXES = {".csv": Format.csv, ".tsv": Format.tsv, ".txt": Format.tsv, ".json": Format.json, ".md": Format.markdown,
            ".xlsx": Format.xlsx, ".svg": Format.svg, ".png": Format.png, ".html": Format.html, ".htm": Format.html,
            ".toml": Format.toml}
FILE_ONLY = (Format.xlsx, Format.svg, Format.png, Format.html)  # binary or documents: never to a terminal
TABLES = (Format.table, Format.csv, Format.tsv, Format.json, Format.markdown, Format.xlsx)


def subset(name: str, formats) -> type[Enum]:
    """An enum of some formats (what one command's --format accepts, and its --help lists)."""
    return Enum(name, {f.value: f.value for f in formats}, type=str)


class suffixes_of:  # noqa: N801 - read as a function: suffixes_of(formats)
    """".svg or .png": the suffixes that imply these formats, in the reader's language."""

    def __init__(self, formats):
        self.found = [s for s, f in SUFFIXES.items() if f in formats]

    def text(self, lang: str = "en") -> str:
        from dti_cli.i18n import text

        if len(self.found) < 2:
            return "".join(self.found)
        return ", ".join(self.found[:-1]) + text("word.or", lang) + self.found[-1]


def choose(fmt, output: str | None, supported, *, tty: bool) -> Format:
    """The format of a run: --format, else the suffix of -o FILE, else a table on a terminal and tsv (or the first
    supported) when piped."""
    supported = tuple(supported)
    if fmt is not None:
        fmt = Format(getattr(fmt, "value", fmt))
        if fmt not in supported:
            raise UsageError("format.unsupported", option="format", fmt=fmt.value,
                             known=", ".join(f.value for f in supported))
        if fmt in FILE_ONLY and not output:
            raise UsageError("format.needs_file", option="format", fmt=fmt.value,
                             suffixes=suffixes_of((fmt,)))
        suffix = Path(output).suffix.lower() if output else ""
        implied = SUFFIXES.get(suffix)
        if implied is not None and implied is not fmt and suffix != ".txt":  # .txt takes any text
            raise UsageError("format.conflict", option="format", fmt=fmt.value, path=output,
                             implied=implied.value)
        return fmt
    if output:
        suffix = Path(output).suffix.lower()
        if SUFFIXES.get(suffix) not in supported:
            raise UsageError("format.suffix", option="output", path=output, suffix=suffix or "-",
                             suffixes=suffixes_of(supported))
        return SUFFIXES[suffix]
    if tty and Format.table in supported:
        return Format.table
    for f in (Format.tsv, Format.table, Format.toml):
        if f in supported:
            return f
    raise UsageError("format.needs_file", option="format", fmt=supported[0].value,
                     suffixes=suffixes_of(supported))
