"""The commands that check and describe: verify (the published figures), check (a data set against its method),
method (the methodology tree) and init (a starting method file)."""

from __future__ import annotations

import pandas as pd

from dti_cli.analysis import audit, method_rows, verify as verify_mod
from dti_cli.app.common import GENERATED_BY, about
from dti_cli.app.session import Source, load, load_data, load_method
from dti_cli.errors import UsageError
from dti_cli.i18n import Msg, render
from dti_cli.model import editions
from dti_cli.model.result import PROVENANCE_VALUES, Column, Result, Table


def verify(src: Source = Source(), *, show: int = 10, lang: str = "vi") -> Result:
    """Recompute every published aggregate from its inputs and every published rank; failed when one differs (a
    year imported on the 34 units is checked on them, apart from the years of the 63)."""
    loaded = load(src, store_34=False)
    scores = loaded.scores
    values, ranks = verify_mod.verify(scores)
    for year in _years_34(src):  # each on the 34 units, as imported
        v, r = verify_mod.verify(load(src, year=year, with_prev=False).scores)
        values = pd.concat([values, v], ignore_index=True) if len(v) else values
        ranks = pd.concat([ranks, r], ignore_index=True) if len(r) else ranks
    unit = scores.unit_kind
    vcols = [Column("year", Msg("col.year"), "int"), Column(unit, Msg("col.province"), "text"),
             Column("indicator", Msg("col.indicator"), "text"), Column("published", Msg("col.published"), "num"),
             Column("computed", Msg("col.computed"), "num"), Column("difference", Msg("col.difference"), "diff"),
             Column("tolerance", Msg("col.tolerance"), "num"),
             Column("basis", Msg("col.basis"), "text", values="value.basis.{}"),
             Column("provenance", Msg("col.provenance"), "text", values=PROVENANCE_VALUES),
             Column("ok", Msg("col.ok"), "bool")]
    rcols = [*vcols[:3], Column("published_rank", Msg("col.published_rank"), "rank"),
             Column("computed_rank", Msg("col.computed_rank"), "rank"), vcols[-1]]
    both = pd.concat([values.assign(check="value"), ranks.assign(check="rank")], ignore_index=True)
    long = [Column("check", Msg("col.check"), "text", values="value.verify.{}"), *vcols[:-1], *rcols[3:5], vcols[-1]]
    bad_v, bad_r = int((~values["ok"]).sum()), int((~ranks["ok"]).sum())
    if len(values):
        status = Msg("status.verify", ok=len(values) - bad_v, n=len(values),
                     worst=float(values["difference"].abs().max()), rank_ok=len(ranks) - bad_r, ranks=len(ranks))
    else:
        status = Msg("status.verify_none", rank_ok=len(ranks) - bad_r, ranks=len(ranks))
    failed = bool(bad_v or bad_r)

    def views(screen: bool = True):
        head = values.head(show) if screen else values
        view = [Column(c.key, c.header, c.kind, values=c.values,
                       table=c.key not in ("tolerance", "basis", "provenance")) for c in vcols]
        out = [Table("values", head, tuple(view), title=Msg("title.verify", n=len(values)))]
        if not screen:
            out.append(Table("ranks", ranks, tuple(rcols), title=Msg("title.ranks")))
        elif bad_r:
            out.append(Table("ranks", ranks[~ranks["ok"]], tuple(rcols), title=Msg("title.rank_mismatches")))
        return tuple(out)

    return Result(Table.of("verify", both, long), views=views,
                  sheets=(Table.of("values", values, vcols), Table.of("ranks", ranks, rcols)),
                  notes=tuple(loaded.notes), status=Msg("status.verify_failed", summary=status) if failed else status,
                  failed=failed, about=about(scores, max(scores.years), lang),
                  empty=None if len(both) else Msg("empty.verify_none"))


def _years_34(src: Source) -> list[int]:
    """The years the user imported on the 34 units, when the run reads the bundled data and editions."""
    from dti_cli.app import stored

    return sorted(stored.years_34()) if src.data is None and src.method is None else []


