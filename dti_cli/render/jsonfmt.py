"""Machine tables and documents as JSON (indented by two): numbers as the csv writes them, null for missing;
records built a column at a time."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd

from dti_cli.model.result import NUMBER_KINDS, WHOLE_KINDS, Column, Table
from dti_cli.render.numbers import number_texts

NULL = "null"


def _scalar(v) -> str:
    """A value of a text column: a string, or a number or boolean as it is."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return NULL
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return number_texts([float(v)])[0] if math.isfinite(v) else NULL
    return json.dumps(str(v), ensure_ascii=False)


def tokens(series: pd.Series, column: Column) -> np.ndarray:
    """One column's values as JSON tokens."""
    if column.kind in NUMBER_KINDS:
        texts = number_texts(series.to_numpy(dtype=float, na_value=np.nan))
        return np.where(texts == "", NULL, texts).astype(object)
    if column.kind in WHOLE_KINDS:
        s = series.astype("Int64")
        return s.astype(str).where(s.notna(), NULL).to_numpy(dtype=object)
    if column.kind == "bool":
        s = series.astype("boolean")
        return s.map({True: "true", False: "false"}).astype(object).where(s.notna(), NULL).to_numpy(dtype=object)
    codes, uniques = pd.factorize(series.to_numpy(dtype=object), use_na_sentinel=True)  # labels repeat
    table = np.array([_scalar(v) for v in uniques] + [NULL], dtype=object)
    return table[codes]


def records(table: Table, level: int = 0) -> str:
    """The table as a list of objects, the list's brackets at indent `level`."""
    pad, inner = "  " * (level + 1), "  " * (level + 2)
    n = len(table.frame)
    if not n:
        return "[]"
    body = None
    for i, c in enumerate(table.columns):
        part = (inner + json.dumps(c.key, ensure_ascii=False) + ": ") + tokens(table.frame[c.key], c)
        body = part if body is None else body + (",\n" + part)
    if body is None:
        return "[" + ", ".join(["{}"] * n) + "]"
    rows = (pad + "{\n") + body + ("\n" + pad + "}")
    return "[\n" + ",\n".join(rows) + "\n" + "  " * level + "]"


def value(v, level: int) -> str:
    if isinstance(v, Table):
        return records(v, level)
    return json.dumps(v, ensure_ascii=False, indent=2).replace("\n", "\n" + "  " * level)


def document(doc: dict) -> str:
    """An object whose values are plain JSON values or Tables (as lists of records)."""
    items = [f"  {json.dumps(k, ensure_ascii=False)}: {value(v, 1)}" for k, v in doc.items()]
    return "{\n" + ",\n".join(items) + "\n}\n" if items else "{}\n"


def to_json(table: Table) -> str:
    return records(table) + "\n"
