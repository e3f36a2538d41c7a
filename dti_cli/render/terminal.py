"""What a person sees on a terminal: Rich tables laid out at the terminal's width (60 columns up) and lines of text, never printed
here (the command line prints them)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from dti_cli.i18n import render
from dti_cli.model.result import Column, Table, Text
from dti_cli.render import cells

SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values, lo: float | None = None, hi: float | None = None) -> str:
    """One block character per value on the scale lo..hi (missing values as a space)."""
    vals = [v for v in values if not cells.missing(v)]
    if not vals:
        return ""
    lo = min(vals) if lo is None else lo
    hi = max(vals) if hi is None else hi
    span = hi - lo
    out = []
    for v in values:
        if cells.missing(v):
            out.append(" ")
        else:
            k = 0 if span <= 0 else int(round((v - lo) / span * (len(SPARKS) - 1)))
            out.append(SPARKS[max(0, min(len(SPARKS) - 1, k))])
    return "".join(out)


def bar(value, top: float, width: int = 10) -> str:
    """A horizontal bar of `width` cells for value/top, in eighths of a cell."""
    if cells.missing(value) or not top or top <= 0:
        return ""
    eighths = int(round(max(0.0, min(1.0, value / top)) * width * 8))
    full, part = divmod(eighths, 8)
    return "█" * full + ("▏▎▍▌▋▊▉"[part - 1] if part else "")


def _style(v, kind: str) -> str:
    if kind == "delta":
        return "green" if v > 0 else ("red" if v < 0 else "")
    if kind == "change":
        return "green" if v > 0 else ("red" if v < 0 else "dim")
    return ""


NAME_WIDEST = 32  # a text column at most this wide holds names: cut with an ellipsis; a wider one is prose, wrapped
NAME_NARROWEST = 8  # a cut name keeps at least this many characters (or its header's longest word)
PROSE_NARROWEST = 20


@dataclass(frozen=True)
class _Col:
    """A column as laid out: its spec, header and cell texts, the width it needs and the width it may shrink to."""

    spec: Column
    head: str
    texts: tuple
    natural: int
    narrowest: int

    @property
    def name_like(self) -> bool:
        return self.spec.kind == "text" and self.natural <= NAME_WIDEST


def _width(text: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(line) for line in text.split("\n")), default=0)


def _columns(table: Table, lang: str) -> list[_Col]:
    """The shown columns with their texts; a figure's header wraps at spaces to the figures' width (a group's
    first header, a unit's name, never wraps)."""
    out, shown = [], {c.key for c in cells.shown(table)}
    rows = [row for _, row in table.frame.iterrows()]  # once: every column's texts read them
    group = None
    for c in table.columns:  # a unit's columns in a wide table are shown even where it has no figures
        if c.key not in shown and not (c.group is not None and c.table and c.key in table.frame.columns):
            continue
        texts = tuple(cells.cell(row, c, lang) for row in rows)
        head, figures = cells.header(c, lang), max([_width(t) for t in texts] + [1])
        if c.kind not in ("text", "bar") and (c.group is None or c.group == group):
            head = _wrapped(head, figures)
        group = c.group
        natural = max(figures, _width(head))
        longest = max([_width(w) for w in head.split()] + [1])
        narrowest = natural
        if c.kind == "text" and natural > NAME_WIDEST:
            narrowest = min(natural, max(longest, PROSE_NARROWEST))
        elif c.kind == "text":  # two names cut alike would be one
            narrowest = max(min(natural, max(longest, NAME_NARROWEST)), _distinct(texts, natural))
        out.append(_Col(c, head, texts, natural, narrowest))
    return out


def _cut(text: str, width: int) -> str:
    from rich.cells import cell_len, set_cell_size

    return text if cell_len(text) <= width else set_cell_size(text, width - 1) + "…"


def _distinct(texts, natural: int) -> int:
    """The narrowest width at which names cut with an ellipsis are still told apart."""
    names = set(texts)
    return next((w for w in range(1, natural) if len({_cut(t, w) for t in names}) == len(names)), natural)


def _total(widths) -> int:
    return sum(widths) + len(widths) + 1  # one space between columns and at each edge


def _shrunk(cols: list[_Col], width: int) -> list[int]:
    """Column widths within `width` if they can be: prose narrowed first (it wraps), then the widest names cut
    to a common width; figures keep theirs."""
    widths = [c.natural for c in cols]
    for kinds in ((False,), (True,)):  # prose, then names
        over = _total(widths) - width
        idx = [i for i, c in enumerate(cols) if c.spec.kind == "text" and c.name_like in kinds]
        if over <= 0 or not idx:
            continue
        cap = max(widths[i] for i in idx)
        while over > 0 and cap > min(cols[i].narrowest for i in idx):
            cap -= 1
            for i in idx:
                if widths[i] > max(cap, cols[i].narrowest):
                    widths[i] -= 1
                    over -= 1
    return widths


def _pack(cols: list[_Col], lead: list[int], units: list[list[int]], width: int) -> list[list[int]]:
    out: list[list[int]] = []
    for unit in units:
        if out and _total(_shrunk([cols[i] for i in lead + out[-1] + unit], width)) <= width:
            out[-1] += unit
        else:
            out.append(list(unit))
    return out


def _groups(cols: list[_Col], width: int) -> list[list[int]]:
    """The columns cut into as few tables as fit `width`: the leading ones (up to the first name, or the first) in
    each, the rest in order, a unit's columns together; the names cut as little as that many tables allow."""
    first = next((i for i, c in enumerate(cols[:3]) if c.spec.kind == "text"), 0)  # else the first column: a year
    lead = list(range(min(first + 1, len(cols) - 1)))
    units: list[list[int]] = []
    for i in range(first + 1, len(cols)):
        g = cols[i].spec.group
        if units and g is not None and cols[units[-1][-1]].spec.group == g:
            units[-1].append(i)
        else:
            units.append([i])
    fewest = _pack(cols, lead, units, width)
    for cap in range(max([cols[i].natural for i in lead] + [0]), 0, -1):
        raised = [replace(c, narrowest=max(c.narrowest, min(c.natural, cap))) if i in lead else c
                  for i, c in enumerate(cols)]
        parts = _pack(raised, lead, units, width)
        if len(parts) <= len(fewest):
            fewest = parts
            break
    return [lead + part for part in fewest] or [lead]


def layout(table: Table, lang: str, width: int) -> list:
    """A view as Rich tables that fit `width` columns: the bar dropped first, then prose wrapped and names cut with
    an ellipsis (never a word split, never a figure cut), then the columns cut into tables repeating the names."""
    cols = _columns(table, lang)
    if _total([c.natural for c in cols]) > width:
        cols = [c for c in cols if c.spec.kind != "bar"]
    if _total(_shrunk(cols, width)) > width:
        return [_rich([cols[i] for i in part], table, width) for part in _groups(cols, width)]
    return [_rich(cols, table, width)]


def _rich(cols: list[_Col], table: Table, width: int):
    from rich import box
    from rich.markup import escape
    from rich.table import Table as RichTable
    from rich.text import Text as RichText

    out = RichTable(box=box.SIMPLE_HEAD, pad_edge=False, padding=0)
    for c, w in zip(cols, _shrunk(cols, width)):
        prose = c.spec.kind == "text" and not c.name_like
        out.add_column(escape(c.head), justify="left" if c.spec.kind in ("text", "bar") else "right", width=w,
                       no_wrap=not prose, overflow="fold" if prose else "ellipsis")
    for n, (_, row) in enumerate(table.frame.iterrows()):
        line = []
        for c in cols:
            text, kind = c.texts[n], c.spec.kind
            style = _style(row[c.spec.key], kind) if text and kind in ("delta", "change") else ""
            line.append(RichText(text, style=style) if style else escape(text))
        out.add_row(*line)
    return out


class Fitted:
    """A view that lays itself out at the width it is printed at (Rich tells it)."""

    def __init__(self, table: Table, lang: str):
        self.table, self.lang = table, lang

    def __rich_console__(self, console, options):
        for table in layout(self.table, self.lang, options.max_width):
            need = _total([c.width for c in table.columns])
            if need <= options.max_width:
                yield table
            else:  # narrower than its figures and names: lines wider than the terminal, no figure cut
                yield from console.render(table, options.update_width(need))


def _wrapped(header: str, width: int) -> str:
    """A header on lines of at most `width` characters (or its longest word), breaking at spaces only."""
    import textwrap

    longest = max((len(w) for w in header.split()), default=0)
    return "\n".join(textwrap.wrap(header, max(width, longest), break_long_words=False)) or header


def rows_shown(views) -> int:
    """How many table rows these views draw."""
    return sum(len(v.frame) for v in views if isinstance(v, Table))


def renderables(views: tuple, lang: str = "vi") -> list:
    """A result's views as Rich renderables, in order: tables, and paragraphs as plain (unmarked-up) text."""
    from rich.text import Text as RichText

    out = []
    for view in views:
        if isinstance(view, Text):
            out.append(RichText(render(view.message, lang)))
            continue
        title = render(view.title, lang)
        cap = cells.caption(view, cells.shown(view), lang)
        if title:  # lines as wide as the terminal, not the table: a narrow table's title is not folded
            out.append(RichText(title))
        out.append(Fitted(view, lang))
        if cap:
            out.append(RichText(cap))
    return out
