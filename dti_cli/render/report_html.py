"""The province report as one self-contained HTML5 document: inline CSS and SVG, no scripts, no network."""

from __future__ import annotations

import html
import re

from dti_cli.i18n.numbers import missing
from dti_cli.render.report_model import (Labels, ReportData, _Table, _components_table, _explanation_table,
                                         _history_table, _key_figures, _provenance_legend, _sources_table,
                                         index_label, uncertainty_sentence)


CSS = """
:root { --ink: #1c2333; --muted: #5a6375; --line: #dde2ea; --accent: #0b5cad; --soft: #f3f6fa;
        --pos: #1a7f37; --neg: #c0392b; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; background: #fff; color: var(--ink); font-size: 15px; line-height: 1.5;
       font-family: "Noto Sans", "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial, "Liberation Sans",
                    sans-serif; }
.page { max-width: 900px; margin: 0 auto; padding: 32px 28px 36px; }
header { border-bottom: 3px solid var(--accent); padding-bottom: 12px; margin-bottom: 18px; }
.kicker { margin: 0 0 4px; color: var(--accent); font-size: 12.5px; font-weight: 600; letter-spacing: .04em;
          text-transform: uppercase; line-height: 1.5; }
h1 { margin: 0; font-size: 30px; line-height: 1.3; }
h1 .year { color: var(--muted); font-weight: 400; }
.meta { margin: 4px 0 0; color: var(--muted); font-size: 13.5px; }
.headline { margin: 0 0 16px; font-size: 21px; line-height: 1.45; font-weight: 600; }
.figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; margin: 0 0 6px; }
.figure { background: var(--soft); border-radius: 6px; padding: 9px 12px; border-left: 3px solid var(--accent); }
.figure .label { color: var(--muted); font-size: 12.5px; }
.figure .value { font-size: 22px; font-weight: 700; font-variant-numeric: tabular-nums; white-space: nowrap; }
h2 { margin: 26px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); font-size: 17px;
     line-height: 1.35; break-after: avoid; page-break-after: avoid; }
.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-size: 13.5px; }
th, td { padding: 5px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { color: var(--muted); font-size: 12.5px; font-weight: 600; line-height: 1.3; vertical-align: bottom;
     border-bottom: 1.5px solid #9aa3b2; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td:first-child:not(.num) { min-width: 9em; }
tr { break-inside: avoid; page-break-inside: avoid; }
tr.current td { background: #eaf2fb; font-weight: 600; }
td.url { overflow-wrap: anywhere; word-break: break-word; }
td.tag { white-space: nowrap; }
.pos { color: var(--pos); }
.neg { color: var(--neg); }
.note { margin: 6px 0 0; color: var(--muted); font-size: 12.5px; }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; }
.box { border: 1px solid var(--line); border-radius: 6px; padding: 8px 14px; }
.box h3 { margin: 0 0 4px; font-size: 14px; }
.box ul { margin: 0; padding-left: 20px; }
.box.strong h3 { color: var(--pos); }
.box.weak h3 { color: var(--neg); }
.band { position: relative; height: 14px; margin: 10px 0 4px; background: var(--soft);
        border: 1px solid var(--line); border-radius: 7px; }
.band .range { position: absolute; top: 0; bottom: 0; background: #9cc3ea; border-radius: 7px; }
.band .mark { position: absolute; top: -4px; bottom: -4px; width: 3px; margin-left: -1px; background: var(--accent); }
.axis { display: flex; justify-content: space-between; color: var(--muted); font-size: 12px; }
figure { margin: 12px 0 16px; break-inside: avoid; page-break-inside: avoid; }
figure .chart svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { margin-top: 4px; color: var(--muted); font-size: 13px; text-align: center; }
.method p { margin: 0 0 6px; }
dl.legend { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 6px 0 0;
            font-size: 12.5px; color: var(--muted); }
dl.legend dt { font-weight: 600; color: var(--ink); }
dl.legend dd { margin: 0; }
a { color: var(--accent); text-decoration: none; }
footer { margin-top: 28px; padding-top: 8px; border-top: 1px solid var(--line); color: var(--muted);
         font-size: 12px; }
@media (max-width: 640px) { .figures { grid-template-columns: 1fr 1fr; } .cols { grid-template-columns: 1fr; } }
@page { size: A4; margin: 14mm 13mm; }
@media print {
  body { font-size: 10.5pt; }
  .page { max-width: none; padding: 0; }
  .table-wrap { overflow: visible; }
  a { color: inherit; }
  h2 { margin-top: 18px; }
}
""".strip()


def _clean_svg(svg: str) -> str:
    """The <svg> element of an SVG document, without its XML prolog, scripts or event handlers."""
    start = svg.find("<svg")
    svg = svg[start:] if start >= 0 else ""
    svg = re.sub(r"<script\b.*?</script\s*>", "", svg, flags=re.S | re.I)
    return re.sub(r"\son[a-z]+\s*=\s*(\"[^\"]*\"|'[^']*')", "", svg, flags=re.I)


def _html_table(t: _Table) -> str:
    esc = html.escape
    head = "".join(f'<th class="num">{esc(h)}</th>' if num else f"<th>{esc(h)}</th>" for h, num in t.headers)
    body = []
    for cells, current in t.rows:
        tds = []
        for c in cells:
            cls = " ".join(x for x in ("num" if c.numeric else "", c.tone, "url" if c.wrap else "",
                                       "tag" if c.nowrap else "") if x)
            attr = f' class="{cls}"' if cls else ""
            style = f' style="padding-left:{8 + 18 * c.indent}px"' if c.indent else ""
            inner = f'<a href="{esc(c.href)}">{esc(c.text)}</a>' if c.href else esc(c.text)
            tds.append(f"<td{attr}{style}>{inner}</td>")
        body.append(("<tr class=\"current\">" if current else "<tr>") + "".join(tds) + "</tr>")
    note = f'<p class="note">{esc(t.note)}</p>' if t.note else ""
    return (f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>\n' + "\n".join(body)
            + f"\n</tbody></table></div>{note}")


