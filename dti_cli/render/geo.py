"""The terminal's map: a tile grid of the units' reference points, short labels and the colour scale (numpy and
rich only; the map with borders is render/choropleth.py)."""

from __future__ import annotations

import math
from collections import Counter
from itertools import product
from typing import TYPE_CHECKING, Iterable, Mapping

import numpy as np
import pandas as pd

from dti_cli.errors import UsageError
from dti_cli.model.provinces import fold
from dti_cli.render import charts

if TYPE_CHECKING:  # pragma: no cover
    from rich.text import Text

CELLS_PER_UNIT = 3.0  # cells in the points' bounding box per unit: 63 provinces give about 23 rows by 10 columns
MARGIN = 2  # free cells around the bounding box, for crowded units at its edge to move into
COLORMAP = "YlGnBu"
# ColorBrewer YlGnBu, 9 classes: the terminal twin of COLORMAP (no matplotlib needed)
PALETTE = ("#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494", "#081d58")
DARK_FROM = 5  # palette classes from here on take white text
NO_DATA = "#9a9a9a"
MAX_LABEL = 4


# --- tile grid -------------------------------------------------------------------------------------------------

def assign(cost: np.ndarray) -> np.ndarray:
    """The column of each row in a minimum-cost assignment of n rows to m ≥ n columns (Hungarian method)."""
    n, m = cost.shape
    if n > m:
        raise ValueError(f"cannot assign {n} rows to {m} columns")
    # Kuhn–Munkres with potentials (the O(n²m) shortest-augmenting-path form); index 0 is a sentinel
    u, v = np.zeros(n + 1), np.zeros(m + 1)
    owner = np.zeros(m + 1, dtype=int)  # owner[j]: the row (1-based) holding column j, 0 if free
    way = np.zeros(m + 1, dtype=int)
    for i in range(1, n + 1):
        owner[0], j0 = i, 0
        minv = np.full(m + 1, np.inf)
        used = np.zeros(m + 1, dtype=bool)
        while True:
            used[j0] = True
            i0 = owner[j0]
            free = ~used[1:]
            reduced = cost[i0 - 1] - u[i0] - v[1:]
            better = free & (reduced < minv[1:])
            minv[1:][better] = reduced[better]
            way[1:][better] = j0
            masked = np.where(free, minv[1:], np.inf)
            j1 = int(np.argmin(masked)) + 1
            delta = masked[j1 - 1]
            u[owner[used]] += delta
            v[used] -= delta
            minv[~used] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    cols = np.flatnonzero(owner[1:])
    out = np.empty(n, dtype=int)
    out[owner[1:][cols] - 1] = cols
    return out


def _cell_size(x: np.ndarray, y: np.ndarray) -> float:
    w, h, n = float(np.ptp(x)), float(np.ptp(y)), len(x)
    size = math.sqrt(w * h / (CELLS_PER_UNIT * n))
    # points on (or near) a line: fall back on the longer side, about two cells per unit along it
    size = max(size, max(w, h) / (2 * n))
    return size if size > 0 else 1.0


def tile_grid(points: Mapping[str, tuple[float, float]]) -> dict[str, tuple[int, int]]:
    """A distinct (row, col) cell for each unit's (lat, lon) point, north in row 0, keeping the map's shape."""
    units = sorted(points)
    if not units:
        return {}
    lat = np.array([float(points[u][0]) for u in units])
    lon = np.array([float(points[u][1]) for u in units])
    bad = ~(np.isfinite(lat) & np.isfinite(lon))
    if bad.any():
        raise UsageError("map.no_point", unit=units[int(np.argmax(bad))])
    # equirectangular: a degree of longitude is cos(latitude) of a degree of latitude; y grows southwards
    x = lon * math.cos(math.radians(float(lat.mean())))
    y = -lat
    size = _cell_size(x, y)
    fx, fy = (x - x.min()) / size, (y - y.min()) / size
    rows = np.arange(-MARGIN, int(math.ceil(fy.max())) + MARGIN + 1)
    cols = np.arange(-MARGIN, int(math.ceil(fx.max())) + MARGIN + 1)
    cell_r, cell_c = (a.ravel() for a in np.meshgrid(rows, cols, indexing="ij"))
    # squared distances: the optimal assignment then also keeps the points' order along each axis where it can
    cost = (fy[:, None] - cell_r[None, :]) ** 2 + (fx[:, None] - cell_c[None, :]) ** 2
    pick = assign(cost)
    r, c = cell_r[pick], cell_c[pick]
    r, c = r - r.min(), c - c.min()
    return {u: (int(a), int(b)) for u, a, b in zip(units, r, c)}


