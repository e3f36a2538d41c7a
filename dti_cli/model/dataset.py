"""A data set of indicator figures in long form, and how the numbers of its file are written."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

# Text columns a wide file may carry beside its indicators (a method's `group` columns are added to these).
ATTRIBUTE_COLUMNS = ("name", "name_en", "region", "code")
DEFAULT_PROVENANCE = "input"


@dataclass(frozen=True)
class NumberFormat:
    """How numbers are written in a file: never guessed, given by the user."""

    decimal: str = "."
    thousands: str | None = None
    na: tuple[str, ...] = ()
    declared: bool = False  # the user gave --decimal or --thousands (else a semicolon file of 1.200-like values,
    #                         which could be thousands groups, is refused rather than read as decimals)

    @classmethod
    def given(cls, decimal: str | None = None, thousands: str | None = None, na=()) -> "NumberFormat":
        """The format as the user gave it (None: not given)."""
        return cls(decimal=decimal or ".", thousands=thousands, na=tuple(na or ()),
                   declared=decimal is not None or thousands is not None)

    @property
    def plain(self) -> bool:
        return self.decimal == "." and self.thousands is None


@dataclass(frozen=True)
class Dataset:
    """Indicator figures in long form, one row per (year, unit, indicator)."""

    frame: pd.DataFrame  # year int, unit and indicator categorical, value float64 (NaN: rank only), rank float64
    #                      (absent when the file has no ranks), provenance str, source str
    unit_kind: str  # "province" (slugs of the 63) or "unit" (anything else: districts, departments…)
    label: str  # how messages name the file
    attributes: pd.DataFrame | None = None  # year, unit and text columns (e.g. a grouping for imputation)
    boundaries: int | None = None  # provinces: None, the 63 of 2008–June 2025; 2025, the 34 from July 2025
    bundled: bool = False  # the shipped publication (its published-rank rules apply), not a user's file

    @property
    def publication(self) -> bool:
        """Whether the publication's rules apply: every province is ranked, and where a year's figures are
        incomplete the published ranks are shown. A user's file is ranked over the units it has figures for."""
        return self.bundled and self.unit_kind == "province"

    def release_rows(self) -> None:
        """Drop the frame's columns (their memory goes back) when no one needs the rows any more; years, units and
        indicators stay known."""
        _ = self.years, self.units, self.indicators
        for col in list(self.frame.columns):
            del self.frame[col]

    # computed once (a pass over millions of rows each); the frame is not changed after loading (but see
    # release_rows)
    @cached_property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.frame["year"].unique())

    @cached_property
    def indicators(self) -> list[str]:
        return sorted(self.frame["indicator"].unique().tolist())

    @cached_property
    def units(self) -> list[str]:
        return sorted(self.frame["unit"].unique().tolist())
