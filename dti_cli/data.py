"""Read and validate indicator CSVs (long or wide, provinces or other units) into one tidy long frame."""

from __future__ import annotations

import csv
import io
import re
import sys
import warnings
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from dti_cli import parallel, provinces
from dti_cli.errors import DataError, UsageError, where

# Text columns a wide file may carry beside its indicators (a method's `group` columns are added to these).
ATTRIBUTE_COLUMNS = ("name", "name_en", "region", "code")
DEFAULT_PROVENANCE = "input"


def bundled_path() -> Path:
    """The shipped indicators.csv: inside the installed package, or at the repository root in a checkout."""
    here = Path(__file__).resolve().parent
    for cand in (here / "indicators.csv", here.parent / "indicators.csv"):
        if cand.is_file():
            return cand
    raise DataError("the bundled indicators.csv is missing from this installation; reinstall dti or pass --data")


@dataclass(frozen=True)
class Dataset:
    """Indicator figures in long form, one row per (year, unit, indicator)."""

    frame: pd.DataFrame  # year int, unit and indicator categorical, value float64 (NaN: rank only), rank float64
    #                      (absent when the file has no ranks), provenance str, source str
    unit_kind: str  # "province" (slugs of the 63) or "unit" (anything else: districts, departments…)
    label: str  # how messages name the file
    attributes: pd.DataFrame | None = None  # year, unit and text columns (e.g. a grouping for imputation)
    boundaries: int | None = None  # provinces: None, the 63 of 2008–June 2025; 2025, the 34 from July 2025

    def release_rows(self) -> None:
        """Drop the frame's columns (their memory goes back) when no one needs the rows any more; years, units and
        indicators stay known."""
        _ = self.years, self.units, self.indicators
        for col in list(self.frame.columns):
            del self.frame[col]

    # computed once (a pass over millions of rows each); the frame is not changed after loading (but see
    # release_rows)
    @cached_property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.frame["year"].unique())

    @cached_property
    def indicators(self) -> list[str]:
        return sorted(self.frame["indicator"].unique().tolist())

    @cached_property
    def units(self) -> list[str]:
        return sorted(self.frame["unit"].unique().tolist())


@dataclass(frozen=True)
class Format:
    """How numbers are written in a file: never guessed, given by the user."""

    decimal: str = "."
    thousands: str | None = None
    na: tuple[str, ...] = ()

    @property
    def plain(self) -> bool:
        return self.decimal == "." and self.thousands is None


def _number_pattern(fmt: Format) -> re.Pattern:
    d = re.escape(fmt.decimal)
    if fmt.thousands:
        t = re.escape(fmt.thousands)
        integer = rf"(?:\d{{1,3}}(?:{t}\d{{3}})+|\d+)"
    else:
        integer = r"\d+"
    return re.compile(rf"[+-]?(?:{integer}(?:{d}\d*)?|{d}\d+)(?:[eE][+-]?\d+)?")


def load(source: str | Path, *, fmt: Format = Format(), attributes: tuple[str, ...] = ()) -> Dataset:
    """Read a long or wide indicator CSV ('-' for standard input) and validate every cell."""
    if fmt.decimal not in (".", ","):
        raise UsageError(f"--decimal must be '.' or ',', got '{fmt.decimal}'")
    if fmt.thousands is not None and (fmt.thousands == fmt.decimal or fmt.thousands not in (".", ",", " ", "'")):
        raise UsageError(f"--thousands must be one of . , ' or a space, and differ from --decimal")
    if str(source) == "-":
        raw = sys.stdin.buffer.read()
        label = "<stdin>"
        opener = lambda: io.BytesIO(raw)  # noqa: E731
    else:
        path = Path(source)
        label = str(source)
        if not path.exists():
            raise UsageError(f"{label}: no such data file")
        if path.is_dir():
            raise UsageError(f"{label}: is a directory, not a data file")
        opener = lambda: open(path, "rb")  # noqa: E731
    try:
        with opener() as fh:
            head = fh.read(65536)
        size = len(raw) if str(source) == "-" else path.stat().st_size
    except OSError as exc:
        raise UsageError(f"{label}: cannot read: {exc.strerror}") from None
    if size >= parallel.SPLIT_MIN_BYTES:
        parallel.keep_freed_memory()
    return _Reader(label, opener, head, fmt, attributes, None if str(source) == "-" else Path(source)).read()


