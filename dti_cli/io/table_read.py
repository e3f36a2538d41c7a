"""A published results table as people receive it (`dti import`): CSV (UTF-8, UTF-8 with BOM or UTF-16; comma,
semicolon or tab) or XLSX (its first sheet with a header), title rows above the header, any number format. This
module only finds the header and hands back cells as text with their line and column; what the columns mean is
decided by the caller (dti_cli/app/importing.py)."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from dti_cli.errors import DataError, where
from dti_cli.io.csv_assemble import MAX_LABEL as MAX_CELL  # characters in a cell: one limit for every label
from dti_cli.io.csv_assemble import has_control
from dti_cli.model.provinces import fold

MAX_BYTES = 10_000_000  # a results table is a few kilobytes; past this it is not one
MAX_ROWS = 100_000  # rows holding something (a results table has 63 or 34)
MAX_COLUMNS = 1_000
MAX_UNZIPPED = 200_000_000  # bytes an .xlsx may expand to (a results workbook is well under a megabyte)
# headers of the column naming the units, folded (no diacritics, lower case)
UNIT_HEADERS = frozenset(fold(h) for h in (
    "Tỉnh, thành phố", "Tỉnh/thành phố", "Tỉnh/Thành phố", "Tỉnh thành phố", "Tỉnh, TP", "Tỉnh/TP", "Tỉnh", "Tỉnh thành",
    "Tên tỉnh", "Tên tỉnh, thành phố", "Địa phương", "Tên địa phương", "Đơn vị", "Tên đơn vị", "Province", "Provinces",
    "Province/city", "Unit", "Locality"))

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
                _keep(grid, reader.line_num, cells, label)
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
        unzipped = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(raw)).infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise DataError("import.bad_xlsx", path=label, reason=str(exc) or type(exc).__name__) from None
    if unzipped > MAX_UNZIPPED:
        raise DataError("import.too_large_unzipped", path=label, size=unzipped, limit=MAX_UNZIPPED)
    for index, grid in enumerate(_sheets(openpyxl, raw, label, data_only=True)):
        if _header_at(grid) is not None:
            _check_formulas(openpyxl, raw, label, index, grid)
            return grid
    raise DataError("import.no_header", path=label)


def _sheets(openpyxl, raw: bytes, label: str, *, data_only: bool, only: int | None = None):
    """Each sheet's rows that hold something, as text, with their row numbers (the sheet's own dimensions are not
    trusted: a workbook may claim a million rows)."""
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise DataError("import.bad_xlsx", path=label, reason=str(exc) or type(exc).__name__) from None
    try:
        for index, sheet in enumerate(book.worksheets):
            if only is not None and index != only:
                continue
            sheet.reset_dimensions()
            grid = []
            try:
                for r, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                    _keep(grid, r, [_text(v) for v in row], label)
            except DataError:
                raise
            except Exception as exc:  # a damaged sheet
                raise DataError("import.bad_xlsx", path=label, reason=str(exc) or type(exc).__name__) from None
            yield grid
    finally:
        book.close()


def _check_formulas(openpyxl, raw: bytes, label: str, index: int, grid) -> None:
    """A formula whose result the workbook does not hold (saved by a program that does not compute) is refused:
    its cell would read as empty."""
    shown = {r: cells for r, cells in grid}
    for formulas in _sheets(openpyxl, raw, label, data_only=False, only=index):
        for r, cells in formulas:
            for j, c in enumerate(cells):
                if c.startswith("=") and not (shown.get(r, [])[j:j + 1] or [""])[0]:
                    raise DataError("import.formula_no_value", where=where(label, r, j + 1))


def _keep(grid: list, line: int, cells: list[str], label: str) -> None:
    """Add a row that holds something (blank rows are left out before anything is padded)."""
    if not any(c.strip() for c in cells):
        return
    if len(grid) >= MAX_ROWS:
        raise DataError("import.too_many_rows", path=label, limit=MAX_ROWS)
    if len(cells) > MAX_COLUMNS:
        last = max(j for j, c in enumerate(cells) if c.strip())
        if last >= MAX_COLUMNS:
            raise DataError("import.too_many_columns", where=where(label, line, last + 1), limit=MAX_COLUMNS)
        cells = cells[:MAX_COLUMNS]
    grid.append((line, cells))


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
            if has_control(c):
                raise DataError("import.control", where=where(label, line, j + 1))
    line, header = grid[i]
    header = [" ".join(h.split()) for h in header]
    width = len(header)
    rows = []
    for ln, cells in grid[i + 1:]:
        cells = [c.strip() for c in cells]
        if len(cells) > width and any(cells[width:]):
            raise DataError("import.ragged", where=where(label, ln, width + 1), width=width)
        cells = (cells + [""] * width)[:width]
        unnamed = next((j for j, c in enumerate(cells) if c and not header[j]), None)
        if unnamed is not None:  # a figure under no header: a decimal comma in a comma-separated file, say
            raise DataError("import.unnamed_column", where=where(label, ln, unnamed + 1), value=cells[unnamed])
        rows.append((ln, cells))
    return Cells(label, header, line, rows)
