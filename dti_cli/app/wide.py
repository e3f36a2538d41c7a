"""`compare` on a screen: the units side by side, a few columns each, the indicators as rows (machine formats
and documents keep the long form, one row per unit and indicator)."""

from __future__ import annotations

import pandas as pd

from dti_cli.i18n import Msg
from dti_cli.model.result import Column, Table

FIELDS = ("value", "rank", "provenance", "delta", "rank_change", "gap", "region_mean", "region_mark", "region_gap")


def pivot(frame: pd.DataFrame, unit_key: str) -> pd.DataFrame:
    """One row per indicator (in the long form's order), one `field@unit` column per field and unit, and the
    national average and its mark where the long form has them."""
    f = frame.drop_duplicates([unit_key, "indicator"])
    fields = [c for c in FIELDS if c in f.columns]
    wide = f.set_index(["indicator", unit_key])[fields].unstack(unit_key)
    wide.columns = [f"{field}@{unit}" for field, unit in wide.columns]
    first = f.drop_duplicates("indicator").set_index("indicator")
    shared = first[[c for c in ("indicator_name", "national", "national_mark", "national_dti") if c in first.columns]]
    return shared.join(wide).reset_index()


def compare_views(frame: pd.DataFrame, *, unit_key: str, units: list[str], name, year: int, n, national: tuple,
                  region: bool, caption) -> tuple:
    """The levels (value and rank of each unit, then `national`: the columns of the mean of the provinces and the
    national DTI, as the long form has them), then the changes since the previous year, the gaps to that mean and
    to each unit's region average, as tables one unit wide each."""
    wide = pivot(frame, unit_key)
    names = ", ".join(name(u) for u in units)
    levels = [Column("indicator_name", Msg("col.indicator"), "text")]
    for u in units:
        levels += [Column(f"value@{u}", name(u), "score", prov=f"provenance@{u}", group=u),
                   Column(f"rank@{u}", Msg("col.rank"), "rank", group=u)]
    levels += national
    out = [Table("compare", wide, tuple(levels), title=Msg("wide.title", names=names, year=year, n=n),
                 caption=caption)]
    blocks = [("wide.changes", lambda u: (Column(f"delta@{u}", name(u), "delta", group=u),
                                          Column(f"rank_change@{u}", "↕", "change", group=u)))]
    if national:
        blocks.append(("wide.gaps", lambda u: (Column(f"gap@{u}", name(u), "delta", group=u),)))
    if region:
        blocks.append(("wide.region", lambda u: (Column(f"region_mean@{u}", name(u), "score",
                                                        prov=f"region_mark@{u}", group=u),
                                                 Column(f"region_gap@{u}", Msg("col.region_gap"), "delta",
                                                        group=u))))
    for key, cells in blocks:
        cols = (Column("indicator_name", Msg("col.indicator"), "text"), *(c for u in units for c in cells(u)))
        if any(c.key in wide.columns and wide[c.key].notna().any() for c in cols[1:]):
            out.append(Table(key, wide, cols, title=Msg(key, year=year - 1)))
    return tuple(out)
