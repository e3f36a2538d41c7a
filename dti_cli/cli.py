"""The `dti` command line: argv → core → stdout. The only module that knows typer, exit codes and consoles."""

import functools
import inspect
import os
import sys
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, List, Optional

import typer

from dti_cli import __version__
from dti_cli.errors import EXIT_INTERNAL, EXIT_USAGE, DTIError, UsageError


class Lang(str, Enum):
    vi = "vi"
    en = "en"


class Format(str, Enum):
    table = "table"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    markdown = "markdown"
    xlsx = "xlsx"


_SUFFIX_FORMATS = {".csv": Format.csv, ".tsv": Format.tsv, ".txt": Format.tsv, ".json": Format.json,
                   ".md": Format.markdown, ".xlsx": Format.xlsx}


_APP = dict(
    name="dti",
    help="Compute, rank and compare DTI-style composite indices (Vietnam's provincial Digital Transformation "
         "Index, 2020–2024, bundled). Data goes to stdout, messages to stderr. Exit codes: 0 ok, 1 data or "
         "verification failure, 2 usage error, 3 internal error.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    rich_markup_mode=None,
)
app = typer.Typer(**_APP)
_REGISTRY: list = []  # (command name, group name or None, function): main() builds only what a run needs


# ---------------------------------------------------------------- completion (no pandas here)

def _complete_province(incomplete: str) -> list[str]:
    from dti_cli import provinces

    return provinces.registry().complete(incomplete)


def _complete_year(incomplete: str) -> list[str]:
    from dti_cli import method

    return [str(y) for y in method.edition_years() if str(y).startswith(incomplete)]


def _complete_edition(incomplete: str) -> list[str]:
    from dti_cli import method

    keys = [e.id for e in method.editions()] + [str(y) for y in method.edition_years()]
    return [k for k in keys if k.startswith(incomplete)]


# ---------------------------------------------------------------- options every command takes

@dataclass
class Opts:
    """The options common to every command, after merging the global ones."""

    data: Optional[str] = None
    method: Optional[str] = None
    lang: str = "vi"
    fmt: Optional[Format] = None
    no_color: bool = False
    decimal: str = "."
    thousands: Optional[str] = None
    na: tuple = ()
    output: Optional[str] = None

    def resolved_format(self) -> Format:
        if self.fmt is Format.xlsx and not self.output:
            raise UsageError("--format xlsx writes a file: add -o FILE.xlsx")
        if self.fmt is not None:
            return self.fmt
        if self.output:
            from pathlib import Path

            suffix = Path(self.output).suffix.lower()
            if suffix not in _SUFFIX_FORMATS:
                raise UsageError(f"{self.output}: cannot tell the format from '{suffix or 'no suffix'}' (use "
                                 f"{', '.join(_SUFFIX_FORMATS)} or --format)")
            return _SUFFIX_FORMATS[suffix]
        return Format.table if sys.stdout.isatty() else Format.tsv

    def console(self, stderr: bool = False):
        from rich.console import Console

        no_color = self.no_color or bool(os.environ.get("NO_COLOR"))
        return Console(stderr=stderr, no_color=no_color, highlight=False, emoji=False)


_DataOpt = Annotated[Optional[str], typer.Option(
    "--data", metavar="FILE", help="Indicator CSV (long or wide; '-' for stdin). Default: the bundled DTI data.")]
_MethodOpt = Annotated[Optional[str], typer.Option(
    "--method", metavar="FILE", help="Methodology TOML replacing the shipped editions.")]
_LangOpt = Annotated[Optional[Lang], typer.Option("--lang", help="Labels: vi (default) or en.")]
_FormatOpt = Annotated[Optional[Format], typer.Option(
    "--format", "-f", help="Output: table (default on a terminal), tsv (default when piped), csv, json, markdown.")]
_NoColorOpt = Annotated[bool, typer.Option("--no-color", help="No colour (NO_COLOR is honoured too).")]
_DecimalOpt = Annotated[Optional[str], typer.Option(
    "--decimal", metavar="CHAR", help="Decimal mark of the data file: '.' (default) or ','.")]
_ThousandsOpt = Annotated[Optional[str], typer.Option(
    "--thousands", metavar="CHAR", help="Thousands separator of the data file (e.g. '.'); none by default.")]
_NaOpt = Annotated[Optional[List[str]], typer.Option(
    "--na", metavar="TOKEN", help="Treat this cell text as missing (repeatable); empty cells always are.")]

_OutputOpt = Annotated[Optional[str], typer.Option(
    "--output", "-o", metavar="FILE", help="Write to FILE (atomically) instead of stdout; the suffix sets the "
                                          "format (.csv .tsv .json .md .xlsx) unless --format does.")]

_COMMON = [
    inspect.Parameter("data", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_DataOpt),
    inspect.Parameter("method", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_MethodOpt),
    inspect.Parameter("fmt", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_FormatOpt),
    inspect.Parameter("lang", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_LangOpt),
    inspect.Parameter("no_color", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=_NoColorOpt),
    inspect.Parameter("decimal", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_DecimalOpt),
    inspect.Parameter("thousands", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_ThousandsOpt),
    inspect.Parameter("na", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_NaOpt),
    inspect.Parameter("output", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_OutputOpt),
]
_GLOBAL = Opts()


def command(name: Optional[str] = None, group=None):
    """Register a command that receives the common options as `opts` and whose errors become one line."""

    def deco(fn):
        sig = inspect.signature(fn)
        own = [p for p in sig.parameters.values() if p.name != "opts"]

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            common = {p.name: kwargs.pop(p.name, None) for p in _COMMON}
            opts = Opts(
                data=common["data"] or _GLOBAL.data, method=common["method"] or _GLOBAL.method,
                lang=(common["lang"] or _GLOBAL.lang).value if isinstance(common["lang"] or _GLOBAL.lang, Lang)
                else (common["lang"] or _GLOBAL.lang),
                fmt=common["fmt"], no_color=bool(common["no_color"]) or _GLOBAL.no_color,
                decimal=common["decimal"] or _GLOBAL.decimal, thousands=common["thousands"] or _GLOBAL.thousands,
                na=tuple(common["na"] or ()) or _GLOBAL.na, output=common["output"],
            )
            try:
                return fn(*args, opts=opts, **kwargs)
            except DTIError as exc:
                _fail(opts, str(exc), exc.exit_code)

        wrapper.__signature__ = sig.replace(parameters=own + _COMMON)
        wrapper.__annotations__ = {p.name: p.annotation for p in own + _COMMON}
        _REGISTRY.append((name, group.info.name if group is not None else None, wrapper))
        return (group or app).command(name)(wrapper)

    return deco


