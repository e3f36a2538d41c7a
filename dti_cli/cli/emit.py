"""The one output path: a result rendered in the format the run asks for, to stdout or atomically to -o FILE;
notes and the closing status on stderr."""

from __future__ import annotations

import errno
import sys
from contextlib import contextmanager

import typer

from dti_cli.cli.options import Opts
from dti_cli.i18n import Joined, Msg, render
from dti_cli.render.formats import TABLES, Format, choose


def line(opts: Opts, label: str, style: str, message) -> None:
    """One message on stderr: "Note: …", "OK: …", "Error: …" in the run's language."""
    from rich.markup import escape

    head = Msg(f"cli.{label}").text(opts.lang)
    opts.console(stderr=True).print(f"[{style}]{escape(head)}:[/] {escape(render(message, opts.lang))}",
                                    soft_wrap=True)


def note(opts: Opts, message) -> None:
    line(opts, "note", "yellow", message)


class ReaderGone(Exception):
    """The reader of standard output went away (`dti scores | head`): not a failure (cli.main stops quietly)."""


@contextmanager
def guarded(opts: Opts):
    """Output failures as they reach the user: a closed pipe stops quietly; a full disk, an I/O error or a closed
    stream is one line naming where, exit 1 (click would turn a closed pipe into exit 1, and the rest into an
    internal error)."""
    from dti_cli.errors import DataError

    try:
        yield
    except BrokenPipeError:
        raise ReaderGone() from None
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            raise ReaderGone() from None
        if opts.output or exc.errno in (errno.ENOSPC, errno.EIO, errno.EDQUOT, errno.EFBIG, errno.EBADF):
            where = opts.output or Msg("cli.stdout")
            raise DataError("cli.write_failed", path=where, reason=exc.strerror or str(exc)) from None
        raise


def write(opts: Opts, text: str) -> None:
    """Text to -o FILE (atomically: an existing file is replaced only on success) or to stdout."""
    with guarded(opts):
        _write(opts, text)


def _write(opts: Opts, text: str) -> None:
    if opts.output:
        from dti_cli.io.files import write_atomic

        write_atomic(opts.output, text)
        note(opts, Msg("cli.wrote", path=opts.output))
    else:
        sys.stdout.write(text)


TABLE_ROWS = 10_000  # rows a table format draws at most: Rich takes about a minute for a million


def _terminal(result, opts: Opts) -> str | None:
    """The views on the terminal (None: printed), or as plain text 100 columns wide for -o FILE; past TABLE_ROWS
    rows an error suggesting a machine format or --top, before anything is drawn."""
    from rich.console import Console

    from dti_cli.errors import DataError
    from dti_cli.render.terminal import renderables, rows_shown

    views = result.shown
    rows = rows_shown(views)
    if rows > TABLE_ROWS:
        raise DataError("scale.table_rows", rows=rows, limit=TABLE_ROWS)

    if opts.output:
        import io

        con = Console(file=io.StringIO(), width=100, no_color=True, highlight=False, emoji=False)
    else:
        con = opts.console()
    for r in renderables(views, opts.lang):
        con.print(r, soft_wrap=False, crop=False)  # a table narrower than its figures is not cut
    return con.file.getvalue() if opts.output else None


def _bulk(result, opts: Opts, fmt: str) -> None:
    """csv, tsv or json through the result's fast (streaming) writer, to the file atomically or to stdout."""
    from dti_cli.io.processes import auto_workers

    if opts.output:
        from dti_cli.io.files import atomic_path

        with atomic_path(opts.output) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
            result.bulk(fmt, fh, auto_workers())
        note(opts, Msg("cli.wrote", path=opts.output))
    else:
        result.bulk(fmt, sys.stdout, auto_workers())


def emit(result, opts: Opts) -> None:
    """Notes, the result in the format chosen for the run (a table format), then the status line; exit 1 when
    the result failed."""
    with guarded(opts):
        _emit(result, opts)


def _emit(result, opts: Opts) -> None:
    if result.nothing:
        raise empty(result)
    fmt = opts.chosen or choose(opts.fmt, opts.output, TABLES, tty=opts.tty)
    for n in result.notes:
        note(opts, n)
    if fmt is Format.xlsx:
        from dti_cli.render.excel import write_xlsx

        names = write_xlsx(opts.output, list(result.workbook), about=list(result.about))
        note(opts, Msg("cli.wrote_sheets", path=opts.output, sheets=", ".join(names[:-1])))
    elif fmt is Format.table:
        text = _terminal(result, opts)
        if text is not None:
            _write(opts, text)
    elif result.bulk is not None and (fmt in (Format.csv, Format.tsv) or (fmt is Format.json and result.doc is None)):
        _bulk(result, opts, fmt.value)
    else:
        _write(opts, text_of(result, fmt, opts.lang))
    if result.status is not None:
        if result.failed:
            line(opts, "error", "bold red", result.status)
            raise typer.Exit(1)
        line(opts, "ok", "green", result.status)


def empty(result):
    """The one error of a request that yields nothing: why, in the command's words, else its notes (a table of
    headers alone with exit 0 would pass for an answer)."""
    from dti_cli.errors import DataError

    why = result.empty if result.empty is not None else Joined(result.notes, sep="; ") if result.notes else None
    return DataError("empty.because", why=why) if why is not None else DataError("empty.nothing")


def text_of(result, fmt: Format, lang: str) -> str:
    """csv, tsv, json or markdown text of a result."""
    if fmt in (Format.csv, Format.tsv):
        from dti_cli.render.delimited import delimited

        return delimited(result.machine, "\t" if fmt is Format.tsv else ",")
    if fmt is Format.json:
        from dti_cli.render import jsonfmt

        return jsonfmt.document(result.doc) if result.doc is not None else jsonfmt.to_json(result.machine)
    from dti_cli.render import markdown

    return markdown.document(result, lang)


def save_figure(figure, opts: Opts, fmt: Format, what=None) -> None:
    """A chart or map to -o FILE in svg or png (atomically), and a note saying so."""
    from dti_cli.render import charts

    with guarded(opts):
        charts.save(figure, opts.output, fmt.value)
    note(opts, Msg("cli.wrote_what" if what is not None else "cli.wrote", path=opts.output, what=what))
