"""A choropleth of Vietnam: every unit drawn with its borders and shaded by a value, the archipelagos marked.

Needs matplotlib (the optional 'plot' extra), imported inside the functions. Each unit is one shape whose SVG `id` is
its slug and whose `<title>` (hover text) is its name and value, so the SVG can be used as is in a web page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np
import pandas as pd

from dti_cli.model.borders import area, centroid
from dti_cli.render import charts
from dti_cli.render.geo import COLORMAP, NO_DATA, position, scale, short_labels

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

BORDER = "#ffffff"
CONTEXT = "#eeeeee"  # units outside a zoomed region
NO_DATA_FILL = "#e4e4e4"
OUTLINE = charts.HIGHLIGHT  # the highlighted units' outline
SEA_TEXT = "#6b8fb3"
HATCH = "////"
BAR_AT = (110.4, 19.7)  # lon, lat of the colour bar's lower left corner on a map of the whole country
SEA_AT = (111.6, 14.1)  # where the sea's name is written


@dataclass(frozen=True)
class Island:
    """An archipelago: its label, the points of a few islands, and the unit it belongs to."""

    slug: str
    owner: str
    label: str
    at: tuple[float, float]  # lat, lon of the label
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Layers:
    """What the map draws besides the units' values."""

    islands: Sequence[Island] = ()
    sea: str = ""  # the sea's name, written in it
    highlight: Sequence[str] = ()
    focus: Sequence[str] | None = None  # zoom to these units; the others are drawn pale
    by_rank: bool = False  # the value is a rank: 1 is the darkest
    hover: Mapping[str, str] = field(default_factory=dict)  # slug -> hover text


def _path(rings: Sequence[np.ndarray]):
    from matplotlib.path import Path

    return Path.make_compound_path(*(Path(r, closed=True) for r in rings))


def _centre(rings: Sequence[np.ndarray]) -> tuple[float, float]:
    """Where a unit's label goes: the centroid (lon, lat) of its largest polygon."""
    return centroid(max(rings, key=lambda r: abs(area(r))))


def _extent(outlines: Mapping[str, Sequence[np.ndarray]], units: Sequence[str], islands: Sequence[Island]):
    pts = [r for u in units for r in outlines[u]] + [np.array([(lon, lat) for lat, lon in (*i.points, i.at)])
                                                     for i in islands]
    allp = np.vstack(pts)
    return allp[:, 0].min(), allp[:, 0].max(), allp[:, 1].min(), allp[:, 1].max()


def choropleth(frame: pd.DataFrame, outlines: Mapping[str, Sequence[np.ndarray]], *, title: str, subtitle: str = "",
               legend: str, source: str = "", note: str = "", layers: Layers = Layers(), height: float | None = None,
               lang: str = "vi") -> "Figure":
    """A map of the units of `outlines`, shaded by `frame`'s value (columns unit, name, value); `height` in inches
    (the width follows the map)."""
    lab = charts.labels(lang)
    values = pd.to_numeric(pd.Series(dict(zip(frame["unit"], frame["value"]))), errors="coerce")
    names = dict(zip(frame["unit"], (charts.nfc(x) for x in frame["name"])))
    focus = list(layers.focus) if layers.focus is not None else list(outlines)
    inside = set(focus)
    islands = [i for i in layers.islands if i.owner in inside]
    vals = values.reindex(focus).to_numpy(dtype=float)
    x0, x1, y0, y1 = _extent(outlines, focus, islands)
    aspect = 1 / math.cos(math.radians((y0 + y1) / 2))
    span_x, span_y = (x1 - x0) / aspect, y1 - y0
    zoomed = layers.focus is not None
    height = height or (10.5 if not zoomed else 8.0)
    # the plot's height is the figure's less the header and the footer (about 1.5 inches); its width follows the map
    width = min(11.0, max(6.5, (height - 1.5) * span_x / max(span_y, 0.1) + 0.3))
    with charts.style():
        from matplotlib import colormaps
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize
        from matplotlib.patches import PathPatch

        lo, hi = scale(vals)
        cmap = colormaps[COLORMAP + ("_r" if layers.by_rank else "")]
        norm = Normalize(lo, hi)
        fig = charts.blank(width, height)
        ax = fig.add_subplot()
        for u, rings in outlines.items():
            v = values.get(u, np.nan)
            if u not in inside:
                style = {"facecolor": CONTEXT, "edgecolor": BORDER, "linewidth": 0.4}
            elif np.isfinite(v):
                style = {"facecolor": cmap(position(v, lo, hi)), "edgecolor": BORDER, "linewidth": 0.4}
            else:  # the hatch takes the edge colour
                style = {"facecolor": NO_DATA_FILL, "edgecolor": NO_DATA, "linewidth": 0.3, "hatch": HATCH}
            ax.add_patch(PathPatch(_path(rings), gid=u, zorder=2, **style))
        for u in layers.highlight:
            if u in outlines:
                ax.add_patch(PathPatch(_path(outlines[u]), facecolor="none", edgecolor=OUTLINE, linewidth=1.3,
                                       zorder=4, gid=f"highlight-{u}"))
        _islands(ax, islands, values, lambda v: cmap(position(v, lo, hi)))
        _labels(ax, outlines, names, values, layers, focus if zoomed else [])
        if layers.sea and not zoomed and x0 <= SEA_AT[0] <= x1 and y0 <= SEA_AT[1] <= y1:
            ax.text(*SEA_AT, layers.sea, fontsize=9, color=SEA_TEXT, style="italic", ha="center", va="center",
                    zorder=1)
        pad = 0.03 * max(x1 - x0, y1 - y0)
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
        ax.set_aspect(aspect)
        ax.set_axis_off()
        missing = [names.get(u, u) for u, v in zip(focus, vals) if not np.isfinite(v)]
        # the legend in the Gulf of Tonkin when the map shows it, else below the map
        inset = not zoomed and x1 + pad >= BAR_AT[0] + 4 and y0 <= BAR_AT[1] and y1 >= BAR_AT[1] + 1
        if np.isfinite(vals).any():
            _colour_bar(fig, ax, ScalarMappable(norm=norm, cmap=cmap), legend, inset, layers.by_rank, lo, hi)
        if missing:
            _no_data(ax, len(missing), lab["no_data"], inset)
            shown = ", ".join(missing) if len(missing) <= 8 else ""
            note = " · ".join(x for x in (note, f"{lab['no_data']}: {shown}" if shown else "") if x)
        charts.decorate(fig, title=title, subtitle=subtitle, source=source, note=note)
    setattr(fig, charts.HOVER, dict(layers.hover))
    return fig


