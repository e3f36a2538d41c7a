"""The `dti` command line: argv → the application layer → a renderer → stdout. The only package that knows typer,
exit codes and consoles; every failure becomes one line on stderr in the run's language."""

from __future__ import annotations

import importlib
import os
import sys
from typing import Annotated, Optional

import typer

from dti_cli import __version__
from dti_cli.cli.options import (Data, Globals, LangOpt, MethodFile, NoColor, _complete_node,  # noqa: F401
                                 _complete_province, _complete_region, _complete_year, examples)
from dti_cli.errors import CLI, EXIT_INTERNAL, EXIT_USAGE, DTIError
from dti_cli.i18n import Msg

_APP = dict(
    name="dti",
    help="Compute, rank and compare DTI-style composite indices (Vietnam's provincial Digital Transformation "
         "Index, 2020–2024, bundled; `dti import` adds a newly published year). Data goes to stdout, messages to stderr. Exit codes: 0 ok, 1 data or "
         "verification failure, 2 usage error, 3 internal error.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog=examples("dti rank --year 2023 --top 10", "dti compare ha-noi da-nang --year 2023 --national",
                    "dti list nodes", "dti method 922 --format toml -o my_method.toml"),
)
# command (or group) -> the module that defines it: a run builds only the one it asks for
COMMANDS = {"rank": "tables", "compare": "tables", "show": "tables", "scores": "tables", "movers": "tables",
            "explain": "analyses", "whatif": "analyses", "gap": "analyses", "uncertainty": "analyses",
            "verify": "checks", "check": "checks", "method": "checks", "init": "checks",
            "chart": "pictures", "map": "pictures", "report": "pictures", "import": "importing", "list": "lists"}
_GLOBAL_WITH_VALUE = {"--data", "--method", "--lang"}


def _version(value: bool):
    if value:
        typer.echo(f"dti {__version__}")
        raise typer.Exit()


def _main(ctx: typer.Context, data: Data = None, method: MethodFile = None, lang: LangOpt = None,
          no_color: NoColor = False,
          version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")] = False):
    """Compute, rank and compare DTI-style composite indices."""
    ctx.obj = Globals(data=data, method=method, lang=lang.value if lang else None, no_color=no_color)


def build(modules) -> typer.Typer:
    """The app with the commands of these modules of dti_cli.cli."""
    out = typer.Typer(**_APP)
    out.callback()(_main)
    for name in dict.fromkeys(modules):
        out.add_typer(importlib.import_module(f"dti_cli.cli.{name}").app)
    return out


def _app_for(args: list) -> typer.Typer:
    """The app with only the command this run asks for (building every command's options costs ~30 ms of
    start-up); the whole app for help, completion and anything unclear."""
    if os.environ.get("_DTI_COMPLETE"):
        return build(COMMANDS.values())
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i] in _GLOBAL_WITH_VALUE else 1
    if i < len(args) and args[i] in COMMANDS:
        return build([COMMANDS[args[i]]])
    return build(COMMANDS.values())


def _option(args: list, name: str) -> str | None:
    """The last value given to an option anywhere in argv (for messages printed before typer has parsed it)."""
    value = None
    for i, a in enumerate(args):
        if a == name and i + 1 < len(args):
            value = args[i + 1]
        elif a.startswith(name + "="):
            value = a.split("=", 1)[1]
    return value


def _tune(args: list) -> None:
    """Process-wide settings, for this process only and decided here, never by the library: OpenBLAS kept to one
    thread (dti's matrix products are small; its idle threads spun beside dti's own work, 5 % of the CPU on the
    benchmark; the user's setting wins), and glibc keeping freed memory for a large data file."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    data = _option(args, "--data")
    try:
        large = data not in (None, "-") and os.path.getsize(data) >= 16_000_000
    except OSError:
        large = False
    if large:
        from dti_cli.io.processes import keep_freed_memory

        keep_freed_memory()


def _stop(signum, frame):
    """SIGTERM or SIGHUP: unwind like Ctrl-C does, so that a half-written -o file is removed (exit 128 + signal)."""
    raise SystemExit(128 + signum)


def handle_signals() -> None:
    """SIGTERM and SIGHUP end the run through `_stop`, unless they were ignored (`nohup` keeps SIGHUP ignored)."""
    import signal

    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None and signal.getsignal(sig) is signal.SIG_DFL:
            signal.signal(sig, _stop)


def main(argv: Optional[list] = None) -> None:
    """Run the CLI; every failure becomes one line on stderr and a documented exit code."""
    from dti_cli.cli import errors

    from dti_cli.cli.emit import ReaderGone

    args = sys.argv[1:] if argv is None else list(argv)
    if argv is None:  # a process of its own (not a test calling main in-process)
        handle_signals()
    _tune(args)
    lang = errors.lang_of(args)
    if not errors.streams_usable(args, lang):
        sys.exit(1)
    try:
        rv = _app_for(args)(args=args, prog_name="dti", standalone_mode=False)
    except typer.Exit as exc:
        rv = exc.exit_code
    except typer.Abort:
        rv = errors.interrupted(lang)
    except (BrokenPipeError, ReaderGone):
        errors.quiet_broken_pipe()
        rv = 0
    except KeyboardInterrupt:
        rv = errors.interrupted(lang)
    except DTIError as exc:
        errors.error_line(args, exc.text(lang, CLI))
        rv = exc.exit_code
    except Exception as exc:  # click's usage errors, then genuine bugs
        rv = errors.other(args, lang, exc)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        errors.quiet_broken_pipe()
    except OSError as exc:  # a full disk behind a redirect, found at the last flush
        errors.error_line(args, Msg("cli.write_failed", path=Msg("cli.stdout"), reason=exc.strerror).text(lang))
        rv = rv or 1
    sys.exit(rv if isinstance(rv, int) else 0)


app = build(COMMANDS.values())  # every command (for help, tests and completion)
__all__ = ["app", "main", "build", "COMMANDS", "EXIT_USAGE", "EXIT_INTERNAL"]
