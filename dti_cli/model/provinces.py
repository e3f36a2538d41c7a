"""The province registry: slugs, names, aliases, GSO codes, regions and the 2025 merge (no pandas)."""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from dti_cli.errors import UsageError

DATA_DIR = Path(__file__).resolve().parent.parent / "data"

# The six GSO regions; English names for --lang en and short keys for --region.
REGIONS = {
    "Trung du và miền núi phía Bắc": ("Northern Midlands and Mountains", "trung-du-mien-nui-phia-bac"),
    "Đồng bằng sông Hồng": ("Red River Delta", "dong-bang-song-hong"),
    "Bắc Trung Bộ và duyên hải miền Trung": ("North Central and Central Coast", "bac-trung-bo-duyen-hai-mien-trung"),
    "Tây Nguyên": ("Central Highlands", "tay-nguyen"),
    "Đông Nam Bộ": ("Southeast", "dong-nam-bo"),
    "Đồng bằng sông Cửu Long": ("Mekong River Delta", "dong-bang-song-cuu-long"),
}
REGION_ALIASES = {
    "tdmnpb": "Trung du và miền núi phía Bắc", "mien-nui-phia-bac": "Trung du và miền núi phía Bắc",
    "northern-midlands": "Trung du và miền núi phía Bắc", "north": "Trung du và miền núi phía Bắc",
    "dbsh": "Đồng bằng sông Hồng", "song-hong": "Đồng bằng sông Hồng", "red-river": "Đồng bằng sông Hồng",
    "btb": "Bắc Trung Bộ và duyên hải miền Trung", "mien-trung": "Bắc Trung Bộ và duyên hải miền Trung",
    "central": "Bắc Trung Bộ và duyên hải miền Trung", "central-coast": "Bắc Trung Bộ và duyên hải miền Trung",
    "tn": "Tây Nguyên", "highlands": "Tây Nguyên", "central-highlands": "Tây Nguyên",
    "dnb": "Đông Nam Bộ", "southeast": "Đông Nam Bộ",
    "dbscl": "Đồng bằng sông Cửu Long", "mekong": "Đồng bằng sông Cửu Long", "cuu-long": "Đồng bằng sông Cửu Long",
}

# the English short key of each region (--region takes it as well as the Vietnamese slug; lists show both)
REGION_EN = {"Trung du và miền núi phía Bắc": "north", "Đồng bằng sông Hồng": "red-river",
             "Bắc Trung Bộ và duyên hải miền Trung": "central", "Tây Nguyên": "highlands", "Đông Nam Bộ": "southeast",
             "Đồng bằng sông Cửu Long": "mekong"}


def region_keys() -> list[str]:
    """Every region's Vietnamese slug and English key, as --region takes them ("tay-nguyen (highlands)")."""
    return [f"{short} ({REGION_EN[name]})" for name, (_, short) in REGIONS.items()]


def complete_region(incomplete: str) -> list[str]:
    """The region keys, Vietnamese and English, that start with what has been typed (for shell completion)."""
    start = fold(incomplete)
    keys = [k for name, (_, short) in REGIONS.items() for k in (short, REGION_EN[name])]
    return [k for k in keys if k.startswith(start)]


@dataclass(frozen=True)
class Province:
    """One province-level unit (of the 63 or of the 34)."""

    code: str
    slug: str
    name_vi: str
    name_en: str
    is_city: bool
    region: str  # GSO region ("" for the 34 units, which may straddle regions)
    lat: float
    lon: float

    def name(self, lang: str = "vi") -> str:
        """The display name in a language."""
        return self.name_en if lang == "en" else self.name_vi


def fold(text: str) -> str:
    """A search key: no diacritics, lower case, words joined by '-' ("Thừa Thiên - Huế" -> "thua-thien-hue")."""
    text = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


_PREFIXES = ("thanh-pho-", "tp-", "tinh-", "thu-do-")


