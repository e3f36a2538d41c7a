"""A published results table as people receive it (`dti import`): CSV (UTF-8, UTF-8 with BOM or UTF-16; comma,
semicolon or tab) or XLSX (its first sheet with a header), title rows above the header, any number format. This
module only finds the header and hands back cells as text with their line and column; what the columns mean is
decided by the caller (dti_cli/app/importing.py)."""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from dti_cli.errors import DataError, where
from dti_cli.model.provinces import fold

MAX_BYTES = 10_000_000  # a results table is a few kilobytes; past this it is not one
MAX_CELL = 1_000  # characters in a cell
# headers of the column naming the units, folded (no diacritics, lower case)
UNIT_HEADERS = frozenset(fold(h) for h in (
    "Tỉnh, thành phố", "Tỉnh/thành phố", "Tỉnh/Thành phố", "Tỉnh thành phố", "Tỉnh, TP", "Tỉnh/TP", "Tỉnh", "Tỉnh thành",
    "Tên tỉnh", "Tên tỉnh, thành phố", "Địa phương", "Tên địa phương", "Đơn vị", "Tên đơn vị", "Province", "Provinces",
    "Province/city", "Unit", "Locality"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Cells:
    """The header row and the data rows below it, as text, with their places in the file."""

    label: str  # how messages name the file
    header: list[str]
    header_line: int
    rows: list[tuple[int, list[str]]]  # (line or sheet row, cells)

    def at(self, line: int, col: int, name: str | None = None):
        """A place for an error message (col: 0-based)."""
        return where(self.label, line, col + 1, name)


def is_unit_header(cell: str) -> bool:
    return fold(cell) in UNIT_HEADERS


def read(path: str | Path) -> Cells:
    """The table's header and rows; the header is the first row with a unit column (see UNIT_HEADERS)."""
    path = Path(path)
    label = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DataError("import.too_large", path=label, size=size, limit=MAX_BYTES)
        raw = path.read_bytes() if path.is_file() else path.open("rb").read(MAX_BYTES + 1)
    except OSError as exc:
        raise DataError("import.cannot_read", path=label, reason=exc.strerror or str(exc)) from None
    if len(raw) > MAX_BYTES:
        raise DataError("import.too_large", path=label, size=len(raw), limit=MAX_BYTES)
    if raw[:4] == b"PK\x03\x04":
        grid = _xlsx(raw, label)
    else:
        grid = _csv(_decode(raw, label), label)
    return _cells(grid, label)


def _decode(raw: bytes, label: str) -> str:
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            break
    else:
        enc = "utf-8"
    try:
        return raw.decode(enc)
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise DataError("import.not_utf8", where=where(label, line)) from None


def _csv(text: str, label: str) -> list[tuple[int, list[str]]]:
    """The rows under the first delimiter (tab, semicolon, comma) that gives a header row with a unit column."""
    for delim in ("\t", ";", ","):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
        grid = []
        try:
            for cells in reader:
                grid.append((reader.line_num, cells))
        except csv.Error as exc:
            raise DataError("import.bad_csv", where=where(label, reader.line_num), reason=str(exc)) from None
        if _header_at(grid) is not None:
            return grid
    raise DataError("import.no_header", path=label)


def _xlsx(raw: bytes, label: str) -> list[tuple[int, list[str]]]:
    try:
        import openpyxl
    except ImportError:
        raise DataError("import.needs_openpyxl", path=label) from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise DataError("import.bad_xlsx", path=label, reason=str(exc) or type(exc).__name__) from None
    try:
        for sheet in book.worksheets:
            grid = []
            for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                grid.append((r, [_text(v) for v in row]))
                if r > 100_000:
                    raise DataError("import.too_large", path=label, size=r, limit=100_000)
            if _header_at(grid) is not None:
                return grid
    finally:
        book.close()
    raise DataError("import.no_header", path=label)


def _text(v) -> str:
    """A spreadsheet cell as the text a CSV would hold (numbers in their shortest exact form)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return str(v)


def _header_at(grid) -> int | None:
    for i, (_, cells) in enumerate(grid[:50]):
        if any(is_unit_header(c) for c in cells if len(c) <= 100):
            return i
    return None


def _cells(grid, label: str) -> Cells:
    i = _header_at(grid)
    for line, cells in grid[i:]:
        for j, c in enumerate(cells):
            if len(c) > MAX_CELL:
                raise DataError("import.long_cell", where=where(label, line, j + 1), limit=MAX_CELL)
            if _CONTROL.search(c):
                raise DataError("import.control", where=where(label, line, j + 1))
    line, header = grid[i]
    header = [" ".join(h.split()) for h in header]
    width = len(header)
    rows = []
    for ln, cells in grid[i + 1:]:
        cells = [c.strip() for c in cells]
        if len(cells) > width and any(cells[width:]):
            raise DataError("import.ragged", where=where(label, ln, width + 1), width=width)
        rows.append((ln, (cells + [""] * width)[:width]))
    return Cells(label, header, line, rows)
