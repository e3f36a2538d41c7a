"""Frames to text: Rich tables for people; csv, tsv, json and markdown for pipelines. Never prints."""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass
from enum import Enum

import numpy as np
import pandas as pd


class Fmt(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    markdown = "markdown"


@dataclass(frozen=True)
class Column:
    """One output column: its stable key, its headers, how its values look in a table."""

    key: str
    vi: str
    en: str
    kind: str = "text"  # text | score | delta | rank | change | int | num | pct | bool
    table: bool = True  # shown in the table view (machine formats always carry every column)
    prov: str | None = None  # key of the column holding this column's provenance (for table marks)

    def header(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


# provenance -> mark in table view; the caption explains them
MARKS = {"computed": "*", "derived": "†", "partial": "§"}
MARK_TEXT = {
    "vi": {"*": "* do dti tính từ các chỉ số thành phần", "†": "† suy ra từ số liệu công bố",
           "‡": "‡ giá trị được ước tính (imputed)", "§": "§ trung bình của các tỉnh có số liệu công bố"},
    "en": {"*": "* computed by dti from its components", "†": "† derived from published figures",
           "‡": "‡ imputed value", "§": "§ mean of the provinces with a published value only"},
}


def mark(prov: str) -> str:
    if prov.startswith("imputed"):
        return "‡"
    return MARKS.get(prov.split("+")[0], "")


def _is_missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or (
        isinstance(v, np.floating) and np.isnan(v))


def machine_value(v, kind: str):
    """A value for csv/tsv/json: full precision floats, whole numbers for ranks, None for missing."""
    if _is_missing(v):
        return None
    if kind in ("rank", "change", "int"):
        return int(v)
    if kind == "bool":
        return bool(v)
    if isinstance(v, (float, np.floating)):
        return _round(float(v))
    if isinstance(v, (np.integer,)):
        return int(v)
    return v


MAX_DECIMALS = 12  # machine output: at most 12 decimals and 15 significant digits (drops binary noise:
MAX_SIGNIFICANT = 15  # 0.7864, not 0.7864000000000001)
_POW10 = 10 ** np.arange(19, dtype=np.int64)


def machine_round(v) -> np.ndarray:
    """Round to at most 12 decimals and 15 significant digits: the figure every machine format carries."""
    v = np.asarray(v, dtype=float)
    a = np.abs(v)
    with np.errstate(invalid="ignore", over="ignore"):
        big = ~(a < 1e15)
        whole = np.where(big | np.isnan(a), 0, np.floor(a)).astype(np.int64)
        intdig = 1 + np.searchsorted(_POW10[1:17], whole, side="right")
        dec = np.clip(MAX_SIGNIFICANT - intdig, 0, MAX_DECIMALS)
        out = np.rint(a * _POW10[dec]) / _POW10[dec] * np.sign(v)
    return np.where(big, v, out) + 0.0  # + 0.0 turns -0.0 into 0.0


def _round(v: float) -> float:
    return float(machine_round(v))


def display_value(v, kind: str) -> str:
    """A value as a person reads it: 4 decimals, signed changes, arrows for rank changes."""
    if _is_missing(v):
        return ""
    if kind == "score":
        return f"{v:.4f}"
    if kind == "delta":
        return f"{v:+.4f}".replace("-", "−")
    if kind in ("rank", "int"):
        return str(int(v))
    if kind == "change":
        v = int(v)
        return f"▲{v}" if v > 0 else (f"▼{-v}" if v < 0 else "=")
    if kind == "num":
        return f"{v:.4g}" if abs(v) < 1e5 else f"{v:,.0f}"
    if kind == "pct":
        return f"{100 * v:.0f}%"
    if kind == "bool":
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.4f}"
    return str(v)


def to_text(frame: pd.DataFrame, columns: list[Column], fmt: Fmt, *, lang: str = "vi") -> str:
    """Render a frame in a machine format (csv, tsv, json) or as a markdown table."""
    cols = [c for c in columns if c.key in frame.columns]
    if fmt is Fmt.json:
        recs = [{c.key: machine_value(v, c.kind) for c, v in zip(cols, row)}
                for row in frame[[c.key for c in cols]].itertuples(index=False, name=None)]
        return json.dumps(recs, ensure_ascii=False, indent=2) + "\n"
    if fmt is Fmt.markdown:
        shown = [c for c in cols if c.table]
        lines = ["| " + " | ".join(c.header(lang) for c in shown) + " |",
                 "|" + "|".join("---:" if c.kind != "text" else "---" for c in shown) + "|"]
        for _, row in frame.iterrows():
            cells = [_cell(row, c) for c in shown]
            lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
        return "\n".join(lines) + "\n"
    return delimited(frame[[c.key for c in cols]], [c.kind for c in cols], "\t" if fmt is Fmt.tsv else ",")


def delimited(frame: pd.DataFrame, kinds: list[str], sep: str) -> str:
    """csv or tsv text with a header row, full precision, empty cells for missing values."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=sep, lineterminator="\n")
    writer.writerow(frame.columns)
    for row in frame.itertuples(index=False, name=None):
        writer.writerow(["" if (x := machine_value(v, k)) is None else (number_text(x) if isinstance(x, float) else x)
                         for v, k in zip(row, kinds)])
    return buf.getvalue()


def number_text(x: float) -> str:
    """A machine-rounded number as text: plain decimals, no trailing zeros, no exponent ("1", "0.7024",
    "0.0000004"), as the bulk scores writer prints it; beyond 1e15, Python's shortest form."""
    if not abs(x) < 1e15:
        return repr(x)
    # as many decimals as machine_round keeps: 12, fewer past 1000 (15 significant digits), so that 500000.3 is not
    # written with its binary noise as 500000.299999999988
    digits = len(str(int(abs(x))))
    text = f"{x:.{min(MAX_DECIMALS, max(0, MAX_SIGNIFICANT - digits))}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _cell(row: pd.Series, c: Column) -> str:
    text = display_value(row[c.key], c.kind)
    if c.prov and text and c.prov in row.index and isinstance(row[c.prov], str):
        text += mark(row[c.prov])
    return text


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values, lo: float | None = None, hi: float | None = None) -> str:
    """One block character per value on the scale lo..hi (missing values as a space)."""
    vals = [v for v in values if not _is_missing(v)]
    if not vals:
        return ""
    lo = min(vals) if lo is None else lo
    hi = max(vals) if hi is None else hi
    span = hi - lo
    out = []
    for v in values:
        if _is_missing(v):
            out.append(" ")
        else:
            k = 0 if span <= 0 else int(round((v - lo) / span * (len(SPARKS) - 1)))
            out.append(SPARKS[max(0, min(len(SPARKS) - 1, k))])
    return "".join(out)


