"""The province report as Markdown: the same sections with pipe tables; charts are named, not embedded."""

from __future__ import annotations

import re
from pathlib import Path

from dti_cli.errors import UsageError
from dti_cli.io.files import write_atomic
from dti_cli.render.formats import SUFFIXES, Format
from dti_cli.render.markdown import escape as _md
from dti_cli.render.report_model import (Labels, ReportData, _Table, _components_table, _explanation_table,
                                         _history_table, _key_figures, _provenance_legend, _sources_table,
                                         index_label, uncertainty_sentence)


def _md_table(t: _Table) -> str:
    lines = ["| " + " | ".join(_md(h) for h, _ in t.headers) + " |",
             "|" + "|".join("---:" if num else "---" for _, num in t.headers) + "|"]
    for cells, current in t.rows:
        texts = []
        for c in cells:
            text = ("\u00a0" * 2 * c.indent) + (f"<{c.href}>" if c.href else _md(c.text))
            texts.append(f"**{text}**" if current and text.strip() else text)
        lines.append("| " + " | ".join(texts) + " |")
    return "\n".join(lines) + ("\n\n" + _md(t.note) if t.note else "")


def render_markdown(data: ReportData) -> str:
    """The report as Markdown: the same sections with pipe tables; charts are named, not embedded."""
    d, L = data, Labels(data.lang)
    meta = " · ".join(_md(x) for x in (d.edition, f"{L['region']}: {d.region}" if d.region else "",
                                        L.t("of", of=d.of, units=d.units)) if x)
    out = [f"# {_md(d.name)} — {_md(index_label(d))} {d.year}", f"*{_md(L['kicker'])}*  \n{meta}",
           f"**{_md(d.headline)}**"]
    figures = _key_figures(d, L)
    if figures:
        out.append("\n".join(f"- {_md(label)}: **{_md(value)}**" for label, value, _ in figures))
    for title, table in ((L["history"], _history_table(d, L)), (L["components"], _components_table(d, L))):
        if table:
            out += [f"## {_md(title)}", _md_table(table)]
    if d.strengths or d.weaknesses:
        out += [f"## {_md(L['strengths'])}",
                f"- {_md(L['strong'])}: {', '.join(map(_md, d.strengths)) or L['none']}\n"
                f"- {_md(L['weak'])}: {', '.join(map(_md, d.weaknesses)) or L['none']}"]
    table = _explanation_table(d, L)
    if table or d.explanation_text:
        out.append(f"## {_md(L['explanation'])}")
        out += [_md(d.explanation_text)] if d.explanation_text else []
        out += [_md_table(table)] if table else []
    sentence = uncertainty_sentence(d)
    if sentence:
        out += [f"## {_md(L['uncertainty'])}", _md(sentence)]
    if d.charts:
        out += [f"## {_md(L['charts'])}", _md(L.t("charts_md", titles="; ".join(d.charts)))]
    out += [f"## {_md(L['method'])}", f"**{_md(L['edition'])}:** {_md(d.edition)}"]
    out += ["  \n".join(_md(line) for line in b.strip().splitlines())
            for b in re.split(r"\n\s*\n", d.method or "") if b.strip()]
    table = _sources_table(d, L)
    legend = _provenance_legend(d)
    if table or legend:
        out.append(f"## {_md(L['sources'])}")
        out += [_md_table(table)] if table else []
        if legend:
            out += [_md(L["sources_note"]) + "\n\n" + "\n".join(f"- **{_md(k)}**: {_md(v)}" for k, v in legend)]
    out.append("---\n" + _md(L.t("generated", by=d.generated_by)))
    return "\n\n".join(out) + "\n"


def write_report(path: str | Path, data: ReportData, fmt: Format | None = None) -> None:
    """Write the report as HTML or Markdown (`fmt`, else the file's suffix: .html, .htm, .md), atomically."""
    fmt = fmt or SUFFIXES.get(Path(path).suffix.lower())
    if fmt not in (Format.html, Format.markdown):
        raise UsageError("report.suffix", path=str(path))
    from dti_cli.render.report_html import render_html

    write_atomic(path, render_html(data) if fmt is Format.html else render_markdown(data))
