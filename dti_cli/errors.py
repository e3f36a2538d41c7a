"""The exception a user can act on: a catalogue message (in any language), the exit code the CLI gives it, and a
hint the CLI words with its flags and the Python API with its arguments."""

from __future__ import annotations

from dti_cli.i18n import Msg, render, text

EXIT_OK = 0
EXIT_DATA = 1  # bad data, a failed check or verification
EXIT_USAGE = 2  # bad arguments, unknown names, bad method file
EXIT_INTERNAL = 3  # a bug in dti itself

CLI, API = "cli", "api"  # who reads an error: the command line's user, or a Python caller


class DTIError(Exception):
    """Something the user can fix; the message is one line naming the culprit.

    `key` is a catalogue key (its parameters as keywords) or a Msg; `hint` names a catalogue entry `hint.<name>`
    with a `.cli` and an `.api` wording; `option` is the argument the message is about, which a template writes
    as {opt}: `--target-rank` for the CLI, `target_rank` for Python."""

    exit_code = EXIT_DATA
    lang = "en"  # the language str() words it in (the Python API sets the call's)

    def __init__(self, key: str | Msg, /, *, exit_code: int | None = None, hint: str | None = None,
                 option: str | None = None, **params):
        self.msg = key if isinstance(key, Msg) else Msg(key, **params)
        self.hint, self.option = hint, option
        if exit_code is not None:
            self.exit_code = exit_code
        super().__init__(self.msg.key)

    def text(self, lang: str = "en", audience: str = API) -> str:
        """The message in a language, worded for the command line or for Python."""
        opt = ""
        if self.option:
            opt = "--" + self.option.replace("_", "-") if audience == CLI else self.option
        params = dict(self.msg.params)
        params.setdefault("opt", opt)
        out = text(self.msg.key, lang, **params)
        if self.hint:
            out += text(f"hint.{self.hint}.{audience}", lang)
        return out

    def __str__(self) -> str:
        return self.text(self.lang, API)


class DataError(DTIError):
    """A data file that cannot be read as declared (exit 1)."""

    exit_code = EXIT_DATA


class UsageError(DTIError):
    """An argument, name or method file that does not make sense (exit 2)."""

    exit_code = EXIT_USAGE


class Where:
    """A place in a file for a message: "data.csv, line 5, column 4 (value)" in the reader's language."""

    __slots__ = ("path", "line", "column", "name")

    def __init__(self, path, line: int | None = None, column: int | None = None, name: str | None = None):
        self.path, self.line, self.column, self.name = str(path), line, column, name

    def text(self, lang: str = "en") -> str:
        out = self.path
        if self.line is not None:
            out += text("where.line", lang, n=self.line)
        if self.column is not None:
            out += text("where.column", lang, n=self.column)
        if self.name is not None:
            out += f" ({self.name})"
        return out

    def __str__(self) -> str:
        return self.text("en")


def where(path, line: int | None = None, column: int | None = None, name: str | None = None) -> Where:
    """A location for an error message: "data.csv, line 5, column 4 (value)"."""
    return Where(path, line, column, name)


__all__ = ["DTIError", "DataError", "UsageError", "Where", "where", "render", "EXIT_OK", "EXIT_DATA", "EXIT_USAGE",
           "EXIT_INTERNAL", "CLI", "API"]