def text_columns(source: str | Path, *, fmt: Format = Format()) -> tuple[str, ...]:
    """The columns of a wide file that hold text rather than numbers (e.g. a district's kind), for `dti init`."""
    import pandas as pd

    with open(source, "rb") if str(source) != "-" else io.BytesIO(sys.stdin.buffer.read()) as fh:
        head = fh.read(65536)
    if not head.strip():
        return ()
    first = head.decode("utf-8-sig", errors="replace").splitlines()[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    cols = [c.strip() for c in next(csv.reader([first], delimiter=sep))]
    if "indicator" in cols:
        return ()
    try:
        df = pd.read_csv(source, sep=sep, dtype=str, keep_default_na=False, encoding="utf-8-sig", index_col=False)
    except Exception:  # noqa: BLE001 - load() then reports the problem with its line and column
        return ()
    pattern = _number_pattern(fmt)
    na = {""} | set(fmt.na)
    out = []
    for col in df.columns:
        if col.strip() in ("year", "province", "unit"):
            continue
        cells = df[col].fillna("").str.strip()
        cells = cells[~cells.isin(na)]
        if len(cells) and not cells.str.fullmatch(pattern).all():
            out.append(col.strip())
    return tuple(out)


class _Reader:
    """One file's parse: header, delimiter, typed fast path, exact diagnosis of the first bad cell."""

    def __init__(self, label, opener, head: bytes, fmt: Format, attributes: tuple[str, ...],
                 path: Path | None = None):
        self.label, self.opener, self.fmt, self.path = label, opener, fmt, path
        self.attributes = set(ATTRIBUTE_COLUMNS) | set(attributes)
        if not head.strip():
            raise DataError(f"{label}: empty file (expected a header row and data rows)")
        try:
            first = head.decode("utf-8-sig").splitlines()[0]
        except UnicodeDecodeError:
            first = head[: head.find(b"\n")].decode("utf-8-sig", errors="replace")
            if "\ufffd" in first:
                self._encoding_error()
        self.sep = ";" if first.count(";") > first.count(",") else ","
        self.raw_header = next(csv.reader([first], delimiter=self.sep))
        self.header = [h.strip() for h in self.raw_header]
        self._check_header()

    # ---- header

    def _check_header(self) -> None:
        cols = self.header
        seen = set()
        for i, col in enumerate(cols, start=1):
            if not col:
                raise DataError(f"{where(self.label, 1, i)}: empty column name in the header")
            if col in seen:
                raise DataError(f"{where(self.label, 1, i, col)}: duplicate column name")
            seen.add(col)
        if "year" not in cols:
            raise DataError(f"{self.label}, line 1: no 'year' column (header: {','.join(cols)})")
        has_p, has_u = "province" in cols, "unit" in cols
        if has_p == has_u:
            what = "both 'province' and 'unit'" if has_p else "neither 'province' nor 'unit'"
            raise DataError(f"{self.label}, line 1: the header has {what}; give exactly one of them")
        self.unit_col = "province" if has_p else "unit"
        self.long = "indicator" in cols or "value" in cols
        if self.long:
            for need in ("indicator", "value"):
                if need not in cols:
                    raise DataError(f"{self.label}, line 1: a long file needs a '{need}' column")
            known = {"year", self.unit_col, "indicator", "value", "rank", "provenance", "source"}
            for i, col in enumerate(cols, start=1):
                if col not in known and col not in self.attributes:
                    raise DataError(f"{where(self.label, 1, i, col)}: unknown column in a long file (expected "
                                    "year, province or unit, indicator, value, rank, provenance, source)")
            self.numeric = ["value", "rank"] if "rank" in cols else ["value"]
        else:
            self.numeric = [c for c in cols if c not in ("year", self.unit_col) and c not in self.attributes]
            if not self.numeric:
                raise DataError(f"{self.label}, line 1: no indicator columns (a wide file is year, "
                                f"{self.unit_col}, then one column per indicator)")

    # ---- reading

    def _kwargs(self, dtypes: dict | None) -> dict:
        raw = dict(zip(self.header, self.raw_header))  # the parser knows the names as written ("year, value")
        kwargs = dict(memory_map=self.label != "<stdin>", sep=self.sep, encoding="utf-8-sig",
                      keep_default_na=False, skipinitialspace=False,
                      na_values={raw[c]: [""] + list(self.fmt.na) for c in self.header}, engine="c", index_col=False)
        if dtypes is None:
            kwargs.update(dtype=str, na_values=None)
        else:
            kwargs.update(dtype={raw.get(c, c): t for c, t in dtypes.items()})
        return kwargs

    def _read(self, dtypes: dict | None) -> pd.DataFrame:
        with self.opener() as fh, warnings.catch_warnings():
            # a first row longer than the header: pandas would drop the extra cells with only a warning
            warnings.simplefilter("error", pd.errors.ParserWarning)
            try:
                df = pd.read_csv(fh, **self._kwargs(dtypes))
            except pd.errors.ParserWarning:
                self._field_count_error()
        df.columns = [c.strip() for c in df.columns]
        return df

    def _read_piece(self, dtypes: dict, fh, has_header: bool):
        """One piece of the file for the two-process read, in chunks of rows (text columns as categoricals); any
        warning or error is raised as it is."""
        kwargs = self._kwargs(dtypes)
        kwargs.update(memory_map=False, chunksize=parallel.CHUNK_ROWS)
        if not has_header:
            kwargs.update(header=None, names=self.raw_header)
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            with pd.read_csv(fh, **kwargs) as chunks:
                for df in chunks:
                    df.columns = [c.strip() for c in df.columns]
                    if _labels_as_numbers(df):  # a chunk's labels all look like numbers: read it all as text
                        raise ValueError("labels the parser read as numbers")
                    yield _encode_text(df)

    def read(self) -> Dataset:
        text_cols = [c for c in self.header if c not in self.numeric and c != "year"]
        if self.fmt.plain:
            dtypes = {c: "float64" for c in self.numeric}
            # few distinct labels: categorical straight from the parser; units (many): plain strings, coded below
            dtypes.update({c: "category" for c in text_cols})
            dtypes.update({c: object for c in text_cols if c == self.unit_col or c in self.attributes})
            dtypes["year"] = "int32"  # narrower than int64: the C parser fills it faster
            df = None
            if self.path is not None:
                # in pieces the parser codes the units itself faster than it makes strings of them (it is the
                # other way round for a whole large file); both give sorted categories
                piece = {**dtypes, self.unit_col: "category"}
                df = parallel.read_split(self.path, lambda fh, first: self._read_piece(piece, fh, first),
                                         frozenset(c for c, t in piece.items() if t == "category"))
            try:
                if df is None:
                    df = self._read(dtypes)
                    as_text = _labels_as_numbers(df)
                    if as_text:  # labels such as "001" must stay text: those columns again, as strings
                        df = self._read({**dtypes, **{c: object for c in as_text}})
            except (ValueError, TypeError) as exc:
                if isinstance(exc, UnicodeDecodeError):
                    self._encoding_error()
                if isinstance(exc, pd.errors.ParserError):
                    self._parser_error(exc)
                self._diagnose()
                raise  # _diagnose always raises; keep the checker happy
            self._check_typed(df)
        else:
            df = self._read_text_numbers()
        if df.empty:
            raise DataError(f"{self.label}: no data rows (only a header)")
        return self._assemble(df)

    def _read_text(self) -> pd.DataFrame:
        """Every cell as text, every cell checked: raises on the first bad one."""
        try:
            df = self._read(None)
        except UnicodeDecodeError:
            self._encoding_error()
        except pd.errors.ParserError as exc:
            self._parser_error(exc)
        self._check_strings(df)
        return df

    def _read_text_numbers(self) -> pd.DataFrame:
        df = self._read_text()
        out = df.copy()
        for col in self.numeric:
            out[col] = _to_float(df[col], self.fmt)
        out["year"] = df["year"].str.strip().astype("float64").astype("int32")
        return out

    # ---- validation

    def _check_typed(self, df: pd.DataFrame) -> None:
        """Checks the typed read cannot make: literal NaN tokens, infinities, empty keys, bad ranks."""
        for col in self.numeric:
            vals = df[col].to_numpy()
            bad = np.isinf(vals)
            if bad.any():
                self._fail_cell(int(np.argmax(bad)), col, "is not a finite number")
        years = df["year"].to_numpy()
        if len(years) and not ((years >= 1000) & (years <= 9999)).all():
            row = int(np.argmax((years < 1000) | (years > 9999)))
            self._fail_cell(row, "year", f"'{years[row]}' is not a year (four digits)")
        # (empty unit or indicator cells are caught when they are coded, in _assemble)
        # After this typed read a NaN can only be an empty cell or a declared --na token: the float parser
        # rejects "nan"-like text (no default NA tokens), and infinities were caught above.
        self._check_ranks(df)

    def _check_strings(self, df: pd.DataFrame) -> None:
        """Validate every cell from the file's text; raises on the first bad one."""
        na = {""} | set(self.fmt.na)
        pattern = _number_pattern(self.fmt)
        year = df["year"].fillna("").str.strip()
        bad = ~year.str.fullmatch(r"\d{4}(?:\.0*)?")
        if bad.any():
            i = int(np.argmax(bad.to_numpy()))
            self._fail_cell(i, "year", f"'{year.iloc[i]}' is not a year (four digits)")
        for col in [self.unit_col] + (["indicator"] if self.long else []):
            empty = df[col].fillna("").str.strip() == ""
            if empty.any():
                self._fail_cell(int(np.argmax(empty.to_numpy())), col, "is empty")
        for col in self.numeric:
            cells = df[col].fillna("").str.strip()
            ok = cells.isin(na) | cells.str.fullmatch(pattern)
            if not ok.all():
                i = int(np.argmax(~ok.to_numpy()))
                self._fail_cell(i, col, self._why_not_number(cells.iloc[i]))
            nums = _to_float(df[col], self.fmt)
            inf = np.isinf(nums.to_numpy())
            if inf.any():
                self._fail_cell(int(np.argmax(inf)), col, f"'{cells.iloc[int(np.argmax(inf))]}' is not a finite number")

    def _why_not_number(self, cell: str) -> str:
        msg = f"'{cell}' is not a number"
        if self.fmt.decimal == "." and re.fullmatch(r"[+-]?\d+,\d+", cell):
            msg += " (if the file uses a decimal comma, add --decimal ,)"
        elif self.fmt.thousands is None and re.fullmatch(r"[+-]?\d{1,3}([.,]\d{3})+([.,]\d+)?", cell):
            msg += " (for thousands separators add --thousands)"
        elif cell.lower() in ("nan", "na", "n/a", "null", "none", "-", "inf", "-inf", "infinity"):
            msg += " (leave missing values empty, or list the token with --na)"
        return msg

    def _check_ranks(self, df: pd.DataFrame) -> None:
        if "rank" not in df or not self.long:
            return
        r = df["rank"].to_numpy()
        bad = ~np.isnan(r) & ((r < 1) | (r != np.round(r)))
        if bad.any():
            i = int(np.argmax(bad))
            self._fail_cell(i, "rank", f"'{r[i]:g}' is not a rank (a whole number from 1)")

    # ---- errors with exact lines

    def _line_of(self, row: int) -> int:
        """The physical line on which data row `row` (0-based) starts."""
        with self.opener() as fh:
            text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
            reader = csv.reader(text, delimiter=self.sep)
            next(reader, None)
            n = -1
            start = reader.line_num + 1
            for rec in reader:
                if not rec:  # blank lines are skipped by the parser too
                    start = reader.line_num + 1
                    continue
                n += 1
                if n == row:
                    return start
                start = reader.line_num + 1
        return row + 2

    def _fail_cell(self, row: int, col: str, message: str) -> None:
        column = self.header.index(col) + 1 if col in self.header else None
        raise DataError(f"{where(self.label, self._line_of(row), column, col)}: {message}")

    def _diagnose(self) -> None:
        self._read_text()
        raise DataError(f"{self.label}: cannot be read as a CSV of numbers")

    def _field_count_error(self) -> None:
        with self.opener() as fh:
            text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
            reader = csv.reader(text, delimiter=self.sep)
            width = len(next(reader))
            for rec in reader:
                if rec and len(rec) > width:
                    raise DataError(f"{self.label}, line {reader.line_num}: {len(rec)} fields where the header has "
                                    f"{width} (a value with a comma needs quotes, or use --decimal ,)") from None
        raise DataError(f"{self.label}: rows do not match the header")

    def _parser_error(self, exc: Exception) -> None:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise DataError(f"{self.label}, line {m.group(2)}: {m.group(3)} fields where the header has "
                            f"{m.group(1)} (a value with a comma needs quotes, or use --decimal ,)") from None
        raise DataError(f"{self.label}: malformed CSV: {str(exc).splitlines()[-1]}") from None

    def _encoding_error(self) -> None:
        with self.opener() as fh:
            raw = fh.read()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise DataError(f"{self.label}, line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the "
                            "file as CSV UTF-8") from None
        raise DataError(f"{self.label}: not UTF-8 text; save the file as CSV UTF-8")

    # ---- assembling the tidy frame

    def _assemble(self, df: pd.DataFrame) -> Dataset:
        attrs = [c for c in self.header if c in self.attributes and c not in ("year", self.unit_col)]
        units = _labels(df[self.unit_col])
        indicators = _labels(df["indicator"]) if self.long else None
        for key, col in ((units, self.unit_col), (indicators, "indicator")):
            if key is not None and (key.array.codes < 0).any():
                self._check_strings(self._read(None))  # names the empty cell
        if self.unit_col == "province":
            units = self._resolve_provinces(units)
        if self.long:
            cols = {
                "year": df["year"].to_numpy(),
                "unit": units.array,
                "indicator": indicators.array,
                "value": df["value"].to_numpy(dtype="float64"),
                "rank": df["rank"].to_numpy(dtype="float64") if "rank" in df else None,
                "provenance": _text(df, "provenance", DEFAULT_PROVENANCE),
                "source": _text(df, "source", ""),
            }
            if cols["rank"] is None:  # no ranks in the file: no column of NaN (160 MB for 20 million rows)
                del cols["rank"]
            long = pd.DataFrame(cols, copy=False)
            order = None  # rows are in file order
        else:
            wide = df[self.numeric].astype("float64")
            n, k = wide.shape
            long = pd.DataFrame({
                "year": np.repeat(df["year"].to_numpy(dtype="int64"), k),
                "unit": pd.Categorical.from_codes(np.repeat(units.array.codes, k), units.cat.categories),
                "indicator": pd.Categorical.from_codes(np.tile(np.arange(k), n), self.numeric),
                "value": wide.to_numpy().ravel(),
                "provenance": _constant(n * k, DEFAULT_PROVENANCE),
                "source": _constant(n * k, ""),
            }, copy=False)
            order = np.repeat(np.arange(n), k)
            keep = ~np.isnan(long["value"].to_numpy())
            long, order = long[keep].reset_index(drop=True), order[keep]
        for col in ("provenance", "source"):
            if long[col].dtype != "category":
                long[col] = long[col].astype("category")
        long = self._dedupe(long, order)
        attributes = None
        if attrs:
            attributes = pd.DataFrame({"year": df["year"].astype("int64"), "unit": units})
            for a in attrs:
                attributes[a] = df[a].astype(str).str.strip()
            attributes = attributes.drop_duplicates(["year", "unit"]).reset_index(drop=True)
        kind = "province" if self.unit_col == "province" else "unit"
        return Dataset(frame=long, unit_kind=kind, label=self.label, attributes=attributes)

    def _resolve_provinces(self, units: pd.Series) -> pd.Series:
        reg = provinces.registry()
        mapping = {}
        for name in pd.unique(units.to_numpy()):
            try:
                mapping[name] = reg.resolve(name)
            except UsageError as exc:
                row = int(np.argmax((units == name).to_numpy()))
                col = self.header.index("province") + 1
                raise DataError(f"{where(self.label, self._line_of(row), col, 'province')}: {exc}") from None
        return _map_categories(units, mapping)

    def _dedupe(self, long: pd.DataFrame, order: np.ndarray | None) -> pd.DataFrame:
        """Drop exact duplicate (year, unit, indicator) rows; differing duplicates are an error. `order`: each row's
        data row in the file (None: the same as its place)."""
        keys = ["year", "unit", "indicator"]
        year = long["year"].to_numpy()
        ucodes, icodes = long["unit"].array.codes, long["indicator"].array.codes
        if _strictly_increasing(year, ucodes, icodes):
            return long  # a file sorted by (year, unit, indicator) has no duplicates: nothing to count
        codes = [year - year.min(), ucodes.astype(np.int64), icodes.astype(np.int64)]
        sizes = [int(c.max()) + 1 if len(c) else 1 for c in codes]
        key = (codes[0] * sizes[1] + codes[1]) * sizes[2] + codes[2]
        space = sizes[0] * sizes[1] * sizes[2]
        if space <= 200_000_000:
            counts = np.bincount(key, minlength=space)
            dup = counts[key] > 1
        else:
            dup = pd.Series(key).duplicated(keep=False).to_numpy()
        if not dup.any():
            return long
        sub = long[dup].assign(_key=key[dup], _row=np.flatnonzero(dup) if order is None else order[dup])
        cols = [c for c in ("value", "rank", "provenance", "source") if c in sub]
        for _, grp in sub.groupby("_key", sort=False):
            first = grp.iloc[0]
            for _, other in grp.iloc[1:].iterrows():
                same = all((pd.isna(first[c]) and pd.isna(other[c])) or first[c] == other[c] for c in cols)
                if not same:
                    a, b = self._line_of(int(first["_row"])), self._line_of(int(other["_row"]))
                    raise DataError(f"{self.label}, line {b}: duplicate of line {a} ({first['year']}, "
                                    f"{first['unit']}, {first['indicator']}) with a different value "
                                    f"({_fmt(other['value'])} vs {_fmt(first['value'])})")
        return long.drop_duplicates(keys).reset_index(drop=True)


def _strictly_increasing(*cols: np.ndarray) -> bool:
    """Whether the rows are in strictly increasing lexicographic order of these columns (cheap dtypes only).

    In blocks of a million rows: the comparisons' temporaries stay small and are reused."""
    n = len(cols[0])
    for lo in range(0, n - 1, 1 << 20):
        hi = min(lo + (1 << 20), n - 1)
        later = np.zeros(hi - lo, dtype=bool)  # decided "greater" by an earlier column
        tied = np.ones(hi - lo, dtype=bool)
        for c in cols:
            a, b = c[lo + 1:hi + 1], c[lo:hi]
            later |= tied & (a > b)
            tied &= a == b
            if not (later | tied).all():
                return False
        if not later.all():
            return False
    return True


def _fmt(v: float) -> str:
    return "empty" if pd.isna(v) else repr(float(v))


def _constant(n: int, label: str) -> pd.Categorical:
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[label])


