"""Frames to charts: matplotlib figures of rankings, histories and comparisons, saved as SVG or PNG."""

# matplotlib is the optional 'plot' extra: imported inside functions, never when this module is imported. Figures
# are `matplotlib.figure.Figure` objects (no pyplot, no GUI backend, no global registry) drawn by the Agg canvas.

from __future__ import annotations

import html
import io
import math
import re
import textwrap
import unicodedata
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Mapping

import numpy as np
import pandas as pd

from dti_cli.errors import UsageError
from dti_cli.i18n import text
from dti_cli.io.files import atomic_path

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure


HIGHLIGHT = "#d95f02"  # highlighted units (orange)
BASE = "#8fb3d3"  # every other bar (light blue)
NATIONAL = "#333333"  # the national average
REGION = "#7570b3"  # the region average (purple)
MUTED = "#666666"  # secondary text
SERIES = ("#1f77b4", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#e6ab02")
INDEX_COLOUR = "#1f3b57"  # one unit's index line; its pillars take PILLAR_COLOURS in order
PILLAR_COLOURS = ("#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#a6761d")
LABEL_KEYS = ("score", "national", "region", "rank", "year", "province", "gaps", "no_data")
DPI = 150
FORMATS = ("svg", "png")

# DejaVu Sans ships with matplotlib and covers Vietnamese; text becomes paths so an SVG needs no font
STYLE = {
    "text.parse_math": False,  # a name or title with "$" in it is text, not TeX
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 8.5,
    "axes.titlesize": 9,
    "axes.labelsize": 8.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#888888",
    "xtick.color": "#444444",
    "ytick.color": "#222222",
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "svg.fonttype": "path",
    "svg.hashsalt": "dti",
    "hatch.linewidth": 0.5,  # a map's units without data
    "savefig.facecolor": "white",
}

PLATE = {"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.9}  # behind labels
_PAD = 0.12  # inches around the header and the footer
_TITLE_PT, _SUBTITLE_PT, _SOURCE_PT = 12.0, 8.5, 7.0


def labels(lang: str = "vi") -> dict[str, str]:
    """The chart labels in a language ("vi" or "en"), from the catalogue."""
    return {k: text(f"chart.{k}", lang) for k in LABEL_KEYS}


def require_matplotlib() -> None:
    """Raise a UsageError naming the install command when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError("chart.install") from None


@contextmanager
def style() -> Iterator[None]:
    """The house chart style, in force while a figure is built or saved."""
    require_matplotlib()
    import matplotlib

    with matplotlib.rc_context(STYLE):
        yield


def nfc(text) -> str:
    """Text in composed Unicode form (matplotlib draws a combining accent as a separate glyph)."""
    return unicodedata.normalize("NFC", str(text))


def blank(width: float, height: float) -> "Figure":
    """An empty figure of this size in inches, laid out by constrained layout, drawn by the Agg canvas."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _wrap(text: str, width_in: float, size_pt: float) -> str:
    chars = max(20, int(width_in * 72 / (size_pt * 0.62)))
    return "\n".join(textwrap.fill(line, chars) for line in nfc(text).splitlines()) if text else ""


def _lines_in(text: str, size_pt: float) -> float:
    return (text.count("\n") + 1) * size_pt * 1.3 / 72 if text else 0.0


def decorate(fig: "Figure", *, title: str, subtitle: str = "", source: str = "", note: str = "") -> None:
    """Put the title and subtitle above the plot and the source below it, and keep the plot clear of them."""
    w, h = fig.get_size_inches()
    usable = w - 2 * _PAD
    title, subtitle = _wrap(title, usable, _TITLE_PT), _wrap(subtitle, usable, _SUBTITLE_PT)
    foot = _wrap(" · ".join(x for x in (source, note) if x), usable, _SOURCE_PT)
    top = _PAD
    if title:
        fig.text(_PAD / w, 1 - top / h, title, ha="left", va="top", fontsize=_TITLE_PT, weight="bold")
        top += _lines_in(title, _TITLE_PT)
    if subtitle:
        top += 0.04
        fig.text(_PAD / w, 1 - top / h, subtitle, ha="left", va="top", fontsize=_SUBTITLE_PT, color=MUTED)
        top += _lines_in(subtitle, _SUBTITLE_PT)
    bottom = _PAD
    if foot:
        fig.text(_PAD / w, _PAD / h, foot, ha="left", va="bottom", fontsize=_SOURCE_PT, color=MUTED)
        bottom += _lines_in(foot, _SOURCE_PT) + 0.05
    top += 0.08
    fig.get_layout_engine().set(rect=(0, bottom / h, 1, 1 - (top + bottom) / h))


def halo():
    """A white outline that keeps a label readable over lines and bars."""
    from matplotlib import patheffects

    return [patheffects.withStroke(linewidth=2.2, foreground="white")]


def rank_chart(frame: pd.DataFrame, *, title: str, subtitle: str = "", source: str = "",
               national: float | None = None, highlight: Iterable[str] = (), value_label: str = "DTI",
               lang: str = "vi") -> "Figure":
    """Units as horizontal bars sorted best first, with the national average and highlighted units."""
    lab = labels(lang)
    data = frame.assign(score=pd.to_numeric(frame["score"], errors="coerce"))
    data = data[np.isfinite(data["score"].to_numpy(dtype=float))]
    if "rank" not in data.columns or data["rank"].isna().any():
        data = data.assign(rank=data["score"].rank(method="min", ascending=False))
    data = data.sort_values(["score", "name"], ascending=[False, True], kind="stable").reset_index(drop=True)
    n = len(data)
    marked = set(highlight)
    is_hl = data["unit"].isin(marked).to_numpy()
    has_nat = national is not None and math.isfinite(national)
    with style():
        fig = blank(8.0, 1.55 + 0.2 * max(n, 3) + (0.25 if has_nat else 0))
        ax = fig.add_subplot()
        y = np.arange(n)
        scores = data["score"].to_numpy(dtype=float)
        bars = ax.barh(y, scores, height=0.72, color=np.where(is_hl, HIGHLIGHT, BASE), zorder=2)
        for patch, unit in zip(bars.patches, data["unit"]):
            patch.set_gid(f"bar-{unit}")
        ax.set_yticks(y, [nfc(x) for x in data["name"]])
        for tick, hl in zip(ax.get_yticklabels(), is_hl):
            if hl:
                tick.set_color(HIGHLIGHT)
                tick.set_fontweight("bold")
        lo, hi = min(0.0, float(scores.min(initial=0))), max(0.0, float(scores.max(initial=0)))
        if has_nat:
            lo, hi = min(lo, national), max(hi, national)
        span = (hi - lo) or 1.0
        ax.set_xlim(lo - (0.1 * span if lo < 0 else 0), hi + 0.1 * span)
        for yi, v, r, hl in zip(y, scores, data["rank"], is_hl):
            ax.text(v + (0.006 if v >= 0 else -0.006) * span, yi, f"{v:.4f}", va="center",
                    ha="left" if v >= 0 else "right", fontsize=6.5, color=HIGHLIGHT if hl else "#333333",
                    zorder=4, bbox=PLATE, in_layout=False)
            ax.text(0.006 * span, yi, f"{int(r)}", va="center", ha="left", fontsize=6, color="#1f3b57",
                    zorder=4, in_layout=False)
        bottom = n - 0.4
        if has_nat:
            ax.axvline(national, color=NATIONAL, lw=1, ls=(0, (4, 2)), zorder=3, gid="national")
            where = (national - ax.get_xlim()[0]) / np.ptp(ax.get_xlim())  # keep the label inside the plot
            ax.text(national, n + 0.1, f"{lab['national']} {national:.4f}", va="center",
                    ha="left" if where < 0.2 else "right" if where > 0.8 else "center",
                    fontsize=7, color=NATIONAL, zorder=4, bbox=PLATE)
            bottom = n + 0.6
        ax.set_ylim(bottom, -0.6)
        ax.tick_params(axis="y", length=0, pad=3)
        ax.spines["left"].set_visible(False)
        ax.grid(axis="x", color="#e5e5e5", lw=0.6, zorder=0)
        ax.xaxis.set_ticks_position("both")
        ax.tick_params(axis="x", labeltop=n > 20)
        ax.set_xlabel(f"{lab['score']} {value_label}" if lang != "en" else f"{value_label} {lab['score'].lower()}")
        decorate(fig, title=title, subtitle=subtitle, source=source)
    return fig


def _by_year(frame: pd.DataFrame, years: np.ndarray, pillars) -> pd.DataFrame:
    """A history on every year of a range: a year absent from the frame becomes a row of NaN."""
    data = frame.assign(year=pd.to_numeric(frame["year"]).astype(int)).drop_duplicates("year", keep="last")
    cols = [c for c in ("score", "rank", *pillars) if c in data.columns]
    out = data.set_index("year")[cols].reindex(years)
    return out.apply(pd.to_numeric, errors="coerce").astype(float)


def _has_gap(have: np.ndarray) -> bool:
    """Whether a run of years with figures is interrupted by a year without."""
    idx = np.flatnonzero(have)
    return bool(len(idx) and (np.diff(idx) > 1).any())


INDEX_STYLE = ("-", "o", 2.0, 5.0)  # line style, marker, line width, marker size
PILLAR_STYLES = (((0, (5, 2)), "s", 1.2, 3.5), ((0, (1.5, 1.5)), "^", 1.2, 4.0),
                 ((0, (5, 1.5, 1.5, 1.5)), "D", 1.2, 3.2), ((0, (3, 1, 1, 1, 1, 1)), "v", 1.2, 3.5))


def history_chart(series: Mapping[str, pd.DataFrame], *, title: str, source: str = "", value_label: str = "DTI",
                  pillars: Mapping[str, str] | None = None, lang: str = "vi") -> "Figure":
    """Index and pillars over the years, one colour per unit, gaps where a year has no figure, ranks marked.

    `pillars` maps the pillar columns of the frames to the names shown (the method's pillars)."""
    lab = labels(lang)
    pillars = dict(pillars or {})
    names = {"score": value_label, **pillars}
    order = ["score", *pillars]
    styles = {"score": INDEX_STYLE, **{p: PILLAR_STYLES[i % len(PILLAR_STYLES)] for i, p in enumerate(pillars)}}
    colours = {"score": INDEX_COLOUR, **{p: PILLAR_COLOURS[i % len(PILLAR_COLOURS)] for i, p in enumerate(pillars)}}
    known = [pd.to_numeric(f["year"]).astype(int) for f in series.values() if len(f)]
    years = np.arange(min(int(y.min()) for y in known), max(int(y.max()) for y in known) + 1) if known else (
        np.array([], dtype=int))
    single = len(series) == 1
    with style():
        from matplotlib.lines import Line2D

        fig = blank(8.0, 5.0)
        ax = fig.add_subplot()
        shown: list[str] = []
        any_score = np.zeros(len(years), dtype=bool)
        gaps = False
        for i, (name, frame) in enumerate(series.items()):
            data = _by_year(frame, years, pillars)
            for key in order:
                if key not in data.columns or not data[key].notna().any():
                    continue
                ls, marker, lw, ms = styles[key]
                # NaN rows (missing or absent years) break the line: no segment joins the years around a gap
                ax.plot(years, data[key].to_numpy(), ls=ls, marker=marker, lw=lw, ms=ms,
                        color=colours[key] if single else SERIES[i % len(SERIES)],
                        alpha=1.0 if key == "score" else 0.85, zorder=3 if key == "score" else 2,
                        gid=f"line-{i}-{key}", label=f"{nfc(name)}: {names[key]}")
                shown += [key] if key not in shown else []
            score = data["score"].to_numpy() if "score" in data.columns else np.full(len(years), np.nan)
            any_score |= np.isfinite(score)
            gaps |= _has_gap(np.isfinite(score))
            if "rank" in data.columns:
                colour = INDEX_COLOUR if single else SERIES[i % len(SERIES)]
                for yr, v, r in zip(years, score, data["rank"].to_numpy()):
                    if np.isfinite(v) and np.isfinite(r):
                        ax.annotate(f"#{int(r)}", (yr, v), xytext=(0, 7 if i % 2 == 0 else -13),
                                    textcoords="offset points", ha="center", fontsize=7, color=colour,
                                    weight="bold", zorder=5, path_effects=halo())
        ax.set_xticks(years, [str(y) for y in years])
        for tick, have in zip(ax.get_xticklabels(), any_score):
            if not have:
                tick.set_color("#b0b0b0")
        if len(years):
            ax.set_xlim(years[0] - 0.4, years[-1] + 0.4)
        ax.margins(y=0.15)
        ax.grid(axis="y", color="#e5e5e5", lw=0.6, zorder=0)
        ax.set_xlabel(lab["year"])
        ax.set_ylabel(lab["score"])

        def handle(key: str, colour: str, label: str):
            ls, marker, lw, ms = styles[key]
            return Line2D([], [], color=colour, ls=ls, marker=marker, lw=lw, ms=ms, label=label)

        if single:
            handles, ncols = [handle(k, colours[k], names[k]) for k in shown], max(len(shown), 1)
        else:
            # two rows, units above measures; a legend fills column by column, so interleave with blanks
            top = [handle("score", SERIES[i % len(SERIES)], nfc(n)) for i, n in enumerate(series)]
            bottom = [handle(k, "#555555", names[k]) for k in shown] if len(shown) > 1 else []
            ncols = max(len(top), len(bottom), 1)
            spacer = Line2D([], [], alpha=0, label=" ")
            top += [spacer] * (ncols - len(top))
            bottom += [spacer] * (ncols - len(bottom)) if bottom else []
            handles = [h for pair in zip(top, bottom) for h in pair] if bottom else top
        if handles:
            ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncols=ncols,
                      handlelength=2.6)
        decorate(fig, title=title, source=source, note=lab["gaps"] if gaps else "")
    return fig


def compare_chart(frame: pd.DataFrame, *, title: str, source: str = "", label: str | None = None,
                  mean_label: str | None = None, lang: str = "vi") -> "Figure":
    """Indicators as grouped horizontal bars: the unit, the national average and (if given) the region average."""
    lab = labels(lang)
    data = frame.reset_index(drop=True)
    groups = [("value", label or lab["province"], HIGHLIGHT), ("national", mean_label or lab["national"], "#9a9a9a")]
    if "region_mean" in data.columns and data["region_mean"].notna().any():
        groups.append(("region_mean", lab["region"], REGION))
    n, k = len(data), len(groups)
    with style():
        fig = blank(8.0, 1.9 + max(n, 1) * (0.17 * k + 0.2))
        ax = fig.add_subplot()
        height = 0.8 / k
        y = np.arange(n)
        values = [pd.to_numeric(data[col], errors="coerce").to_numpy(dtype=float) for col, _, _ in groups]
        for j, ((col, name, colour), v) in enumerate(zip(groups, values)):
            ok = np.isfinite(v)
            pos = y + (j - (k - 1) / 2) * height
            bars = ax.barh(pos[ok], v[ok], height=height * 0.92, color=colour, label=name, zorder=2)
            for patch, i in zip(bars.patches, np.nonzero(ok)[0]):
                patch.set_gid(f"{col}-{i}")
            if col == "value":
                for p, x in zip(pos[ok], v[ok]):
                    ax.text(x, p, f" {x:.4f}", va="center", ha="left" if x >= 0 else "right", fontsize=6.5,
                            color="#333333", zorder=4)
        every = np.concatenate([v[np.isfinite(v)] for v in values] + [np.zeros(1)])
        lo, hi = float(every.min()), float(every.max())
        span = (hi - lo) or 1.0
        ax.set_xlim(lo - (0.08 * span if lo < 0 else 0), hi + 0.12 * span)
        ax.set_yticks(y, [textwrap.fill(nfc(x), 28) for x in data["indicator_name"]])
        ax.set_ylim(max(n, 1) - 0.5, -0.5)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.grid(axis="x", color="#e5e5e5", lw=0.6, zorder=0)
        ax.set_xlabel(lab["score"])
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.09 if n > 4 else -0.2), ncols=k)
        decorate(fig, title=title, source=source)
    return fig