def _paragraphs(text: str) -> str:
    blocks = [b.strip() for b in re.split(r"\n\s*\n", text or "") if b.strip()]
    return "".join(f"<p>{html.escape(b).replace(chr(10), '<br>')}</p>" for b in blocks)


def _title(d: ReportData) -> str:
    return f"{d.name} — {index_label(d)} {d.year} · {Labels(d.lang)['title_tail']}"


def _uncertainty(d: ReportData, L: Labels) -> list[str]:
    """The rank band section: the sentence and a bar from rank 1 to the last."""
    sentence, esc = uncertainty_sentence(d), html.escape
    if not sentence:
        return []
    u = d.uncertainty
    out = ['<section id="uncertainty">', f"<h2>{esc(L['uncertainty'])}</h2>", f"<p>{esc(sentence)}</p>"]
    span = max(d.of - 1, 1)
    pos = lambda r: min(max((float(r) - 1) / span * 100, 0.0), 100.0)  # noqa: E731
    if all(not missing(u.get(k)) for k in ("q5", "q95", "rank")):
        lo, hi = pos(u["q5"]), pos(u["q95"])
        out += [f'<div class="band" role="img" aria-label="{esc(sentence)}">'
                f'<div class="range" style="left:{lo:.2f}%;width:{max(hi - lo, 0.8):.2f}%"></div>'
                f'<div class="mark" style="left:{pos(u["rank"]):.2f}%"></div></div>',
                f'<div class="axis"><span>{esc(L["best"])}</span>'
                f'<span>{esc(L.t("last", of=d.of))}</span></div>']
    return out + ["</section>"]


def render_html(data: ReportData) -> str:
    """The report as one self-contained HTML5 document: inline CSS and SVG, no scripts, no network."""
    d, L, esc = data, Labels(data.lang), html.escape
    out = ["<!doctype html>", f'<html lang="{esc(d.lang)}">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f'<meta name="generator" content="{esc(d.generated_by)}">',
           f"<title>{esc(_title(d))}</title>", f"<style>\n{CSS}\n</style>", "</head>", "<body>",
           '<main class="page">']
    meta = " · ".join(esc(x) for x in (d.edition, f"{L['region']}: {d.region}" if d.region else "",
                                         L.t("of", of=d.of, units=d.units)) if x)
    out += ["<header>", f'<p class="kicker">{esc(L["kicker"])}</p>',
            f'<h1>{esc(d.name)} <span class="year">{esc(index_label(d))} {d.year}</span></h1>',
            f'<p class="meta">{meta}</p>', "</header>"]

    out += ['<section id="headline">', f'<p class="headline">{esc(d.headline)}</p>']
    figures = _key_figures(d, L)
    if figures:
        out.append('<div class="figures">' + "".join(
            f'<div class="figure"><div class="label">{esc(label)}</div>'
            f'<div class="value{" " + tone if tone else ""}">{esc(value)}</div></div>'
            for label, value, tone in figures) + "</div>")
    out.append("</section>")

    for sid, title, table in (("history", L["history"], _history_table(d, L)),
                              ("components", L["components"], _components_table(d, L))):
        if table:
            out += [f'<section id="{sid}">', f"<h2>{esc(title)}</h2>", _html_table(table), "</section>"]

    if d.strengths or d.weaknesses:
        def box(cls, title, items):
            lis = "".join(f"<li>{esc(x)}</li>" for x in items) or f"<li>{esc(L['none'])}</li>"
            return f'<div class="box {cls}"><h3>{esc(title)}</h3><ul>{lis}</ul></div>'

        out += ['<section id="strengths">', f"<h2>{esc(L['strengths'])}</h2>", '<div class="cols">',
                box("strong", L["strong"], d.strengths), box("weak", L["weak"], d.weaknesses), "</div>",
                "</section>"]

    table = _explanation_table(d, L)
    if table or d.explanation_text:
        out += ['<section id="explanation">', f"<h2>{esc(L['explanation'])}</h2>"]
        out += [_paragraphs(d.explanation_text)] if d.explanation_text else []
        out += [_html_table(table)] if table else []
        out.append("</section>")

    out += _uncertainty(d, L)
    charts = {t: _clean_svg(s) for t, s in (d.charts or {}).items()}
    charts = {t: s for t, s in charts.items() if s}
    if charts:
        out += ['<section id="charts">', f"<h2>{esc(L['charts'])}</h2>"]
        out += [f'<figure><div class="chart">{svg}</div><figcaption>{esc(t)}</figcaption></figure>'
                for t, svg in charts.items()]
        out.append("</section>")

    out += ['<section id="method" class="method">', f"<h2>{esc(L['method'])}</h2>",
            f"<p><strong>{esc(L['edition'])}:</strong> {esc(d.edition)}</p>", _paragraphs(d.method), "</section>"]

    table = _sources_table(d, L)
    legend = _provenance_legend(d)
    if table or legend:
        out += ['<section id="sources">', f"<h2>{esc(L['sources'])}</h2>"]
        out += [_html_table(table)] if table else []
        if legend:
            out += [f'<p class="note">{esc(L["sources_note"])}</p>', '<dl class="legend">'
                    + "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in legend) + "</dl>"]
        out.append("</section>")

    footer = f"{L.t('generated', by=d.generated_by)} · {d.name} · {index_label(d)} {d.year}"
    out += [f"<footer>{esc(footer)}</footer>", "</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"
