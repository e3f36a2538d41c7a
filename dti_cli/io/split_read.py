"""Reading a large CSV in two processes, when the caller asks for it (workers=2).

The file is cut at a line end near its middle; a forked child parses the second half while
this process parses the first, then sends its columns back through a pipe as raw arrays (text columns as category
codes). Anything unusual (a quote character anywhere, a parse error or warning in either half, a child that dies)
returns None, and the caller reads the whole file in one process: that path names the bad cell exactly, so the split
never changes a result or a message, only the time.
"""

from __future__ import annotations

import io
import os
import pickle
import signal
import struct
import threading
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from dti_cli.io.processes import write_all

SPLIT_MIN_BYTES = 16_000_000  # below this a second process costs more than it saves
CHUNK_ROWS = 500_000  # rows parsed at a time: their arrays are reused rather than all kept for one concatenation


class _Quote(Exception):
    """A quote character in a piece: a quoted field could hold the line end the file was cut at."""


class _Range:
    """Bytes [start, end) of a file as a readable binary file that refuses quote characters.

    Read with pread rather than through a memory map: a mapped page cache costs a page fault per 4 kB page."""

    def __init__(self, fd: int, start: int, end: int):
        self.fd, self.pos, self.end = fd, start, end

    def read(self, size: int = -1) -> bytes:
        n = self.end - self.pos if size is None or size < 0 else min(size, self.end - self.pos)
        data = os.pread(self.fd, n, self.pos) if n > 0 else b""
        if b'"' in data:
            raise _Quote()
        self.pos += len(data)
        return data


class _Interrupts:
    """Notes a Ctrl-C (SIGINT) while pandas parses, then acts as the handler it replaces (main thread only)."""

    def __enter__(self):
        self.seen, self.previous = False, None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.getsignal(signal.SIGINT)
            signal.signal(signal.SIGINT, self._handler)
        return self

    def _handler(self, signum, frame):
        if self.previous == signal.SIG_IGN:
            return
        self.seen = True
        if callable(self.previous):
            self.previous(signum, frame)
        raise KeyboardInterrupt

    def __exit__(self, *exc) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)


def _line_end_after(fd: int, pos: int, size: int) -> int:
    """The position just past the first line end at or after pos (0 when there is none)."""
    while pos < size:
        chunk = os.pread(fd, 1 << 16, pos)
        if not chunk:
            return 0
        i = chunk.find(b"\n")
        if i >= 0:
            return pos + i + 1
        pos += len(chunk)
    return 0


