"""The one exception a user can act on, with the exit code the CLI gives it."""

EXIT_OK = 0
EXIT_DATA = 1  # bad data, a failed check or verification
EXIT_USAGE = 2  # bad arguments, unknown names, bad method file
EXIT_INTERNAL = 3  # a bug in dti itself


class DTIError(Exception):
    """Something the user can fix; the message is one line naming the culprit."""

    exit_code = EXIT_DATA

    def __init__(self, message: str, *, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class DataError(DTIError):
    """A data file that cannot be read as declared (exit 1)."""

    exit_code = EXIT_DATA


class UsageError(DTIError):
    """An argument, name or method file that does not make sense (exit 2)."""

    exit_code = EXIT_USAGE


def where(path: str, line: int | None = None, column: int | None = None, name: str | None = None) -> str:
    """Format a location for an error message: "data.csv, line 5, column 4 (value)"."""
    out = str(path)
    if line is not None:
        out += f", line {line}"
    if column is not None:
        out += f", column {column}"
    if name is not None:
        out += f" ({name})"
    return out