def _text(df: pd.DataFrame, col: str, default: str):
    if col not in df:
        return _constant(len(df), default)
    s = df[col].astype("category") if df[col].dtype != "category" else df[col]
    mapping = {c: (str(c).strip() or default) for c in s.cat.categories}
    out = _map_categories(s, mapping)
    out = out.cat.add_categories([default]) if default not in out.cat.categories else out
    return out.fillna(default).array


def _labels(s: pd.Series) -> pd.Series:
    """Text cells without surrounding spaces, as a categorical (cheap for millions of repeated labels)."""
    if s.dtype != "category":  # sorted categories, as the parser makes them for a "category" column
        codes, uniques = _factorize_runs(s.to_numpy(dtype=object))
        order = np.argsort(np.asarray(uniques, dtype=object), kind="stable")
        if (order != np.arange(len(order))).any():
            lut = np.empty(len(order) + 1, dtype=np.int32)
            lut[order] = np.arange(len(order))
            lut[-1] = -1
            codes = lut[codes].astype(codes.dtype)
        s = pd.Series(pd.Categorical.from_codes(codes, pd.Index(uniques[order]), validate=False), index=s.index)
    return _map_categories(s, {c: str(c).strip() or None for c in s.cat.categories})  # blank: missing


def _labels_as_numbers(df: pd.DataFrame) -> list[str]:
    """The "category" columns whose labels the parser turned into numbers or booleans (pandas infers them:
    "001" would become 1)."""
    return [c for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)
            and not (df[c].cat.categories.dtype == object or pd.api.types.is_string_dtype(df[c].cat.categories))]