# --- short labels ----------------------------------------------------------------------------------------------

_TITLES = (("thanh", "pho"), ("thu", "do"), ("tp",), ("tinh",))


def _words(name: str) -> list[str]:
    words = [w for w in fold(name).split("-") if w]
    for title in _TITLES:
        if tuple(words[:len(title)]) == title and len(words) > len(title):
            words = words[len(title):]
            break
    return words[:MAX_LABEL]


def _candidates(name: str) -> list[str]:
    """Abbreviations of a name, best first: word prefixes of at most four letters in all, initials first."""
    words = _words(name)
    if not words:
        return ["X"]
    if len(words) == 1:
        w = words[0]
        return list(dict.fromkeys(w[:k].capitalize() for k in (3, 4, 2, 1) if k <= max(len(w), 1)))
    spans = [range(1, min(len(w), MAX_LABEL) + 1) for w in words]
    shapes = [s for s in product(*spans) if sum(s) <= MAX_LABEL]
    # shorter first; then the longer prefix of a later word ("Quảng Ninh": QN, QNi, QuN, QNin, ...)
    shapes.sort(key=lambda s: (sum(s), [-k for k in reversed(s)]))
    return ["".join(w[:k].capitalize() for w, k in zip(words, s)) for s in shapes]


def short_label(name: str) -> str:
    """A short label of at most four letters without diacritics ("Quảng Ninh" -> "QN", "Huế" -> "Hue")."""
    return _candidates(name)[0]


def short_labels(names: Iterable[str]) -> dict[str, str]:
    """Distinct short labels for a set of names; a shared abbreviation is lengthened ("QNi", "QNa", "QNg")."""
    uniq = sorted(set(names), key=lambda n: (fold(n), n))
    cands = {n: _candidates(n) for n in uniq}
    firsts = Counter(c[0] for c in cands.values())
    claims = Counter(c for n in uniq for c in set(cands[n]))
    out = {n: cands[n][0] for n in uniq if firsts[cands[n][0]] == 1}
    clashing = [n for n in uniq if n not in out]
    # a clash is settled, where it can be, by an abbreviation that no other name could claim
    for n in clashing:
        own = next((c for c in cands[n] if claims[c] == 1), None)
        if own is not None:
            out[n] = own
    for n in clashing:
        if n in out:
            continue
        used = set(out.values())
        others = {c[0] for m, c in cands.items() if m != n}
        out[n] = next((c for c in cands[n] if c not in used and c not in others), None) or _numbered(
            cands[n][0], used | others)
    return out


def _numbered(base: str, taken: set[str]) -> str:
    k = 1
    while True:
        label = base[:MAX_LABEL - len(str(k))] + str(k)
        if label not in taken:
            return label
        k += 1


# --- colours ---------------------------------------------------------------------------------------------------