def _format(path: Path) -> str:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise UsageError("chart.suffix", path=str(path), suffix=path.suffix or "-")
    return fmt


def _metadata(fmt: str) -> dict:
    # no creation date: the same chart gives the same bytes
    return {"Date": None} if fmt == "svg" else {}


def save(fig: "Figure", path: str | Path, fmt: str | None = None) -> Path:
    """Write a figure as svg or png (`fmt`, else the file's suffix), atomically; returns the path."""
    path = Path(path)
    fmt = fmt or _format(path)
    with style(), atomic_path(path) as tmp:
        if fmt == "svg" and getattr(fig, HOVER, None):
            Path(tmp).write_text(_svg(fig), encoding="utf-8")
        else:
            fig.savefig(tmp, format=fmt, dpi=DPI, metadata=_metadata(fmt))
    return path


def svg_text(fig: "Figure") -> str:
    """A figure as a self-contained SVG element (text drawn as paths, no XML prolog) for inlining in HTML."""
    text = _svg(fig)
    return text[text.index("<svg"):]


HOVER = "dti_hover"  # a figure's {gid: hover text}, written as each group's SVG <title>
_GROUP = re.compile(r'<g id="([^"]+)">')


def _svg(fig: "Figure") -> str:
    buf = io.StringIO()
    with style():
        fig.savefig(buf, format="svg", metadata=_metadata("svg"))
    hover = getattr(fig, HOVER, None) or {}

    def put(m: re.Match) -> str:
        title = hover.get(html.unescape(m.group(1)))
        return m.group(0) if title is None else f"{m.group(0)}<title>{html.escape(title, quote=False)}</title>"

    return _GROUP.sub(put, buf.getvalue()) if hover else buf.getvalue()
