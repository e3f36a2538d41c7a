"""Read and validate indicator CSVs (long or wide, provinces or other units) into one tidy long frame."""

from __future__ import annotations

import csv
import io
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from dti_cli.errors import DataError, UsageError, where
from dti_cli.i18n import Msg
from dti_cli.io import csv_assemble, csv_checks, own_output, split_read
from dti_cli.io.labels import encode_text, labels_as_numbers, number_pattern, to_float
from dti_cli.model.dataset import ATTRIBUTE_COLUMNS, Dataset, NumberFormat


def bundled_path() -> Path:
    """The shipped indicators.csv: inside the installed package, or at the repository root in a checkout."""
    here = Path(__file__).resolve().parent.parent
    for cand in (here / "indicators.csv", here.parent / "indicators.csv"):
        if cand.is_file():
            return cand
    raise DataError("data.bundled_missing", hint="data")


def delimiter(header_line: str) -> str:
    """A file's delimiter, from its header line: a tab where it has more tabs than commas and semicolons (dti's
    own tsv), ';' where it has more semicolons than commas, else ','."""
    tabs, semis, commas = header_line.count("\t"), header_line.count(";"), header_line.count(",")
    if tabs > max(semis, commas):
        return "\t"
    return ";" if semis > commas else ","


def check_format(fmt: NumberFormat) -> None:
    """The decimal mark and thousands separator a file can be read with."""
    if fmt.decimal not in (".", ","):
        raise UsageError("data.decimal_mark", option="decimal", value=fmt.decimal)
    if fmt.thousands is not None and (fmt.thousands == fmt.decimal or fmt.thousands not in (".", ",", " ", "'")):
        raise UsageError("data.thousands_mark", option="thousands")


def load(source: str | Path, *, fmt: NumberFormat = NumberFormat(), attributes: tuple[str, ...] = (),
         workers: int = 1) -> Dataset:
    """Read a long or wide indicator CSV ('-' for standard input) and validate every cell.

    `workers=2` lets a large file be parsed in two processes (a forked child reads its second half); the
    default reads in this process only."""
    check_format(fmt)
    raw = stream(source)
    if raw is not None and own_output.is_json(raw):
        raw = own_output.json_as_csv(raw, "<stdin>" if str(source) == "-" else str(source))
    elif raw is None and own_output.is_json_file(Path(source)):
        raw = own_output.json_as_csv(Path(source).read_bytes(), str(source))
    if raw is not None:  # standard input, a pipe, a FIFO, /dev/stdin, <(…): read once, kept in memory
        label, path = ("<stdin>" if str(source) == "-" else str(source)), None
        opener = lambda: io.BytesIO(raw)  # noqa: E731
    else:
        path = Path(source)
        label = str(source)
        opener = lambda: open(path, "rb")  # noqa: E731
    try:
        with opener() as fh:
            head = first_line(fh)
    except OSError as exc:
        raise UsageError("data.cannot_read", path=label, reason=exc.strerror or str(exc)) from None
    return _Reader(label, opener, head, fmt, attributes, path, workers).read()


def first_line(fh, block: int = 1 << 16) -> bytes:
    """The start of a file through the end of its first line, however long that line (at least one block)."""
    parts = [fh.read(block)]
    while parts[-1] and b"\n" not in parts[-1] and b"\r" not in parts[-1]:
        parts.append(fh.read(block << min(len(parts), 8)))  # growing reads: a wide header costs few calls
    return b"".join(parts)


MAX_STREAM = 2_000_000_000  # bytes of data read from a stream (a file is read in place, whatever its size)
_STREAMS: dict[str, bytes] = {}  # a stream read once, for every read of this run (it cannot be read again)