def _encode_text(df: pd.DataFrame) -> pd.DataFrame:
    """Object (text) columns as categoricals: what the two-process read sends between processes."""
    for col in df.columns:
        if df[col].dtype == object:
            codes, uniques = _factorize_runs(df[col].to_numpy())
            df[col] = pd.Categorical.from_codes(codes, pd.Index(uniques, dtype=object), validate=False)
    return df


def _factorize_runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """pd.factorize, done on the heads of runs of equal values (long files repeat a unit on consecutive rows)."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64), np.array([], dtype=object)
    heads = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    if len(heads) > len(values) // 4:
        return pd.factorize(values)
    codes, uniques = pd.factorize(values[heads])
    small = np.int16 if len(uniques) < 2**15 else np.int32
    return np.repeat(codes.astype(small), np.diff(np.r_[heads, len(values)])), uniques


def _map_categories(s: pd.Series, mapping: dict) -> pd.Series:
    """Map a categorical's labels (several may map to one); values outside the mapping become missing."""
    s = s.astype("category") if s.dtype != "category" else s
    cats = list(s.cat.categories)
    new = [mapping.get(c) for c in cats]
    if new == cats:  # nothing changes (the usual case): no pass over the codes
        return s
    uniq = list(dict.fromkeys(x for x in new if x is not None))
    where_ = {x: i for i, x in enumerate(uniq)}
    lut = np.array([where_[x] if x is not None else -1 for x in new] + [-1], dtype=np.int64)
    codes = lut[s.array.codes]
    return pd.Series(pd.Categorical.from_codes(codes, categories=uniq), index=s.index)


def _to_float(cells: pd.Series, fmt: Format) -> pd.Series:
    s = cells.fillna("").str.strip()
    s = s.where(~s.isin(("",) + tuple(fmt.na)), None)
    if fmt.thousands:
        s = s.str.replace(fmt.thousands, "", regex=False)
    if fmt.decimal != ".":
        s = s.str.replace(fmt.decimal, ".", regex=False)
    return pd.to_numeric(s, errors="raise").astype("float64")
