"""The analysis commands: explain (why did it move), whatif, gap (what would it take), uncertainty."""

from __future__ import annotations

from typing import Callable

from dti_cli.analysis import averages
from dti_cli.analysis import explain as explain_mod
from dti_cli.analysis import gap as gap_mod
from dti_cli.analysis import sentences, uncertainty as unc_mod, whatif as whatif_mod
from dti_cli.analysis.recompute import parse_assignments
from dti_cli.analysis.units import kind_word
from dti_cli.app.common import about, require_index, unit_columns
from dti_cli.app.session import Source, load
from dti_cli.errors import UsageError
from dti_cli.i18n import Joined, Msg, render
from dti_cli.model.result import Column, Result, Table, Text


def explain(src: Source = Source(), *, province: str, year: int | None = None, boundaries: int | None = None,
            lang: str = "vi") -> Result:
    """Why did it move: the change since the previous year, split exactly into its children's contributions."""
    loaded = load(src, year=year, boundaries=boundaries)
    year = loaded.year(year)
    scores = loaded.scores
    unit = loaded.unit(province)
    name = loaded.names(lang)(unit)
    method = scores.methods[year]
    rows, notes = explain_mod.explain(scores, unit, year, lang=lang)
    loaded.notes.extend(notes)
    cur, prev = scores.cell(year, unit, method.root), scores.cell(year - 1, unit, method.root)
    sentence = Joined([sentences.headline(name, year, cur["value"], cur["rank"], scores.universe.get(year, 0),
                                           prev["value"], prev["rank"]), sentences.drivers(rows, method.root)])
    cols = (Column("node", Msg("col.slug"), "text", table=False),
            Column("parent", Msg("col.parent"), "text", table=False), Column("name", Msg("col.indicator"), "text"),
            Column("weight_share", Msg("col.share"), "pct"), Column("prev_value", str(year - 1), "score"),
            Column("value", str(year), "score"), Column("delta", "±", "delta"),
            Column("contribution", Msg("col.contribution"), "delta"))
    machine = Table.of("explain", rows, cols)
    known = _known(cur) and _known(prev)  # the headline says something even without contributions
    text, note_texts = render(sentence, lang), [render(n, lang) for n in notes]
    doc = {scores.unit_kind: unit, "name": name, "year": year, "sentence": text, "notes": note_texts,
           "rows": machine}

    def views(screen: bool = True):
        shown = explain_mod.tree_rows(rows)
        tiny = (shown["node"] == explain_mod.ROUNDING) & (shown["contribution"].abs() < 5e-5) if len(shown) else None
        hidden = tiny is not None and bool(tiny.any())
        if hidden:  # invisible at 4 decimals; csv and json keep them
            shown = shown[~tiny]
        caption = Msg("explain.rounding_hidden", method=method.named()) if hidden else method.named()
        table = Table("explain", shown, cols, title=Msg("title.explain", name=name, prev=year - 1, year=year),
                      caption=caption)
        return (Text(sentence), table) if len(rows) else (Text(sentence),)

    return Result(machine, views=views, doc=doc, notes=tuple(loaded.notes), about=about(scores, year, lang),
                  attrs={"sentence": text, "name": name},
                  empty=None if len(rows) or known or not notes else notes[-1], empty_ok=known)


def _known(cell: dict) -> bool:
    """A score or a rank to speak of (a headline without contributions is still an answer)."""
    return cell["value"] == cell["value"] or cell["rank"] == cell["rank"]


