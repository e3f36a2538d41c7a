"""Work split over two processes on machines with more than one CPU.

Reading a large CSV: the file is cut at a line end near its middle; a forked child parses the second half while
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
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

SPLIT_MIN_BYTES = 16_000_000  # below this a second process costs more than it saves


def workers() -> int:
    """Processes for large reads and writes: 2 where the machine has several CPUs and can fork (DTI_WORKERS=1 to
    stay in one process)."""
    env = os.environ.get("DTI_WORKERS")
    if env:
        return max(1, int(env)) if env.isdigit() else 1
    return 2 if hasattr(os, "fork") and (os.cpu_count() or 1) > 1 else 1


def keep_freed_memory() -> None:
    """For a run over a large file: glibc keeps freed memory for reuse instead of handing it back to the kernel.

    By default each large temporary array is fresh memory, returned on free and faulted in again by the next one;
    page faults then cost as much as the arithmetic (a third fewer faults and about 1 s less system time on the
    20-million-row benchmark). Blocks up to 32 MB come from the heap and freed space at its top is not trimmed; the
    peak memory is unchanged. Elsewhere (not glibc) this does nothing.
    """
    global _TUNED
    if _TUNED:
        return
    _TUNED = True
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return
        import ctypes

        libc = ctypes.CDLL(None)
        libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: glibc's largest dynamic value, fixed from the start
        libc.mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD: keep up to 1 GB of freed heap
    except (ValueError, OSError, AttributeError):
        pass


_TUNED = False


def thread_map(fn, items: list, size: int) -> list:
    """fn over items, in two threads when there are several and `size` (cells) is large: for numpy work, which
    releases the GIL. Results in the order of items."""
    if len(items) > 1 and size >= 1_000_000 and (os.cpu_count() or 1) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(2) as pool:
            return list(pool.map(fn, items))
    return [fn(x) for x in items]


def write_all(fd: int, data) -> None:
    view = memoryview(data).cast("B")
    while view:
        view = view[os.write(fd, view):]


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


def read_split(path: Path, read_part: Callable[[io.RawIOBase, bool], pd.DataFrame],
               sorted_columns: frozenset = frozenset()) -> pd.DataFrame | None:
    """Parse `path` in two processes: read_part(file, has_header) parses a piece into numeric and categorical
    columns (those in `sorted_columns` with sorted categories, as the parser makes them; the others in the order
    first seen). The two pieces joined in file order, or None when the split does not apply or fails."""
    if workers() < 2:
        return None
    try:
        size = path.stat().st_size
        if size < SPLIT_MIN_BYTES:
            return None
        fh = open(path, "rb")
    except OSError:
        return None
    with fh:
        fd = fh.fileno()
        header_end = _line_end_after(fd, 0, size)
        cut = _line_end_after(fd, header_end + (size - header_end) // 2, size) if header_end else 0
        if header_end == 0 or cut == 0 or cut >= size:
            return None
        r, w = os.pipe()
        _widen(w)
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(r)
            _child(fd, cut, size, w, read_part)
        os.close(w)
        try:
            with io.FileIO(r, "rb", closefd=True) as pipe:
                try:
                    first = read_part(_Range(fd, 0, cut), True)
                except Exception:  # noqa: BLE001 - the one-process read reports it exactly
                    return None
                # room for both pieces, filled with this one while the child is still at work (the untouched
                # rest of an over-estimate costs no memory)
                rows = int(len(first) * (size - header_end) / max(cut - header_end, 1) * 1.1) + 1024
                return _join(_Layout(first, rows), pipe, sorted_columns)
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
        try:
            part = read_part(_Range(fd, cut, size), False)
            meta, arrays = _pack(part)
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


def _pack(df: pd.DataFrame) -> tuple[list, list[np.ndarray]]:
    meta, arrays = [], []
    for name in df.columns:
        col = df[name]
        if isinstance(col.dtype, pd.CategoricalDtype):
            codes = np.ascontiguousarray(col.cat.codes.to_numpy())
            meta.append((name, "cat", codes.dtype.str, len(codes), list(col.cat.categories)))
            arrays.append(codes)
        else:
            values = np.ascontiguousarray(col.to_numpy())
            if values.dtype.hasobject:
                raise TypeError(f"column {name}: object dtype")
            meta.append((name, "arr", values.dtype.str, len(values), None))
            arrays.append(values)
    return meta, arrays


def _read_exact(pipe: io.FileIO, buf) -> bool:
    view = memoryview(buf).cast("B")
    while view:
        n = pipe.readinto(view)
        if not n:
            return False
        view = view[n:]
    return True


class _Layout:
    """The first piece's columns copied to the front of arrays long enough for both pieces."""

    def __init__(self, first: pd.DataFrame, rows: int):
        self.n1 = len(first)
        self.columns = list(first.columns)
        self.arrays: dict[str, np.ndarray] = {}
        self.categories: dict[str, pd.Index] = {}
        for name in self.columns:
            col = first[name]
            if isinstance(col.dtype, pd.CategoricalDtype):
                self.categories[name] = col.cat.categories
                values = col.cat.codes.to_numpy()
                dtype = np.int16 if len(col.cat.categories) < 2**14 else np.int32
            else:
                values = col.to_numpy()
                dtype = values.dtype
            self.arrays[name] = np.empty(max(rows, self.n1), dtype=dtype)
            self.arrays[name][:self.n1] = values

    def room(self, name: str, n2: int, dtype) -> np.ndarray:
        """The column's array with space for n2 more rows of `dtype` (grown or widened when the estimate fell
        short)."""
        a = self.arrays[name]
        if len(a) < self.n1 + n2 or np.dtype(dtype).itemsize > a.dtype.itemsize:
            wider = np.empty(self.n1 + n2, dtype=np.promote_types(a.dtype, dtype))
            wider[:self.n1] = a[:self.n1]
            self.arrays[name] = a = wider
        return a