def stream(source: str | Path) -> bytes | None:
    """The bytes of a source that is not a regular file ('-', a pipe, a FIFO, a device), read once and kept;
    None for a regular file. A missing path or a directory is an error; so is a stream past MAX_STREAM."""
    key = str(source)
    if key in _STREAMS:
        return _STREAMS[key]
    if key != "-":
        path = Path(source)
        if not path.exists():
            raise UsageError("data.no_such_file", path=key)
        if path.is_dir():
            raise UsageError("data.is_dir", path=key)
        if path.is_file():
            return None
    chunks, size = [], 0
    try:
        fh = sys.stdin.buffer if key == "-" else open(source, "rb")
        while chunk := fh.read(1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_STREAM:
                raise DataError("data.stream_too_large", path=key, limit=MAX_STREAM)
    except OSError as exc:
        raise UsageError("data.cannot_read", path=key, reason=exc.strerror or str(exc)) from None
    _STREAMS[key] = raw = b"".join(chunks)
    return raw


def text_columns(source: str | Path, *, fmt: NumberFormat = NumberFormat()) -> tuple[str, ...]:
    """The columns of a wide file that hold text rather than numbers (e.g. a district's kind), for `dti init`."""
    raw = stream(source)
    with open(source, "rb") if raw is None else io.BytesIO(raw) as fh:
        head = first_line(fh)
    if not head.strip():
        return ()
    first = head.decode("utf-8-sig", errors="replace").splitlines()[0]
    sep = delimiter(first)
    cols = [c.strip() for c in next(csv.reader([first], delimiter=sep))]
    if "indicator" in cols:
        return ()
    try:
        df = pd.read_csv(source if raw is None else io.BytesIO(raw), sep=sep, dtype=str, keep_default_na=False,
                         encoding="utf-8-sig", index_col=False)
    except Exception:  # noqa: BLE001 - load() then reports the problem with its line and column
        return ()
    pattern = number_pattern(fmt)
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

    def __init__(self, label, opener, head: bytes, fmt: NumberFormat, attributes: tuple[str, ...],
                 path: Path | None = None, workers: int = 1):
        self.fmt, self.path, self.workers = fmt, path, workers
        self.attributes = set(ATTRIBUTE_COLUMNS) | set(attributes)
        if not head.strip():
            raise DataError("data.empty_file", where=where(label))
        try:
            first = head.decode("utf-8-sig").splitlines()[0]
        except UnicodeDecodeError:
            first = head[: head.find(b"\n")].decode("utf-8-sig", errors="replace")
            if "\ufffd" in first:
                csv_checks.FileView(label, opener, ",", (), fmt).encoding_error()
        sep = delimiter(first)
        self.raw_header = next(csv.reader([first], delimiter=sep))
        self.header = [h.strip() for h in self.raw_header]
        written = tuple(self.header)
        # dti's own long output (`dti scores`): its columns as data, the columns it adds for people left out
        self.keep: list[str] | None = None
        own = own_output.as_data(self.header, self.attributes)
        if own is not None:
            self.header, self.keep = own
            self.raw_header = list(self.header)  # the parser is given these names (see _kwargs)
        self.view = csv_checks.FileView(label, opener, sep, tuple(self.header), fmt,
                                        written if own is not None else ())
        self._check_header()

    def _check_header(self) -> None:
        cols, label = self.header, self.view.label
        seen = set()
        for i, col in enumerate(cols, start=1):
            if not col:
                raise DataError("data.header.empty_name", where=where(label, 1, i))
            if col in seen:
                raise DataError("data.header.duplicate", where=where(label, 1, i, col))
            seen.add(col)
        if "year" not in cols:
            raise DataError("data.header.no_year", where=where(label, 1), header=",".join(cols))
        has_p, has_u = "province" in cols, "unit" in cols
        if has_p == has_u:
            raise DataError("data.header.both_units" if has_p else "data.header.no_units", where=where(label, 1))
        self.unit_col = "province" if has_p else "unit"
        self.long = "indicator" in cols or "value" in cols
        if self.long:
            for need in ("indicator", "value"):
                if need not in cols:
                    raise DataError("data.header.long_needs", where=where(label, 1), col=need)
            known = {"year", self.unit_col, "indicator", "value", "rank", "provenance", "source"}
            for i, col in enumerate(cols, start=1):
                if col not in known and col not in self.attributes and (self.keep is None or col in self.keep):
                    raise DataError("data.header.unknown_long", where=where(label, 1, i, col))
            self.numeric = ["value", "rank"] if "rank" in cols else ["value"]
        else:
            self.numeric = [c for c in cols if c not in ("year", self.unit_col) and c not in self.attributes]
            if not self.numeric:
                raise DataError("data.header.no_indicators", where=where(label, 1), unit=self.unit_col)

    def _kwargs(self, dtypes: dict | None) -> dict:
        raw = dict(zip(self.header, self.raw_header))  # the parser knows the names as written ("year, value")
        numeric = set(self.numeric)  # a wide file may have thousands of columns
        kwargs = dict(memory_map=self.path is not None, sep=self.view.sep, encoding="utf-8-sig",
                      keep_default_na=False, skipinitialspace=False,
                      na_values={raw[c]: [""] + (list(self.fmt.na) if c in numeric else []) for c in self.header},
                      engine="c", index_col=False)  # --na is for value cells: a unit called "NA" stays one
        if self.keep is not None:  # the file's names replaced by the data's, the added columns not read
            kwargs.update(header=0, names=self.header, usecols=self.keep)
        if dtypes is None:
            kwargs.update(dtype=str, na_values=None)
        else:
            kwargs.update(dtype={raw.get(c, c): t for c, t in dtypes.items()})
        return kwargs

    def read_frame(self, dtypes: dict | None) -> pd.DataFrame:
        """The whole file in one read (every cell as text when `dtypes` is None)."""
        with self.view.opener() as fh, warnings.catch_warnings():
            # a first row longer than the header: pandas would drop the extra cells with only a warning
            warnings.simplefilter("error", pd.errors.ParserWarning)
            # a year like 1e308 cast to an integer: the check of the year column names that cell afterwards
            warnings.filterwarnings("ignore", "invalid value encountered in cast", RuntimeWarning)
            try:
                df = pd.read_csv(fh, **self._kwargs(dtypes))
            except pd.errors.ParserWarning:
                self.view.field_count_error()
        df.columns = [c.strip() for c in df.columns]
        return df

    def _read_piece(self, dtypes: dict, fh, has_header: bool):
        """One piece of the file for the two-process read, in chunks of rows (text columns as categoricals); any
        warning or error is raised as it is."""
        kwargs = self._kwargs(dtypes)
        kwargs.update(memory_map=False, chunksize=split_read.CHUNK_ROWS)
        if not has_header:
            kwargs.update(header=None, names=self.raw_header)
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            warnings.filterwarnings("ignore", "invalid value encountered in cast", RuntimeWarning)
            with pd.read_csv(fh, **kwargs) as chunks:
                for df in chunks:
                    df.columns = [c.strip() for c in df.columns]
                    if labels_as_numbers(df):  # a chunk's labels all look like numbers: read it all as text
                        raise ValueError("labels the parser read as numbers")
                    yield encode_text(df)

    def read(self) -> Dataset:
        df = self._read_typed() if self.fmt.plain else self._read_text_numbers()
        if df.empty:
            raise DataError("data.no_rows", where=where(self.view.label))
        if self.view.sep == ";" and self.fmt.plain and not self.fmt.declared:
            self._thousands_groups()
        return csv_assemble.assemble(self, df)

    def _thousands_groups(self) -> None:
        """Numbers are never guessed: in a semicolon file (where a decimal comma is usual) a column whose every
        value looks like a thousands group (1.200, 4.755) is refused unless --decimal or --thousands says how."""
        text = self.read_frame(None)
        for col in self.numeric:
            cells = text[col].fillna("").str.strip()
            cells = cells[~cells.isin([""] + list(self.fmt.na))]
            if len(cells) and cells.str.fullmatch(r"[+-]?[1-9]\d{0,2}\.\d{3}").all():
                row = int(np.argmax(text[col].fillna("").str.strip().isin(cells.iloc[:1]).to_numpy()))
                self.view.fail_cell(row, col, Msg("data.thousands_groups", value=cells.iloc[0]))

    def _read_typed(self) -> pd.DataFrame:
        numeric = set(self.numeric)
        text_cols = [c for c in self.header if c not in numeric and c != "year" and (self.keep is None or c in self.keep)]
        dtypes = {c: "float64" for c in self.numeric}
        # few distinct labels: categorical straight from the parser; units (many): plain strings, coded later
        dtypes.update({c: "category" for c in text_cols})
        dtypes.update({c: object for c in text_cols if c == self.unit_col or c in self.attributes})
        dtypes["year"] = "int32"  # narrower than int64: the C parser fills it faster
        df = None
        if self.path is not None and self.workers > 1:
            # in pieces the parser codes the units itself faster than it makes strings of them (it is the
            # other way round for a whole large file); both give sorted categories
            piece = {**dtypes, self.unit_col: "category"}
            df = split_read.read_split(self.path, lambda fh, first: self._read_piece(piece, fh, first),
                                       frozenset(c for c, t in piece.items() if t == "category"))
        try:
            if df is None:
                df = self.read_frame(dtypes)
                as_text = labels_as_numbers(df)
                if as_text:  # labels such as "001" must stay text: those columns again, as strings
                    df = self.read_frame({**dtypes, **{c: object for c in as_text}})
        except (ValueError, TypeError) as exc:
            if isinstance(exc, UnicodeDecodeError):
                self.view.encoding_error()
            if isinstance(exc, pd.errors.ParserError):
                self.view.parser_error(exc)
            self._read_text()
            raise DataError("data.unreadable", where=where(self.view.label)) from None
        csv_checks.check_typed(self.view, df, self.numeric, self.long)
        return df

    def check_text(self, df: pd.DataFrame) -> None:
        csv_checks.check_strings(self.view, df, self.unit_col, self.numeric, self.long)

    def _read_text(self) -> pd.DataFrame:
        """Every cell as text, every cell checked: raises on the first bad one."""
        try:
            df = self.read_frame(None)
        except UnicodeDecodeError:
            self.view.encoding_error()
        except pd.errors.ParserError as exc:
            self.view.parser_error(exc)
        self.check_text(df)
        return df

    def _read_text_numbers(self) -> pd.DataFrame:
        df = self._read_text()
        out = df.copy()
        for col in self.numeric:
            out[col] = to_float(df[col], self.fmt)
        out["year"] = df["year"].str.strip().astype("float64").astype("int32")
        return out
