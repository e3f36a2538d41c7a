"""Failures as one line on stderr in the run's language: dti's own errors, click's usage errors, interrupts, and
genuine bugs (exit 3, with DTI_DEBUG=1 for the traceback)."""

from __future__ import annotations

import os
import re
import sys

from dti_cli.errors import EXIT_INTERNAL, EXIT_USAGE
from dti_cli.i18n import Msg, lang_of as _lang


def lang_of(args: list) -> str:
    """The language of this run's messages, from argv (--lang anywhere) or DTI_LANG; Vietnamese by default."""
    from dti_cli.cli import _option

    return _lang(_option(args, "--lang") or os.environ.get("DTI_LANG") or "vi")


def _console(args: list):
    from rich.console import Console

    no_color = "--no-color" in args or bool(os.environ.get("NO_COLOR"))
    return Console(stderr=True, no_color=no_color, highlight=False, emoji=False)


def error_line(args: list, text: str) -> None:
    from rich.markup import escape

    head = Msg("cli.error").text(lang_of(args))
    _console(args).print(f"[bold red]{escape(head)}:[/] {escape(text)}", soft_wrap=True)


def interrupted(lang: str) -> int:
    sys.stderr.write(Msg("cli.interrupted").text(lang) + "\n")
    return 130


_UTF = ("utf-8", "utf8", "utf_8", "utf-8-sig", "utf-16", "utf-32")


def streams_usable(args: list, lang: str) -> bool:
    """Standard output and error as dti can use them: a stream that cannot encode Vietnamese (latin-1, a cp1252
    console) writes '?' for what it lacks, and says so once; a closed standard output is one line (False)."""
    if sys.stdout is None:
        if sys.stderr is not None:
            error_line(args, Msg("cli.stdout_closed").text(lang))
        return False
    for stream in (sys.stdout, sys.stderr):
        enc = (getattr(stream, "encoding", None) or "utf-8").lower()
        if stream is not None and enc not in _UTF and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
            if stream is sys.stdout and sys.stderr is not None:
                sys.stderr.write(Msg("cli.note").text(lang) + ": " + Msg("cli.not_utf8", encoding=enc).text(lang)
                                 + "\n")
    return True


def quiet_broken_pipe() -> None:
    """The reader went away (`dti rank | head`): stop quietly."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def _usage(exc, lang: str) -> str:
    """A click usage error in the run's language where dti knows its kind; click's own words otherwise."""
    if lang == "en":
        return exc.format_message()
    kind = type(exc).__name__
    name = getattr(exc, "option_name", None)
    param = getattr(exc, "param", None)
    hint = getattr(param, "opts", None) or ([getattr(param, "human_readable_name", "")] if param else [])
    if kind == "NoSuchOption" and name:
        close = ", ".join(sorted(getattr(exc, "possibilities", None) or ()))
        return Msg("usage.no_such_option_close" if close else "usage.no_such_option", name=name,
                   close=close).text(lang)
    if kind == "MissingParameter" and hint:
        return Msg("usage.missing", name=" / ".join(hint)).text(lang)
    if kind == "BadParameter" and hint:
        return Msg("usage.bad_value", name=" / ".join(hint), detail=_bad_value(exc, param)).text(lang)
    return _translated(exc.format_message(), lang)


# typer >= 0.29 checks values with pydantic: its first error says the kind, the input and the bound
_BOUNDS = {"greater_than_equal": ("ge", ">="), "greater_than": ("gt", ">"), "less_than_equal": ("le", "<="),
           "less_than": ("lt", "<")}


def _bad_value(exc, param):
    """What was wrong with an option's value, in dti's words where it knows the kind (from click's message or the
    pydantic error behind typer 0.29's); the exception's own words otherwise."""
    message = re.sub(r"^Value error, ", "", str(exc.message))
    errors = getattr(exc.__cause__, "errors", None)
    first = (errors() or [{}])[0] if callable(errors) else {}
    kind, ctx = first.get("type"), first.get("ctx") or {}
    choices = getattr(getattr(param, "type", None), "choices", None)
    if got := re.match(r"'(.*)' is not one of (.+?)\.?$", message):
        shown = ", ".join(map(str, choices)) if choices else got.group(2).replace("'", "")
        return Msg("usage.not_one_of", value=got.group(1), choices=shown)
    if number := re.match(r"'(.*)' is not a valid (int|integer|float)", message):
        return Msg("usage.not_a_number", value=number.group(1))
    if kind in ("int_parsing", "float_parsing"):
        return Msg("usage.not_a_number", value=first.get("input"))
    if bounds := re.match(r"(.+) is not in the range (.+?)\.?$", message):
        return Msg("usage.range", value=bounds.group(1), range=bounds.group(2))
    if kind in _BOUNDS and _BOUNDS[kind][0] in ctx:
        key, op = _BOUNDS[kind]
        return Msg("usage.range", value=first.get("input"), range=f"x{op}{ctx[key]}")
    return message


# click's other messages, recognised by their English wording (click words them; dti translates)
_PATTERNS = (
    (r"Option '(?P<name>[^']+)' requires an argument\.?", "usage.requires"),
    (r"Got unexpected extra argument(?:s|\(s\))? \((?P<extra>.*)\)\.?", "usage.extra"),
    (r"No such command '(?P<name>[^']+)'\. Did you mean '(?P<close>[^']+)'\?", "usage.no_such_command_close"),
    (r"No such command '(?P<name>[^']+)'\.?", "usage.no_such_command"),
    (r"Option '(?P<name>[^']+)' does not take a value\.?", "usage.no_value"),
)


def _translated(message: str, lang: str) -> str:
    for pattern, key in _PATTERNS:
        m = re.fullmatch(pattern, message.strip())
        if m:
            return Msg(key, **m.groupdict()).text(lang)
    return message


def other(args: list, lang: str, exc: Exception) -> int:
    """click's exceptions (help, usage errors) and, past them, a bug in dti."""
    if type(exc).__name__ == "NoArgsIsHelpError":  # `dti` or `dti chart` alone: the help
        sys.stdout.write(exc.format_message() + "\n")
        return 0
    if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
        ctx = getattr(exc, "ctx", None)
        text = _usage(exc, lang)
        if ctx is not None:
            text += Msg("usage.see_help", command=ctx.command_path).text(lang)
        error_line(args, text)
        return exc.exit_code if isinstance(exc.exit_code, int) else EXIT_USAGE
    if os.environ.get("DTI_DEBUG"):
        raise exc
    error_line(args, Msg("cli.internal", kind=type(exc).__name__, detail=str(exc)).text(lang))
    return EXIT_INTERNAL
