"""The province report's contents, computed with the same functions as the commands."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from dti_cli.analysis import averages, explain, profile, sentences, tables, uncertainty
from dti_cli.analysis.averages import MethodNote
from dti_cli.analysis.units import kind_word
from dti_cli.app.common import GENERATED_BY, require_index, sources_table
from dti_cli.app.session import Loaded, Source, load
from dti_cli.errors import DataError, UsageError
from dti_cli.i18n import Msg, render
from dti_cli.model import provinces
from dti_cli.render.cells import first_provenance
from dti_cli.render.report_model import ReportData


def _components(loaded: Loaded, unit: str, year: int, names) -> tuple[pd.DataFrame, list]:
    """The unit's main indices against the means, and the notes on the means left out: a report compares with
    averages over every unit, so a mean over only some of them (the foundation indices of 2022: the 5 with a
    published value) is left out, and the report says so."""
    scores = loaded.scores
    meth = scores.methods[year]
    comp = tables.compare_table(scores, [unit], year, names=names, national=True, region=True,
                                published=loaded.published(year))
    comp = comp[comp["indicator"] != meth.root].copy()
    kind = kind_word(scores.unit_kind)
    comp, national = averages.leave_out_partial(comp, which="national", kind=kind)
    comp, region = averages.leave_out_partial(comp, which="region", kind=kind)
    return comp, [*national, *region]


def _band(scores, unit: str, year: int, samples: int) -> dict | None:
    if not samples or not scores.methods[year].computable:
        return None
    uncertainty.check_samples(samples, int(scores.year_mask(year).sum()))  # too many is the user's to hear
    try:
        u = uncertainty.uncertainty(scores, year, samples=samples, noise=0.25, seed=0)
    except UsageError:  # a year without every score has no band: the report says nothing about one
        return None
    hit = u[u["unit"] == unit]
    if not len(hit) or hit.iloc[0]["q5"] != hit.iloc[0]["q5"]:
        return None
    r = hit.iloc[0]
    return {"rank": r["rank"], "median_rank": r["median_rank"], "q5": r["q5"], "q95": r["q95"], "samples": samples,
            "weight_noise": 0.25}


def _sources(scores, unit: str) -> pd.DataFrame:
    """Each source and provenance of the unit's figures, with how many figures come from it."""
    counts: dict = {}
    for y in scores.years:
        m = scores.year_mask(y) & (scores.rows["unit"].to_numpy() == unit)
        if not m.any():
            continue
        i = np.flatnonzero(m)[0]
        for j in range(len(scores.nodes)):
            if np.isnan(scores.value[i, j]):
                continue
            prov = first_provenance(scores.labels[scores.prov[i, j]])
            for sid in (scores.sources[scores.source[i, j]].split() or ["—"]):
                counts[(sid, prov)] = counts.get((sid, prov), 0) + 1
    src = sources_table()
    url = dict(zip(src["source"], src["url_or_note"]))
    return pd.DataFrame([{"source": sid, "url": url.get(sid, ""), "provenance": prov, "figures": n}
                         for (sid, prov), n in sorted(counts.items(), key=lambda kv: -kv[1])])


def _charts(loaded: Loaded, unit: str, year: int, hist, comp, pillars: dict, index: str, lang: str) -> dict:
    try:
        from dti_cli.render import charts

        charts.require_matplotlib()
    except UsageError:  # no matplotlib: the report stands without charts
        return {}
    name = loaded.names(lang)(unit)
    frame = comp[comp["value"].notna()][["indicator_name", "value", "national", "region_mean"]]
    out = {
        Msg("report.history").text(lang): charts.svg_text(charts.history_chart(
            {name: hist}, title="", value_label=index, pillars=pillars, lang=lang)),
        Msg("report.against").text(lang): charts.svg_text(charts.compare_chart(frame, title="", label=name,
                                                                             lang=lang)),
    }
    if loaded.scores.unit_kind == "province":  # borders are known for provinces only
        from dti_cli.app.pictures import map_of

        try:
            shown = dataclasses.replace(map_of(loaded, year, highlight=(unit,), lang=lang), title="", subtitle="")
        except DataError:  # no province has an index that year: the report goes without the map
            return out
        out[Msg("report.map", index=index, year=year).text(lang)] = charts.svg_text(shown.figure(height=7.0))
    return out


