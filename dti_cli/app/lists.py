"""`dti list`: what the other commands take by name (provinces, regions, node ids, editions), in the run's
language."""

from __future__ import annotations

from enum import Enum

import pandas as pd

from dti_cli.app.session import Source, check_boundaries, load_method
from dti_cli.errors import UsageError
from dti_cli.i18n import Msg
from dti_cli.model import editions, provinces
from dti_cli.model.result import Column, Result, Table


class What(str, Enum):
    provinces = "provinces"
    regions = "regions"
    nodes = "nodes"
    editions = "editions"


def listing(what: str, *, src: Source = Source(), boundaries: int | None = None, region: str | None = None,
            lang: str = "vi") -> Result:
    """Provinces (or the 34 units of 2025; those of a region), regions, the node ids of the editions (or of
    --method), or the editions."""
    try:
        kind = What(str(getattr(what, "value", what)).strip().lower())
    except ValueError:
        raise UsageError("listing.unknown", option="what", value=str(what),
                         known=", ".join(w.value for w in What)) from None
    check_boundaries(boundaries)
    if region is not None and kind is not What.provinces:
        raise UsageError("listing.region_provinces", option="region")
    if kind is What.provinces:
        return _provinces(boundaries, provinces.resolve_region(region) if region is not None else None, lang)
    if kind is What.regions:
        return _regions(lang)
    if kind is What.nodes:
        return _nodes(src, lang)
    return _editions(lang)


def _region_cells(region: str, lang: str) -> dict:
    short = provinces.REGIONS[region][1] if region in provinces.REGIONS else ""
    return {"region": provinces.region_name(region, lang) if region else "", "region_key": short,
            "region_key_en": provinces.REGION_EN.get(region, "")}


def _provinces(boundaries: int | None, region: str | None, lang: str) -> Result:
    reg = provinces.registry()
    members: dict[str, list[str]] = {}
    for old, new in reg.merge.items():
        members.setdefault(new, []).append(reg.get(old).name_vi)
    recs = []
    for p in reg.units(boundaries):
        if region is not None and p.region != region:
            continue
        rec = {"province": p.slug, "name": p.name(lang), "gso_code": p.code, **_region_cells(p.region, lang)}
        if boundaries == 2025:
            rec["merged_from"] = ", ".join(members.get(p.slug, ()))
        else:
            rec["unit_2025"] = reg.get(reg.merge[p.slug], 2025).name_vi if p.slug in reg.merge else ""
        recs.append(rec)
    frame = pd.DataFrame(recs)
    cols = [Column("province", Msg("col.slug"), "text"), Column("name", Msg("col.province"), "text"),
            Column("gso_code", Msg("listing.col.code"), "text"), Column("region", Msg("col.region"), "text"),
            Column("region_key", Msg("listing.col.region_key"), "text", table=False),
            Column("region_key_en", Msg("listing.col.region_key_en"), "text", table=False),
            Column("unit_2025", Msg("listing.col.unit_2025"), "text"),
            Column("merged_from", Msg("listing.col.members"), "text")]
    title = Msg("listing.title.units" if boundaries else "listing.title.provinces", n=len(frame))
    if region is not None:
        title = Msg("listing.title.in_region", title=title, region=provinces.RegionName(region))
    return _result("provinces", frame, cols, title)


def _regions(lang: str) -> Result:
    reg = provinces.registry()
    counts: dict[str, int] = {}
    for p in reg.units():
        counts[p.region] = counts.get(p.region, 0) + 1
    frame = pd.DataFrame([{"region_key": short, "region_key_en": provinces.REGION_EN[name],
                           "name": provinces.region_name(name, lang), "n_provinces": counts.get(name, 0)}
                          for name, (_, short) in provinces.REGIONS.items()])
    cols = [Column("region_key", Msg("listing.col.region_key"), "text"),
            Column("region_key_en", Msg("listing.col.region_key_en"), "text"),
            Column("name", Msg("col.region"), "text"),
            Column("n_provinces", Msg("listing.col.provinces"), "int", table=False)]
    return _result("regions", frame, cols, Msg("listing.title.regions", n=len(frame)))


def _nodes(src: Source, lang: str) -> Result:
    methods = (load_method(src.method),) if src.method is not None else editions.editions()
    recs = []
    for m in methods:
        years = "–".join(map(str, sorted({min(m.years), max(m.years)}))) if m.years else ""
        for node in m.nodes:
            kind = ("index" if node == m.root else "pillar" if node in m.pillars else
                    "aggregate" if node in m.aggregates else "indicator")
            recs.append({"edition": m.id, "years": years, "node": node, "name": m.node_label(node, lang),
                         "kind": kind, "parent": ", ".join(m.parents(node))})
    frame = pd.DataFrame(recs)
    cols = [Column("edition", Msg("col.edition"), "text"), Column("years", Msg("listing.col.years"), "text"),
            Column("node", Msg("listing.col.node"), "text"), Column("name", Msg("col.node"), "text"),
            Column("kind", Msg("col.kind"), "text", values="listing.kind.{}"),
            Column("parent", Msg("col.parent"), "text")]
    return _result("nodes", frame, cols, Msg("listing.title.nodes", n=len(frame)))


def _editions(lang: str) -> Result:
    frame = pd.DataFrame([{"edition": m.id, "name": m.label(lang),
                           "years": ", ".join(map(str, m.years or ())), "weights_published": m.computable,
                           "n_nodes": len(m.nodes), "source": m.source} for m in editions.editions()])
    cols = [Column("edition", Msg("col.edition"), "text"), Column("name", Msg("listing.col.name"), "text"),
            Column("years", Msg("listing.col.years"), "text"),
            Column("weights_published", Msg("listing.col.weights"), "bool"),
            Column("n_nodes", Msg("listing.col.nodes"), "int"),
            Column("source", Msg("col.source"), "text", table=False)]
    return _result("editions", frame, cols, Msg("listing.title.editions", n=len(frame)))


def _result(name: str, frame: pd.DataFrame, cols: list[Column], title) -> Result:
    cols = [c for c in cols if c.key in frame.columns]
    return Result(Table.of(name, frame, cols), views=(Table(name, frame, tuple(cols), title=title),))
