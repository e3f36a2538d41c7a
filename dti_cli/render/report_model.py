"""The province report's content, shared by its HTML and Markdown forms: what it shows (ReportData), its tables
with every number in the report's language, the key figures, the provenance legend."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dti_cli.i18n import LANGS, text
from dti_cli.i18n.numbers import display, missing
from dti_cli.render.cells import PROVENANCES, provenance, provenance_keys, provenance_short



class Labels:
    """The report's labels in a language: L["kicker"], or L.t("band", rank=…) for one with parameters."""

    def __init__(self, lang: str):
        self.lang = lang

    def __getitem__(self, key: str) -> str:
        return text(f"report.{key}", self.lang)

    def t(self, key: str, **params) -> str:
        return text(f"report.{key}", self.lang, **params)


def format_number(v, kind: str, *, lang: str) -> str:
    """A number as a reader sees it: 4-decimal scores, signed deltas, a decimal comma in Vietnamese, "—" when
    missing (percentages with a decimal where they have one)."""
    kind = {"pct": "pct1", "year": "year", "num": "sig"}.get(kind, kind)
    return display(v, kind, lang=lang, point=False, empty="—")


def index_label(d) -> str:
    return d.index_label or Labels(d.lang)["index"]


@dataclass(frozen=True, eq=False, kw_only=True)
class ReportData:
    """Everything one province report shows, computed beforehand; strings already in the report's language."""

    lang: str
    unit: str
    name: str
    year: int
    of: int
    edition: str
    headline: str
    history: pd.DataFrame
    components: pd.DataFrame
    region: str = ""  # the region's name in the report's language
    units: str = ""  # what the ranked units are called: "provinces", "units" (in the report's language)
    strengths: list[str] = field(default_factory=list)
    weaknesses: list[str] = field(default_factory=list)
    explanation: pd.DataFrame | None = None
    explanation_text: str = ""
    uncertainty: dict | None = None
    method: str = ""
    sources: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["source", "url", "provenance", "figures"]))
    charts: dict[str, str] = field(default_factory=dict)
    generated_by: str = "dti"
    index_label: str = ""  # the index's name (the method's root): "DTI"
    pillars: dict = field(default_factory=dict)  # pillar column of `history` -> name shown
    coverage: list[str] = field(default_factory=list)  # the means left out of the components, each a sentence
    mean_label: str = ""  # what the mean of the units is called ("Trung bình 63 tỉnh"); "" the report's own word

    def __post_init__(self):
        if self.lang not in LANGS:
            raise ValueError(f"unknown report language {self.lang!r} (use: {', '.join(LANGS)})")
        if not self.units:
            object.__setattr__(self, "units", text("word.provinces", self.lang))


def _tone(v, kind: str) -> str:
    if kind not in ("delta", "change") or missing(v) or v == 0:
        return ""
    return "pos" if v > 0 else "neg"


# --- a table model shared by HTML and Markdown -------------------------------------------------------------------

@dataclass(frozen=True)
class _Cell:
    text: str
    numeric: bool = False
    tone: str = ""
    indent: int = 0
    href: str = ""
    wrap: bool = False  # long unbroken text such as a URL
    nowrap: bool = False  # a short label that reads badly broken


@dataclass(frozen=True)
class _Table:
    headers: list[tuple[str, bool]]  # (header, numeric)
    rows: list[tuple[list[_Cell], bool]]  # (cells, highlighted)
    note: str = ""


def _table(frame: pd.DataFrame, spec: list[tuple[str, str, str]], lang: str, *, highlight=None, indent=None,
           note: str = "") -> _Table:
    """spec: (column key, header, kind); numeric columns with no value at all are dropped."""
    cols = [(k, h, kind) for k, h, kind in spec if k in frame.columns and (
        kind in ("text", "provenance") or frame[k].notna().any())]
    rows = []
    for i, (_, rec) in enumerate(frame.iterrows()):
        cells = []
        for j, (k, _, kind) in enumerate(cols):
            v = rec[k]
            if kind == "text":
                cells.append(_Cell("" if missing(v) else str(v), indent=indent[i] if indent and j == 0 else 0))
            elif kind == "provenance":
                cells.append(_Cell(provenance_short(v, lang), nowrap=True))
            else:
                cells.append(_Cell(format_number(v, kind, lang=lang), kind != "year", _tone(v, kind)))
        rows.append((cells, bool(highlight is not None and highlight[i])))
    return _Table([(h, kind not in ("text", "provenance", "year")) for _, h, kind in cols], rows, note)


def _history_table(d: ReportData, L: dict) -> _Table | None:
    h = d.history
    if h is None or h.empty:
        return None
    spec = [("year", L["year"], "year"), ("score", index_label(d), "score"), ("rank", L["rank"], "rank"),
            ("delta", L["delta"], "delta"), ("rank_change", L["change"], "change"),
            *((p, name, "score") for p, name in d.pillars.items()), ("provenance", L["provenance"], "provenance")]
    current = (h["year"] == d.year).to_numpy() if "year" in h.columns else None
    return _table(h, spec, d.lang, highlight=current, note=L["pillar_note"])


