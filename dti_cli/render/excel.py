"""Tables to an Excel workbook: one sheet per table, numbers stored as numbers, and an 'about' sheet."""

from __future__ import annotations

import contextlib
import math
import re
from pathlib import Path

import pandas as pd

from dti_cli.errors import UsageError
from dti_cli.i18n import Msg
from dti_cli.io.files import atomic_path
from dti_cli.model.result import Column, Table
from dti_cli.render.cells import PROVENANCES

ABOUT = "about"
MAX_ROWS = 1_048_576  # Excel's limit, the header row included
MAX_NAME = 31
NUMBER_FORMATS = {"score": "0.0000", "delta": "0.0000", "diff": "0.000000", "rank": "0", "change": "0", "int": "0",
                  "pct": "0.0%"}
WIDTHS = {"score": 10, "delta": 10, "diff": 11, "rank": 7, "change": 7, "int": 7, "pct": 8, "num": 12, "bool": 7}
BAD_NAME = re.compile(r"[\[\]:*?/\\]")
RESERVED = {"history"}  # Excel keeps "History" for itself


def _openpyxl():
    try:
        import openpyxl
    except ImportError:
        raise UsageError("excel.install") from None
    return openpyxl


def sheet_names(names: list[str]) -> list[str]:
    """Names Excel accepts, in order: at most 31 characters, none of []:*?/\\, unique ignoring case."""
    taken: set[str] = set()
    out = []
    for name in names:
        base = BAD_NAME.sub("_", str(name)).strip("'").strip() or "sheet"
        base = base + "_" if base.lower() in RESERVED else base
        candidate, k = base[:MAX_NAME], 1
        while candidate.lower() in taken:
            k += 1
            suffix = f" ({k})"
            candidate = base[:MAX_NAME - len(suffix)] + suffix
        taken.add(candidate.lower())
        out.append(candidate)
    return out


def _text(v):
    """A string openpyxl writes as it is: no control characters, which XML cannot hold."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", v)


def _python(v):
    """A machine frame's value as a plain Python value (None for missing)."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    return v.item() if hasattr(v, "item") else v


def _cell(ws, v, kind: str):
    from openpyxl.cell import WriteOnlyCell

    v = _python(v)
    if v is None:
        return None
    if isinstance(v, str):
        cell = WriteOnlyCell(ws, _text(v))
        cell.data_type = "s"  # text such as "=1+1" stays text, never a formula
        return cell
    if isinstance(v, bool):
        return v
    if isinstance(v, float) and not math.isfinite(v):
        return None
    # openpyxl writes 16 significant digits; a float that needs 17 is written as its repr to stay exact
    exact = isinstance(v, float) and float("%.16g" % v) != v
    fmt = NUMBER_FORMATS.get(kind) if isinstance(v, (int, float)) else None
    if not exact and fmt is None:
        return v
    cell = WriteOnlyCell(ws, repr(v) if exact else v)
    if exact:
        cell.data_type = "n"
    if fmt:
        cell.number_format = fmt
    return cell


def _width(frame: pd.DataFrame, c: Column) -> float:
    if c.kind in WIDTHS:
        content = WIDTHS[c.kind]
    else:
        sample = frame[c.key].head(1000).dropna()
        content = int(sample.astype(str).str.len().max()) if len(sample) else 0
    return min(max(len(c.key), content) + 2, 60)


def _discard(wb) -> None:
    """Close a write-only workbook's sheets after a failure, so that nothing is left half-written."""
    for ws in wb.worksheets:
        with contextlib.suppress(Exception):
            ws.close()


def _check(path: Path, sheets: list[Table]) -> None:
    if path.suffix.lower() != ".xlsx":
        raise UsageError("excel.suffix", path=str(path))
    for t in sheets:
        if len(t.frame) + 1 > MAX_ROWS:
            raise UsageError("excel.too_many_rows", path=str(path), name=t.name, n=len(t.frame), max=MAX_ROWS - 1)


def _header(ws, keys: list[str]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    bold = Font(bold=True)
    cells = []
    for k in keys:
        cell = WriteOnlyCell(ws, _text(k))
        cell.data_type, cell.font = "s", bold
        cells.append(cell)
    ws.freeze_panes = "A2"
    ws.append(cells)


def _data_sheet(wb, name: str, frame: pd.DataFrame, columns: tuple[Column, ...]) -> None:
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(name)
    cols = [c for c in columns if c.key in frame.columns]  # as the csv writer does
    for i, c in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _width(frame, c)
    _header(ws, [c.key for c in cols])
    kinds = [c.kind for c in cols]
    for row in frame[[c.key for c in cols]].itertuples(index=False, name=None):
        ws.append([_cell(ws, v, k) for v, k in zip(row, kinds)])


def _about_sheet(wb, name: str, about: list[tuple[str, object]]) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment

    ws = wb.create_sheet(name)
    ws.column_dimensions["A"].width = min(max([len(str(k)) for k, _ in about] + [8]) + 2, 40)
    ws.column_dimensions["B"].width = 100
    _header(ws, ["key", "value"])
    wrap = Alignment(wrap_text=True, vertical="top")
    for pair in about:
        cells = []
        for v in pair:
            v = "" if v is None else v if isinstance(v, (int, float)) else _text(str(v))
            cell = WriteOnlyCell(ws, v)
            if isinstance(v, str):
                cell.data_type = "s"
            cell.alignment = wrap
            cells.append(cell)
        ws.append(cells)


def write_xlsx(path: str | Path, sheets: list[Table], *, about: list[tuple[str, object]]) -> list[str]:
    """Write one sheet per machine table plus an 'about' sheet, atomically; return the sheet names used."""
    openpyxl = _openpyxl()
    path = Path(path)
    _check(path, sheets)
    names = sheet_names([ABOUT, *(t.name for t in sheets)])
    wb = openpyxl.Workbook(write_only=True)
    try:
        for name, t in zip(names[1:], sheets):
            _data_sheet(wb, name, t.frame, t.columns)
        _about_sheet(wb, names[0], about)
        with atomic_path(path) as tmp:
            wb.save(tmp)
    except BaseException:
        _discard(wb)
        raise
    return names[1:] + names[:1]


def about_rows(*, edition: str, method: str = "", sources: pd.DataFrame | None = None, generated_by: str = "dti",
               lang: str = "en") -> list[tuple[str, str]]:
    """The 'about' sheet's rows: edition, method, each source with its URL, what each provenance means, the tool."""
    rows = [("edition", edition)]
    if method:
        rows.append(("method", method))
    if sources is not None:
        for rec in sources.itertuples(index=False):
            url = getattr(rec, "url", "")
            rows.append((f"source {rec.source}", "" if pd.isna(url) else str(url)))
    rows += [(f"provenance {key}", Msg(f"provenance.{key}.long").text(lang)) for key in PROVENANCES]
    rows.append(("generated by", generated_by))
    return rows