def _join(first: _Layout, pipe: io.FileIO, sorted_columns: frozenset) -> pd.DataFrame | None:
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
    if [m[0] for m in meta] != first.columns:
        return None
    n1 = first.n1
    out = {}
    for name, kind, dtype, n2, cats in meta:
        if (kind == "cat") != (name in first.categories):
            return None
        if kind == "arr":
            if first.arrays[name].dtype != np.dtype(dtype):
                return None
            full = first.room(name, n2, dtype)
            if n2 and not _read_exact(pipe, full[n1:n1 + n2]):
                return None
            out[name] = full[:n1 + n2]
        else:
            codes2 = np.empty(n2, dtype=dtype)
            if n2 and not _read_exact(pipe, codes2):
                return None
            out[name] = _join_categorical(first, name, codes2, cats, name in sorted_columns)
    return pd.DataFrame(out, copy=False)


def _join_categorical(first: _Layout, name: str, codes2: np.ndarray, cats2: list, sort: bool) -> pd.Categorical:
    """The codes of both pieces over the union of their categories, ordered as one read of the whole file would
    order them: sorted (`sort`), or first seen first."""
    cats1, n1 = first.categories[name], first.n1
    if list(cats1) == cats2:
        cats, lut = cats1, None
    else:
        known = set(cats1)
        union = list(cats1) + [c for c in cats2 if c not in known]
        if sort:
            union.sort()
        cats = pd.Index(union, dtype=cats1.dtype)
        lut = np.r_[cats.get_indexer(pd.Index(cats2, dtype=cats1.dtype)), -1]
    codes = first.room(name, len(codes2), np.int16 if len(cats) < 2**15 else np.int32)
    if lut is not None and union[:len(cats1)] != list(cats1):  # sorting moved the first piece's labels too
        lut1 = np.r_[cats.get_indexer(cats1), -1]
        codes[:n1] = lut1[codes[:n1]]
    codes[n1:n1 + len(codes2)] = codes2 if lut is None else lut[codes2]
    return pd.Categorical.from_codes(codes[:n1 + len(codes2)], cats, validate=False)
