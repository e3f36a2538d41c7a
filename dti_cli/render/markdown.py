"""Results and text as Markdown: pipe tables of what people see, every cell escaped (HTML, links, emphasis)."""

from __future__ import annotations

import html
import re

from dti_cli.i18n import render
from dti_cli.model.result import Result, Table, Text
from dti_cli.render import cells


def escape(text) -> str:
    """Text safe in Markdown: HTML-escaped, with Markdown's own markup characters backslash-escaped."""
    return re.sub(r"([\\`*_\[\]|])", r"\\\1", html.escape(str(text), quote=False)).replace("\n", " ")


def table(t: Table, lang: str = "vi") -> str:
    """A pipe table of a view's columns (right-aligned numbers)."""
    cols = cells.shown(t)
    out = ["| " + " | ".join(escape(cells.header(c, lang)) for c in cols) + " |",
           "|" + "|".join("---:" if c.kind != "text" else "---" for c in cols) + "|"]
    for _, row in t.frame.iterrows():
        out.append("| " + " | ".join(escape(cells.cell(row, c, lang)) for c in cols) + " |")
    return "\n".join(out) + "\n"


def document(result: Result, lang: str = "vi") -> str:
    """The result's views: paragraphs, and tables (each under its title when there are several)."""
    views = result.view(screen=False)
    titled = sum(isinstance(v, Table) for v in views) > 1
    parts = []
    for view in views:
        if isinstance(view, Text):
            parts.append(escape(render(view.message, lang)) + "\n")
            continue
        title = render(view.title, lang)
        parts.append((f"**{escape(title)}**\n\n" if titled and title else "") + table(view, lang))
    return "\n".join(parts)
