"""The provinces' borders, bundled: Natural Earth admin-1 outlines of the 63 provinces and of the 34 units of
1 July 2025, keyed by the registry's slugs (data/geo/README.md says where they come from)."""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np

from dti_cli.model.provinces import DATA_DIR, registry

GEO_DIR = DATA_DIR / "geo"
FILES = {None: "provinces_63.geojson", 2025: "units_34.geojson"}

# The two archipelagos, which the source does not carry and a Vietnamese map always shows: the province each belongs
# to (a slug of both the 63 and the 34), where its label sits, and a few of its islands as markers. Positions are
# approximate (about 0.1°): they place markers, not borders.
ARCHIPELAGOS = {
    "hoang-sa": ("da-nang", (15.35, 112.1), ((16.83, 112.34), (16.53, 111.61), (16.67, 112.73), (15.78, 111.20),
                                            (16.45, 111.51), (16.97, 112.27))),
    "truong-sa": ("khanh-hoa", (10.45, 112.6), ((8.64, 111.92), (11.43, 114.33), (11.05, 114.28), (10.38, 114.36),
                                               (9.89, 114.33), (10.18, 114.36), (10.92, 114.08), (8.85, 112.85))),
}


def _polygons(boundaries: int | None):
    """(slug, rings) of every polygon in a boundary file, the outer ring first."""
    with open(GEO_DIR / FILES[boundaries], encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    for f in features:
        geom = f["geometry"]
        for poly in [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]:
            yield f["properties"]["slug"], [np.asarray(r, dtype=float) for r in poly]


# Côn Đảo (about 8.7° N, 106.6° E) is part of Bà Rịa–Vũng Tàu, and from 1 July 2025 of Hồ Chí Minh City; the source
# gives it to Sóc Trăng (Cần Thơ on the 34). Its polygon is moved to the unit it belongs to.
MOVED = (((106.62, 8.72), {None: ("soc-trang", "ba-ria-vung-tau"), 2025: ("can-tho", "ho-chi-minh")}),)


def _owner(slug: str, ring: np.ndarray, boundaries: int | None) -> str:
    for (lon, lat), move in MOVED:
        wrong, right = move[boundaries]
        (x0, y0), (x1, y1) = ring.min(axis=0), ring.max(axis=0)
        if slug == wrong and x0 <= lon <= x1 and y0 <= lat <= y1:
            return right
    return slug


@lru_cache(maxsize=2)
def outlines(boundaries: int | None = None) -> dict[str, tuple[np.ndarray, ...]]:
    """Each unit's outline as its polygons' outer rings (arrays of lon, lat), in the registry's order.

    Interior rings are left out: the only ones in the files are slivers (under 0.001 square degrees) that
    simplification left between the old borders of a dissolved unit, not enclaves (tests/test_choropleth.py checks)."""
    rings: dict[str, list[np.ndarray]] = {}
    for slug, poly in _polygons(boundaries):
        rings.setdefault(_owner(slug, poly[0], boundaries), []).append(poly[0])
    units = [p.slug for p in registry().units(boundaries)]
    if set(rings) != set(units):  # a packaging fault, not a user's
        raise RuntimeError(f"{FILES[boundaries]}: units {sorted(set(rings) ^ set(units))} do not match the registry")
    return {u: tuple(rings[u]) for u in units}


def _cross(ring: np.ndarray) -> np.ndarray:
    x, y = ring[:, 0], ring[:, 1]
    return x * np.roll(y, -1) - np.roll(x, -1) * y


def area(ring: np.ndarray) -> float:
    """The signed area of a ring (shoelace), in square degrees."""
    return float(_cross(ring).sum() / 2)


def centroid(ring: np.ndarray) -> tuple[float, float]:
    """The centroid (lon, lat) of a ring; its mean point when it has no area."""
    cross, a = _cross(ring), area(ring)
    if abs(a) < 1e-12:
        return float(ring[:, 0].mean()), float(ring[:, 1].mean())
    x, y = ring[:, 0] + np.roll(ring[:, 0], -1), ring[:, 1] + np.roll(ring[:, 1], -1)
    return float((x * cross).sum() / (6 * a)), float((y * cross).sum() / (6 * a))