def read_split(path: Path, read_part: Callable[[_Range, bool], Iterable[pd.DataFrame]],
               sorted_columns: frozenset = frozenset()) -> pd.DataFrame | None:
    """Parse `path` in two processes: read_part(file, has_header) parses a piece into chunks of numeric and
    categorical columns. The pieces joined in file order, categories sorted for `sorted_columns` (as the parser
    sorts those it makes) and in the order first seen for the others; or None when the split does not apply or
    fails."""
    try:
        size = path.stat().st_size
        if size < SPLIT_MIN_BYTES:
            return None
        fh = open(path, "rb")
    except OSError:
        return None
    with fh:
        fd = fh.fileno()
        try:
            header_end = _line_end_after(fd, 0, size)
            cut = _line_end_after(fd, header_end + (size - header_end) // 2, size) if header_end else 0
        except OSError:
            return None
        if header_end == 0 or cut == 0 or cut >= size:
            return None
        try:
            r, w = os.pipe()
        except OSError:
            return None
        try:
            _widen(w)
            pid = os.fork()
        except OSError:  # no second process to be had: one process reads it all
            os.close(r)
            os.close(w)
            return None
        if pid == 0:  # the child: never returns
            os.close(r)
            _child(fd, cut, size, w, read_part)
        os.close(w)
        try:
            with io.FileIO(r, "rb", closefd=True) as pipe:
                first = _Accumulator(_rows_hint(size - header_end))
                with _Interrupts() as ctrl_c:
                    try:
                        for chunk in read_part(_Range(fd, 0, cut), True):
                            first.add(chunk)
                    except Exception:  # noqa: BLE001 - the one-process read reports it exactly
                        if ctrl_c.seen:  # pandas can turn Ctrl-C into a parser error: stop, do not fall back
                            raise KeyboardInterrupt from None
                        return None
                if first.columns is None:
                    return None
                return _join(first, pipe, sorted_columns)
        finally:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(pid, 0)


def _widen(fd: int) -> None:
    """A 1 MB pipe buffer: a 64 kB one makes moving 100 MB take five times as long (Linux only)."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except (ImportError, AttributeError, OSError):
        pass


def _child(fd, cut, size, w, read_part) -> None:
    code = 1
    try:
        _die_with_parent()
        try:
            part = _Accumulator(_rows_hint(size - cut))
            for chunk in read_part(_Range(fd, cut, size), False):
                part.add(chunk)
            meta, arrays = part.packed()
        except Exception:  # noqa: BLE001 - the parent falls back to the one-process read
            os.write(w, b"F")
        else:
            blob = pickle.dumps(meta, protocol=pickle.HIGHEST_PROTOCOL)
            os.write(w, b"K" + struct.pack("<Q", len(blob)))
            write_all(w, blob)
            for a in arrays:
                if a.size:
                    write_all(w, a)
            code = 0
    except BaseException:  # noqa: BLE001
        pass
    finally:
        os._exit(code)


def _die_with_parent() -> None:
    """Linux: this (forked) process gets SIGKILL when its parent dies, rather than parsing on for nothing."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError, ValueError):
        pass


def _rows_hint(size: int) -> int:
    """A first guess at the rows in `size` bytes: room reserved, not touched (the arrays grow when it falls short)."""
    return max(size // 16, 1024)


class _Accumulator:
    """A piece's chunks appended into arrays (grown when full; untouched room costs no memory); categorical
    columns as codes over one list of categories, in the order first met."""

    def __init__(self, rows_hint: int):
        self.rows_hint = rows_hint
        self.n = 0
        self.columns: list[str] | None = None
        self.arrays: dict[str, np.ndarray] = {}
        self.categories: dict[str, dict] = {}  # label → code, for the categorical columns
        self.label_dtypes: dict = {}  # the dtype of each categorical column's categories

    def add(self, chunk: pd.DataFrame) -> None:
        m = len(chunk)
        if self.columns is None:
            self.columns = list(chunk.columns)
            for name in self.columns:
                col = chunk[name]
                if isinstance(col.dtype, pd.CategoricalDtype):
                    self.categories[name] = {}
                    self.label_dtypes[name] = col.cat.categories.dtype
                    dtype = np.int16
                else:
                    dtype = col.to_numpy().dtype
                    if dtype.hasobject:
                        raise TypeError(f"column {name}: object dtype")
                self.arrays[name] = np.empty(max(self.rows_hint, m), dtype=dtype)
        elif list(chunk.columns) != self.columns:
            raise ValueError("chunks with different columns")
        self.reserve(self.n + m)
        for name in self.columns:
            col = chunk[name]
            if name in self.categories:
                if not isinstance(col.dtype, pd.CategoricalDtype):
                    raise TypeError(f"column {name}: not categorical in every chunk")
                lut = self.codes_for(name, list(col.cat.categories))  # may widen the array: first
                self.arrays[name][self.n:self.n + m] = lut[col.array.codes]
            else:
                values = col.to_numpy()
                if values.dtype != self.arrays[name].dtype:
                    raise TypeError(f"column {name}: {values.dtype} after {self.arrays[name].dtype}")
                self.arrays[name][self.n:self.n + m] = values
        self.n += m

    def reserve(self, rows: int) -> None:
        for name, a in self.arrays.items():
            if len(a) < rows:
                bigger = np.empty(max(rows, int(len(a) * 1.5)), dtype=a.dtype)
                bigger[:self.n] = a[:self.n]
                self.arrays[name] = bigger

    def codes_for(self, name: str, labels: list) -> np.ndarray:
        """Codes of these labels in the column's categories (new ones added), and -1 last (for code -1)."""
        index = self.categories[name]
        lut = np.empty(len(labels) + 1, dtype=np.int64)
        for i, label in enumerate(labels):
            lut[i] = index.setdefault(label, len(index))
        lut[-1] = -1
        if len(index) >= 2**15 and self.arrays[name].dtype == np.int16:
            self.arrays[name] = self.arrays[name].astype(np.int32)
        return lut

    def packed(self) -> tuple[list, list[np.ndarray]]:
        """For the pipe: (name, kind, dtype, rows, categories) per column, and the arrays."""
        if self.columns is None:
            return [], []
        meta, arrays = [], []
        for name in self.columns:
            a = self.arrays[name][:self.n]
            cats = list(self.categories[name]) if name in self.categories else None
            meta.append((name, "cat" if cats is not None else "arr", a.dtype.str, self.n, cats))
            arrays.append(a)
        return meta, arrays

    def frame(self, sorted_columns: frozenset) -> pd.DataFrame:
        out = {}
        for name in self.columns:
            a = self.arrays[name][:self.n]
            if name not in self.categories:
                out[name] = a
                continue
            labels = list(self.categories[name])
            cats = pd.Index(labels, dtype=self.label_dtypes[name])
            if name in sorted_columns and not cats.is_monotonic_increasing:
                order = np.argsort(np.asarray(labels, dtype=object), kind="stable")
                lut = np.empty(len(labels) + 1, dtype=a.dtype)
                lut[order] = np.arange(len(labels))
                lut[-1] = -1
                a[...] = lut[a]
                cats = cats[order]
            out[name] = pd.Categorical.from_codes(a, cats, validate=False)
        return pd.DataFrame(out, copy=False)


def _read_exact(pipe: io.FileIO, buf) -> bool:
    view = memoryview(buf).cast("B")
    while view:
        n = pipe.readinto(view)
        if not n:
            return False
        view = view[n:]
    return True


def _join(first: _Accumulator, pipe: io.FileIO, sorted_columns: frozenset) -> pd.DataFrame | None:
    """The child's piece appended to the first, from the pipe."""
    status = pipe.read(1)
    if status != b"K":
        return None
    head = bytearray(8)
    if not _read_exact(pipe, head):
        return None
    blob = bytearray(struct.unpack("<Q", head)[0])
    if not _read_exact(pipe, blob):
        return None
    meta = pickle.loads(blob)
    if meta and [m[0] for m in meta] != first.columns:
        return None
    n1, n2 = first.n, (meta[0][3] if meta else 0)
    first.reserve(n1 + n2)
    for name, kind, dtype, _, cats in meta:
        if (kind == "cat") != (name in first.categories):
            return None
        if kind == "arr":
            if first.arrays[name].dtype != np.dtype(dtype):
                return None
            if n2 and not _read_exact(pipe, first.arrays[name][n1:n1 + n2]):
                return None
        else:
            codes2 = np.empty(n2, dtype=dtype)
            if n2 and not _read_exact(pipe, codes2):
                return None
            lut = first.codes_for(name, cats)
            first.arrays[name][n1:n1 + n2] = lut[codes2]
    first.n = n1 + n2
    return first.frame(sorted_columns)