def bar(value, top: float, width: int = 10) -> str:
    """A horizontal bar of `width` cells for value/top, in eighths of a cell."""
    if _is_missing(value) or not top or top <= 0:
        return ""
    eighths = int(round(max(0.0, min(1.0, value / top)) * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + ("▏▎▍▌▋▊▉"[part - 1] if part else "")


def marks_used(frame: pd.DataFrame, columns: list[Column]) -> list[str]:
    found = set()
    for c in columns:
        if c.prov and c.prov in frame.columns and c.key in frame.columns:
            shown = frame[c.key].notna()
            found |= {mark(p) for p in frame.loc[shown, c.prov].dropna() if isinstance(p, str)}
    return [m for m in ("*", "†", "‡", "§") if m in found]


def rich_table(frame: pd.DataFrame, columns: list[Column], *, title: str = "", caption: str = "",
               lang: str = "vi"):
    """A Rich Table of a frame, compact enough for an 80-column terminal."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    # a column with nothing in it (e.g. pillars of a year whose pillars are unpublished) is noise on screen
    cols = [c for c in columns if c.table and c.key in frame.columns
            and (c.kind == "text" or len(frame) == 0 or frame[c.key].notna().any())]
    notes = [MARK_TEXT["en" if lang == "en" else "vi"][m] for m in marks_used(frame, cols)]
    full_caption = "\n".join(x for x in [caption, "; ".join(notes)] if x)
    table = Table(title=escape(title) if title else None, caption=escape(full_caption) if full_caption else None,
                  box=box.SIMPLE_HEAD, pad_edge=False, padding=0, caption_justify="left",
                  title_justify="left")
    for c in cols:
        table.add_column(escape(c.header(lang)), justify="left" if c.kind == "text" else "right",
                         no_wrap=c.kind != "text", overflow="fold")
    for _, row in frame.iterrows():
        cells = []
        for c in cols:
            text = _cell(row, c)
            style = ""
            if c.kind == "delta" and text:
                style = "green" if row[c.key] > 0 else ("red" if row[c.key] < 0 else "")
            elif c.kind == "change" and text:
                style = "green" if row[c.key] > 0 else ("red" if row[c.key] < 0 else "dim")
            cells.append(Text(text, style=style) if style else escape(text))
        table.add_row(*cells)
    return table
