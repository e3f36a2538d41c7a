"""Label and number columns of a parsed CSV: text cells as categoricals (cheap for millions of repeated labels),
numbers under a declared format, and the checks on them that need no file position."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from dti_cli.model.dataset import NumberFormat


def number_pattern(fmt: NumberFormat) -> re.Pattern:
    """What a number looks like under the declared format."""
    d = re.escape(fmt.decimal)
    if fmt.thousands:
        t = re.escape(fmt.thousands)
        integer = rf"(?:\d{{1,3}}(?:{t}\d{{3}})+|\d+)"
    else:
        integer = r"\d+"
    return re.compile(rf"[+-]?(?:{integer}(?:{d}\d*)?|{d}\d+)(?:[eE][+-]?\d+)?")


def strictly_increasing(*cols: np.ndarray) -> bool:
    """Whether the rows are in strictly increasing lexicographic order of these columns (cheap dtypes only).

    In blocks of a million rows: the comparisons' temporaries stay small and are reused."""
    n = len(cols[0])
    for lo in range(0, n - 1, 1 << 20):
        hi = min(lo + (1 << 20), n - 1)
        later = np.zeros(hi - lo, dtype=bool)  # decided "greater" by an earlier column
        tied = np.ones(hi - lo, dtype=bool)
        for c in cols:
            a, b = c[lo + 1:hi + 1], c[lo:hi]
            later |= tied & (a > b)
            tied &= a == b
            if not (later | tied).all():
                return False
        if not later.all():
            return False
    return True


def constant(n: int, label: str) -> pd.Categorical:
    """n rows of one label, as a categorical of one category."""
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[label])


def text_column(df: pd.DataFrame, col: str, default: str):
    """A text column (provenance, source) as a categorical, blank cells and a missing column as `default`."""
    if col not in df:
        return constant(len(df), default)
    s = df[col].astype("category") if df[col].dtype != "category" else df[col]
    mapping = {c: (str(c).strip() or default) for c in s.cat.categories}
    out = map_categories(s, mapping)
    out = out.cat.add_categories([default]) if default not in out.cat.categories else out
    return out.fillna(default).array


def labels(s: pd.Series) -> pd.Series:
    """Text cells without surrounding spaces, as a categorical (cheap for millions of repeated labels)."""
    if s.dtype != "category":  # sorted categories, as the parser makes them for a "category" column
        codes, uniques = factorize_runs(s.to_numpy(dtype=object))
        order = np.argsort(np.asarray(uniques, dtype=object), kind="stable")
        if (order != np.arange(len(order))).any():
            lut = np.empty(len(order) + 1, dtype=np.int32)
            lut[order] = np.arange(len(order))
            lut[-1] = -1
            codes = lut[codes].astype(codes.dtype)
        s = pd.Series(pd.Categorical.from_codes(codes, pd.Index(uniques[order]), validate=False), index=s.index)
    return map_categories(s, {c: str(c).strip() or None for c in s.cat.categories})  # blank: missing


def labels_as_numbers(df: pd.DataFrame) -> list[str]:
    """The "category" columns whose labels the parser turned into numbers or booleans (pandas infers them:
    "001" would become 1)."""
    return [c for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)
            and not (df[c].cat.categories.dtype == object or pd.api.types.is_string_dtype(df[c].cat.categories))]


def encode_text(df: pd.DataFrame) -> pd.DataFrame:
    """Object (text) columns as categoricals: what the two-process read sends between processes."""
    for col in df.columns:
        if df[col].dtype == object:
            codes, uniques = factorize_runs(df[col].to_numpy())
            df[col] = pd.Categorical.from_codes(codes, pd.Index(uniques, dtype=object), validate=False)
    return df


def factorize_runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """pd.factorize, done on the heads of runs of equal values (long files repeat a unit on consecutive rows)."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64), np.array([], dtype=object)
    heads = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    if len(heads) > len(values) // 4:
        return pd.factorize(values)
    codes, uniques = pd.factorize(values[heads])
    small = np.int16 if len(uniques) < 2**15 else np.int32
    return np.repeat(codes.astype(small), np.diff(np.r_[heads, len(values)])), uniques


def map_categories(s: pd.Series, mapping: dict) -> pd.Series:
    """Map a categorical's labels (several may map to one); values outside the mapping become missing."""
    s = s.astype("category") if s.dtype != "category" else s
    cats = list(s.cat.categories)
    new = [mapping.get(c) for c in cats]
    if new == cats:  # nothing changes (the usual case): no pass over the codes
        return s
    uniq = list(dict.fromkeys(x for x in new if x is not None))
    where_ = {x: i for i, x in enumerate(uniq)}
    lut = np.array([where_[x] if x is not None else -1 for x in new] + [-1], dtype=np.int64)
    codes = lut[s.array.codes]
    return pd.Series(pd.Categorical.from_codes(codes, categories=uniq), index=s.index)


def to_float(cells: pd.Series, fmt: NumberFormat) -> pd.Series:
    """Text cells as numbers under the declared format (empty and --na cells missing); raises on a bad one."""
    s = cells.fillna("").str.strip()
    s = s.where(~s.isin(("",) + tuple(fmt.na)), None)
    if fmt.thousands:
        s = s.str.replace(fmt.thousands, "", regex=False)
    if fmt.decimal != ".":
        s = s.str.replace(fmt.decimal, ".", regex=False)
    return pd.to_numeric(s, errors="raise").astype("float64")
