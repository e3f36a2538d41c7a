"""`dti import`: a published results table (CSV or XLSX, as people receive it) checked whole, then added to the user's
store, from where every command reads it beside the bundled publication. Nothing is written unless every check
passes."""

from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import hashlib
import io
from pathlib import Path

import pandas as pd

from dti_cli.app.table_check import Read, parse_map, read_table
from dti_cli.errors import UsageError
from dti_cli.i18n import Msg, plural
from dti_cli.io import csv_assemble, store
from dti_cli.model import editions
from dti_cli.model.provinces import registry
from dti_cli.model.result import Column, Result, Table, Text


def _method_for(year: int):
    """The edition that applies to the year, or (None, the latest edition) when none does."""
    found = next((e for e in editions.editions() if e.applies_to(year)), None)
    return (found, found) if found else (None, editions.editions()[-1])


def _new_method_text(year: int, base) -> str:
    from dti_cli.i18n import text
    from dti_cli.io.method_template import structure

    kw = dict(year=year, base=base.id)
    return structure(base, edition_id=str(year), years=[year], name=text("import.method_name", "vi", **kw),
                     name_en=text("import.method_name", "en", **kw), source=text("import.method_source", "en", **kw),
                     note=text("import.method_note", "vi", **kw), note_en=text("import.method_note", "en", **kw))


def _check_year(year, option: str) -> None:
    """A year is a whole number from 2000 to 2100 (not 2025.5, not "2025", not True)."""
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise UsageError("import.bad_year", option=option, year=year)


def _check_source(source) -> str | None:
    """--source: an address or a note, one line of at most 1,000 characters."""
    if source is None:
        return None
    source = " ".join(str(source).split())
    if len(source) > csv_assemble.MAX_LABEL:
        raise UsageError("import.long_source", option="source", limit=csv_assemble.MAX_LABEL)
    if csv_assemble.has_control(source):
        raise UsageError("import.control_source", option="source")
    return source or None


def _bundled_years() -> list[int]:
    from dti_cli.io import csv_read

    return csv_read.load(csv_read.bundled_path()).years


def import_table(path, *, year: int, mapping=(), boundaries: int | None = None, source: str | None = None,
                 replace: bool = False, partial: bool = False) -> Result:
    """Check a published table whole and add it to the store as the year's figures (provenance `user`); nothing is
    written unless every check passes. `boundaries`: 63 (or 2008) or 34 (or 2025); None: the set every name of the
    table belongs to (the 34 first from 2025 on)."""
    if boundaries not in (None, 63, 2008, 34, 2025):
        raise UsageError("import.bad_boundaries", option="boundaries", value=boundaries)
    _check_year(year, "year")
    source = _check_source(source)
    if not Path(path).exists():
        raise UsageError("import.no_file", path=str(path))
    taken = store.stored()
    if year in taken and not replace:
        raise UsageError("import.in_store", year=year, hint="import_replace")
    bundled = year in _bundled_years()
    if bundled and not replace:
        raise UsageError("import.bundled", year=year, hint="import_replace")
    method, base = _method_for(year)
    read = read_table(path, year=year, method=base, explicit=parse_map(mapping), boundaries=boundaries,
                      partial=partial)
    notes = [Msg("import.skipped_average", lines=", ".join(map(str, read.skipped)))] if read.skipped else []
    if read.missing:
        notes.append(Msg(plural(len(read.missing), "import.partial"), n=len(read.missing)))
    written, mtext = _kept_method(taken.get(year), method), None
    if method is None:
        mtext = _new_method_text(year, base)
        written = {"path": f"{year}.toml", "sha256": hashlib.sha256(mtext.encode()).hexdigest()}
    rows = _store_rows(year, read)
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(store.COLUMNS)
    out.writerows(rows)
    record = {"year": year, "boundaries": read.boundaries, "units": len(read.units), "rows": len(rows),
              "indicators": read.nodes, "source": source or "", "file": Path(path).name,
              "imported": _dt.date.today().isoformat(), "method": written}
    rec = store.save(year, buf.getvalue(), record)
    if mtext is not None:  # after the table: a failure here takes the year out again, so nothing is half-imported
        try:
            mpath = store.save_method(str(year), mtext)
        except BaseException:
            store.remove(year)
            raise
        notes.append(Msg("import.method_written", year=year, base=base.id, path=str(mpath)))
    if bundled:
        notes.append(Msg("import.replaces_bundled", year=year))
    frame = pd.DataFrame(rows, columns=store.COLUMNS)
    return _summary(rec, frame, read, notes, method or base)


def _kept_method(previous, method) -> dict | None:
    """On --replace, the record of the method an earlier import wrote stays (so --remove still takes it away)."""
    if previous is None or not previous.method or method is None:
        return None
    if Path(method.path).resolve() == (store.methods_dir() / str(previous.method.get("path", ""))).resolve():
        return previous.method
    return None


def _store_rows(year: int, read: Read) -> list[tuple]:
    sid = store.source_id(year)
    rows = []
    for node in read.nodes:
        for slug in sorted(read.units):
            v, r = read.values.get((slug, node)), read.ranks.get((slug, node))
            if v is not None or r is not None:
                rows.append((year, slug, node, v if v is not None else "", "" if r is None else r, store.PROVENANCE,
                             sid))
    return rows