def scale(values: np.ndarray) -> tuple[float, float]:
    """The (min, max) of the finite values; when they are all equal, 5% either side of the value; (0, 1) when there
    are none."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    if lo == hi:
        d = max(abs(lo) * 0.05, 1e-9)
        return lo - d, hi + d
    return lo, hi


def position(values, lo: float, hi: float) -> np.ndarray:
    """Where each value lies on the scale lo..hi, from 0 to 1 (NaN for a missing value), without overflow for
    values near the float range's ends."""
    v = np.asarray(values, dtype=float)
    half = hi / 2 - lo / 2
    with np.errstate(invalid="ignore", over="ignore"):
        return np.clip((v / 2 - lo / 2) / half, 0.0, 1.0) if half > 0 else np.where(np.isfinite(v), 0.5, np.nan)


def classes(values: np.ndarray, lo: float, hi: float, k: int = len(PALETTE)) -> np.ndarray:
    """The palette class (0..k-1) of each value on the scale lo..hi; -1 for a missing value."""
    t = position(values, lo, hi)
    out = np.clip(np.floor(np.nan_to_num(t) * k), 0, k - 1)
    return np.where(np.isfinite(t), out, -1).astype(int)


# --- terminal tile map -----------------------------------------------------------------------------------------

def tile_map(frame: pd.DataFrame, grid: Mapping[str, tuple[int, int]], *, title: str = "", lang: str = "vi",
             width: int = 80, highlight: Iterable[str] = (), by_rank: bool = False) -> "Text":
    """A Rich text block: each unit of the grid a cell coloured by its value and holding its short label (the
    highlighted units' underlined); with `by_rank` the value is a rank and rank 1 is the darkest."""
    from rich.text import Text

    names = dict(zip(frame["unit"], frame["name"].astype(str)))
    values = pd.to_numeric(pd.Series(dict(zip(frame["unit"], frame["value"]))), errors="coerce")
    units = sorted(grid)
    name_of = {u: names.get(u, u.replace("-", " ")) for u in units}
    short = short_labels(name_of.values())
    vals = values.reindex(units).to_numpy(dtype=float)
    lo, hi = scale(vals)
    k = classes(vals, lo, hi)
    klass = dict(zip(units, np.where(k >= 0, len(PALETTE) - 1 - k, -1) if by_rank else k))
    marked = set(highlight)
    n_rows = max((r for r, _ in grid.values()), default=-1) + 1
    n_cols = max((c for _, c in grid.values()), default=-1) + 1
    longest = max((len(x) for x in short.values()), default=1)
    cell = max(longest + 1, min(7, width // max(n_cols, 1)))  # a blank column, then the coloured block
    at = {grid[u]: u for u in units}
    text = Text(no_wrap=True, overflow="crop")
    if title:
        text.append(title, style="bold")
        text.append("\n")
    for r in range(n_rows):
        last = max((c for (rr, c) in at if rr == r), default=-1)
        for c in range(last + 1):
            u = at.get((r, c))
            if u is None:
                text.append(" " * cell)
                continue
            text.append(" ")
            style = _cell_style(klass[u]) + (" bold underline" if u in marked else "")
            text.append(short[name_of[u]].center(cell - 1), style=style)
        text.append("\n")
    ends = (f"{hi:.0f}", f"{lo:.0f}") if by_rank else (f"{lo:.4g}", f"{hi:.4g}")
    text.append_text(_legend(ends, bool(np.isfinite(vals).any()), bool((~np.isfinite(vals)).any()), lang))
    return text


def _cell_style(k: int) -> str:
    if k < 0:
        return f"#dddddd on {NO_DATA}"
    return f"{'#ffffff' if k >= DARK_FROM else '#000000'} on {PALETTE[k]}"


def _legend(ends: tuple[str, str], have: bool, missing: bool, lang: str) -> "Text":
    from rich.text import Text

    legend = Text()
    if have:
        legend.append(f"{ends[0]} ")
        for colour in PALETTE:
            legend.append("  ", style=f"on {colour}")
        legend.append(f" {ends[1]}")
    if missing:
        legend.append("   " if have else "")
        legend.append("  ", style=f"on {NO_DATA}")
        legend.append(f" {charts.labels(lang)['no_data']}")
    return legend
