"""Cells as a person reads them, in every human format (terminal, markdown): figures at 4 decimals, rank arrows,
translated values, and the marks that say where a figure comes from."""

from __future__ import annotations

import re

import pandas as pd

from dti_cli.i18n import Msg, has, render
from dti_cli.i18n.numbers import display, missing
from dti_cli.model.result import PROVENANCE_VALUES, Column, Table

# the provenances a publication's figures have, in the order legends list them
PROVENANCES = ("official", "github", "news", "hf", "user", "derived", "computed", "imputed", "normalised")
# provenance -> mark in people's formats; the caption explains the marks used
MARKS = {"computed": "*", "derived": "†", "imputed": "‡", "partial": "§"}
ORDER = ("*", "†", "‡", "§")
MARK_KEYS = {"*": "mark.computed", "†": "mark.derived", "‡": "mark.imputed", "§": "mark.partial"}


def provenance_keys(text) -> list[str]:
    """The provenances in a provenance cell ("imputed:mean+winsorise" → imputed, winsorise)."""
    if not isinstance(text, str) or not text:
        return []
    return [("imputed" if p.startswith("imputed") else p) for p in re.split(r"[+\s,;]+", text) if p]


def first_provenance(text) -> str:
    """Where a figure comes from, its treatment left out ("imputed:mean+winsorise" → imputed; "" for none)."""
    keys = provenance_keys(text)
    return keys[0] if keys else ""


def mark(prov) -> str:
    return MARKS.get(first_provenance(prov), "")


def provenance(key: str, lang: str) -> tuple[str, str]:
    """(short label, meaning) of a provenance; an unknown one is its own label."""
    if has(f"provenance.{key}.short"):
        return Msg(f"provenance.{key}.short").text(lang), Msg(f"provenance.{key}.long").text(lang)
    return key, ""


def provenance_short(text, lang: str) -> str:
    return ", ".join(provenance(k, lang)[0] for k in dict.fromkeys(provenance_keys(text)))


def value_text(v, column: Column, lang: str) -> str:
    """One value as people see it: by the column's kind, or its machine value translated (`values`)."""
    if missing(v):
        return ""
    if column.kind == "bool":
        return Msg("value.yes" if v else "value.no").text(lang)
    if column.kind == "bar":
        return str(v)
    if column.kind != "text":
        return display(v, column.kind, lang=lang)
    if column.values == PROVENANCE_VALUES:
        return provenance_short(v, lang)
    if column.values and has(column.values.format(v)):
        return Msg(column.values.format(v)).text(lang)
    if isinstance(v, float):
        return display(v, "score", lang=lang)
    return render(v, lang)


def cell(row: pd.Series, column: Column, lang: str) -> str:
    text = value_text(row[column.key], column, lang)
    if column.prov and text and column.prov in row.index:
        text += mark(row[column.prov])
    return text


def shown(table: Table) -> list[Column]:
    """The columns people see: a column with nothing in it (the pillars of a year without them) is noise."""
    f = table.frame
    return [c for c in table.columns if c.table and c.key in f.columns
            and (c.kind in ("text", "bar") or len(f) == 0 or f[c.key].notna().any())]


def marks_used(table: Table, columns: list[Column]) -> list[str]:
    found = set()
    f = table.frame
    for c in columns:
        if c.prov and c.prov in f.columns and c.key in f.columns:
            have = f[c.key].notna()
            found |= {mark(p) for p in f.loc[have, c.prov].dropna()}
    return [m for m in ORDER if m in found]


def caption(table: Table, columns: list[Column], lang: str) -> str:
    """The table's caption and, below it, what the marks it uses mean."""
    legend = "; ".join(Msg(MARK_KEYS[m]).text(lang) for m in marks_used(table, columns))
    return "\n".join(x for x in (render(table.caption, lang), legend) if x)


def header(column: Column, lang: str) -> str:
    return render(column.header, lang) if column.header is not None else column.key