def _summary(rec: store.Stored, frame: pd.DataFrame, read: Read, notes: list, method) -> Result:
    """What was stored: the rows as read (machine), and a line saying what and where."""
    reg = registry()
    frame = frame.assign(name=[reg.get(s, read.boundaries).name_vi for s in frame["province"]])
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    frame["rank"] = pd.to_numeric(frame["rank"], errors="coerce")
    cols = (Column("year", Msg("col.year"), "int"), Column("province", Msg("col.slug"), "text"),
            Column("name", Msg("col.province"), "text"), Column("indicator", Msg("col.indicator"), "text"),
            Column("value", Msg("col.value"), "score"), Column("rank", Msg("col.rank"), "rank"),
            Column("provenance", Msg("col.provenance"), "text"), Column("source", Msg("col.source"), "text"))
    status = Msg("import.done", year=rec.year, units=rec.units, set=34 if read.boundaries == 2025 else 63,
                 rows=rec.rows, nodes=", ".join(read.nodes), path=str(rec.path))

    def views(screen: bool = True):
        """On a screen, a row per unit and a column per figure, as the table was (a long list on paper)."""
        if not screen:
            return ()
        wide = frame.pivot(index=["province", "name"], columns="indicator", values=["value", "rank"])
        out = wide.index.to_frame(index=False)
        shown = [Column("name", Msg("col.province"), "text")]
        for node in read.nodes:
            for what, kind in (("value", "score"), ("rank", "rank")):
                if (what, node) in wide.columns and wide[(what, node)].notna().any():
                    key = f"{node}_{what}"
                    out[key] = wide[(what, node)].to_numpy()
                    head = method.named(node) if what == "value" else Msg("col.rank")
                    shown.append(Column(key, head, kind))
        first = next((c.key for c in shown[1:] if c.kind == "rank"), shown[-1].key)
        out = out.sort_values([first, "name"], ascending=[first.endswith("_value") is False, True])
        return (Table("import", out.reset_index(drop=True), tuple(shown)),)

    return Result(Table.of("import", frame[[c.key for c in cols]], cols), views=views, notes=tuple(notes),
                  status=status)


def listing() -> Result:
    """The store's years: boundaries, units, rows, source, file, date."""
    recs = list(store.stored().values())
    frame = pd.DataFrame({"year": [r.year for r in recs], "units": [r.units for r in recs],
                          "boundaries": [34 if r.boundaries == 2025 else 63 for r in recs],
                          "rows": [r.rows for r in recs], "source": [r.source for r in recs],
                          "file": [r.file for r in recs], "imported": [r.imported for r in recs],
                          "path": [str(r.path) for r in recs]})
    cols = (Column("year", Msg("col.year"), "int"), Column("units", Msg("col.units"), "int"),
            Column("boundaries", Msg("col.unit_set"), "int"), Column("rows", Msg("col.rows"), "int"),
            Column("source", Msg("col.source"), "text"), Column("file", Msg("col.file"), "text"),
            Column("imported", Msg("col.imported"), "text", table=False),
            Column("path", Msg("col.path"), "text", table=False))
    status = Msg(plural(len(recs), "import.store"), n=len(recs), path=str(store.home())) if recs else \
        Msg("import.store_empty", path=str(store.home()))
    return Result(Table.of("store", frame, cols), status=status, empty_ok=True)  # the status says it is empty


def remove(year: int) -> Result:
    """Remove an imported year from the store (the bundled figures of that year, if any, are used again)."""
    rec = store.remove(year)
    if rec is None:
        have = ", ".join(map(str, store.stored())) or "—"
        raise UsageError("import.not_in_store", year=year, years=have)
    notes = ()
    if rec.method:  # the method the import wrote goes too, unless it was edited since
        path = store.methods_dir() / str(rec.method.get("path", ""))
        try:
            same = hashlib.sha256(path.read_bytes()).hexdigest() == rec.method.get("sha256")
        except OSError:
            same = None
        if same:
            path.unlink()
        elif same is False:
            notes = (Msg("import.method_kept", path=str(path)),)
    rest = listing()
    return dataclasses.replace(rest, status=Msg("import.removed", year=year, path=str(rec.path)), notes=notes,
                               views=() if len(rest.machine.frame) else (Text(rest.status),))


def new_method(year: int, *, base: str | None = None, replace: bool = False, lang: str = "vi") -> Result:
    """Add to the store a method for a year dti ships none for: the structure of an edition (default: the latest
    shipped) with every weight "unknown", to edit when the weights are published (`dti method --new`)."""
    from dti_cli.app.checks import method
    from dti_cli.app.session import Source

    _check_year(year, "new")
    current = next((e for e in editions.editions() if e.applies_to(year)), None)
    target = store.methods_dir() / f"{year}.toml"
    if current is not None and current in editions.shipped():
        raise UsageError("method.year_shipped", year=year, id=current.id)
    if current is not None and (not replace or Path(current.path).resolve() != target.resolve()):
        raise UsageError("method.in_store", year=year, path=current.path, hint="import_replace" if Path(
            current.path).resolve() == target.resolve() else None)
    b = editions.edition(base) if base else editions.shipped()[-1]
    path = store.save_method(str(year), _new_method_text(year, b))
    out = method(Source(method=str(path)), lang=lang)
    return dataclasses.replace(out, status=Msg("method.written", year=year, base=b.id, path=str(path)))
