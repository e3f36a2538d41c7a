"""Maps of the units' reference points: a tile grid for the terminal and a point map figure, with no borders."""

# The point map needs matplotlib (the optional 'plot' extra), imported inside `map_figure` only; the tile grid, the
# short labels and the terminal tile map need numpy and rich alone.

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
    from matplotlib.figure import Figure
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
    """The (min, max) of the finite values, widened when they are all equal; (0, 1) when there are none."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return 0.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    return (lo - 0.5, hi + 0.5) if lo == hi else (lo, hi)


def classes(values: np.ndarray, lo: float, hi: float, k: int = len(PALETTE)) -> np.ndarray:
    """The palette class (0..k-1) of each value on the scale lo..hi; -1 for a missing value."""
    t = (np.asarray(values, dtype=float) - lo) / (hi - lo)
    out = np.clip(np.floor(t * k), 0, k - 1)
    return np.where(np.isfinite(t), out, -1).astype(int)


# --- terminal tile map -----------------------------------------------------------------------------------------

def tile_map(frame: pd.DataFrame, grid: Mapping[str, tuple[int, int]], *, title: str = "", lang: str = "vi",
             width: int = 80) -> "Text":
    """A Rich text block: each unit of the grid a cell coloured by its value and holding its short label."""
    from rich.text import Text

    names = dict(zip(frame["unit"], frame["name"].astype(str)))
    values = pd.to_numeric(pd.Series(dict(zip(frame["unit"], frame["value"]))), errors="coerce")
    units = sorted(grid)
    name_of = {u: names.get(u, u.replace("-", " ")) for u in units}
    short = short_labels(name_of.values())
    vals = values.reindex(units).to_numpy(dtype=float)
    lo, hi = scale(vals)
    klass = dict(zip(units, classes(vals, lo, hi)))
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
            text.append(short[name_of[u]].center(cell - 1), style=_cell_style(klass[u]))
        text.append("\n")
    text.append_text(_legend(lo, hi, bool(np.isfinite(vals).any()), bool((~np.isfinite(vals)).any()), lang))
    return text


def _cell_style(k: int) -> str:
    if k < 0:
        return f"#dddddd on {NO_DATA}"
    return f"{'#ffffff' if k >= DARK_FROM else '#000000'} on {PALETTE[k]}"


def _legend(lo: float, hi: float, have: bool, missing: bool, lang: str) -> "Text":
    from rich.text import Text

    legend = Text()
    if have:
        legend.append(f"{lo:.4g} ")
        for colour in PALETTE:
            legend.append("  ", style=f"on {colour}")
        legend.append(f" {hi:.4g}")
    if missing:
        legend.append("   " if have else "")
        legend.append("  ", style=f"on {NO_DATA}")
        legend.append(f" {charts.labels(lang)['no_data']}")
    return legend


# --- point map figure ------------------------------------------------------------------------------------------

LABEL_PT = 6.5
MARKER_PT = 7.6  # marker diameter in points (scatter size 58 = 7.6²)
# where a label may sit around its marker: offset in points and alignment, the preferred first
SPOTS = ((5, 0, "left", "center"), (-5, 0, "right", "center"), (0, 5, "center", "bottom"),
         (0, -5, "center", "top"), (4, 4, "left", "bottom"), (4, -4, "left", "top"),
         (-4, 4, "right", "bottom"), (-4, -4, "right", "top"))


def _box(x: float, y: float, w: float, h: float, spot: tuple) -> tuple[float, float, float, float]:
    dx, dy, ha, va = spot
    left = x + dx - (w if ha == "right" else w / 2 if ha == "center" else 0)
    bottom = y + dy - (h if va == "top" else h / 2 if va == "center" else 0)
    return left, bottom, left + w, bottom + h


def _overlap(a: np.ndarray, boxes: np.ndarray) -> float:
    if not len(boxes):
        return 0.0
    w = np.clip(np.minimum(a[2], boxes[:, 2]) - np.maximum(a[0], boxes[:, 0]), 0, None)
    h = np.clip(np.minimum(a[3], boxes[:, 3]) - np.maximum(a[1], boxes[:, 1]), 0, None)
    return float((w * h).sum())


def place_labels(xy: np.ndarray, widths: np.ndarray, height: float, marker: float = MARKER_PT) -> list[int]:
    """For labels of points at xy (in points), the index into SPOTS of a place that overlaps least (greedy)."""
    r = marker / 2
    markers = np.column_stack([xy[:, 0] - r, xy[:, 1] - r, xy[:, 0] + r, xy[:, 1] + r])
    placed: list[tuple] = []
    out = [0] * len(xy)
    # the most crowded points choose first
    gaps = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)) + np.eye(len(xy)) * 1e9
    for i in np.argsort(gaps.min(axis=1) if len(xy) > 1 else np.zeros(len(xy)), kind="stable"):
        boxes = np.array(placed).reshape(-1, 4)
        costs = [_overlap(np.array(_box(*xy[i], widths[i], height, spot)), np.vstack([boxes, markers]))
                 for spot in SPOTS]
        out[i] = int(np.argmin(costs))
        placed.append(_box(*xy[i], widths[i], height, SPOTS[out[i]]))
    return out

def map_figure(frame: pd.DataFrame, *, title: str, legend: str, source: str = "", lang: str = "vi") -> "Figure":
    """Each unit a marker at its reference point, coloured by value, with a colour bar and a short label."""
    lab = charts.labels(lang)
    data = frame.reset_index(drop=True)
    lat = pd.to_numeric(data["lat"], errors="coerce").to_numpy(dtype=float)
    lon = pd.to_numeric(data["lon"], errors="coerce").to_numpy(dtype=float)
    placed = np.isfinite(lat) & np.isfinite(lon)
    values = pd.to_numeric(data["value"], errors="coerce").to_numpy(dtype=float)
    names = [charts.nfc(x) for x in data["name"]]
    short = short_labels(names)
    lat0 = float(lat[placed].mean()) if placed.any() else 0.0
    aspect = 1 / math.cos(math.radians(lat0))
    span_x = float(np.ptp(lon[placed])) / aspect if placed.any() else 1.0
    span_y = float(np.ptp(lat[placed])) if placed.any() else 1.0
    height = 10.0
    width = min(11.0, max(6.0, (height - 1.6) * max(span_x, 0.1) / max(span_y, 0.1) + 2.2))
    missing = [n for n, v, p in zip(names, values, placed) if p and not np.isfinite(v)]
    note = ""
    if missing:
        shown = ", ".join(missing) if len(missing) <= 6 else f"{len(missing)}"
        note = f"○ {lab['no_data']}: {shown}"
    with charts.style():
        from matplotlib import colormaps
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        fig = charts.blank(width, height)
        ax = fig.add_subplot()
        lo, hi = scale(values)
        norm, cmap = Normalize(lo, hi), colormaps[COLORMAP]
        colours = cmap(norm(np.where(np.isfinite(values), values, lo)))
        idx = np.flatnonzero(placed)
        # points per degree of latitude, estimated from the plot area the layout will leave
        per_deg = min((height - 1.5) * 72 / (span_y * 1.12 or 1), (width - 1.9) * 72 / (span_x * 1.12 or 1))
        xy = np.column_stack([lon[idx] / aspect, lat[idx]]) * per_deg
        texts = [short[names[i]] for i in idx]
        spots = place_labels(xy, np.array([len(t) * LABEL_PT * 0.62 for t in texts]), LABEL_PT * 1.1)
        for i, text, spot in zip(idx, texts, spots):
            has = bool(np.isfinite(values[i]))
            dx, dy, ha, va = SPOTS[spot]
            ax.scatter([lon[i]], [lat[i]], s=MARKER_PT ** 2, marker="o", zorder=3, gid=f"pt-{data['unit'].iloc[i]}",
                       c=[colours[i]] if has else "none", edgecolors="#333333" if has else NO_DATA,
                       linewidths=0.5 if has else 1.1)
            ax.annotate(text, (lon[i], lat[i]), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                        fontsize=LABEL_PT, color="#222222" if has else "#777777", zorder=4,
                        path_effects=charts.halo())
        ax.set_aspect(aspect, adjustable="datalim")
        ax.margins(0.06)
        ax.set_axis_off()
        if np.isfinite(values).any():
            bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.45, aspect=25, pad=0.02)
            bar.set_label(charts.nfc(legend))
            bar.outline.set_visible(False)
        charts.decorate(fig, title=title, source=source, note=note)
    return fig
