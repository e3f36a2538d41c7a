"""What every command does first: read the data (bundled, a file, standard input or a loaded Dataset) and the
method (the shipped editions, a file, an edition id or a loaded Method), compute the years asked, and say how the
two met."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from dti_cli.analysis.averages import check_year
from dti_cli.analysis.units import Names, resolve, resolve_all
from dti_cli.app import stored
from dti_cli.errors import UsageError
from dti_cli.i18n import Msg
from dti_cli.io import csv_read
from dti_cli.model.dataset import Dataset, NumberFormat
from dti_cli.model.method import Method
from dti_cli.model.scores import Scores

BUNDLED_LABEL = "indicators.csv (bundled)"


@dataclass(frozen=True)
class Source:
    """What a run is asked to read: data and method as given, the number format of a data file, and how many
    processes a large read may use."""

    data: str | Path | Dataset | None = None
    method: str | Path | Method | None = None
    fmt: NumberFormat = NumberFormat()
    workers: int = 1


def load_method(method) -> Method | None:
    """A Method as given, a method file, or a shipped edition by id or year ("922", 2022); None: the editions."""
    from dti_cli.model import editions, method_file

    if method is None or isinstance(method, Method):
        return method
    path = Path(method)
    if path.exists() or not str(method).strip().isdigit():
        return method_file.load(path)
    return editions.edition(str(method))


def load_data(data=None, *, fmt: NumberFormat = NumberFormat(), method: Method | None = None,
              attributes: tuple[str, ...] = (), workers: int = 1) -> Dataset:
    """A Dataset as given, or read from a file ('-': standard input; None: the bundled publication); the method's
    grouping columns and `attributes` are read as text."""
    if isinstance(data, Dataset):
        return data
    groups = set(attributes)
    if method is not None:
        groups |= {lf.group for lf in method.leaves.values() if lf.group} | set(method.attributes)
    if data is None:
        ds = csv_read.load(csv_read.bundled_path(), fmt=fmt, attributes=tuple(sorted(groups)), workers=workers)
        return stored.with_63(replace(ds, label=BUNDLED_LABEL, bundled=True))
    return csv_read.load(data, fmt=fmt, attributes=tuple(sorted(groups)), workers=workers)


@dataclass
class Loaded:
    """The data, its scores for the years asked, and the notes made on the way."""

    dataset: Dataset
    scores: Scores
    method: Method | None  # the user's method (None: the shipped editions)
    boundaries: int | None = None
    notes: list = field(default_factory=list)
    imported: frozenset = frozenset()  # the years of the user's store in the data (read once, by load)

    def names(self, lang: str) -> Names:
        return Names.of(self.dataset, self.scores.unit_kind, lang, self.boundaries)

    def year(self, year: int | None, *, recompute: str | None = None, first=None) -> int:
        """The year asked, or the latest the data has (with `recompute`, the name of an analysis that recomputes
        and ranks: the latest it can), said in a note; a year that cannot be is an error naming those that can
        (`first`: a check of the year that comes before that one)."""
        from dti_cli.analysis.recompute import check_ranked, recomputable

        if year is None:
            latest = max(self.scores.years)
            ok = recomputable(self.scores, recompute) if recompute else [latest]
            year = ok[-1] if ok else latest  # none: the error below says why
            why = Msg("note.year_latest_recomputable", latest=latest) if year != latest else Msg("note.year_latest")
            if len(self.dataset.years) > 1 or year != latest:  # a file of one year leaves nothing to choose
                self.notes.append(Msg("note.year_chosen", year=year, why=why))
        check_year(self.scores, year)
        if first is not None:
            first(year)
        if recompute:
            check_ranked(self.scores, year, recompute, every=self._every_year)
        return year

    def _every_year(self) -> Scores:
        """The scores of every year of the data (for an error that names the years that would work)."""
        from dti_cli.pipeline.evaluate import evaluate
        from dti_cli.pipeline.plan import plan

        return evaluate(self.dataset, plan(self.dataset, self.method))

    def published(self, year: int) -> bool:
        """Whether the year's figures are the bundled publication on the 63 provinces (its published means and the
        national DTI then apply; not to a user's file, method or imported year, nor on the 34 units)."""
        return self.boundaries is None and self.national_dti(year)

    def national_dti(self, year: int) -> bool:
        """Whether the national DTI goes beside the year's figures: the bundled publication's, on either
        boundaries (an assessment of the country does not depend on them)."""
        return self.dataset.bundled and self.method is None and year not in self.imported

    def unit(self, text: str) -> str:
        out = resolve(self.scores, text, self.boundaries)
        self._merged(text, out)
        return out

    def units(self, items: list[str]) -> list[str]:
        out = resolve_all(self.scores, items, self.boundaries)
        for text in items:
            self._merged(text, resolve(self.scores, text, self.boundaries))
        return out

    def _merged(self, text: str, unit: str) -> None:
        """A note when a province of the 63 is asked for on the 34 units: which unit answers for it."""
        from dti_cli.model.provinces import registry

        if self.boundaries != 2025 or self.scores.unit_kind != "province":
            return
        reg = registry()
        old = reg.lookup(text, None)
        if old is not None and reg.lookup(text, 2025) is None and reg.merge.get(old) == unit:
            msg = Msg("note.merged_into", old=reg.get(old).name_vi, new=reg.get(unit, 2025).name_vi)
            if msg not in self.notes:
                self.notes.append(msg)

    def coverage(self, year: int, node: str) -> None:
        """A note when the year's figures of a node are incomplete (ranks are then the published ones)."""
        from dti_cli.analysis.averages import coverage_note

        note = coverage_note(self.scores, year, node)
        if note:
            self.notes.append(note)

    def method_notes(self, years) -> None:
        """A note for each method of these years that cannot compute (its weights unknown)."""
        from dti_cli.analysis.averages import MethodNote

        seen = set()
        for y in years:
            m = self.scores.methods.get(y)
            if m and not m.computable and m.id not in seen:
                seen.add(m.id)
                self.notes.append(Msg("note.method", year=y, note=MethodNote(m)))