def report_data(loaded: Loaded, unit: str, year: int, *, lang: str = "vi", samples: int = 10_000) -> ReportData:
    """Everything the province report shows."""
    scores = loaded.scores
    names = loaded.names(lang)
    meth = scores.methods[year]
    cur, prev = scores.cell(year, unit, meth.root), scores.cell(year - 1, unit, meth.root)
    headline = sentences.headline(names(unit), year, cur["value"], cur["rank"], scores.universe.get(year, 0),
                                  prev["value"], prev["rank"])
    hist = profile.history(scores, unit, names=names)
    comp, left_out = _components(loaded, unit, year, names)
    loaded.notes.extend(left_out)
    best, worst = profile.strengths(profile.components(scores, unit, year, names=names))
    rows, why_not = explain.explain(scores, unit, year, lang=lang)
    expl = None
    if len(rows):
        expl = rows.assign(node_name=rows["name"])[["node", "node_name", "parent", "weight_share", "prev_value",
                                                    "value", "delta", "contribution"]]
    drivers = sentences.drivers(rows, meth.root)
    why = None
    if why_not and drivers is None:  # the weights unknown, or the previous year's components not published
        why = Msg("report.why_not_weights", year=year, reason=MethodNote(meth)) if not meth.computable \
            else Msg("report.why_not", prev=year - 1)
    index = meth.node_label(meth.root, lang)
    pillars = {p: meth.node_label(p, lang) for p in meth.pillars if p in hist.columns}
    weights = ", ".join(f"{c} {w:g}" for c, w in zip(meth.aggregates[meth.root].children,
                                                      meth.aggregates[meth.root].raw_weights or ()))
    method_text = f"{meth.label(lang)}. {meth.source}." + (f" {meth.root} = {weights}." if weights else "") + (
        f" {MethodNote(meth).text(lang)}" if not meth.computable else "")
    components = comp[["indicator", "indicator_name", "value", "rank", "national", "region_mean", "gap",
                       "provenance"]].reset_index(drop=True)
    return ReportData(
        lang=lang, unit=unit, name=names(unit), year=year, of=scores.universe.get(year, 0),
        mean_label=render(averages.mean_label(scores.unit_kind, scores.universe.get(year, 0)), lang),
        edition=meth.label(lang), headline=render(headline, lang), history=hist, components=components,
        region=provinces.region_name(names.region(unit), lang),
        units=render(kind_word(scores.unit_kind), lang), strengths=[meth.node_label(n, lang) for n in best],
        weaknesses=[meth.node_label(n, lang) for n in worst], explanation=expl,
        explanation_text=render(drivers or why, lang), uncertainty=_band(scores, unit, year, samples),
        method=method_text, sources=_sources(scores, unit),
        charts=_charts(loaded, unit, year, hist, comp, pillars, index, lang), generated_by=GENERATED_BY,
        index_label=index, pillars=pillars, coverage=[render(n, lang) for n in left_out])


def report(src: Source = Source(), *, province: str, year: int | None = None, samples: int = 10_000,
           boundaries: int | None = None, lang: str = "vi") -> tuple[ReportData, tuple]:
    """The report of a province in a year (on the 34 units with boundaries=2025), and the notes made loading the
    data."""
    loaded = load(src, boundaries=boundaries)
    year = loaded.year(year)
    unit = loaded.unit(province)
    require_index(loaded.scores, year, "scale.report_no_index")
    return report_data(loaded, unit, year, lang=lang, samples=samples), tuple(loaded.notes)
