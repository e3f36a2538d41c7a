"""The other levels the ministry publishes, as published: the national DTI (a separate assessment of the country),
the published means of the provinces and of the two ministry groups, and the few ministry scores and ranks the press
printed (data/levels.csv, copied from the shared data folder; every figure is cited by its source id)."""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dti_cli.model.provinces import DATA_DIR

if TYPE_CHECKING:
    import pandas as pd

NATIONAL = "viet-nam"
MINISTRY_GROUPS = ("ministries_ps", "ministries_nps")  # with public services, without
PROVENANCE = "news"  # every figure of the file was printed by the press or a ministry's own page, none on dti.gov.vn
LEVELS = ("provinces", "ministries")
# names a user may give for the country (folded: no diacritics, lower case, spaces as hyphens)
NATIONAL_NAMES = frozenset({"viet-nam", "vietnam", "vn", "ca-nuoc", "quoc-gia", "national", "nation"})


@dataclass(frozen=True)
class Figure:
    """A published figure with the source that printed it."""

    value: float
    source: str
    n: int | None = None  # how many units a published mean is over, where the source says


@functools.cache
def table() -> pd.DataFrame:
    """The file as published: year, level, unit, indicator, value (NaN: only the rank was printed), rank, source,
    note, and provenance."""
    import pandas as pd  # here: the command line's options import LEVELS, and `dti --help` needs no pandas

    df = pd.read_csv(DATA_DIR / "levels.csv", dtype=str, keep_default_na=False)
    return df.assign(year=df["year"].astype(int), value=pd.to_numeric(df["value"].replace("", None)),
                     rank=pd.to_numeric(df["rank"].replace("", None)).astype("Int64"), provenance=PROVENANCE)


def _n(note: str) -> int | None:
    """"18 ministries with public services" → 18 ("published mean of the 63 provinces" → 63)."""
    m = re.match(r"(\d+) ", note) or re.search(r" of the (\d+) ", note)
    return int(m.group(1)) if m else None


def _figure(level: str, unit: str, year: int, indicator: str) -> Figure | None:
    t = table()
    row = t[(t["level"] == level) & (t["unit"] == unit) & (t["year"] == year) & (t["indicator"] == indicator)]
    if row.empty or math.isnan(row["value"].iloc[0]):
        return None
    return Figure(float(row["value"].iloc[0]), row["source"].iloc[0], _n(row["note"].iloc[0]))


def national(year: int) -> Figure | None:
    """The national DTI of a year (not the mean of the provinces), where it was published."""
    return _figure("national", NATIONAL, year, "dti")


def provinces_mean(year: int, indicator: str) -> Figure | None:
    """The published mean of the 63 provinces on an indicator, where it was published."""
    return _figure("provinces", "mean", year, indicator)


def group_mean(year: int, group: str) -> Figure | None:
    """The published mean DTI of a ministry group, with the group's size where the source gives it."""
    return _figure(group, "mean", year, "dti")


def ministries() -> pd.DataFrame:
    """The ministry scores and ranks the press printed (the top 5 of a group at most): year, group, unit, name,
    value, rank, source, provenance."""
    t = table()
    out = t[t["level"].isin(MINISTRY_GROUPS) & (t["unit"] != "mean")]
    return out.rename(columns={"level": "group", "note": "name"})[
        ["year", "group", "unit", "name", "value", "rank", "source", "provenance"]].reset_index(drop=True)

