"""A parsed and checked CSV (long or wide) as the tidy long frame of a Dataset: labels coded, provinces resolved,
duplicates dropped or refused."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from dti_cli.errors import DataError, UsageError, where
from dti_cli.i18n import Msg
from dti_cli.io.csv_checks import FileView
from dti_cli.io.labels import constant, labels, map_categories, strictly_increasing, text_column
from dti_cli.model import provinces
from dti_cli.model.dataset import DEFAULT_PROVENANCE, Dataset


def long_frame(df: pd.DataFrame, units: pd.Series, indicators: pd.Series | None, numeric: list[str]):
    """(the long frame, each row's data row in the file or None when it is its own place)."""
    if indicators is not None:
        cols = {
            "year": df["year"].to_numpy(),
            "unit": units.array,
            "indicator": indicators.array,
            "value": df["value"].to_numpy(dtype="float64"),
            "rank": df["rank"].to_numpy(dtype="float64") if "rank" in df else None,
            "provenance": text_column(df, "provenance", DEFAULT_PROVENANCE),
            "source": text_column(df, "source", ""),
        }
        if cols["rank"] is None:  # no ranks in the file: no column of NaN (160 MB for 20 million rows)
            del cols["rank"]
        return pd.DataFrame(cols, copy=False), None
    wide = df[numeric].astype("float64")
    n, k = wide.shape
    long = pd.DataFrame({
        "year": np.repeat(df["year"].to_numpy(dtype="int64"), k),
        "unit": pd.Categorical.from_codes(np.repeat(units.array.codes, k), units.cat.categories),
        "indicator": pd.Categorical.from_codes(np.tile(np.arange(k), n), numeric),
        "value": wide.to_numpy().ravel(),
        "provenance": constant(n * k, DEFAULT_PROVENANCE),
        "source": constant(n * k, ""),
    }, copy=False)
    order = np.repeat(np.arange(n), k)
    keep = ~np.isnan(long["value"].to_numpy())
    return long[keep].reset_index(drop=True), order[keep]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_FORMULA = re.compile(r"^(?:[=+@\t\r]|-(?!\d))")  # what a spreadsheet would run as a formula


MAX_LABEL = 1_000  # characters in a label or header cell


def has_control(text: str) -> bool:
    """Whether the text holds a control character (C0 but tab and line ends, DEL, C1)."""
    return _CONTROL.search(text) is not None


def unsafe(text: str) -> str | None:
    """Why a label cannot be taken: longer than MAX_LABEL, a control character (it would reach a terminal raw), or
    a spreadsheet formula trigger at its start (it would reach a csv/tsv cell); None when it is fine."""
    if len(text) > MAX_LABEL:
        return "data.label_long"
    if has_control(text):
        return "data.label_control"
    if _FORMULA.match(text):
        return "data.label_formula"
    return None


def check_labels(view: FileView, df: pd.DataFrame, cols) -> None:
    """Every header cell and label cell safe to show and to write (issue: terminal and formula injection)."""
    for j, head in enumerate(view.header):
        why = unsafe(head)
        if why:
            raise DataError("data.cell", where=where(view.label, 1, j + 1), message=Msg(why, text=head[:40], limit=MAX_LABEL))
    for col in cols:
        if col not in df:
            continue
        s = df[col]
        values = s.cat.categories if isinstance(s.dtype, pd.CategoricalDtype) else pd.unique(s.to_numpy())
        for v in values:
            why = unsafe(v) if isinstance(v, str) else None
            if why:
                row = int(np.argmax((s == v).to_numpy()))
                view.fail_cell(row, col, Msg(why, text=v[:40], limit=MAX_LABEL))


def assemble(reader, df: pd.DataFrame) -> Dataset:
    """The reader's checked frame as a Dataset (`reader`: the io.csv_read reader that parsed it)."""
    view: FileView = reader.view
    attrs = [c for c in reader.header if c in reader.attributes and c not in ("year", reader.unit_col)]
    check_labels(view, df, [reader.unit_col, "indicator", "provenance", "source", *attrs])
    units = labels(df[reader.unit_col])
    indicators = labels(df["indicator"]) if reader.long else None
    for key in (units, indicators):
        if key is not None and (key.array.codes < 0).any():
            reader.check_text(reader.read_frame(None))  # names the empty cell
    if reader.unit_col == "province":
        units = resolve_provinces(view, units)
    long, order = long_frame(df, units, indicators, reader.numeric)
    for col in ("provenance", "source"):
        if long[col].dtype != "category":
            long[col] = long[col].astype("category")
    long = dedupe(view, long, order)
    if not long["value"].notna().any() and not ("rank" in long and long["rank"].notna().any()):
        raise DataError("data.no_values", where=where(view.label))
    attributes = None
    if attrs:
        attributes = pd.DataFrame({"year": df["year"].astype("int64"), "unit": units})
        for a in attrs:
            attributes[a] = df[a].astype(str).str.strip()
        attributes = attributes.drop_duplicates(["year", "unit"]).reset_index(drop=True)
    kind = "province" if reader.unit_col == "province" else "unit"
    return Dataset(frame=long, unit_kind=kind, label=view.label, attributes=attributes)


def resolve_provinces(view: FileView, units: pd.Series) -> pd.Series:
    """Province names, aliases and codes as slugs; an unknown one is an error naming its cell."""
    reg = provinces.registry()
    mapping = {}
    for name in pd.unique(units.to_numpy()):
        try:
            mapping[name] = reg.resolve(name)
        except UsageError as exc:
            row = int(np.argmax((units == name).to_numpy()))
            col = view.header.index("province") + 1
            raise DataError("data.cell", where=where(view.label, view.line_of(row), col, "province"),
                            message=exc.msg, hint=exc.hint) from None
    return map_categories(units, mapping)


def _value(v: float) -> Msg | str:
    return Msg("data.empty_value") if pd.isna(v) else repr(float(v))


def dedupe(view: FileView, long: pd.DataFrame, order: np.ndarray | None) -> pd.DataFrame:
    """Drop exact duplicate (year, unit, indicator) rows; differing duplicates are an error. `order`: each row's
    data row in the file (None: the same as its place)."""
    keys = ["year", "unit", "indicator"]
    year = long["year"].to_numpy()
    ucodes, icodes = long["unit"].array.codes, long["indicator"].array.codes
    if strictly_increasing(year, ucodes, icodes):
        return long  # a file sorted by (year, unit, indicator) has no duplicates: nothing to count
    codes = [year - year.min(), ucodes.astype(np.int64), icodes.astype(np.int64)]
    sizes = [int(c.max()) + 1 if len(c) else 1 for c in codes]
    key = (codes[0] * sizes[1] + codes[1]) * sizes[2] + codes[2]
    space = sizes[0] * sizes[1] * sizes[2]
    if space <= 200_000_000:
        dup = np.bincount(key, minlength=space)[key] > 1
    else:
        dup = pd.Series(key).duplicated(keep=False).to_numpy()
    if not dup.any():
        return long
    sub = long[dup].assign(_key=key[dup], _row=np.flatnonzero(dup) if order is None else order[dup])
    cols = [c for c in ("value", "rank", "provenance", "source") if c in sub]
    for _, grp in sub.groupby("_key", sort=False):
        first = grp.iloc[0]
        for _, other in grp.iloc[1:].iterrows():
            same = all((pd.isna(first[c]) and pd.isna(other[c])) or first[c] == other[c] for c in cols)
            if not same:
                a, b = view.line_of(int(first["_row"])), view.line_of(int(other["_row"]))
                raise DataError("data.duplicate", where=where(view.label, b), line=a, year=int(first["year"]),
                                unit=str(first["unit"]), indicator=str(first["indicator"]),
                                new=_value(other["value"]), old=_value(first["value"]))
    return long.drop_duplicates(keys).reset_index(drop=True)