def _components_table(d: ReportData, L: dict) -> _Table | None:
    c = d.components
    if c is None or c.empty:
        return None
    with_region = bool(d.region) and "region_mean" in c.columns and c["region_mean"].notna().any()
    frame = c.assign(region_gap=np.round(pd.to_numeric(c["value"], errors="coerce")
                                         - pd.to_numeric(c["region_mean"], errors="coerce"), 12)) \
        if with_region else c.drop(columns=["region_mean"], errors="ignore")
    name = "indicator_name" if "indicator_name" in c.columns else "indicator"
    spec = [(name, L["indicator"], "text"), ("value", L["value"], "score"), ("rank", L["rank"], "rank"),
            ("national", d.mean_label or L["national"], "score"), ("region_mean", L["region_mean"], "score"),
            ("gap", L["gap"], "delta"), ("region_gap", L["region_gap"], "delta"),
            ("provenance", L["provenance"], "provenance")]
    note = L.t("components_note", region=L.t("region_is", region=d.region) if with_region else "")
    note = " ".join([note, *(f"{x[:1].upper()}{x[1:]}." for x in d.coverage)])
    return _table(frame, spec, d.lang, note=note)


def _depths(frame: pd.DataFrame) -> list[int]:
    """How deep each node sits under the other nodes of the same table."""
    parents = dict(zip(frame["node"], frame["parent"])) if {"node", "parent"} <= set(frame.columns) else {}

    def depth(node, seen=()) -> int:
        p = parents.get(node)
        return 0 if p not in parents or p in seen else 1 + depth(p, (*seen, node))

    return [depth(n) for n in frame["node"]] if parents else [0] * len(frame)


def _explanation_table(d: ReportData, L: dict) -> _Table | None:
    e = d.explanation
    if e is None or e.empty:
        return None
    name = "node_name" if "node_name" in e.columns else "node"
    spec = [(name, L["indicator"], "text"), ("weight_share", L["share"], "pct"),
            ("prev_value", str(d.year - 1), "score"), ("value", str(d.year), "score"),
            ("delta", L["delta"], "delta"), ("contribution", L["contribution"], "delta")]
    split = "contribution" in e.columns and pd.to_numeric(e["contribution"], errors="coerce").notna().any()
    # the note explains the contributions: none to explain, no note
    return _table(e, spec, d.lang, indent=_depths(e), note=L.t("explanation_note", index=index_label(d)) if split
                  else None)


def _sources_table(d: ReportData, L: dict) -> _Table | None:
    s = d.sources
    if s is None or s.empty:
        return None
    rows = []
    for _, r in s.iterrows():
        url = "" if missing(r.get("url")) else str(r.get("url"))
        first = url.split()[0] if url.strip() else ""
        link = first if re.fullmatch(r"https?://\S+", first) else ""  # the address, not a note after it
        rows.append(([_Cell(str(r.get("source", ""))), _Cell(url, href=link, wrap=True),
                      _Cell(provenance_short(r.get("provenance"), d.lang), nowrap=True),
                      _Cell(format_number(r.get("figures"), "count", lang=d.lang), True)], False))
    return _Table([(L["source"], False), (L["url"], False), (L["provenance"], False), (L["figures"], True)], rows)


def _provenance_legend(d: ReportData) -> list[tuple[str, str]]:
    """(short label, meaning) for every provenance the report shows, in a fixed order."""
    seen: list[str] = []
    for frame in (d.history, d.components, d.sources):
        if frame is not None and "provenance" in frame.columns:
            seen += [k for p in frame["provenance"] for k in provenance_keys(p)]
    keys = [k for k in PROVENANCES if k in seen] + [k for k in dict.fromkeys(seen) if k not in PROVENANCES]
    return [provenance(k, d.lang) for k in keys]


def _key_figures(d: ReportData, L: dict) -> list[tuple[str, str, str]]:
    """(label, value, tone) for the report year: score, rank, score change, rank change."""
    h = d.history
    if h is None or "year" not in h.columns or not (h["year"] == d.year).any():
        return []
    r = h[h["year"] == d.year].iloc[0]
    rank, change, delta = r.get("rank", np.nan), r.get("rank_change", np.nan), r.get("delta", np.nan)
    rank_text = format_number(rank, "rank", lang=d.lang) + ("" if missing(rank) else f"/{d.of}")
    change_text = format_number(change, "change", lang=d.lang)
    if not missing(rank) and not missing(change) and change != 0:
        change_text += f" ({int(rank + change)} → {int(rank)})"
    return [(L.t("score", index=index_label(d)), format_number(r.get("score", np.nan), "score", lang=d.lang), ""),
            (L["rank"], rank_text, ""),
            (L.t("delta_since", prev=d.year - 1), format_number(delta, "delta", lang=d.lang),
             _tone(delta, "delta")),
            (L["rank_change"], change_text, _tone(change, "change"))]


def uncertainty_sentence(d: ReportData) -> str:
    """The rank with its 90% band, e.g. "Rank 3 (90% band 2–5 over 10,000 samples); median rank 3"."""
    u, L = d.uncertainty, Labels(d.lang)
    if not u:
        return ""
    num = lambda k, kind="rank": format_number(u.get(k), kind, lang=d.lang)  # noqa: E731
    parts = [L.t("band", rank=num("rank"), q5=num("q5"), q95=num("q95"), samples=num("samples", "count"))]
    if not missing(u.get("median_rank")):
        parts.append(L.t("median", median=num("median_rank")))
    noise = u.get("weight_noise")
    if not missing(noise):
        parts.append(L.t("noise", noise=format_number(noise, "pct" if noise <= 1 else "num", lang=d.lang)))
    return "; ".join(parts) + "."
