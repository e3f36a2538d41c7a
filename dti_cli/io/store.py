"""The user's own store of imported tables and methods (`dti import`): a data directory in the platform's usual place,
or `DTI_HOME`. Every command reads it beside the bundled publication.

    <home>/tables/<year>.csv    the table in the bundled long format (year, province, indicator, value, rank,
                                provenance, source), provenance `user`
    <home>/tables/<year>.json   what was imported: boundaries (63 or 34 units), source, file, date, rows
    <home>/methods/<id>.toml    methods for editions dti does not ship (weights "unknown" where not published)

Every file is written atomically; a store nobody imported into is an empty directory or none."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from dti_cli.errors import DataError, where
from dti_cli.i18n import Msg
from dti_cli.io.files import write_atomic

COLUMNS = ("year", "province", "indicator", "value", "rank", "provenance", "source")
PROVENANCE = "user"


def home() -> Path:
    """The store's directory: DTI_HOME, else the platform's user data directory + dti."""
    env = os.environ.get("DTI_HOME", "").strip()
    if env:
        return Path(env).expanduser()
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming") / "dti"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "dti"
    base = os.environ.get("XDG_DATA_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".local" / "share") / "dti"


def tables_dir() -> Path:
    return home() / "tables"


def methods_dir() -> Path:
    return home() / "methods"


@dataclass(frozen=True)
class Stored:
    """One imported year: its table file and what the import recorded."""

    year: int
    path: Path
    boundaries: int | None  # None: the 63 provinces; 2025: the 34 units
    source: str
    file: str
    imported: str
    rows: int
    units: int
    method: dict | None = None  # the method file the import wrote: {path, sha256}

    @property
    def source_id(self) -> str:
        return source_id(self.year)


def source_id(year: int) -> str:
    """The `source` id an imported year's rows carry."""
    return f"user_{year}"


def stored() -> dict[int, Stored]:
    """The imported years, by year (a table without its record, or the reverse, is not a year: it is reported when
    read)."""
    out = {}
    d = tables_dir()
    if not d.is_dir():
        return out
    for meta in sorted(d.glob("*.json")):
        table = meta.with_suffix(".csv")
        if not meta.stem.isdigit() or not table.is_file():
            continue
        try:
            rec = json.loads(meta.read_text(encoding="utf-8"))
            out[int(meta.stem)] = Stored(int(meta.stem), table, rec.get("boundaries"), str(rec.get("source", "")),
                                         str(rec.get("file", "")), str(rec.get("imported", "")),
                                         int(rec.get("rows", 0)), int(rec.get("units", 0)),
                                         rec.get("method") if isinstance(rec.get("method"), dict) else None)
            if out[int(meta.stem)].boundaries not in (None, 2025):
                raise ValueError(f"boundaries: {rec.get('boundaries')!r}")
        except (ValueError, TypeError, AttributeError, OverflowError, OSError) as exc:
            raise DataError("store.bad_record", where=where(meta), reason=str(exc)) from None
    return out


def save(year: int, csv_text: str, record: dict) -> Stored:
    """Write a year's table, then its record (the record makes it a year: a failure between leaves no year)."""
    d = tables_dir()
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError("store.cannot_write", path=str(d), reason=exc.strerror or str(exc)) from None
    write_atomic(d / f"{year}.csv", csv_text)
    write_atomic(d / f"{year}.json", json.dumps(record, ensure_ascii=False, indent=2) + "\n")
    return stored()[year]


def remove(year: int) -> Stored | None:
    """Remove an imported year (its record first, so that a failure half-way leaves no year); None: not there."""
    rec = stored().get(year)
    if rec is None:
        return None
    try:
        rec.path.with_suffix(".json").unlink()
        rec.path.unlink(missing_ok=True)
    except OSError as exc:
        raise DataError("store.cannot_write", path=str(rec.path), reason=exc.strerror or str(exc)) from None
    return rec


def method_paths() -> list[Path]:
    """The store's method files."""
    d = methods_dir()
    return sorted(d.glob("*.toml")) if d.is_dir() else []


def save_method(name: str, text: str) -> Path:
    d = methods_dir()
    try:
        d.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError("store.cannot_write", path=str(d), reason=exc.strerror or str(exc)) from None
    path = d / f"{name}.toml"
    write_atomic(path, text)
    return path


def frame(rec: Stored):
    """A stored year's rows as a Dataset frame (year, unit, indicator, value, rank, provenance, source); a table
    changed by hand since is checked as it is read: an error names the file and line."""
    import pandas as pd

    from dti_cli.model import provinces

    try:
        df = pd.read_csv(rec.path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError) as exc:
        raise DataError("store.bad_table", where=where(rec.path), reason=str(exc).splitlines()[0]) from None
    if tuple(df.columns) != COLUMNS:
        raise DataError("store.bad_table", where=where(rec.path, 1), reason=", ".join(map(str, df.columns)))
    reg = provinces.registry()
    slugs = reg.slugs34 if rec.boundaries == 2025 else reg.slugs63
    value = pd.to_numeric(df["value"].replace("", None), errors="coerce")
    rank = pd.to_numeric(df["rank"].replace("", None), errors="coerce")
    bad = (~df["province"].isin(slugs)) | (df["year"] != str(rec.year)) | (df["indicator"].str.strip() == "") \
        | (value.isna() & (df["value"] != "")) | ~(value.isna() | value.between(0, 1)) \
        | (rank.isna() & (df["rank"] != "")) | ~(rank.isna() | (rank.between(1, len(slugs)) & (rank % 1 == 0))) \
        | df.duplicated(["province", "indicator"])
    if bad.any():
        line = int(bad.to_numpy().argmax()) + 2
        raise DataError("store.bad_table", where=where(rec.path, line), reason=Msg("store.bad_row"))
    out = pd.DataFrame({"year": df["year"].astype("int64"), "unit": df["province"], "indicator": df["indicator"],
                        "value": value.astype("float64"), "rank": rank.astype("float64"),
                        "provenance": df["provenance"], "source": df["source"]})
    return out