def whatif(src: Source = Source(), *, province: str | None = None, set_=None, weights=None, year: int | None = None,
           boundaries: int | None = None, lang: str = "vi") -> Result:
    """Recompute with changed values (set_) or weights: new score and rank next to the old."""
    if not set_ and not weights:
        raise UsageError("whatif.nothing", hint="whatif_how")
    if set_ and weights:
        raise UsageError("whatif.both", hint="set_or_weights")
    loaded = load(src, year=year, with_prev=False, boundaries=boundaries)
    year = loaded.year(year, recompute="whatif")
    scores, method = loaded.scores, loaded.scores.methods[year]
    names = loaded.names(lang)
    if set_:
        if not province:
            raise UsageError("whatif.set_needs_unit", hint="whatif_set")
        changes = parse_assignments(set_, "set")
        unit = loaded.unit(province)
        frame = whatif_mod.whatif_values(scores, year, unit, changes, dataset=loaded.dataset)
        frame.insert(1, "name", [method.node_label(n, lang) for n in frame["node"]])
        cols = [Column("node", Msg("col.slug"), "text", table=False), Column("name", Msg("col.indicator"), "text"),
                *_before_after(), Column("of", Msg("coverage.col.rank_n"), "int", table=False),
                Column("set", Msg("col.set"), "bool", table=False)]
        shown = frame[frame["new_rank"].notna()]
        loaded.notes.extend(averages.rank_notes(shown["node"], shown["of"], scores.universe.get(year, 0),
                                                kind_word(scores.unit_kind)))
        title = Msg("title.whatif_set", name=names(unit), year=year, changes=_as_written(set_, ", "))
        machine = Table.of("whatif", frame, cols)
        return Result(machine, views=(Table("whatif", frame, tuple(cols), title=title, caption=method.named()),),
                      notes=tuple(loaded.notes), about=about(scores, year, lang))
    if province:
        raise UsageError("whatif.weights_all")
    changes = parse_assignments(weights, "weights")
    frame, new_method = whatif_mod.whatif_weights(scores, year, changes)
    frame = frame.rename(columns={"unit": scores.unit_kind})
    frame.insert(1, "name", [names(u) for u in frame[scores.unit_kind]])
    moved = frame[frame["rank_change"].fillna(0) != 0]
    spec = _as_written(weights, ",")
    loaded.notes.append(Msg("note.whatif_moved", moved=len(moved), n=len(frame), weights=spec,
                            kind=kind_word(scores.unit_kind)))
    cols = [*unit_columns(scores.unit_kind), *_before_after(), Column("rank_change", "↕", "change")]
    title = Msg("title.whatif_weights", year=year, weights=spec)

    def views(screen: bool = True):  # on screen only the provinces whose rank moves
        return (Table("whatif", moved if screen else frame, tuple(cols), title=title, caption=new_method.named()),)

    return Result(Table.of("whatif", frame, cols), views=views, notes=tuple(loaded.notes),
                  about=about(scores, year, lang))


def _as_written(items, sep: str) -> str:
    """Assignments as the user wrote them ("hd_cqs=300,hd_kts=150"), or a mapping's items."""
    if isinstance(items, dict):
        return sep.join(f"{k}={v}" for k, v in items.items())
    return sep.join([items] if isinstance(items, str) else list(items))


def _before_after() -> list[Column]:
    return [Column("old", Msg("col.now"), "score"), Column("new", Msg("col.what_if"), "score"),
            Column("delta", "±", "delta"), Column("old_rank", Msg("col.rank"), "rank"),
            Column("new_rank", Msg("col.new_rank"), "rank")]