def check_boundaries(boundaries) -> None:
    """None (the units of the data) or 2025 (the 34 units from July 2025)."""
    if boundaries not in (None, 2025):
        raise UsageError("boundaries.unknown", option="boundaries", value=str(boundaries))


def load(src: Source, *, year: int | None = None, with_prev: bool = True, boundaries: int | None = None,
         keep_rows: bool = True, store_34: bool = True) -> Loaded:
    """Data + method → scores for the year asked (and the year before, for changes; None: every year). With
    keep_rows=False the rows of a data set read here are dropped once they are in the scores (a command that needs
    only those). A year the user imported on the 34 units puts a run that reads it on the 34 units (store_34=False:
    such years are left out, for a run about the 63 provinces' publication)."""
    from dti_cli.pipeline import boundaries as boundaries_mod
    from dti_cli.pipeline.evaluate import evaluate
    from dti_cli.pipeline.plan import plan

    check_boundaries(boundaries)
    meth = load_method(src.method)
    owned = not isinstance(src.data, Dataset)
    ds = load_data(src.data, fmt=src.fmt, method=meth, workers=src.workers)
    on34 = stored.years_34() if store_34 and ds.bundled and meth is None else {}
    years = sorted(set(ds.years) | set(on34))
    wanted = None
    if year is not None:
        usable = [y for y in years if meth is None or meth.applies_to(y)]
        if year not in usable:
            raise UsageError("year.unknown", year=year, years=", ".join(map(str, usable)))
        wanted = [y for y in ((year - 1, year) if with_prev else (year,)) if y in years]
    implicit = [y for y in on34 if wanted is None or y in wanted]
    planned = plan(ds, meth, None if wanted is None else [y for y in wanted if y not in on34])
    notes = _match(ds, planned, meth)
    if boundaries == 2025 or implicit:
        before = ds
        ds = boundaries_mod.to_2025(ds, planned)
        if not before.bundled:  # the publication's gaps are in its coverage notes; a user's file is told here
            notes += _partners_missing(before, ds)
        owned = True
        if on34:
            ds = stored.with_34(ds, on34)
            planned = plan(ds, meth, wanted)
        if implicit and boundaries != 2025:
            notes.insert(0, Msg("note.store_34", years=", ".join(map(str, implicit))))
            boundaries = 2025
    scores = evaluate(ds, planned, release=owned and not keep_rows)
    from dti_cli.io import store

    imported = frozenset(store.stored()) if ds.bundled else frozenset()
    return Loaded(ds, scores, meth, boundaries, notes + list(scores.notes), imported)


def _partners_missing(before: Dataset, after: Dataset) -> list[Msg]:
    """A unit of 2025 left out because the file lacks one of the provinces merged into it, with what it lacks."""
    from dti_cli.model.provinces import registry

    reg, had, now = registry(), set(before.units), set(after.units)
    out = []
    for new in sorted({reg.merge.get(u, u) for u in had} - now):
        members = sorted(k for k, v in reg.merge.items() if v == new)
        out.append(Msg("note.partners_missing", unit=reg.get(new, 2025).name_vi,
                       have=", ".join(reg.get(m).name_vi for m in members if m in had),
                       lacks=", ".join(reg.get(m).name_vi for m in members if m not in had)))
    return out


def _match(ds: Dataset, planned: dict, meth: Method | None) -> list[Msg]:
    """The data and the method must meet: no shared indicator is an error; a user's method leaf missing from the
    data, or a data indicator the method ignores, is a note."""
    present = set(ds.indicators)
    nodes = {n for m in planned.values() for n in m.nodes}
    if not present & nodes:
        show = lambda xs: ", ".join(sorted(xs)[:6]) + (", …" if len(xs) > 6 else "")  # noqa: E731
        raise UsageError("data.method_mismatch", label=ds.label, present=show(present), nodes=show(nodes),
                         hint=None if meth else "method_for_data")
    if meth is None:
        return []
    notes = []
    missing = [lf for lf in meth.leaves if lf not in present]
    if missing:
        notes.append(Msg("note.leaves_missing", leaves=", ".join(missing)))
    unused = sorted(present - nodes)
    if unused:
        notes.append(Msg("note.unused_indicators", indicators=", ".join(unused)))
    return notes