def _colour_bar(fig, ax, mappable, legend: str, inset: bool, by_rank: bool, lo: float, hi: float) -> None:
    where = {"ax": ax, "location": "bottom", "shrink": 0.5, "aspect": 30, "pad": 0.02}
    if inset:
        where = {"cax": ax.inset_axes([*BAR_AT, 4.0, 0.28], transform=ax.transData), "orientation": "horizontal"}
    bar = fig.colorbar(mappable, **where)
    bar.set_label(charts.nfc(legend), fontsize=7.5)
    bar.outline.set_visible(False)
    bar.ax.tick_params(labelsize=7)
    if by_rank:  # rank 1 at the dark end, on the right
        bar.ax.invert_xaxis()
        first, last = int(lo + 0.5), int(hi + 0.5)
        step = 10 if last - first > 20 else 5 if last - first > 8 else 1
        bar.set_ticks([first, *(t for t in range(step, last - step // 2, step) if t > first), last])


def _no_data(ax, n: int, label: str, inset: bool) -> None:
    """The hatched swatch of the units without a value, and how many they are."""
    from matplotlib.patches import Patch

    where = {"loc": "upper right", "bbox_to_anchor": (1.0, 1.0)}
    if inset:  # under the colour bar
        where = {"loc": "upper left", "bbox_to_anchor": (BAR_AT[0] - 0.3, BAR_AT[1] - 0.9),
                 "bbox_transform": ax.transData}
    ax.legend(handles=[Patch(facecolor=NO_DATA_FILL, edgecolor=NO_DATA, hatch=HATCH, linewidth=0.3,
                             label=f"{label} ({n})")], fontsize=7, **where)


def _islands(ax, islands: Sequence[Island], values: pd.Series, colour_of) -> None:
    """Each archipelago as dots in its owner's colour, labelled with its name and its province."""
    for i in islands:
        v = values.get(i.owner, np.nan)
        colour = colour_of(v) if np.isfinite(v) else NO_DATA_FILL
        lat, lon = np.array(i.points).T
        ax.scatter(lon, lat, s=9, c=[colour], edgecolors="#333333", linewidths=0.4, zorder=3, gid=i.slug)
        ax.text(i.at[1], i.at[0], charts.nfc(i.label), fontsize=6.5, ha="center", va="center", color="#222222",
                style="italic", zorder=4, path_effects=charts.halo())


def _labels(ax, outlines, names: Mapping[str, str], values: pd.Series, layers: Layers, every: Sequence[str]) -> None:
    """A short label on each unit of a zoomed region; the highlighted units' name and value beside them."""
    short = short_labels([names.get(u, u) for u in every]) if every else {}
    for u in every:
        if u in layers.highlight:
            continue
        x, y = _centre(outlines[u])
        ax.text(x, y, short[names.get(u, u)], fontsize=6.5, ha="center", va="center", color="#222222", zorder=5,
                path_effects=charts.halo())
    for u in layers.highlight:
        if u not in outlines:
            continue
        x, y = _centre(outlines[u])
        ax.annotate(layers.hover.get(u, names.get(u, u)), (x, y), xytext=(10, 6), textcoords="offset points",
                    fontsize=7.5, weight="bold", color="#222222", zorder=6, path_effects=charts.halo(),
                    arrowprops={"arrowstyle": "-", "color": OUTLINE, "linewidth": 0.6})
