"""What a command produces, before anyone renders it: machine tables (the csv, json, Excel and Python content),
the views a person sees, notes and a closing status; with the rounding every machine figure carries."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

MAX_DECIMALS = 12  # machine output: at most 12 decimals and 15 significant digits (drops binary noise:
MAX_SIGNIFICANT = 15  # 0.7864, not 0.7864000000000001)
POW10 = 10 ** np.arange(19, dtype=np.int64)

PROVENANCE_VALUES = "provenance"  # `values` of a provenance column: "derived+winsorise" as "suy ra, winsorise"
NUMBER_KINDS = ("score", "delta", "diff", "num", "pct")  # floats, machine-rounded
WHOLE_KINDS = ("rank", "change", "int")  # whole numbers (nullable)


def int_digits(i: np.ndarray) -> np.ndarray:
    """Number of decimal digits of non-negative integers (1 for 0)."""
    return 1 + np.searchsorted(POW10[1:17], i, side="right")


def kept_decimals(a: np.ndarray) -> np.ndarray:
    """How many decimals machine output keeps of magnitudes below 1e15: 12, fewer from 1,000 on (15 significant
    digits in all). The bulk writer formats with the same rule (render.numbers)."""
    return np.clip(MAX_SIGNIFICANT - int_digits(np.floor(a).astype(np.int64)), 0, MAX_DECIMALS)


def machine_round(v) -> np.ndarray:
    """Round to at most 12 decimals and 15 significant digits: the figure every machine format carries."""
    v = np.asarray(v, dtype=float)
    a = np.abs(v)
    with np.errstate(invalid="ignore", over="ignore"):
        big = ~(a < 1e15)
        dec = kept_decimals(np.where(big | np.isnan(a), 0, a))
        out = np.rint(a * POW10[dec]) / POW10[dec] * np.sign(v)
    return np.where(big, v, out) + 0.0  # + 0.0 turns -0.0 into 0.0


@dataclass(frozen=True)
class Column:
    """One output column: its stable key, its header for people, how its values look.

    `header` is anything the language layer renders (a catalogue Msg, a node's name); `kind` is text, score,
    delta, diff, rank, change, int, num, pct or bool; `table` says whether people see it (machine formats carry every
    column); `prov` names the column whose provenance marks this one; `values` is a catalogue prefix for showing a
    text column's machine values to people (level "error" → value.level.error); `group` names the unit a column of
    a wide table belongs to (its columns stay together when a terminal cuts the table, the first one's header is the
    unit's name, never wrapped)."""

    key: str
    header: Any = None
    kind: str = "text"
    table: bool = True
    prov: str | None = None
    values: str | None = None
    group: str | None = None


def machine_frame(frame: pd.DataFrame, columns: list[Column] | tuple[Column, ...]) -> pd.DataFrame:
    """The columns the frame has, in order, as every machine format writes them: rounded floats, nullable whole
    numbers and booleans, text with None for missing."""
    out = {}
    for c in columns:
        if c.key not in frame.columns:
            continue
        s = frame[c.key]
        if c.kind in NUMBER_KINDS:
            out[c.key] = pd.Series(machine_round(pd.to_numeric(s).to_numpy(dtype=float, na_value=np.nan)),
                                   index=frame.index)
        elif c.kind in WHOLE_KINDS:
            out[c.key] = pd.to_numeric(s).round().astype("Int64")
        elif c.kind == "bool":
            out[c.key] = s.astype("boolean")
        else:
            out[c.key] = s.astype(object).where(s.notna(), None)
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)


@dataclass(frozen=True)
class Table:
    """A frame with its column specs; `name` names it as a section, a sheet or a json key."""

    name: str
    frame: pd.DataFrame
    columns: tuple[Column, ...]
    title: Any = None
    caption: Any = None

    @classmethod
    def of(cls, name: str, frame: pd.DataFrame, columns, **kw) -> "Table":
        """A machine table: the frame cut to its columns and typed as machine formats write them."""
        cols = tuple(c for c in columns if c.key in frame.columns)
        return cls(name, machine_frame(frame, cols), cols, **kw)

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]


@dataclass(frozen=True)
class Text:
    """A paragraph a person sees between tables (a sentence, a line of strengths)."""

    message: Any


@dataclass(frozen=True)
class Result:
    """Everything a command says.

    `source` is the machine table (`machine`: what csv, tsv and the Python API carry) or a cached callable
    building it; `sheets` the Excel sheets (default: machine); `doc` the json document (default: machine's
    records), whose values may be Tables; `views` what a person sees on a terminal or in markdown, in order
    (Tables and Text, or a callable returning them; default: machine); `notes` what the command line prints on
    stderr; `status` a closing line; `failed` an exit code of 1 after everything is written; `about` the Excel
    about sheet's rows; `attrs` what the Python API adds to the frame's attrs; `bulk` a faster writer of the
    machine table's csv, tsv or json (json only where the result has no `doc`); `empty` why the request
    yields nothing, when the command knows (a result without rows is refused by the command line, with this
    reason or its notes); `empty_ok` an answer without rows that is still an answer (no findings, already at
    the target rank)."""

    source: Any  # the machine Table, or a callable returning it (cached: `machine` calls it each time)
    views: Any = ()
    sheets: tuple = ()
    doc: dict | None = None
    notes: tuple = ()
    status: Any = None
    failed: bool = False
    about: tuple = ()
    attrs: dict = field(default_factory=dict)
    bulk: Any = None  # a callable (format: csv, tsv or json; out, workers) writing the machine table, streamed
    empty: Any = None  # why there is nothing to show (a Msg), when the command knows
    empty_ok: bool = False

    @property
    def machine(self) -> Table:
        """The machine table (a callable `source` is called: it caches what it builds)."""
        return self.source() if callable(self.source) else self.source

    @property
    def shown(self) -> tuple:
        """What a terminal shows (a callable is called: views can cost what machine formats need not pay)."""
        return self.view(screen=True)

    def view(self, *, screen: bool = True) -> tuple:
        """The views on a screen, or in a document (markdown: every row, nothing drawn for the screen only)."""
        views = self.views(screen=screen) if callable(self.views) else self.views
        return tuple(views) or (self.machine,)

    @property
    def nothing(self) -> bool:
        """The request yields nothing to show: the command said why, or the machine table has no rows."""
        return self.empty is not None or (not self.empty_ok and len(self.machine.frame) == 0)

    @property
    def workbook(self) -> tuple:
        return self.sheets or (self.machine,)
