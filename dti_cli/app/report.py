"""What the pictures and the report say beside the figures: the province report's contents, source lines."""

from __future__ import annotations

import collections

import numpy as np
import pandas as pd

from dti_cli import analysis, explain, provinces, sensitivity
from dti_cli.engine import Scores
from dti_cli.errors import UsageError


def source_line(scores: Scores, year: int, node: str, lang: str, version: str = "") -> str:
    """Where the figures of a picture come from, with how many of each provenance."""
    m = scores.year_mask(year)
    prov = scores.provenance(m, node)
    vals = scores.value[m, scores.col(node)]
    counts = collections.Counter(str(p).split("+")[0] for p, v in zip(prov, vals) if v == v)
    what = ", ".join(f"{k} {n}" for k, n in counts.most_common())
    lead = "Nguồn" if lang == "vi" else "Source"
    meth = scores.methods[year]
    origin = "dti.gov.vn, Bộ TT&TT/Bộ KH&CN" if scores.unit_kind == "province" else "dữ liệu người dùng"
    if lang == "en":
        origin = "dti.gov.vn, MIC/MOST" if scores.unit_kind == "province" else "user data"
    return f"{lead}: {origin} ({what}); {meth.source}; dti {version}".rstrip()


def report_data(scores: Scores, dataset, unit: str, year: int, *, lang: str = "vi", samples: int = 10_000,
                version: str = "") -> "report.ReportData":
    """Everything the province report shows, computed with the same functions as the commands."""
    from dti_cli import report

    analysis.check_year(scores, year)
    names = analysis.Names.of(dataset, scores.unit_kind, lang)
    meth = scores.methods[year]
    cur, prev = scores.cell(year, unit, meth.root), scores.cell(year - 1, unit, meth.root)
    headline = explain.headline(names(unit), year, cur["value"], cur["rank"], scores.universe.get(year, 0),
                                prev["value"], prev["rank"], lang)
    hist = analysis.history(scores, unit, names=names)
    comp = analysis.compare_table(scores, [unit], year, names=names, national=True, region=True)
    comp = comp[comp["indicator"] != meth.root].copy()
    # a report compares with averages over every province: an average of the few with a published value (the
    # foundation indices of 2022: the top 5) would mislead a reader, so it is left out
    partial = comp["national_n"] < scores.universe.get(year, 0)
    comp.loc[partial, ["national", "region_mean", "gap", "region_gap"]] = np.nan
    components = pd.DataFrame({
        "indicator": comp["indicator"], "indicator_name": comp["indicator_name"], "value": comp["value"],
        "rank": comp["rank"], "national": comp["national"], "region_mean": comp["region_mean"],
        "gap": comp["gap"], "provenance": comp["provenance"]})
    best, worst = analysis.strengths(analysis.components(scores, unit, year, names=names))
    rows, why_not = explain.explain(scores, unit, year, lang=lang)
    expl = None
    if len(rows):
        expl = rows.assign(node_name=rows["name"])[["node", "node_name", "parent", "weight_share", "prev_value",
                                                    "value", "delta", "contribution"]]
    band = None
    if samples and meth.computable:
        try:
            u = sensitivity.uncertainty(scores, year, samples=samples, noise=0.25, seed=0)
        except UsageError:  # a year without every score has no band: the report says nothing about one
            u = pd.DataFrame(columns=["unit"])
        hit = u[u["unit"] == unit]
        if len(hit) and hit.iloc[0]["q5"] == hit.iloc[0]["q5"]:
            r = hit.iloc[0]
            band = {"rank": r["rank"], "median_rank": r["median_rank"], "q5": r["q5"], "q95": r["q95"],
                    "samples": samples, "weight_noise": 0.25}
    src = pd.read_csv(provinces.DATA_DIR / "sources.csv", dtype=str, keep_default_na=False)
    figures = []
    for y in scores.years:
        m = scores.year_mask(y) & (scores.rows["unit"].to_numpy() == unit)
        for j in range(len(scores.nodes)):
            if m.any() and not np.isnan(scores.value[m, j]).all():
                i = np.flatnonzero(m)[0]
                figures.append((scores.sources[scores.source[i, j]], scores.labels[scores.prov[i, j]]))
    counts: dict = {}
    for srcs, prov in figures:
        for sid in (srcs.split() or ["—"]):
            counts.setdefault((sid, prov.split("+")[0]), 0)
            counts[(sid, prov.split("+")[0])] += 1
    url = dict(zip(src["source"], src["url_or_note"]))
    sources = pd.DataFrame([{"source": sid, "url": url.get(sid, ""), "provenance": prov, "figures": n}
                            for (sid, prov), n in sorted(counts.items(), key=lambda kv: -kv[1])])
    charts_svg = {}
    try:
        from dti_cli import charts

        charts.require_matplotlib()
        series = {names(unit): hist}
        charts_svg[("Điểm và thứ hạng qua các năm" if lang == "vi" else "Score and rank over the years")] = \
            charts.svg_text(charts.history_chart(series, title="", value_label=meth.root.upper(), lang=lang))
        frame = comp[comp["value"].notna()][["indicator_name", "value", "national", "region_mean"]]
        charts_svg[("So với trung bình" if lang == "vi" else "Against the averages")] = charts.svg_text(
            charts.compare_chart(frame, title="", label=names(unit), lang=lang))
    except UsageError:  # no matplotlib: the report stands without charts
        pass
    weights = ", ".join(f"{c} {w:g}" for a in meth.aggregates.values() if a.id == meth.root
                        for c, w in zip(a.children, a.raw_weights or ()))
    method_text = f"{meth.label(lang)}. {meth.source}." + (f" {meth.root} = {weights}." if weights else "") + (
        f" {meth.note_en if lang == 'en' else meth.note}" if not meth.computable else "")
    return report.ReportData(
        lang=lang, unit=unit, name=names(unit), year=year, of=scores.universe.get(year, 0),
        edition=meth.label(lang), headline=headline, history=hist, components=components,
        region=names.region(unit), strengths=[meth.node_label(n, lang) for n in best],
        weaknesses=[meth.node_label(n, lang) for n in worst], explanation=expl,
        explanation_text=(explain.drivers(rows, meth.root, lang) if len(rows) else "") or why_not_text(why_not, year,
                                                                                                       lang),
        uncertainty=band, method=method_text, sources=sources, charts=charts_svg,
        generated_by=f"dti {version}".strip())


def why_not_text(notes: list, year: int, lang: str) -> str:
    """What the report says when the change cannot be split into its components."""
    if not notes:
        return ""
    if lang == "vi":
        return (f"Số liệu các chỉ số thành phần năm {year - 1} không có trong dữ liệu đã công bố: chỉ nêu được mức "
                "thay đổi của chỉ số, không tách được phần đóng góp của từng chỉ số thành phần.")
    return (f"The {year - 1} components are not in the published data: the change of the index is shown, but it "
            "cannot be split into its components' contributions.")
