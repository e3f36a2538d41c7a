"""The store's years joined to the bundled publication: a year imported on the 63 provinces takes that year's
place in the bundled data; a year on the 34 units joins the other years once they are re-expressed on the 34
(dti_cli/pipeline/boundaries.py), which a run asks for by reading such a year."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from dti_cli.io import store
from dti_cli.model.dataset import Dataset

_TEXT = ("unit", "indicator", "provenance", "source")


def _join(frames: list[pd.DataFrame]) -> pd.DataFrame:
    out = pd.concat([f.assign(**{c: f[c].astype(str) for c in _TEXT}) for f in frames], ignore_index=True)
    for col in _TEXT:
        out[col] = out[col].astype("category")
    return out


def with_63(ds: Dataset) -> Dataset:
    """The bundled data with the store's years on the 63 provinces (each replacing the bundled year, if any)."""
    recs = [r for r in store.stored().values() if r.boundaries != 2025]
    if not recs:
        return ds
    years = {r.year for r in recs}
    keep = ds.frame[~ds.frame["year"].isin(list(years))]
    cols = list(ds.frame.columns)
    frame = _join([keep] + [store.frame(r)[cols] for r in recs])
    label = f"{ds.label} + {store.home()} ({', '.join(map(str, sorted(years)))})"
    return replace(ds, frame=frame, label=label)


def years_34() -> dict[int, store.Stored]:
    """The store's years on the 34 units."""
    return {y: r for y, r in store.stored().items() if r.boundaries == 2025}


def with_34(ds: Dataset, recs: dict) -> Dataset:
    """Data already on the 34 units, with the store's years on them (each replacing that year, if any)."""
    keep = ds.frame[~ds.frame["year"].isin(list(recs))]
    cols = list(ds.frame.columns)
    return replace(ds, frame=_join([keep] + [store.frame(r)[cols] for r in recs.values()]))