def gap(src: Source = Source(), *, province: str, target_rank: int, year: int | None = None,
        boundaries: int | None = None, lang: str = "vi") -> Result:
    """What it would take: the score needed to reach a rank, and how much each indicator alone would need to rise."""
    loaded = load(src, year=year, with_prev=False, boundaries=boundaries)
    year = loaded.year(year, recompute="gap")
    scores, method = loaded.scores, loaded.scores.methods[year]
    unit = loaded.unit(province)
    name = loaded.names(lang)(unit)
    summary, frame = gap_mod.gap(scores, year, unit, target_rank, dataset=loaded.dataset)
    if summary["rank"] <= target_rank:
        loaded.notes.append(Msg("note.gap_already", name=name, rank=int(summary["rank"]),
                                ord=sentences.ordinal(int(summary["rank"])), year=year, target=target_rank))
    else:
        loaded.notes.append(Msg("note.gap_needs", name=name, score=float(summary["score"]),
                                rank=int(summary["rank"]), ord=sentences.ordinal(int(summary["rank"])), year=year,
                                target=target_rank,
                                needed=float(summary["needed_score"]), gap=float(summary["gap"])))
    if len(frame):
        frame.insert(1, "name", [method.node_label(n, lang) for n in frame["leaf"]])
    cols = (Column("leaf", Msg("col.slug"), "text", table=False), Column("name", Msg("col.indicator"), "text"),
            Column("current", Msg("col.now"), "score"), Column("needed", Msg("col.needed"), "score"),
            Column("increase", Msg("col.increase"), "delta"), Column("index_points", Msg("col.index_points"), "delta"),
            Column("reachable", Msg("col.reachable"), "bool"))
    view = Table("gap", frame, cols, title=Msg("title.gap", name=name, year=year, target=target_rank),
                 caption=method.named())
    return Result(Table.of("gap", frame, cols), views=(view,), notes=tuple(loaded.notes),
                  about=about(scores, year, lang), empty_ok=summary["rank"] <= target_rank,  # already there
                  attrs={k: (v.item() if hasattr(v, "item") else v) for k, v in summary.items()})


def uncertainty(src: Source = Source(), *, year: int | None = None, samples: int = 10_000, weight_noise: float = 0.25,
                seed: int = 0, alternatives: str | None = None, boundaries: int | None = None, lang: str = "vi",
                progress: Callable[[int], None] | None = None) -> Result:
    """How sure are we: Monte Carlo ranks under random weights (and methods): median rank and 5–95% band."""
    loaded = load(src, year=year, with_prev=False, boundaries=boundaries)
    year = loaded.year(year, recompute="uncertainty",
                       first=lambda y: require_index(loaded.scores, y, "uncertainty.no_index"))
    scores, method = loaded.scores, loaded.scores.methods[year]
    names = loaded.names(lang)
    alts = unc_mod.Alternatives.parse(alternatives)
    leaf_sets = None
    if alts.normalise:
        if loaded.method is None:
            raise UsageError("alternatives.needs_method", option="alternatives", hint="raw_method")
        leaf_sets = unc_mod.alternative_leaves(loaded.dataset, method, year, alts)
    frame = unc_mod.uncertainty(scores, year, samples=samples, noise=weight_noise, seed=seed, alternatives=alts,
                                leaf_sets=leaf_sets, progress=progress)
    frame = frame.rename(columns={"unit": scores.unit_kind})
    frame.insert(1, "name", [names(u) for u in frame[scores.unit_kind]])
    loaded.notes.append(Msg("note.uncertainty_alt" if alternatives else "note.uncertainty", samples=samples,
                            noise=weight_noise, seed=seed, alternatives=alternatives or ""))
    cols = [*unit_columns(scores.unit_kind), Column("score", Msg("col.score"), "score"),
            Column("rank", Msg("col.rank"), "rank"), Column("median_rank", Msg("col.median"), "num"),
            Column("q5", "P5", "rank", table=False), Column("q95", "P95", "rank", table=False),
            Column("samples_ranked", Msg("col.samples_ranked"), "int", table=False),
            Column("overlaps_neighbour", Msg("col.overlaps"), "bool")]
    title = Msg("title.uncertainty", year=year, samples=samples, noise=weight_noise)

    def views(screen: bool = True):
        band = [f"{int(a)}–{int(b)}" if a == a and b == b else "–" for a, b in zip(frame["q5"], frame["q95"])]
        shown = frame.assign(band=band)
        at = next(i for i, c in enumerate(cols) if c.key == "samples_ranked")
        view_cols = (*cols[:at], Column("band", Msg("col.band"), "text"), *cols[at:])
        return (Table("uncertainty", shown, view_cols, title=title, caption=method.named()),)

    return Result(Table.of("uncertainty", frame, cols), views=views, notes=tuple(loaded.notes),
                  about=about(scores, year, lang))
