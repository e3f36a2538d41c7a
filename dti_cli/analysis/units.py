"""Units by name: resolving what a user types to a unit of the data, and the names and regions shown for them."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from dti_cli.errors import UsageError
from dti_cli.i18n import Msg
from dti_cli.model import provinces
from dti_cli.model.scores import Scores


@dataclass(frozen=True)
class Names:
    """Display names of units: the registry's for provinces, the data's `name` column for other units."""

    kind: str
    lang: str = "vi"
    boundaries: int | None = None
    labels: dict | None = None  # unit -> name, from a data file's `name` column

    def __call__(self, unit: str) -> str:
        """The data's `name` for the unit, else the province's name for a province slug, else the id."""
        label = (self.labels or {}).get(unit)
        if label:
            return label
        p = self._province(unit)
        # Vietnamese names in both languages, as the English press of record writes them ("Quảng Ninh")
        return p.name_vi if p else unit

    def _province(self, unit: str):
        reg = provinces.registry()
        if self.kind != "province":  # a user's units: a province slug only where it names one of the 63 or the 34
            return reg.by_slug63.get(unit) or reg.by_slug34.get(unit)
        return (reg.by_slug34 if self.boundaries == 2025 else reg.by_slug63).get(unit)

    @classmethod
    def of(cls, dataset, kind: str, lang: str = "vi", boundaries: int | None = None) -> "Names":
        """Names for a data set's units: the registry for provinces, the data's `name` column otherwise."""
        labels = None
        if dataset is not None and dataset.attributes is not None and "name" in dataset.attributes:
            named = dataset.attributes.dropna(subset=["name"])
            labels = {u: str(n) for u, n in zip(named["unit"], named["name"]) if str(n).strip()}
        return cls(kind, lang, boundaries, labels)

    def region(self, unit: str) -> str:
        """The unit's GSO region (its Vietnamese name, the key of a region), "" when it has none."""
        if self.kind != "province":
            return ""
        p = self._province(unit)
        return p.region if p else ""


def kind_word(unit_kind: str, n: int | None = None) -> Msg:
    """What the units are called in a sentence: provinces (tỉnh/thành) or units (đơn vị), with their number."""
    key = "word.provinces" if unit_kind == "province" else "word.units"
    return Msg(key) if n is None else Msg(key + "_n", n=n)


def resolve(scores: Scores, text: str, boundaries: int | None = None) -> str:
    """The unit a user means: a province by slug, name, alias or code; another unit by id or name, any case."""
    if scores.unit_kind == "province":
        return provinces.registry().resolve(text, boundaries)
    units = sorted(set(scores.rows["unit"]))
    if text in units:
        return text
    key = provinces.fold(text)
    for u in units:
        if provinces.fold(u) == key:
            return u
    close = difflib.get_close_matches(text, units, n=1)
    if close:
        raise UsageError("unit.unknown_close", text=text, close=close[0])
    raise UsageError("unit.unknown", text=text)


def resolve_all(scores: Scores, items: list[str], boundaries: int | None = None) -> list[str]:
    """Several units, each once, in the order given."""
    out: list[str] = []
    for item in items:
        u = resolve(scores, item, boundaries)
        if u not in out:
            out.append(u)
    return out
