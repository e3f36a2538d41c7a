"""Which method computes which year: the user's method, or the shipped edition of each year."""

from __future__ import annotations

from dti_cli.errors import UsageError
from dti_cli.model.dataset import Dataset
from dti_cli.model.editions import editions
from dti_cli.model.method import Method


def plan(dataset: Dataset, method: Method | None, years: list[int] | None = None) -> dict[int, Method]:
    """Which method computes which year: the user's method, or the shipped edition for each year.

    Asking for some years brings in every data year their methods cover: a method's figures for a year can depend
    on its other years (scope = "panel", imputation along the years), so a year is the same however it is asked.
    """
    if years and _covered(dataset, method):
        full = plan(dataset, method, None)
        chosen = {id(full[y]) for y in years if y in full}
        return {y: m for y, m in full.items() if id(m) in chosen}
    wanted = list(years) if years else dataset.years  # a year no edition covers is named below
    out: dict[int, Method] = {}
    for y in wanted:
        if method is not None:
            if method.applies_to(y):
                out[y] = method
            continue
        ed = next((e for e in editions() if e.applies_to(y)), None)
        if ed is None:
            raise UsageError("plan.no_edition", year=y, hint="method")
        out[y] = ed
    if not out:
        raise UsageError("plan.no_year", path=method.path, years=str(list(method.years or [])),
                         data=", ".join(map(str, dataset.years)))
    return out


def _covered(dataset: Dataset, method: Method | None) -> bool:
    """Whether every data year has a method (else only the years asked for are planned)."""
    if method is not None:
        return True
    return all(any(e.applies_to(y) for e in editions()) for y in dataset.years)