def _read(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _province(row: dict[str, str]) -> Province:
    return Province(
        code=row["code"], slug=row["slug"], name_vi=row["name_vi"], name_en=row["name_en"],
        is_city=row["is_city"] == "1", region=row.get("region", ""), lat=float(row["lat"]), lon=float(row["lon"]),
    )


@dataclass(frozen=True, eq=False)
class Registry:
    """The 63 provinces of 2008–June 2025, the 34 units from 1 July 2025, and the lookups between them."""

    p63: tuple[Province, ...]
    p34: tuple[Province, ...]
    merge: dict  # old slug -> new slug
    aliases: tuple  # (alias, 63-set slug)

    @cached_property
    def slugs63(self) -> frozenset:
        return frozenset(p.slug for p in self.p63)

    @cached_property
    def slugs34(self) -> frozenset:
        return frozenset(p.slug for p in self.p34)

    @cached_property
    def keys63(self) -> dict:
        """Folded names, aliases and codes -> slug (built on first use)."""
        return _keys(self.p63, self.aliases)

    @cached_property
    def keys34(self) -> dict:
        return _keys(self.p34, [(a, self.merge[s]) for a, s in self.aliases])

    @cached_property
    def by_slug63(self) -> dict[str, Province]:
        return {p.slug: p for p in self.p63}

    @cached_property
    def by_slug34(self) -> dict[str, Province]:
        return {p.slug: p for p in self.p34}

    def units(self, boundaries: int | None = None) -> tuple[Province, ...]:
        """The units in force under a boundary set (None or 2008: the 63; 2025: the 34)."""
        return self.p34 if boundaries == 2025 else self.p63

    def get(self, slug: str, boundaries: int | None = None) -> Province:
        """The province with this slug."""
        return (self.by_slug34 if boundaries == 2025 else self.by_slug63)[slug]

    def lookup(self, text: str, boundaries: int | None = None) -> str | None:
        """The slug for a slug, name (any case, with or without diacritics), alias or GSO code of a unit of this
        boundary set; None when it names none (no merge is followed)."""
        if text in (self.slugs34 if boundaries == 2025 else self.slugs63):
            return text
        keys = self.keys34 if boundaries == 2025 else self.keys63
        for cand in _candidates(text):
            if cand in keys:
                return keys[cand]
        return None

    def resolve(self, text: str, boundaries: int | None = None) -> str:
        """The slug for a slug, name (any case, with or without diacritics), alias or GSO code; under the 2025
        boundaries an old province gives the unit it merged into."""
        found = self.lookup(text, boundaries)
        if found is not None:
            return found
        candidates = _candidates(text)
        key = candidates[0]
        if boundaries == 2025:
            # an old province name: the unit it merged into
            for cand in candidates:
                if cand in self.keys63:
                    return self.merge[self.keys63[cand]]
        slugs = sorted({p.slug for p in self.units(boundaries)})
        close = difflib.get_close_matches(key, slugs, n=1, cutoff=0.6)
        if close:
            raise UsageError("province.unknown_close", text=text, close=close[0])
        raise UsageError("province.unknown", text=text, hint="list_provinces")

    def complete(self, incomplete: str, boundaries: int | None = None) -> list[str]:
        """Slugs that start with what has been typed (for shell completion)."""
        start = fold(incomplete)
        return sorted(p.slug for p in self.units(boundaries) if p.slug.startswith(start))


def _candidates(text: str) -> list[str]:
    """The folded keys a text may be: itself, and without a prefix such as "tỉnh" or "TP."."""
    key = fold(text)
    if key.isdigit():
        key = key.zfill(2)
    return [key] + [key[len(p):] for p in _PREFIXES if key.startswith(p)]


def _keys(provinces: tuple[Province, ...], aliases: list[tuple[str, str]]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for alias, slug in aliases:
        keys[fold(alias)] = slug
    for p in provinces:
        for k in (p.slug, fold(p.name_vi), fold(p.name_en), p.code):
            keys[k] = p.slug
    return keys


@lru_cache(maxsize=1)
def registry() -> Registry:
    """The shipped registry (read once)."""
    p63 = tuple(_province(r) for r in _read("provinces_63.csv"))
    p34 = tuple(_province(r) for r in _read("provinces_34.csv"))
    merge = {r["old_slug"]: r["new_slug"] for r in _read("merge_2025.csv")}
    aliases = tuple((r["alias"], r["slug"]) for r in _read("aliases.csv"))
    # regions of the 34: where all old members share one region, keep it
    regions34: dict[str, set[str]] = {}
    for p in p63:
        regions34.setdefault(merge[p.slug], set()).add(p.region)
    p34 = tuple(
        Province(p.code, p.slug, p.name_vi, p.name_en, p.is_city,
                 next(iter(regions34[p.slug])) if len(regions34[p.slug]) == 1 else "", p.lat, p.lon)
        for p in p34
    )
    return Registry(p63=p63, p34=p34, merge=merge, aliases=aliases)


def resolve_region(text: str) -> str:
    """The GSO region name for a name, English name or short key ("mekong", "Tây Nguyên")."""
    key = fold(text)
    for name, (name_en, short) in REGIONS.items():
        if key in (fold(name), fold(name_en), short):
            return name
    if key in REGION_ALIASES:
        return REGION_ALIASES[key]
    close = difflib.get_close_matches(key, [v[1] for v in REGIONS.values()] + list(REGION_EN.values()), n=1,
                                      cutoff=0.5)
    known = ", ".join(region_keys())
    if close:
        raise UsageError("region.unknown_close", text=text, close=close[0], known=known)
    raise UsageError("region.unknown", text=text, known=known)


def region_name(region: str, lang: str = "vi") -> str:
    """A region's display name."""
    return REGIONS[region][0] if lang == "en" and region in REGIONS else region


class RegionName:
    """A region's name in the reader's language."""

    __slots__ = ("region",)

    def __init__(self, region: str):
        self.region = region

    def text(self, lang: str = "en") -> str:
        return region_name(self.region, lang)
