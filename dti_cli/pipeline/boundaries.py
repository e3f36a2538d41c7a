"""Re-express provincial figures on the 34 units in force from 1 July 2025 (Resolution 202/2025/QH15)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from dti_cli.errors import UsageError
from dti_cli.model import provinces
from dti_cli.model.dataset import Dataset
from dti_cli.model.method import Method

MERGE_SOURCE = "merge_2025"


def _cited(sources: pd.Series) -> str:
    """The source ids of the figures averaged, each once, in order."""
    return " ".join(dict.fromkeys(t for s in sources.astype(str) for t in s.split()))


def to_2025(dataset: Dataset, methods: dict[int, Method]) -> Dataset:
    """The ministry's rule for the 2024 results: a merged unit's main indices are the means of its old
    provinces' main indices, and its pillars and index are computed from those; where the weights are unknown,
    its index is the mean of the old provinces' published index. Unmerged units keep their figures.

    A mean needs every old province's figure: a merged unit with a member missing has no value (nothing is
    interpolated). Averaged figures are marked `derived`, with source `merge_2025`.
    """
    if dataset.unit_kind != "province":
        raise UsageError("boundaries.needs_provinces", option="boundaries")
    if dataset.boundaries == 2025:
        return dataset
    reg = provinces.registry()
    f = dataset.frame
    f = f[f["year"].isin(list(methods))]
    old = f["unit"].astype(str).to_numpy()
    new = pd.Series(old).map(reg.merge).to_numpy()
    size = pd.Series(list(reg.merge.values())).value_counts()
    members = pd.Series(new).map(size).to_numpy()
    single = members == 1
    keep_single = f[single].assign(unit=new[single], rank=np.nan)
    merged = f[~single].assign(unit=new[~single])
    averaged = []
    for year, meth in methods.items():
        tops = {meth.root, *meth.pillars} if meth.computable else set(meth.pillars)
        use = merged[(merged["year"] == year) & ~merged["indicator"].isin(tops) & merged["value"].notna()]
        if use.empty:
            continue
        g = use.groupby(["unit", "indicator"], observed=True)
        stats = g.agg(value=("value", "mean"), n=("value", "size"), first=("value", "first"),
                      cited=("source", _cited)).reset_index()
        need = stats["unit"].map(size).to_numpy()
        stats = stats[stats["n"].to_numpy() == need]
        averaged.append(pd.DataFrame({
            "year": year, "unit": stats["unit"].to_numpy(), "indicator": stats["indicator"].astype(str).to_numpy(),
            "value": stats["value"].to_numpy(), "rank": np.nan, "provenance": "derived",
            # the rule, then the sources of the old provinces' figures (source ids, space-separated, as elsewhere)
            "source": [f"{MERGE_SOURCE} {c}".strip() for c in stats["cited"]],
        }))
    parts = [keep_single.assign(unit=keep_single["unit"].astype(str),
                                indicator=keep_single["indicator"].astype(str),
                                provenance=keep_single["provenance"].astype(str),
                                source=keep_single["source"].astype(str))] + averaged
    out = pd.concat(parts, ignore_index=True)
    for col in ("unit", "indicator", "provenance", "source"):
        out[col] = out[col].astype("category")
    return replace(dataset, frame=out, boundaries=2025)