def check(src: Source = Source(), *, year: int | None = None, lang: str = "vi") -> Result:
    """Audit the data against the method: missing data, coverage, outliers, spread, correlations, alpha; failed
    when a finding is an error."""
    loaded = load(src, year=year, with_prev=False)
    scores = loaded.scores
    seen = []
    for m in scores.methods.values():
        if all(m is not s for s in seen):
            seen.append(m)
    found = pd.concat([audit.audit(loaded.dataset, m, scores.only(m)) for m in seen], ignore_index=True)
    found = found.assign(message=[render(m, lang) for m in found["message"]],
                         threshold=[render(t, lang) if hasattr(t, "text") else t for t in found["threshold"]])
    found = found.drop_duplicates(["level", "check", "year", "subject", "message"]).reset_index(drop=True)
    cols = (Column("level", Msg("col.level"), "text", values="value.level.{}"),
            Column("check", Msg("col.check"), "text", values="value.check.{}"), Column("year", Msg("col.year"), "int"),
            Column("subject", Msg("col.subject"), "text", table=False),
            Column("value", Msg("col.value"), "num", table=False),
            Column("threshold", Msg("col.threshold"), "text", table=False),
            Column("message", Msg("col.detail"), "text"))
    n_err, n_warn = int((found["level"] == audit.ERROR).sum()), int((found["level"] == audit.WARNING).sum())
    summary = Msg("status.check", errors=n_err, warnings=n_warn, n=len(found))

    def views(screen: bool = True):
        title = Msg("title.check", label=loaded.dataset.label)
        if not screen:
            return (Table("check", found, cols, title=title),)
        shown = found[found["level"] != audit.INFO]
        alpha = found[(found["check"] == "Cronbach's alpha") & (found["level"] == audit.INFO)]
        return (Table("check", pd.concat([shown, alpha], ignore_index=True), cols, title=title,
                      caption=Msg("caption.check")),)

    return Result(Table.of("check", found, cols), views=views, notes=tuple(loaded.notes),
                  status=Msg("status.check_failed", summary=summary) if n_err else summary, failed=bool(n_err),
                  about=about(scores, max(scores.years), lang), empty_ok=True)  # no finding is an answer


class _Indented:
    """A node's name in the tree: indented by depth, with its id, pillars marked."""

    def __init__(self, depth: int, name: str, node: str, pillar: bool):
        self.depth, self.name, self.node, self.pillar = depth, name, node, pillar

    def text(self, lang: str = "en") -> str:
        tail = " " + Msg("word.pillar").text(lang) if self.pillar else ""
        return "  " * self.depth + f"{self.name} ({self.node}){tail}"


def _chosen(src: Source, edition: str | None):
    """The method a run asks for: --method FILE, else the edition named, else the latest."""
    if src.method is not None:
        return load_method(src.method)
    return editions.edition(edition) if edition else editions.editions()[-1]


def method(src: Source = Source(), *, edition: str | None = None, lang: str = "vi") -> Result:
    """The methodology tree: names, weights, and the share each node has in the index."""
    meth = _chosen(src, edition)
    rows = method_rows.method_rows(meth, lang=lang)
    cols = (Column("tree", Msg("col.tree"), "text", table=False), Column("depth", Msg("col.depth"), "int", table=False),
            Column("node", Msg("col.slug"), "text", table=False), Column("parent", Msg("col.parent"), "text",
                                                                         table=False),
            Column("name", Msg("col.node"), "text"), Column("kind", Msg("col.kind"), "text", table=False),
            Column("aggregate", Msg("col.aggregate"), "text", table=False),
            Column("normalise", Msg("col.normalise"), "text", table=False),
            Column("weight", Msg("col.weight"), "num"), Column("share_in_parent", Msg("col.share"), "pct"),
            Column("share_in_index", Msg("col.in_index"), "pct"))

    def views(screen: bool = True):
        shown = rows.assign(name=[_Indented(d, n, i, not (t == meth.root or d))
                                  for d, n, i, t in zip(rows["depth"], rows["name"], rows["node"], rows["tree"])])
        return (Table("method", shown, cols, title=meth.named(), caption=_MethodCaption(meth)),)

    about_rows = (("edition", meth.label(lang)), ("method", meth.source), ("generated by", GENERATED_BY))
    return Result(Table.of(f"method {meth.id}", rows, cols), views=views, about=about_rows)


def method_toml(src: Source = Source(), *, edition: str | None = None, lang: str = "vi") -> str:
    """A shipped edition (or --method FILE) as a method file to edit, comments in the run's language."""
    from dti_cli.io.method_template import editable

    meth = _chosen(src, edition)
    return editable(meth, lang=lang)


class _MethodCaption:
    """The method's source, and why it cannot compute where it cannot."""

    def __init__(self, meth):
        self.meth = meth

    def text(self, lang: str = "en") -> str:
        from dti_cli.analysis.averages import MethodNote

        note = "" if self.meth.computable else "\n" + MethodNote(self.meth).text(lang)
        return self.meth.source + note


def init(src: Source, *, lang: str = "vi") -> str:
    """A starting method file (TOML) for a data file: every column a leaf, min-max, equal weights."""
    from dti_cli.io import csv_read
    from dti_cli.io.method_template import starter
    from dti_cli.model.method_file import parse

    if src.data is None:
        raise UsageError("init.needs_data", hint="init_data")
    texts = csv_read.text_columns(src.data, fmt=src.fmt)
    ds = load_data(src.data, fmt=src.fmt, attributes=texts)
    text = starter(ds.indicators, source=ds.label, groups=[t for t in texts if t not in ("name", "name_en", "code")],
                   lang=lang)
    parse(text, "<dti init>")  # what we write must load
    return text
