"""A machine table as csv or tsv: a header of column keys, full precision, empty cells for missing values; built a
column at a time (no Python call per cell)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dti_cli.model.result import NUMBER_KINDS, WHOLE_KINDS, Column, Table
from dti_cli.render.numbers import number_texts

_SPECIAL = "\"\r\n"


def quote(values: np.ndarray, sep: str) -> np.ndarray:
    """Text cells quoted as the csv module quotes them (minimal quoting): only those holding the separator, a quote
    or a line break; doubled quotes inside."""
    s = pd.Series(values, dtype=object).fillna("").astype(str)
    pattern = "[" + "".join("\\" + ch if ch in "\\]^-" else ch for ch in sep + _SPECIAL) + "]"
    needs = s.str.contains(pattern, regex=True)
    if needs.any():
        s[needs] = '"' + s[needs].str.replace('"', '""', regex=False) + '"'
    return s.to_numpy(dtype=object)


def cells(series: pd.Series, column: Column, sep: str) -> np.ndarray:
    """One column's cells as text."""
    if column.kind in NUMBER_KINDS:
        return number_texts(series.to_numpy(dtype=float, na_value=np.nan))
    if column.kind in WHOLE_KINDS:
        s = series.astype("Int64")
        return s.astype(str).where(s.notna(), "").to_numpy(dtype=object)
    if column.kind == "bool":
        s = series.astype("boolean")
        return s.map({True: "True", False: "False"}).astype(object).where(s.notna(), "").to_numpy(dtype=object)
    if len(series) and isinstance(series.dtype, pd.CategoricalDtype):
        cats = quote(series.cat.categories.to_numpy(dtype=object), sep)
        codes = series.cat.codes.to_numpy()
        return np.where(codes >= 0, cats[np.maximum(codes, 0)] if len(cats) else "", "").astype(object)
    return quote(series.to_numpy(dtype=object), sep)


def lines(table: Table, sep: str) -> np.ndarray:
    """Each row of the table as one line without its line end."""
    frame = table.frame
    out = None
    for c in table.columns:
        col = cells(frame[c.key], c, sep)
        out = col if out is None else out + sep + col
    return np.zeros(0, dtype=object) if out is None else out


def delimited(table: Table, sep: str) -> str:
    """csv (sep ",") or tsv (sep "\\t") text with a header row."""
    header = sep.join(quote(np.array(table.keys, dtype=object), sep))
    body = lines(table, sep)
    return header + "\n" + ("\n".join(body) + "\n" if len(body) else "")
