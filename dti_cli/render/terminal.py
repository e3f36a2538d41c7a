"""What a person sees on a terminal: Rich tables compact enough for 80 columns and lines of text, never printed
here (the command line prints them)."""

from __future__ import annotations

from dti_cli.i18n import render
from dti_cli.model.result import Result, Table, Text
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


def rich_table(table: Table, lang: str = "vi"):
    """A Rich Table of a view (its title and caption are printed around it, at the terminal's width)."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table as RichTable
    from rich.text import Text as RichText

    cols = cells.shown(table)
    out = RichTable(box=box.SIMPLE_HEAD, pad_edge=False, padding=0)
    rows = [[cells.cell(row, c, lang) for c in cols] for _, row in table.frame.iterrows()]
    for j, c in enumerate(cols):
        head = cells.header(c, lang)
        if c.kind not in ("text", "bar"):  # figures never wrap; a long header wraps over lines as wide as them
            head = _wrapped(head, max([len(r[j]) for r in rows] + [1]))
        out.add_column(escape(head), justify="left" if c.kind in ("text", "bar") else "right",
                       no_wrap=c.kind != "text", overflow="fold")
    for (_, row), texts in zip(table.frame.iterrows(), rows):
        line = []
        for c, text in zip(cols, texts):
            style = _style(row[c.key], c.kind) if text and c.kind in ("delta", "change") else ""
            line.append(RichText(text, style=style) if style else escape(text))
        out.add_row(*line)
    return out


def _wrapped(header: str, width: int) -> str:
    """A header on lines of at most `width` characters (or its longest word), breaking at spaces only."""
    import textwrap

    longest = max((len(w) for w in header.split()), default=0)
    return "\n".join(textwrap.wrap(header, max(width, longest), break_long_words=False)) or header


def rows_shown(views) -> int:
    """How many table rows these views draw."""
    return sum(len(v.frame) for v in views if isinstance(v, Table))


def renderables(result: Result | tuple, lang: str = "vi") -> list:
    """The result's views (or the views themselves) as Rich renderables, in order: tables, and paragraphs as plain
    (unmarked-up) text."""
    from rich.text import Text as RichText

    out = []
    for view in (result.shown if isinstance(result, Result) else result):
        if isinstance(view, Text):
            out.append(RichText(render(view.message, lang)))
            continue
        title = render(view.title, lang)
        cap = cells.caption(view, cells.shown(view), lang)
        if title:  # lines as wide as the terminal, not the table: a narrow table's title is not folded
            out.append(RichText(title))
        out.append(rich_table(view, lang))
        if cap:
            out.append(RichText(cap))
    return out