def _fail(opts: Opts, message: str, code: int):
    from rich.markup import escape

    opts.console(stderr=True).print(f"[bold red]Error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def _note(opts: Opts, message: str) -> None:
    from rich.markup import escape

    opts.console(stderr=True).print(f"[yellow]Note:[/] {escape(message)}", soft_wrap=True)


def _version(value: bool):
    if value:
        typer.echo(f"dti {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    data: _DataOpt = None,
    method: _MethodOpt = None,
    lang: _LangOpt = None,
    no_color: _NoColorOpt = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
):
    """Compute, rank and compare DTI-style composite indices."""
    _GLOBAL.data, _GLOBAL.method = data, method
    _GLOBAL.lang = lang.value if lang else "vi"
    _GLOBAL.no_color = no_color


# ---------------------------------------------------------------- loading

def _load(opts: Opts, *, years: Optional[list] = None, with_prev: bool = True, boundaries: Optional[int] = None,
          keep_rows: bool = True):
    """Data + method → Scores for the years asked (and the year before each, for changes). With keep_rows=False
    the returned dataset's rows are dropped once they are in the scores (a command that needs only the scores)."""
    from dti_cli import data as data_mod
    from dti_cli import engine
    from dti_cli import method as method_mod

    meth = method_mod.load(opts.method) if opts.method else None
    groups = tuple(sorted({lf.group for lf in meth.leaves.values() if lf.group} | set(meth.attributes))) if meth \
        else ()
    fmt = data_mod.Format(decimal=opts.decimal, thousands=opts.thousands, na=opts.na)
    if opts.data:
        ds = data_mod.load(opts.data, fmt=fmt, attributes=groups)
    else:
        ds = data_mod.load(data_mod.bundled_path(), fmt=fmt, attributes=groups)
        ds = data_mod.Dataset(ds.frame, ds.unit_kind, "indicators.csv (bundled)", ds.attributes)
    wanted = None
    if years:
        for y in years:
            if y not in ds.years:
                raise UsageError(f"unknown year {y} (the data has {', '.join(map(str, ds.years))})")
        wanted = sorted({y for y0 in years for y in ((y0 - 1, y0) if with_prev else (y0,)) if y in ds.years})
    plan = engine.plan(ds, meth, wanted)
    _match(opts, ds, plan, meth)
    if boundaries == 2025:
        from dti_cli import boundaries as boundaries_mod

        ds = boundaries_mod.to_2025(ds, plan)
    scores = engine.evaluate(ds, plan, release=not keep_rows)
    for note in scores.notes:
        _note(opts, note)
    return ds, scores


def _match(opts: Opts, ds, plan: dict, meth) -> None:
    """The data and the method must meet: no shared indicator is an error; a user's method leaf missing from the
    data, or a data indicator the method ignores, is said on stderr."""
    present = set(ds.indicators)
    nodes = {n for m in plan.values() for n in m.nodes}
    if not present & nodes:
        hint = "" if meth else "; for data that is not the provincial DTI, pass --method FILE"
        raise UsageError(f"{ds.label}: none of its indicators ({', '.join(sorted(present)[:6])}"
                         f"{', …' if len(present) > 6 else ''}) is in the method ({', '.join(sorted(nodes)[:6])}"
                         f"{', …' if len(nodes) > 6 else ''}){hint}")
    if meth is None:
        return
    missing = [lf for lf in meth.leaves if lf not in present]
    if missing:
        _note(opts, f"method leaves not in the data: {', '.join(missing)} (dti check lists what this affects)")
    unused = sorted(present - nodes)
    if unused:
        _note(opts, f"data indicators the method does not use: {', '.join(unused)}")


def _latest(scores) -> int:
    return max(scores.years)


def _unit(opts: Opts, scores, text: str, boundaries: Optional[int] = None) -> str:
    from dti_cli import provinces

    if scores.unit_kind == "province":
        return provinces.registry().resolve(text, boundaries)
    units = sorted(set(scores.rows["unit"]))
    if text in units:
        return text
    key = provinces.fold(text)
    for u in units:
        if provinces.fold(u) == key:
            return u
    import difflib

    close = difflib.get_close_matches(text, units, n=1)
    raise UsageError(f"unknown unit '{text}'" + (f"; did you mean {close[0]}?" if close else ""))


def _emit(opts: Opts, frame, columns, *, title: str = "", caption: str = "", sheet: str = "", about=None) -> None:
    """One table to stdout or to -o FILE, in the chosen format."""
    _emit_many(opts, [(sheet or title or "data", frame, columns, title)], caption=caption, about=about)


def _emit_many(opts: Opts, tables: list, *, caption: str = "", about=None) -> None:
    """Several tables (name, frame, columns, title): Rich tables, one text document, or one sheet each."""
    from dti_cli import render

    fmt = opts.resolved_format()
    if fmt is Format.xlsx:
        from dti_cli import excel

        sheets = [(name, frame, cols) for name, frame, cols, _ in tables]
        excel.write_xlsx(opts.output, sheets, about=about or [("generated by", f"dti {__version__}")])
        _note(opts, f"wrote {opts.output} ({', '.join(n for n, *_ in tables)})")
        return
    if fmt is Format.table:
        con = opts.console() if not opts.output else _file_console()
        for i, (_, frame, cols, title) in enumerate(tables):
            con.print(render.rich_table(frame, cols, title=title, caption=caption if i == len(tables) - 1 else "",
                                        lang=opts.lang))
        if opts.output:
            _write(opts, con.file.getvalue())
        return
    if len(tables) == 1:
        _write(opts, render.to_text(tables[0][1], tables[0][2], render.Fmt(fmt.value), lang=opts.lang))
        return
    raise AssertionError("several tables in a text format are rendered by the command")


def _file_console():
    import io

    from rich.console import Console

    return Console(file=io.StringIO(), width=100, no_color=True, highlight=False, emoji=False)


def _write(opts: Opts, text: str) -> None:
    """Text to -o FILE (atomically: an existing file is replaced only on success) or to stdout."""
    if opts.output:
        from dti_cli.files import write_atomic

        write_atomic(opts.output, text)
        _note(opts, f"wrote {opts.output}")
    else:
        sys.stdout.write(text)


def _method_notes(opts: Opts, scores, years) -> None:
    seen = set()
    for y in years:
        m = scores.methods.get(y)
        if m and not m.computable and m.id not in seen:
            seen.add(m.id)
            _note(opts, f"{y}: {m.note_en or m.note}")


# ---------------------------------------------------------------- commands

_YearOpt = Annotated[Optional[int], typer.Option("--year", "-y", help="Data year (default: the latest).",
                                                 autocompletion=_complete_year)]


class Boundaries(str, Enum):
    b2025 = "2025"


_BoundariesOpt = Annotated[Optional[Boundaries], typer.Option(
    "--boundaries", help="2025: re-express the figures on the 34 units in force from 1 July 2025 (a merged "
                         "unit's main indices are its old provinces' means).")]


def _b(boundaries) -> Optional[int]:
    return 2025 if boundaries is not None else None


@command("rank")
def rank_cmd(
    year: _YearOpt = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Rank on this node (default: the index).")] = None,
    top: Annotated[Optional[int], typer.Option("--top", min=1, help="Show only the first N.")] = None,
    region: Annotated[Optional[str], typer.Option("--region", help="Only this GSO region (e.g. mekong).")] = None,
    boundaries: _BoundariesOpt = None,
    *, opts: Opts,
):
    """Rank every province on the index (or any node) with last year's score, the change and the pillars."""
    from dti_cli import analysis, provinces, render

    ds, scores, year, node, names, reg = _ranking(opts, year, by, region, boundaries)
    table = analysis.rank_table(scores, year, by=node, names=names, top=top, region=reg)
    note = analysis.coverage_note(scores, year, node)
    if note:
        _note(opts, note)
    _method_notes(opts, scores, [year])
    method = scores.methods[year]
    unit_col = scores.unit_kind
    cols = [
        render.Column("rank", "Hạng", "Rank", "rank"),
        render.Column("region_rank", "Hạng vùng", "Reg.", "rank"),
        render.Column(unit_col, "Mã", "Slug", "text", table=False),
        render.Column("name", "Tỉnh/thành" if unit_col == "province" else "Đơn vị",
                      "Province" if unit_col == "province" else "Unit"),
        render.Column("score", node.upper(), node.upper(), "score", prov="provenance"),
        render.Column("prev_score", str(year - 1), str(year - 1), "score", table=False),
        render.Column("delta", f"± {year - 1}", f"± {year - 1}", "delta"),
        render.Column("prev_rank", f"Hạng {year - 1}", f"Rank {year - 1}", "rank", table=False),
        render.Column("rank_change", "↕", "↕", "change"),
    ]
    cols += [render.Column(p, p.upper(), p.upper(), "score") for p in method.pillars if p != node]
    cols.append(render.Column("provenance", "Nguồn gốc", "Provenance", "text", table=False))
    if opts.resolved_format() is Format.table:  # a bar proportional to the score, on screen only
        top = table["score"].max()
        table = table.assign(bar=[render.bar(v, top) for v in table["score"]])
        cols.insert(cols.index(next(c for c in cols if c.key == "delta")), render.Column("bar", "", "", "text"))
    scope = provinces.region_name(reg, opts.lang) + ", " if reg else ""
    title = (f"{method.node_label(node, opts.lang)} {year}: {scope}{len(table)} "
             + ("provinces" if opts.lang == "en" else "tỉnh/thành")) if unit_col == "province" else \
        f"{method.node_label(node, opts.lang)} {year}"
    _emit(opts, table, cols, title=title, caption=method.label(opts.lang), sheet=f"rank {year}",
          about=_about(scores, year) if opts.resolved_format() is Format.xlsx else None)


def _ranking(opts: Opts, year, by, region, boundaries):
    """What rank-like commands share: the scores, the year (default the latest), the node, names, the region."""
    from dti_cli import analysis, provinces

    ds, scores = _load(opts, years=[year] if year else None, boundaries=_b(boundaries))
    year = year or _latest(scores)
    node = by or scores.methods[year].root
    analysis.check_node(scores, year, node)
    names = analysis.Names.of(ds, scores.unit_kind, opts.lang, _b(boundaries))
    reg = provinces.resolve_region(region) if region else None
    if reg and scores.unit_kind != "province":
        raise UsageError("--region needs province data")
    return ds, scores, year, node, names, reg


def _parse_units(opts, scores, items: list, boundaries: Optional[int] = None) -> list:
    out = []
    for item in items:
        u = _unit(opts, scores, item, boundaries)
        if u not in out:
            out.append(u)
    return out


@command("compare")
def compare_cmd(
    province: Annotated[List[str], typer.Argument(help="One or more provinces: slug, name, alias or GSO code.",
                                                  autocompletion=_complete_province)],
    national: Annotated[bool, typer.Option("--national", help="Add the national average and the gap to it.")] = False,
    region: Annotated[bool, typer.Option("--region", help="Add the province's region average and the gap.")] = False,
    year: _YearOpt = None,
    boundaries: _BoundariesOpt = None,
    *, opts: Opts,
):
    """Provinces side by side on the index, each pillar and each main index: value, rank, change, averages."""
    import numpy as np

    from dti_cli import analysis, render

    ds, scores = _load(opts, years=[year] if year else None, boundaries=_b(boundaries))
    year = year or _latest(scores)
    units = _parse_units(opts, scores, province, _b(boundaries))
    names = analysis.Names.of(ds, scores.unit_kind, opts.lang, _b(boundaries))
    table = analysis.compare_table(scores, units, year, names=names, national=national, region=region)
    method = scores.methods[year]
    note = analysis.coverage_note(scores, year, method.root)
    if note:
        _note(opts, note)
    _method_notes(opts, scores, [year])
    n = scores.universe.get(year)
    cols = [
        render.Column(scores.unit_kind, "Mã", "Slug", "text", table=False),
        render.Column("name", "Tỉnh/thành", "Province", "text", table=len(units) > 1),
        render.Column("indicator", "Mã chỉ số", "Indicator id", "text", table=False),
        render.Column("indicator_name", "Chỉ số", "Indicator"),
        render.Column("value", "Điểm", "Value", "score", prov="provenance"),
        render.Column("rank", f"Hạng/{n}", f"Rank/{n}", "rank"),
        render.Column("prev_value", str(year - 1), str(year - 1), "score", table=False),
        render.Column("delta", "±", "±", "delta"),
        render.Column("prev_rank", f"Hạng {year - 1}", f"Rank {year - 1}", "rank", table=False),
        render.Column("rank_change", "↕", "↕", "change"),
    ]
    if national:
        table["national_mark"] = np.where((table["national_n"] > 0) & (table["national_n"] < n), "partial", "")
        cols += [render.Column("national", "TB cả nước", "National", "score", prov="national_mark"),
                 render.Column("gap", "Chênh", "Gap", "delta"),
                 render.Column("national_n", "Số tỉnh", "Provinces averaged", "int", table=False)]
        partial = table[(table["national_n"] > 0) & (table["national_n"] < n)].drop_duplicates("indicator")
        for count, grp in partial.groupby("national_n"):
            _note(opts, f"the national averages of {', '.join(grp['indicator'])} are over the {count} of {n} "
                        "provinces with a published value (§)")
    if region:
        cols += [render.Column("region", "Vùng", "Region", "text", table=False),
                 render.Column("region_mean", "TB vùng", "Region", "score"),
                 render.Column("region_gap", "Chênh vùng", "Gap (reg.)", "delta")]
    cols.append(render.Column("provenance", "Nguồn gốc", "Provenance", "text", table=False))
    title = f"{', '.join(names(u) for u in units)} — {year}"
    _emit(opts, table, cols, title=title, caption=method.label(opts.lang), sheet=f"compare {year}",
          about=_about(scores, year) if opts.resolved_format() is Format.xlsx else None)


@command("show")
def show_cmd(
    province: Annotated[str, typer.Argument(help="Province: slug, name, alias or GSO code.",
                                            autocompletion=_complete_province)],
    year: _YearOpt = None,
    boundaries: _BoundariesOpt = None,
    *, opts: Opts,
):
    """A province's profile: every year's score and rank, its pillars and main indices, strengths and weaknesses."""
    from dti_cli import analysis, render

    ds, scores = _load(opts, boundaries=_b(boundaries))
    unit = _unit(opts, scores, province, _b(boundaries))
    names = analysis.Names.of(ds, scores.unit_kind, opts.lang, _b(boundaries))
    hist = analysis.history(scores, unit, names=names)
    year = year or _latest(scores)
    analysis.check_year(scores, year)
    comp = analysis.components(scores, unit, year, names=names)
    best, worst = analysis.strengths(comp)
    method = scores.methods[year]
    fmt = opts.resolved_format()
    pcols = [p for p in ("cqs", "kts", "xhs") if p in hist.columns] if scores.unit_kind == "province" else \
        [p for p in method.pillars if p in hist.columns]
    hcols = [render.Column("year", "Năm", "Year", "int"),
             render.Column("score", "DTI", "DTI", "score", prov="provenance"),
             render.Column("rank", "Hạng", "Rank", "rank"), render.Column("of", "/", "of", "int", table=False),
             render.Column("delta", "±", "±", "delta"), render.Column("rank_change", "↕", "↕", "change")]
    hcols += [render.Column(p, p.upper(), p.upper(), "score") for p in pcols]
    hcols += [render.Column("edition", "QĐ", "Edition", "text"),
              render.Column("provenance", "Nguồn gốc", "Provenance", "text", table=False)]
    ccols = [render.Column("indicator", "Mã", "Id", "text", table=False),
             render.Column("indicator_name", "Chỉ số", "Indicator"),
             render.Column("value", "Điểm", "Value", "score", prov="provenance"),
             render.Column("rank", "Hạng", "Rank", "rank"),
             render.Column("national", "TB cả nước", "National", "score"),
             render.Column("gap", "Chênh", "Gap", "delta"),
             render.Column("provenance", "Nguồn gốc", "Provenance", "text", table=False)]
    if fmt is Format.table and not opts.output:
        con = opts.console()
        label = method.node_label
        spark = render.sparkline(hist["score"].tolist(), 0.0, max(1.0, float(hist["score"].max())))
        con.print(render.rich_table(hist, hcols, title=f"{names(unit)} — DTI {min(scores.years)}–"
                                    f"{max(scores.years)}  {spark}", lang=opts.lang))
        con.print(render.rich_table(comp, ccols, title=f"{names(unit)} — {year}", caption=method.label(opts.lang),
                                    lang=opts.lang))
        if best:
            s = "Strongest" if opts.lang == "en" else "Mạnh nhất"
            w = "weakest" if opts.lang == "en" else "yếu nhất"
            con.print(f"{s}: {', '.join(label(b, opts.lang) for b in best)}; {w}: "
                      f"{', '.join(label(x, opts.lang) for x in worst)} "
                      + ("(by rank)" if opts.lang == "en" else "(theo thứ hạng)"))
        return
    import pandas as pd

    if fmt is Format.json:
        import json

        doc = {"province" if scores.unit_kind == "province" else "unit": unit, "name": names(unit),
               "history": json.loads(render.to_text(hist, hcols, render.Fmt.json)),
               "year": year, "components": json.loads(render.to_text(comp, ccols, render.Fmt.json)),
               "strongest": best, "weakest": worst}
        _write(opts, json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt is Format.xlsx:
        _emit_many(opts, [("years", hist, hcols, ""), ("components", comp, ccols, "")],
                   about=_about(scores, year))
        return
    # csv/tsv/markdown: one long table, a `section` column telling history from components
    h = hist.assign(section="history")
    c = comp.rename(columns={"value": "score"}).assign(section="components", year=year)
    both = pd.concat([h, c], ignore_index=True)
    cols = [render.Column("section", "Phần", "Section")] + [c for c in hcols] + [
        c for c in ccols if c.key not in ("value", "rank", "provenance")]
    _write(opts, render.to_text(both, cols, render.Fmt(fmt.value), lang=opts.lang))


def _about(scores, year: int) -> list:
    """The 'about' sheet of an Excel file: edition, method source, data sources, provenance, tool."""
    import pandas as pd

    from dti_cli import excel, provinces

    meth = scores.methods[year]
    src = pd.read_csv(provinces.DATA_DIR / "sources.csv", dtype=str, keep_default_na=False)
    used = {t for s_ in scores.sources for t in s_.split()}
    src = src[src["source"].isin(used)].rename(columns={"url_or_note": "url"})
    return excel.about_rows(edition=meth.label("en"), method=meth.source, sources=src,
                            generated_by=f"dti {__version__}")


@command("scores")
def scores_cmd(
    year: Annotated[Optional[int], typer.Option("--year", "-y", help="Only this year (default: every year).",
                                                autocompletion=_complete_year)] = None,
    boundaries: _BoundariesOpt = None,
    *, opts: Opts,
):
    """Every node's score and rank for every province and year, in long form, with provenance."""
    from dti_cli import output

    _, scores = _load(opts, years=[year] if year else None, with_prev=False, boundaries=_b(boundaries),
                      keep_rows=False)
    years = [year] if year else scores.years
    fmt = opts.resolved_format()
    if fmt in (Format.table, Format.xlsx):
        frame = output.scores_frame(scores, years)
        cols = output.score_columns(scores.unit_kind)
        _emit(opts, frame, cols, title=f"scores {', '.join(map(str, years))}", sheet="scores",
              about=_about(scores, max(years)) if fmt is Format.xlsx else None)
        return
    if opts.output:
        from dti_cli.files import atomic_path

        with atomic_path(opts.output) as tmp, open(tmp, "w", encoding="utf-8", newline="") as fh:
            output.write_scores(scores, years, fmt.value, fh)
        _note(opts, f"wrote {opts.output}")
        return
    output.write_scores(scores, years, fmt.value, sys.stdout)


@command("verify")
def verify_cmd(
    show: Annotated[int, typer.Option("--show", min=1, help="How many of the largest differences to list.")] = 10,
    *, opts: Opts,
):
    """Recompute every published aggregate from its inputs and every published rank; exit 1 on a mismatch."""
    from dti_cli import analysis, render

    ds, scores = _load(opts)
    values, ranks = analysis.verify(scores)
    bad_v = values[~values["ok"]]
    bad_r = ranks[~ranks["ok"]]
    fmt = opts.resolved_format()
    unit_col = scores.unit_kind
    vcols = [render.Column("year", "Năm", "Year", "int"), render.Column(unit_col, "Tỉnh", "Province"),
             render.Column("indicator", "Chỉ số", "Indicator"),
             render.Column("published", "Công bố", "Published", "num"),
             render.Column("computed", "Tính lại", "Computed", "num"),
             render.Column("difference", "Chênh", "Difference", "num"),
             render.Column("tolerance", "Sai số cho phép", "Tolerance", "num"),
             render.Column("basis", "Từ", "From"), render.Column("provenance", "Nguồn gốc", "Provenance"),
             render.Column("ok", "Đạt", "OK", "bool")]
    rcols = [render.Column("year", "Năm", "Year", "int"), render.Column(unit_col, "Tỉnh", "Province"),
             render.Column("indicator", "Chỉ số", "Indicator"),
             render.Column("published_rank", "Hạng công bố", "Published", "rank"),
             render.Column("computed_rank", "Hạng tính", "Computed", "rank"), render.Column("ok", "Đạt", "OK", "bool")]
    if fmt is Format.table:
        con = opts.console()
        shown = values.head(show).copy()
        shown["difference"] = shown["difference"].map(lambda d: f"{d:+.6f}")
        table_cols = [render.Column(c.key, c.vi, c.en, "text" if c.key == "difference" else c.kind,
                                    table=c.key not in ("tolerance", "basis", "provenance")) for c in vcols]
        con.print(render.rich_table(shown, table_cols, title=f"{len(values)} published aggregates recomputed, "
                                    f"largest differences first", lang=opts.lang))
        if len(bad_r):
            con.print(render.rich_table(bad_r, rcols, title="rank mismatches", lang=opts.lang))
    else:
        out = values.assign(check="value")
        r = ranks.assign(check="rank")
        import pandas as pd

        both = pd.concat([out, r], ignore_index=True)
        cols = [render.Column("check", "Kiểm tra", "Check")] + vcols[:-1] + rcols[3:5] + [vcols[-1]]
        _write(opts, render.to_text(both, cols, render.Fmt(fmt.value), lang=opts.lang))
    summary = (f"{len(values) - len(bad_v)} of {len(values)} published aggregates within tolerance "
               f"(largest difference {values['difference'].abs().max():.6f}); {len(ranks) - len(bad_r)} of "
               f"{len(ranks)} published ranks reproduced") if len(values) else \
        f"no published aggregate has all its inputs; {len(ranks) - len(bad_r)} of {len(ranks)} ranks reproduced"
    if len(bad_v) or len(bad_r):
        _fail(opts, "verification failed: " + summary, 1)
    opts.console(stderr=True).print(f"[green]OK:[/] {summary}", soft_wrap=True)


@command("method")
def method_cmd(
    edition: Annotated[Optional[str], typer.Argument(
        help="A shipped edition (1726, 922, 405) or a year; default: the latest. --method FILE shows a file.",
        autocompletion=_complete_edition)] = None,
    *, opts: Opts,
):
    """The methodology tree: names, weights, and the share each node has in the index."""
    from dti_cli import analysis, render
    from dti_cli import method as method_mod

    if opts.method:
        meth = method_mod.load(opts.method)
    else:
        meth = method_mod.edition(edition) if edition else method_mod.editions()[-1]
    rows = analysis.method_rows(meth, lang=opts.lang)
    fmt = opts.resolved_format()
    cols = [render.Column("tree", "Cây", "Tree", table=False), render.Column("depth", "Mức", "Depth", "int", table=False),
            render.Column("node", "Mã", "Id", table=False), render.Column("parent", "Cha", "Parent", table=False),
            render.Column("name", "Chỉ số", "Node"), render.Column("kind", "Loại", "Kind", table=False),
            render.Column("aggregate", "Phép gộp", "Aggregation", table=False),
            render.Column("normalise", "Chuẩn hoá", "Normalise", table=False),
            render.Column("weight", "Trọng số", "Weight", "num"),
            render.Column("share_in_parent", "Tỷ trọng", "In parent", "pct"),
            render.Column("share_in_index", "Trong chỉ số", "In index", "pct")]
    if fmt is Format.table:
        shown = rows.copy()
        shown["name"] = ["  " * d + f"{n} ({i})" + ("" if t == meth.root or d else " [pillar]")
                         for d, n, i, t in zip(rows["depth"], rows["name"], rows["node"], rows["tree"])]
        caption = f"{meth.source}" + (f"\n{meth.note_en if opts.lang == 'en' else meth.note}" if not meth.computable
                                      else "")
        _emit(opts, shown, cols, title=meth.label(opts.lang), caption=caption)
        return
    _emit(opts, rows, cols, sheet=f"method {meth.id}")


@command("explain")
def explain_cmd(
    province: Annotated[str, typer.Argument(help="Province (or unit): slug, name, alias or GSO code.",
                                            autocompletion=_complete_province)],
    year: _YearOpt = None,
    boundaries: _BoundariesOpt = None,
    *, opts: Opts,
):
    """Why did it move: the change since the previous year, split exactly into its children's contributions.

    Weighted arithmetic means split as weight share × change of the child; geometric means by the log
    decomposition. Both sum exactly to the change; a published figure's rounding gets a row of its own.
    """
    from dti_cli import analysis, explain, render

    ds, scores = _load(opts, years=[year] if year else None, boundaries=_b(boundaries))
    year = year or _latest(scores)
    unit = _unit(opts, scores, province, _b(boundaries))
    names = analysis.Names.of(ds, scores.unit_kind, opts.lang, _b(boundaries))
    analysis.check_year(scores, year)
    method = scores.methods[year]
    rows, notes = explain.explain(scores, unit, year, lang=opts.lang)
    cur, prev = scores.cell(year, unit, method.root), scores.cell(year - 1, unit, method.root)
    sentence = explain.headline(names(unit), year, cur["value"], cur["rank"], scores.universe.get(year, 0),
                                prev["value"], prev["rank"], opts.lang)
    more = explain.drivers(rows, method.root, opts.lang) if len(rows) else ""
    text = " ".join(x for x in (sentence, more) if x)
    for note in notes:
        _note(opts, note)
    cols = [render.Column("node", "Mã", "Id", table=False), render.Column("parent", "Cha", "Parent", table=False),
            render.Column("name", "Chỉ số", "Indicator"),
            render.Column("weight_share", "Tỷ trọng", "Share", "pct"),
            render.Column("prev_value", str(year - 1), str(year - 1), "score"),
            render.Column("value", str(year), str(year), "score"),
            render.Column("delta", "±", "±", "delta"),
            render.Column("contribution", "Đóng góp", "Contrib.", "delta")]
    fmt = opts.resolved_format()
    if fmt is Format.json:
        import json

        doc = {scores.unit_kind: unit, "name": names(unit), "year": year, "sentence": text, "notes": notes,
               "rows": json.loads(render.to_text(rows, cols, render.Fmt.json))}
        _write(opts, json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt in (Format.csv, Format.tsv, Format.xlsx):
        _emit(opts, rows, cols, sheet="explain")
        return
    shown = explain.tree_rows(rows)
    tiny = (shown["node"] == explain.ROUNDING) & (shown["contribution"].abs() < 5e-5) if len(shown) else None
    if tiny is not None and tiny.any():  # invisible at 4 decimals; csv/json keep them
        shown = shown[~tiny]
    if fmt is Format.markdown:
        _write(opts, text + "\n\n" + render.to_text(shown, cols, render.Fmt.markdown, lang=opts.lang))
        return
    con = opts.console()
    con.print(text, soft_wrap=False)
    if len(rows):
        hidden = ("; rounding of published figures (< 0.00005) not shown" if opts.lang == "en" else
                  "; không hiện phần làm tròn của số liệu công bố (< 0,00005)") if tiny is not None and tiny.any() \
            else ""
        con.print(render.rich_table(shown, cols, title=f"{names(unit)} {year - 1} → {year}",
                                    caption=method.label(opts.lang) + hidden, lang=opts.lang))


@command("movers")
def movers_cmd(
    year: _YearOpt = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Node to rank on (default: the index).")] = None,
    top: Annotated[int, typer.Option("--top", min=1, help="How many risers and fallers of each kind.")] = 5,
    region: Annotated[Optional[str], typer.Option("--region", help="Only this GSO region.")] = None,
    boundaries: _BoundariesOpt = None,
    *, opts: Opts,
):
    """The biggest risers and fallers of a year, by rank change and by score change."""
    from dti_cli import analysis, render

    ds, scores, year, node, names, reg = _ranking(opts, year, by, region, boundaries)
    table = analysis.movers(scores, year, by=node, names=names, top=top, region=reg)
    note = analysis.coverage_note(scores, year, node)
    if note:
        _note(opts, note)
    if (year - 1) not in scores.methods:
        _note(opts, f"no {year - 1} figures in the data: no changes to rank")
    unit_col = scores.unit_kind
    cols = [render.Column("measure", "Theo", "By"), render.Column("direction", "Chiều", "Direction"),
            render.Column("position", "#", "#", "int"), render.Column(unit_col, "Mã", "Slug", table=False),
            render.Column("name", "Tỉnh/thành", "Province"), render.Column("prev", str(year - 1), str(year - 1), "num"),
            render.Column("value", str(year), str(year), "num"), render.Column("change", "±", "±", "num"),
            render.Column("rank", "Hạng", "Rank", "rank")]
    if opts.resolved_format() is not Format.table:
        _emit(opts, table, cols)
        return
    con = opts.console()
    for measure, kind, label in (("rank", "rank", "thứ hạng" if opts.lang == "vi" else "rank"),
                                 ("score", "score", "điểm" if opts.lang == "vi" else "score")):
        sub = table[table["measure"] == measure]
        view = [render.Column("position", "#", "#", "int"), render.Column("name", "Tỉnh/thành", "Province"),
                render.Column("prev", str(year - 1), str(year - 1), kind if kind == "score" else "rank"),
                render.Column("value", str(year), str(year), kind if kind == "score" else "rank"),
                render.Column("change", "±", "±", "delta" if kind == "score" else "change")]
        for direction, word in (("up", "tăng" if opts.lang == "vi" else "risers"),
                                ("down", "giảm" if opts.lang == "vi" else "fallers")):
            part = sub[sub["direction"] == direction]
            title = (f"{node.upper()} {year}: {word} ({label})" if opts.lang == "en"
                     else f"{node.upper()} {year}: {word} mạnh nhất ({label})")
            if part.empty:
                con.print(f"{title}: " + ("none" if opts.lang == "en" else "không có") + "\n")
                continue
            con.print(render.rich_table(part, view, title=title, lang=opts.lang))


@command("whatif")
def whatif_cmd(
    province: Annotated[Optional[str], typer.Argument(help="Province whose values --set changes.",
                                                      autocompletion=_complete_province)] = None,
    set_: Annotated[Optional[List[str]], typer.Option("--set", metavar="NODE=VALUE",
                                                      help="A new value for a node of the province (repeatable).")] = None,
    weights: Annotated[Optional[str], typer.Option("--weights", metavar="NODE=W,…",
                                                   help="New raw weights, e.g. \"hd_cqs=300,hd_kts=150\".")] = None,
    year: _YearOpt = None,
    *, opts: Opts,
):
    """Recompute with changed values (--set) or weights (--weights): new score and rank next to the old."""
    from dti_cli import analysis, render, sensitivity

    if not set_ and not weights:
        raise UsageError("give --set NODE=VALUE (with a province) or --weights NODE=W,…")
    if set_ and weights:
        raise UsageError("give either --set or --weights, not both")
    ds, scores = _load(opts, years=[year] if year else None, with_prev=False)
    year = year or _latest(scores)
    names = analysis.Names.of(ds, scores.unit_kind, opts.lang)
    unit_col = scores.unit_kind
    if set_:
        if not province:
            raise UsageError("--set needs a province: dti whatif PROVINCE --set NODE=VALUE")
        unit = _unit(opts, scores, province)
        table = sensitivity.whatif_values(scores, year, unit, sensitivity.parse_assignments(set_, "--set"),
                                          dataset=ds)
        method = scores.methods[year]
        table.insert(1, "name", [method.node_label(n, opts.lang) for n in table["node"]])
        cols = [render.Column("node", "Mã", "Id", table=False), render.Column("name", "Chỉ số", "Indicator"),
                render.Column("old", "Hiện tại", "Now", "score"), render.Column("new", "Giả định", "What if", "score"),
                render.Column("delta", "±", "±", "delta"), render.Column("old_rank", "Hạng", "Rank", "rank"),
                render.Column("new_rank", "Hạng mới", "New rank", "rank"),
                render.Column("set", "Đặt", "Set", "bool", table=False)]
        _emit(opts, table, cols, title=f"{names(unit)} {year}: " + ", ".join(set_), caption=method.label(opts.lang))
        return
    if province:
        raise UsageError("--weights changes every province: drop the province argument")
    table, method = sensitivity.whatif_weights(scores, year, sensitivity.parse_assignments([weights], "--weights"))
    table = table.rename(columns={"unit": unit_col})
    table.insert(1, "name", [names(u) for u in table[unit_col]])
    moved = table[table["rank_change"].fillna(0) != 0]
    _note(opts, f"{len(moved)} of {len(table)} provinces change rank with weights {weights}")
    cols = [render.Column(unit_col, "Mã", "Slug", table=False), render.Column("name", "Tỉnh/thành", "Province"),
            render.Column("old", "Hiện tại", "Now", "score"), render.Column("new", "Giả định", "What if", "score"),
            render.Column("delta", "±", "±", "delta"), render.Column("old_rank", "Hạng", "Rank", "rank"),
            render.Column("new_rank", "Hạng mới", "New rank", "rank"),
            render.Column("rank_change", "↕", "↕", "change")]
    _emit(opts, moved if opts.resolved_format() is Format.table else table, cols,
          title=f"{year}: {weights}", caption=method.label(opts.lang))


@command("gap")
def gap_cmd(
    province: Annotated[str, typer.Argument(help="Province: slug, name, alias or GSO code.",
                                            autocompletion=_complete_province)],
    target_rank: Annotated[int, typer.Option("--target-rank", "-r", min=1, help="The rank to reach.")],
    year: _YearOpt = None,
    *, opts: Opts,
):
    """What it would take: the score needed to reach a rank, and how much each indicator alone would need to rise."""
    from dti_cli import analysis, render, sensitivity

    ds, scores = _load(opts, years=[year] if year else None, with_prev=False)
    year = year or _latest(scores)
    unit = _unit(opts, scores, province)
    names = analysis.Names.of(ds, scores.unit_kind, opts.lang)
    summary, table = sensitivity.gap(scores, year, unit, target_rank, dataset=ds)
    method = scores.methods[year]
    if summary["rank"] <= target_rank:
        _note(opts, f"{names(unit)} is already {int(summary['rank'])} in {year}: nothing needed for rank "
              f"{target_rank}")
    else:
        _note(opts, f"{names(unit)} scores {summary['score']:.4f} ({int(summary['rank'])} in {year}); rank "
              f"{target_rank} needs {summary['needed_score']:.4f} (+{summary['gap']:.4f}) with the other scores "
              "unchanged")
    if len(table):
        table.insert(1, "name", [method.node_label(n, opts.lang) for n in table["leaf"]])
    cols = [render.Column("leaf", "Mã", "Id", table=False), render.Column("name", "Chỉ số", "Indicator"),
            render.Column("current", "Hiện tại", "Now", "score"), render.Column("needed", "Cần đạt", "Needed", "score"),
            render.Column("increase", "Tăng", "Increase", "delta"),
            render.Column("index_points", "Điểm chỉ số", "Index pts", "delta"),
            render.Column("reachable", "Khả thi", "Reachable", "bool")]
    _emit(opts, table, cols, title=f"{names(unit)} {year} → #{target_rank}", caption=method.label(opts.lang))


@command("uncertainty")
def uncertainty_cmd(
    year: _YearOpt = None,
    samples: Annotated[int, typer.Option("--samples", min=1, help="Monte Carlo samples.")] = 10_000,
    weight_noise: Annotated[float, typer.Option("--weight-noise", min=0.0, max=0.99,
                                                help="Each weight varies uniformly within ±this share.")] = 0.25,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (the same seed gives the same result).")] = 0,
    alternatives: Annotated[Optional[str], typer.Option(
        "--alternatives", metavar="SPEC",
        help="Raw-data methods: also draw the method, e.g. \"normalise=minmax,zscore;aggregate=arithmetic,geometric\".")
    ] = None,
    *, opts: Opts,
):
    """How sure are we: Monte Carlo ranks under random weights (and methods): median rank and 5–95% band."""
    from dti_cli import analysis, render, sensitivity

    ds, scores = _load(opts, years=[year] if year else None, with_prev=False)
    year = year or _latest(scores)
    names = analysis.Names.of(ds, scores.unit_kind, opts.lang)
    alts = sensitivity.Alternatives.parse(alternatives)
    leaf_sets = None
    if alts.normalise:
        if not opts.method:
            raise UsageError("--alternatives normalise=… needs a raw-data method (--method FILE)")
        leaf_sets = sensitivity.alternative_leaves(ds, scores.methods[year], year, alts)
    progress = None
    err = opts.console(stderr=True)
    if err.is_terminal:
        from rich.progress import Progress

        bar = Progress(console=err, transient=True)
        task = bar.add_task("Monte Carlo", total=samples)
        bar.start()
        progress = lambda n: bar.advance(task, n)  # noqa: E731
    try:
        table = sensitivity.uncertainty(scores, year, samples=samples, noise=weight_noise, seed=seed,
                                        alternatives=alts, leaf_sets=leaf_sets, progress=progress)
    finally:
        if progress:
            bar.stop()
    unit_col = scores.unit_kind
    table = table.rename(columns={"unit": unit_col})
    table.insert(1, "name", [names(u) for u in table[unit_col]])
    table["band"] = [f"{int(a)}–{int(b)}" if a == a and b == b else "–" for a, b in zip(table["q5"], table["q95"])]
    _note(opts, f"{samples:,} samples, weights ±{weight_noise:.0%}, seed {seed}"
          + (f", alternatives {alternatives}" if alternatives else ""))
    cols = [render.Column(unit_col, "Mã", "Slug", table=False), render.Column("name", "Tỉnh/thành", "Province"),
            render.Column("score", "Điểm", "Score", "score"), render.Column("rank", "Hạng", "Rank", "rank"),
            render.Column("median_rank", "Trung vị", "Median", "num"), render.Column("q5", "P5", "P5", "rank", table=False),
            render.Column("q95", "P95", "P95", "rank", table=False), render.Column("band", "Khoảng 5–95%", "5–95% band"),
            render.Column("samples_ranked", "Số mẫu", "Samples ranked", "int", table=False),
            render.Column("overlaps_neighbour", "Chồng lấn", "Overlaps", "bool")]
    if opts.resolved_format() is not Format.table:
        cols = [c for c in cols if c.key != "band"]
    _emit(opts, table, cols, title=f"{year}: {samples:,} × ±{weight_noise:.0%}",
          caption=scores.methods[year].label(opts.lang))


chart_app = typer.Typer(name="chart", help="Charts as SVG or PNG files (needs the 'plot' extra: matplotlib).",
                        no_args_is_help=True)
app.add_typer(chart_app)



def _picture(opts: Opts) -> str:
    """The -o FILE.svg|png a chart needs."""
    if not opts.output:
        raise UsageError("a chart is a file: add -o FILE.svg or -o FILE.png")
    return opts.output


@command("rank", group=chart_app)
def chart_rank_cmd(
    year: _YearOpt = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Chart this node (default: the index).")] = None,
    highlight: Annotated[Optional[List[str]], typer.Option("--highlight", help="Provinces to colour (repeatable).",
                                                           autocompletion=_complete_province)] = None,
    boundaries: _BoundariesOpt = None,
    *, opts: Opts,
):
    """Every province as a sorted bar, the national average as a line, highlighted provinces coloured (-o FILE)."""
    from dti_cli import analysis, charts, summary

    output = _picture(opts)
    charts.require_matplotlib()
    ds, scores = _load(opts, years=[year] if year else None, boundaries=_b(boundaries))
    year = year or _latest(scores)
    node = by or scores.methods[year].root
    analysis.check_node(scores, year, node)
    names = analysis.Names.of(ds, scores.unit_kind, opts.lang, _b(boundaries))
    table = analysis.rank_table(scores, year, by=node, names=names)
    frame = table.rename(columns={scores.unit_kind: "unit"})[["unit", "name", "score", "rank"]]
    marked = [_unit(opts, scores, h, _b(boundaries)) for h in highlight or []]
    meth = scores.methods[year]
    n = int(frame["score"].notna().sum())
    where = ("34 đơn vị" if _b(boundaries) else f"{n} tỉnh/thành") if opts.lang == "vi" else (
        "34 units" if _b(boundaries) else f"{n} provinces")
    fig = charts.rank_chart(frame, title=f"{meth.node_label(node, opts.lang)} {year}",
                            subtitle=f"{meth.label(opts.lang)} · {where}",
                            source=summary.source_line(scores, year, node, opts.lang, __version__),
                            national=analysis._national(scores, year, node), highlight=marked,
                            value_label=node.upper(), lang=opts.lang)
    charts.save(fig, output)
    _note(opts, f"wrote {output} ({n} bars)")


@command("history", group=chart_app)
def chart_history_cmd(
    province: Annotated[List[str], typer.Argument(help="One or more provinces.", autocompletion=_complete_province)],
    *, opts: Opts,
):
    """The index and pillars of provinces over the years, ranks marked, missing years left as gaps (-o FILE)."""
    from dti_cli import analysis, charts, summary

    output = _picture(opts)
    charts.require_matplotlib()
    ds, scores = _load(opts)
    names = analysis.Names.of(ds, scores.unit_kind, opts.lang)
    units = _parse_units(opts, scores, province)
    series = {names(u): analysis.history(scores, u, names=names) for u in units}
    root = scores.methods[_latest(scores)].root
    title = (f"{', '.join(series)}: DTI {min(scores.years)}–{max(scores.years)}" if scores.unit_kind == "province"
             else f"{', '.join(series)}: {root} {min(scores.years)}–{max(scores.years)}")
    fig = charts.history_chart(series, title=title,
                               source=summary.source_line(scores, _latest(scores), root, opts.lang, __version__),
                               value_label=root.upper(), lang=opts.lang)
    charts.save(fig, output)
    _note(opts, f"wrote {output}")


@command("compare", group=chart_app)
def chart_compare_cmd(
    province: Annotated[str, typer.Argument(help="The province.", autocompletion=_complete_province)],
    national: Annotated[bool, typer.Option("--national/--no-national", help="Bars for the national average.")
                        ] = True,
    region: Annotated[bool, typer.Option("--region/--no-region", help="Bars for the region average too.")] = True,
    year: _YearOpt = None,
    *, opts: Opts,
):
    """A province's pillars and main indices against the national and region averages (-o FILE)."""
    from dti_cli import analysis, charts, summary

    output = _picture(opts)
    charts.require_matplotlib()
    ds, scores = _load(opts, years=[year] if year else None)
    year = year or _latest(scores)
    unit = _unit(opts, scores, province)
    names = analysis.Names.of(ds, scores.unit_kind, opts.lang)
    table = analysis.compare_table(scores, [unit], year, names=names, national=True, region=region)
    import numpy as np

    # averages over only the few provinces with a published value would mislead in a picture: left out
    partial = table["national_n"] < scores.universe.get(year, 0)
    table.loc[partial, [c for c in ("national", "region_mean") if c in table]] = np.nan
    frame = table[table["value"].notna()][["indicator_name", "value", "national"] +
                                          (["region_mean"] if region and "region_mean" in table else [])]
    if not national:
        frame = frame.assign(national=np.nan)
    meth = scores.methods[year]
    fig = charts.compare_chart(frame, title=f"{names(unit)} — {year}", label=names(unit),
                               source=summary.source_line(scores, year, meth.root, opts.lang, __version__), lang=opts.lang)
    charts.save(fig, output)
    _note(opts, f"wrote {output}")


@command("map")
def map_cmd(
    year: _YearOpt = None,
    by: Annotated[Optional[str], typer.Option("--by", help="Colour by this node (default: the index).")] = None,
    boundaries: _BoundariesOpt = None,
    *, opts: Opts,
):
    """A map of the provinces' reference points coloured by score: a tile map in the terminal, or -o FILE.svg|png.

    The map places each province at its reference point; it draws no borders or coastline the data does not
    have.
    """
    import numpy as np

    from dti_cli import analysis, geo, provinces, summary

    ds, scores = _load(opts, years=[year] if year else None, boundaries=_b(boundaries))
    if scores.unit_kind != "province":
        raise UsageError("dti map needs province data (units have no reference points)")
    year = year or _latest(scores)
    node = by or scores.methods[year].root
    analysis.check_node(scores, year, node)
    names = analysis.Names.of(ds, scores.unit_kind, opts.lang, _b(boundaries))
    units = provinces.registry().units(_b(boundaries))
    f = scores.frame(year, [node])
    import pandas as pd

    frame = pd.DataFrame({"unit": [p.slug for p in units], "name": [p.name_vi for p in units],
                          "value": [f[node].get(p.slug, np.nan) for p in units],
                          "lat": [p.lat for p in units], "lon": [p.lon for p in units]})
    meth = scores.methods[year]
    title = f"{meth.node_label(node, opts.lang)} {year}" + (" · 34" if _b(boundaries) else "")
    if opts.output:
        from dti_cli import charts

        charts.require_matplotlib()
        fig = geo.map_figure(frame, title=title, legend=node.upper(),
                             source=summary.source_line(scores, year, node, opts.lang, __version__), lang=opts.lang)
        charts.save(fig, opts.output)
        _note(opts, f"wrote {opts.output} ({int(frame['value'].notna().sum())} provinces with a value)")
        return
    grid = geo.tile_grid({r.unit: (r.lat, r.lon) for r in frame.itertuples()})
    opts.console().print(geo.tile_map(frame, grid, title=title, lang=opts.lang))


@command("report")
def report_cmd(
    province: Annotated[str, typer.Argument(help="The province.", autocompletion=_complete_province)],
    year: _YearOpt = None,
    samples: Annotated[int, typer.Option("--samples", min=0, help="Monte Carlo samples for the rank band (0: none).")
                       ] = 10_000,
    *, opts: Opts,
):
    """A one-page province report (-o FILE.html or FILE.md): headline, ranks over the years, pillars and main
    indices against the averages, strengths, what moved, the rank band, the method and the sources."""
    from dti_cli import report

    if not opts.output:
        raise UsageError("dti report writes a file: add -o FILE.html (or FILE.md)")
    from dti_cli import summary

    ds, scores = _load(opts)
    year = year or _latest(scores)
    data = summary.report_data(scores, ds, _unit(opts, scores, province), year, lang=opts.lang, samples=samples,
                               version=__version__)
    report.write_report(opts.output, data)
    _note(opts, f"wrote {opts.output}" + ("" if data.charts else " (no charts: matplotlib is not installed, "
                                          "pip install 'dti[plot]')"))


@command("check")
def check_cmd(
    year: Annotated[Optional[int], typer.Option("--year", "-y", help="Only this year (default: every year).",
                                                autocompletion=_complete_year)] = None,
    *, opts: Opts,
):
    """Audit the data against the method: missing data, coverage, outliers, spread, correlations, alpha.

    Exits 1 when a finding is an error (a method leaf missing from the data, an indicator with no data or no
    spread, a non-positive input to a geometric or harmonic mean), so that it can gate a CI run.
    """
    from dti_cli import audit, render

    ds, scores = _load(opts, years=[year] if year else None, with_prev=False)
    findings = []
    for meth in _unique_methods(scores):
        findings.append(audit.audit(ds, meth, scores.only(meth)))
    import pandas as pd

    table = pd.concat(findings, ignore_index=True).drop_duplicates(["level", "check", "year", "subject", "message"])
    cols = [render.Column("level", "Mức", "Level"), render.Column("check", "Kiểm tra", "Check"),
            render.Column("year", "Năm", "Year", "int"), render.Column("subject", "Đối tượng", "Subject", table=False),
            render.Column("value", "Giá trị", "Value", "num", table=False),
            render.Column("threshold", "Ngưỡng", "Threshold", table=False),
            render.Column("message", "Chi tiết", "Detail")]
    fmt = opts.resolved_format()
    n_err = int((table["level"] == audit.ERROR).sum())
    n_warn = int((table["level"] == audit.WARNING).sum())
    if fmt is Format.table:
        shown = table[table["level"] != audit.INFO]
        alpha = table[(table["check"] == "Cronbach's alpha") & (table["level"] == audit.INFO)]
        _emit(opts, pd.concat([shown, alpha], ignore_index=True), cols,
              title=f"dti check: {ds.label}", caption="info rows: Cronbach's alpha of each aggregate "
              "(csv/json list every correlation too)")
    else:
        _emit(opts, table, cols)
    summary = f"{n_err} errors, {n_warn} warnings ({len(table)} findings)"
    if n_err:
        _fail(opts, f"check failed: {summary}", 1)
    opts.console(stderr=True).print(f"[green]OK:[/] {summary}", soft_wrap=True)


@command("init")
def init_cmd(*, opts: Opts):
    """Write a starting method file for a data file to stdout: every column a leaf, min-max, equal weights."""
    from dti_cli import data as data_mod
    from dti_cli import method as method_mod

    if not opts.data:
        raise UsageError("dti init needs --data FILE (the data to write a method for)")
    if opts.data == "-":
        raise UsageError("dti init reads its data twice: give a file, not '-'")
    fmt = data_mod.Format(decimal=opts.decimal, thousands=opts.thousands, na=opts.na)
    texts = data_mod.text_columns(opts.data, fmt=fmt)
    ds = data_mod.load(opts.data, fmt=fmt, attributes=texts)
    text = method_mod.starter(ds.indicators, source=ds.label, unit_kind=ds.unit_kind,
                              groups=[t for t in texts if t not in ("name", "name_en", "code")])
    method_mod.parse(text, "<dti init>")  # what we write must load
    _write(opts, text)


def _unique_methods(scores) -> list:
    seen = []
    for m in scores.methods.values():
        if all(m is not s for s in seen):
            seen.append(m)
    return seen


# ---------------------------------------------------------------- entry point

def main(argv: Optional[list] = None) -> None:
    """Run the CLI; every failure becomes one line on stderr and a documented exit code."""
    # dti's matrix products are small; OpenBLAS's own threads would only spin beside dti's processes and
    # threads (5 % of the CPU on the benchmark). Read when numpy is first imported; the user's setting wins.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    _GLOBAL.__init__()  # options given before the command name, for this run only
    try:
        rv = _app_for(sys.argv[1:] if argv is None else argv)(args=argv, prog_name="dti", standalone_mode=False)
    except typer.Exit as exc:
        rv = exc.exit_code
    except typer.Abort:
        sys.stderr.write("Aborted.\n")
        rv = 130
    except BrokenPipeError:
        _quiet_broken_pipe()
        rv = 0
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        rv = 130
    except DTIError as exc:  # raised outside a command body (e.g. in completion)
        sys.stderr.write(f"Error: {exc}\n")
        rv = exc.exit_code
    except Exception as exc:  # click's usage errors, then genuine bugs
        if type(exc).__name__ == "NoArgsIsHelpError":  # `dti` or `dti chart` alone: the help
            sys.stdout.write(exc.format_message() + "\n")
            rv = 0
        elif hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            ctx = getattr(exc, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            sys.stderr.write(f"Error: {exc.format_message()}{hint}\n")
            rv = exc.exit_code if isinstance(exc.exit_code, int) else EXIT_USAGE
        else:
            if os.environ.get("DTI_DEBUG"):
                raise
            sys.stderr.write(f"Error: internal error ({type(exc).__name__}: {exc}); this is a bug in dti, "
                             "please report it (DTI_DEBUG=1 shows the traceback)\n")
            rv = EXIT_INTERNAL
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_broken_pipe()
    sys.exit(rv if isinstance(rv, int) else 0)


_GLOBAL_WITH_VALUE = {"--data", "--method", "--lang"}


def _app_for(args: list) -> typer.Typer:
    """The app with only the command this run asks for (building every command's options for click costs
    ~30 ms of start-up); the whole app for help, completion and anything unclear."""
    if os.environ.get("_DTI_COMPLETE"):
        return app
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i] in _GLOBAL_WITH_VALUE else 1
    if i >= len(args):
        return app
    wanted = args[i]
    known = {group or name for name, group, _ in _REGISTRY}
    if wanted not in known:
        return app
    slim = typer.Typer(**_APP)
    slim.callback()(_main)
    sub = None
    for name, group, fn in _REGISTRY:
        if (group or name) != wanted:
            continue
        if group is None:
            slim.command(name)(fn)
        else:
            if sub is None:
                sub = typer.Typer(name=group, help=chart_app.info.help, no_args_is_help=True)
                slim.add_typer(sub)
            sub.command(name)(fn)
    return slim


def _quiet_broken_pipe() -> None:
    """The reader went away (`dti rank | head`): stop quietly."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
