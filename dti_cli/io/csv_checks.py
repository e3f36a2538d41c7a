"""The checks on a parsed CSV's cells, and errors that name the exact line and column of the first bad one."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Callable, NoReturn

import numpy as np
import pandas as pd

from dti_cli.errors import DataError, where
from dti_cli.i18n import Msg
from dti_cli.io.labels import number_pattern, to_float
from dti_cli.model.dataset import NumberFormat

_NA_LIKE = ("nan", "na", "n/a", "null", "none", "-", "inf", "-inf", "infinity")


@dataclass(frozen=True)
class FileView:
    """What an error message needs of a file: its name, how to read it again, its delimiter and header."""

    label: str
    opener: Callable
    sep: str
    header: tuple[str, ...]
    fmt: NumberFormat
    written: tuple[str, ...] = ()  # the header as the file has it, where the reader renamed columns (dti's output)

    def line_of(self, row: int) -> int:
        """The physical line on which data row `row` (0-based) starts."""
        with self.opener() as fh:
            text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
            reader = csv.reader(text, delimiter=self.sep)
            next(reader, None)
            n = -1
            start = reader.line_num + 1
            for rec in reader:
                if not rec:  # blank lines are skipped by the parser too
                    start = reader.line_num + 1
                    continue
                n += 1
                if n == row:
                    return start
                start = reader.line_num + 1
        return row + 2

    def fail_cell(self, row: int, col: str, message: Msg, hint: str | None = None) -> NoReturn:
        column = self.header.index(col) + 1 if col in self.header else None
        name = self.written[column - 1] if column and self.written else col
        raise DataError("data.cell", where=where(self.label, self.line_of(row), column, name), message=message,
                        hint=hint)

    def field_count_error(self) -> NoReturn:
        with self.opener() as fh:
            text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
            reader = csv.reader(text, delimiter=self.sep)
            width = len(next(reader))
            for rec in reader:
                if rec and len(rec) > width:
                    raise DataError("data.fields", where=where(self.label, reader.line_num), n=len(rec), width=width,
                                    hint="quote_or_decimal") from None
        raise DataError("data.rows_mismatch", where=where(self.label))

    def parser_error(self, exc: Exception) -> NoReturn:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise DataError("data.fields", where=where(self.label, int(m.group(2))), n=int(m.group(3)),
                            width=int(m.group(1)), hint="quote_or_decimal") from None
        raise DataError("data.malformed", where=where(self.label), detail=str(exc).splitlines()[-1]) from None

    def encoding_error(self) -> NoReturn:
        with self.opener() as fh:
            raw = fh.read()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise DataError("data.not_utf8_byte", where=where(self.label, line), byte=f"{raw[exc.start]:02x}") from None
        raise DataError("data.not_utf8", where=where(self.label))


def check_typed(view: FileView, df: pd.DataFrame, numeric: list[str], long: bool) -> None:
    """Checks the typed read cannot make: infinities, years that are not four digits, bad ranks."""
    for col in numeric:
        bad = np.isinf(df[col].to_numpy())
        if bad.any():
            view.fail_cell(int(np.argmax(bad)), col, Msg("data.not_finite"))
    years = df["year"].to_numpy()
    if len(years) and not ((years >= 1000) & (years <= 9999)).all():
        row = int(np.argmax((years < 1000) | (years > 9999)))
        view.fail_cell(row, "year", Msg("data.not_a_year", value=str(years[row])))
    # (empty unit or indicator cells are caught when they are coded, in the assembly)
    # After this typed read a NaN can only be an empty cell or a declared missing-value token: the float parser
    # rejects "nan"-like text (no default NA tokens), and infinities were caught above.
    check_ranks(view, df, long)


def check_strings(view: FileView, df: pd.DataFrame, unit_col: str, numeric: list[str], long: bool) -> None:
    """Validate every cell from the file's text; raises on the first bad one."""
    na = {""} | set(view.fmt.na)
    pattern = number_pattern(view.fmt)
    year = df["year"].fillna("").str.strip()
    bad = ~year.str.fullmatch(r"\d{4}(?:\.0*)?")
    if bad.any():
        i = int(np.argmax(bad.to_numpy()))
        view.fail_cell(i, "year", Msg("data.not_a_year", value=year.iloc[i]))
    for col in [unit_col] + (["indicator"] if long else []):
        empty = df[col].fillna("").str.strip() == ""
        if empty.any():
            view.fail_cell(int(np.argmax(empty.to_numpy())), col, Msg("data.empty_cell"))
    for col in numeric:
        cells = df[col].fillna("").str.strip()
        ok = cells.isin(na) | cells.str.fullmatch(pattern)
        if not ok.all():
            i = int(np.argmax(~ok.to_numpy()))
            view.fail_cell(i, col, Msg("data.not_a_number", value=cells.iloc[i]), hint=why_not_number(cells.iloc[i],
                                                                                                      view.fmt))
        inf = np.isinf(to_float(df[col], view.fmt).to_numpy())
        if inf.any():
            i = int(np.argmax(inf))
            view.fail_cell(i, col, Msg("data.not_finite_value", value=cells.iloc[i]))


def why_not_number(cell: str, fmt: NumberFormat) -> str | None:
    """The hint for a cell that is not a number under the format: a decimal comma, thousands groups, an NA token."""
    if fmt.decimal == "." and re.fullmatch(r"[+-]?\d+,\d+", cell):
        return "decimal_comma"
    if fmt.thousands is None and re.fullmatch(r"[+-]?\d{1,3}([.,]\d{3})+([.,]\d+)?", cell):
        return "thousands"
    if cell.lower() in _NA_LIKE:
        return "na_token"
    return None


def check_ranks(view: FileView, df: pd.DataFrame, long: bool) -> None:
    if "rank" not in df or not long:
        return
    r = df["rank"].to_numpy()
    bad = ~np.isnan(r) & ((r < 1) | (r != np.round(r)))
    if bad.any():
        i = int(np.argmax(bad))
        view.fail_cell(i, "rank", Msg("data.not_a_rank", value=f"{r[i]:g}"))
