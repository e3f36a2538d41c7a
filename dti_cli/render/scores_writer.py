"""The long `scores` table as csv, tsv or json, written fast enough for millions of rows: lines assembled from small byte
tables in zero-padded matrices (no per-row Python), in two processes when the caller allows it (workers=2)."""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from typing import BinaryIO, Callable, TextIO

import numpy as np
import pandas as pd

from dti_cli.io.processes import two_writers
from dti_cli.model.result import MAX_DECIMALS, Table
from dti_cli.model.scores import Scores, long_columns, long_frame
from dti_cli.render.delimited import delimited
from dti_cli.render.numbers import HUGE, int_label_table, number_parts, put, put_fraction


TAIL_MAX = 1 << 20  # rows of the joint (rank, provenance, source) table; past it, three lookups a line


def _bytes_table(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Each text as UTF-8, as a zero-padded uint8 matrix and lengths."""
    enc = [t.encode("utf-8") for t in texts]
    w = max((len(e) for e in enc), default=0) or 1
    mat = np.zeros((len(enc), w), dtype=np.uint8)
    for i, e in enumerate(enc):
        mat[i, :len(e)] = np.frombuffer(e, dtype=np.uint8)
    return mat, np.array([len(e) for e in enc], dtype=np.int64)


def _csv_cell(label: str, sep: str) -> str:
    """One label quoted as csv would (a lone empty field stays empty, not '""')."""
    if label == "":
        return ""
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="").writerow([label])
    return buf.getvalue()


@dataclass(frozen=True)
class _Dialect:
    """The text around the figures of one output line (csv/tsv) or record (json): every piece a table row."""

    head: str  # before the first line
    year: Callable[[str], str]  # a year's text and what follows it, up to the unit
    unit: Callable[[str], str]
    node: Callable[[str], str]  # a node's text and what follows it, up to the score
    after: str  # between the score and the rank
    rank: str  # after a rank
    no_rank: str  # in place of a missing rank
    no_value: bytes  # in place of a missing score
    pair: Callable[[str, str], str]  # provenance and source, to the line's (record's) end
    end: str  # after the last line
    empty: str | None  # the whole output when there is no line (None: head + end)
    skip: int  # bytes dropped from the first line (json: the comma before the first record)
    slow: Callable[[Table], bytes]  # the lines of a table through the table renderer (huge figures)
    between: str = ""  # with figures: between a normalised leaf's figure (`value`) and its score


def _csv_dialect(sep: str, unit_kind: str, figures: bool = False) -> _Dialect:
    def slow(table: Table) -> bytes:
        return delimited(table, sep).split("\n", 1)[1].encode("utf-8")

    def pair(prov: str, src: str) -> str:
        return _csv_cell(prov, sep) + sep + _csv_cell(src, sep) + "\n"

    head = ["year", unit_kind, "node", *(["value"] if figures else []), "score", "rank", "provenance", "source"]
    return _Dialect(sep.join(head) + "\n",
                    lambda y: _csv_cell(y, sep) + sep, lambda u: _csv_cell(u, sep) + sep,
                    lambda n: _csv_cell(n, sep) + sep, sep, sep, sep, b"", pair, "", None, 0, slow,
                    sep if figures else "")


def _json_dialect(unit_kind: str, figures: bool = False) -> _Dialect:
    """Records as jsonfmt.records writes them: indented by two, one key a line, null for a missing figure."""
    from dti_cli.render import jsonfmt

    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    def slow(table: Table) -> bytes:
        text = jsonfmt.records(table)
        return b"" if text == "[]" else ("," + text[1:-2]).encode("utf-8")  # ",\n  {…},\n  {…}"

    ind = "\n    "
    first = "value" if figures else "score"
    return _Dialect("[", lambda y: f",\n  {{{ind}\"year\": {y},{ind}{q(unit_kind)}: ", lambda u: q(u) + ",",
                    lambda n: f"{ind}\"node\": {q(n)},{ind}\"{first}\": ", f",{ind}\"rank\": ",
                    f",{ind}\"provenance\": ", "null" + f",{ind}\"provenance\": ", b"null",
                    lambda p, s: f"{q(p)},{ind}\"source\": {q(s)}\n  }}", "\n]\n", "[]\n", 1, slow,
                    f",{ind}\"score\": " if figures else "")


def write_delimited(scores: Scores, years: list[int], sep: str, out: TextIO, *, workers: int = 1,
                    chunk: int = 100_000) -> None:
    """csv/tsv rows assembled in zero-padded byte matrices and compacted; labels with a NUL take the slow way."""
    labels = [str(x) for x in (*scores.nodes, *scores.labels, *scores.sources, *scores.rows["unit"].unique())]
    if any("\x00" in x for x in labels):
        cols = long_columns(scores.unit_kind, figures=scores.figure is not None)
        out.write(delimited(Table.of("scores", long_frame(scores, years), cols), sep))
        return
    _write(scores, years, _csv_dialect(sep, scores.unit_kind, scores.figure is not None), out, workers=workers,
           chunk=chunk)


def write_json(scores: Scores, years: list[int], out: TextIO, *, workers: int = 1, chunk: int = 100_000) -> None:
    """The long table as json records, the same bytes as jsonfmt.to_json, streamed a chunk at a time (json escapes
    every control character, so no label holds a zero byte)."""
    _write(scores, years, _json_dialect(scores.unit_kind, scores.figure is not None), out, workers=workers,
           chunk=chunk)


def _write(scores: Scores, years: list[int], d: _Dialect, out: TextIO, *, workers: int, chunk: int) -> None:
    """Lines assembled from byte tables in zero-padded matrices, a chunk at a time, in one process or two."""
    m = np.isin(scores.rows["year"].to_numpy(), years)
    rows_idx = np.flatnonzero(m)
    k = len(scores.nodes)
    sink = _binary(out)
    first_row = _first_row(scores, rows_idx) if d.skip or d.empty is not None else 0
    if d.empty is not None and first_row < 0:
        sink.write(d.empty.encode())
        sink.flush()
        return
    sink.write(d.head.encode())
    # per row: "year<sep>unit<sep>"; per node: "node<sep>"; per rank: "rank<sep>"; per (provenance, source):
    # "provenance<sep>source\n": four table lookups and one number per line
    year_codes, year_labels = pd.factorize(scores.rows["year"].to_numpy()[rows_idx])
    unit_codes, unit_labels = pd.factorize(scores.rows["unit"].to_numpy()[rows_idx])
    ymat, ylen = _bytes_table([d.year(str(y)) for y in year_labels])
    umat, ulen = _bytes_table([d.unit(str(u)) for u in unit_labels])
    prefix = np.zeros((len(rows_idx), ymat.shape[1] + umat.shape[1]), dtype=np.uint8)
    cols = np.arange(prefix.shape[1])
    yl, ul = ylen[year_codes], ulen[unit_codes]
    prefix[:, :ymat.shape[1]] = ymat[year_codes]
    # shift each unit label right after its year label: column c holds unit byte c - yl
    src = cols[None, :] - yl[:, None]
    ok = (src >= 0) & (src < ul[:, None])
    prefix[ok] = umat[np.repeat(unit_codes, ok.sum(axis=1)), src[ok]]
    prefix_table = (prefix, yl + ul)
    node_table = _bytes_table([d.node(n) for n in scores.nodes])
    ranked = scores.rank if len(rows_idx) == len(scores.rank) else scores.rank[rows_idx]
    best = np.fmax.reduce(ranked, axis=None) if ranked.size else np.nan  # NaN only when nothing is ranked
    top = 0 if np.isnan(best) else int(best)
    rmat, _ = int_label_table(top, d.rank.encode())
    missing, _ = _bytes_table([d.no_rank])  # row no_rank: what stands for a missing rank
    w = max(rmat.shape[1], missing.shape[1])
    rank_table = np.zeros((top + 2, w), np.uint8)
    rank_table[:top + 1, :rmat.shape[1]] = rmat
    rank_table[top + 1, :missing.shape[1]] = missing[0]
    no_rank = top + 1
    n_src = len(scores.sources)
    pairs = [(p, s) for p in scores.labels for s in scores.sources]
    suffix_table, _ = _bytes_table([d.pair(p, s) for p, s in pairs])
    after = np.frombuffer(d.after.encode(), np.uint8)
    width = sum(t.shape[1] for t in (prefix_table[0], node_table[0], rank_table, suffix_table)) + len(after)
    rows_per_chunk = max(1, chunk // max(k, 1))
    tail = None
    if len(rank_table) * len(pairs) <= TAIL_MAX:  # "<sep>rank<sep>provenance<sep>source\n": one lookup
        r, p = rank_table, suffix_table
        tail = np.concatenate([np.broadcast_to(after, (len(r), len(p), len(after))),
                               np.broadcast_to(r[:, None, :], (len(r), len(p), r.shape[1])),
                               np.broadcast_to(p[None, :, :], (len(r), len(p), p.shape[1]))], axis=2)
        tail = tail.reshape(len(r) * len(p), -1)
    tabs = _Tables(prefix_table[0], node_table[0], rank_table, suffix_table, tail, no_rank, n_src, len(pairs),
                   width, d, after)

    every = len(rows_idx) == len(scores.value)  # all rows: slices (views) rather than row lists (copies)
    starts = list(range(0, len(rows_idx), rows_per_chunk))
    first = first_row // rows_per_chunk * rows_per_chunk if d.skip else -1  # the chunk of the first line

    def chunk_bytes(start: int) -> bytes:
        rows = slice(start, start + rows_per_chunk) if every else rows_idx[start:start + rows_per_chunk]
        data = _chunk_bytes(scores, tabs, rows, start)
        return data[d.skip:] if start == first else data

    fd = _fd(sink)
    if fd is not None and len(starts) >= 4 and workers > 1:
        sink.flush()
        two_writers(fd, starts, chunk_bytes)
    else:
        for start in starts:
            sink.write(chunk_bytes(start))
    if d.end:
        sink.write(d.end.encode())
    sink.flush()


def _first_row(scores: Scores, rows_idx: np.ndarray, block: int = 65_536) -> int:
    """The place among the selected rows of the first one with a figure (-1: none), a block at a time."""
    for start in range(0, len(rows_idx), block):
        rows = rows_idx[start:start + block]
        found = (~np.isnan(scores.value[rows]) | ~np.isnan(scores.rank[rows])).any(axis=1)
        if found.any():
            return start + int(np.argmax(found))
    return -1


@dataclass
class _Tables:
    """The byte tables one csv/tsv output is assembled from (see _write_delimited)."""

    prefix: np.ndarray  # "year<sep>unit<sep>" per selected row
    node: np.ndarray  # "node<sep>" per node
    rank: np.ndarray  # "rank<sep>" per rank, row no_rank: just the separator
    suffix: np.ndarray  # "provenance<sep>source\n" per (provenance, source) pair
    tail: np.ndarray | None  # "<sep>" + rank + suffix per (rank, pair), when small enough
    no_rank: int
    n_src: int
    n_pairs: int
    width: int  # bytes of all tables' rows and what follows the number, before the number
    dialect: _Dialect
    after: np.ndarray  # the bytes between the number and the rank
    _node_lead: dict = field(default_factory=dict)

    def node_lead(self, lead_tab: np.ndarray) -> np.ndarray:
        """Every "node<sep>" followed by every lead of this table (row node · len(lead_tab) + lead)."""
        key = id(lead_tab)
        if key not in self._node_lead:
            k, L = len(self.node), len(lead_tab)
            both = np.concatenate([np.repeat(self.node, L, axis=0), np.tile(lead_tab, (k, 1))], axis=1)
            self._node_lead[key] = (lead_tab, both)  # the table itself kept: its id stays its own
        return self._node_lead[key][1]


def _chunk_bytes(scores: Scores, t: _Tables, rows: np.ndarray | slice, start: int) -> bytes:
    """The lines of these grid rows (start: the first row's place among the selected rows)."""
    k = len(scores.nodes)
    n_rows = len(scores.rows["year"].to_numpy()[rows])
    value = scores.value[rows].ravel()
    rank = scores.rank[rows].ravel()
    cell = ~np.isnan(value) | ~np.isnan(rank)
    if not cell.any():
        return b""
    pick = (lambda a: a) if cell.all() else (lambda a: a[cell])
    value, rank = pick(value), pick(rank)
    fig = None if scores.figure is None else pick(scores.figure[rows].ravel())
    if not (np.abs(value[~np.isnan(value)]) < HUGE).all() or (
            fig is not None and not (np.abs(fig[~np.isnan(fig)]) < HUGE).all()):  # huge figures: the table's route
        return _slow_chunk(scores, rows, t.dialect)
    n = len(value)
    has_v = ~np.isnan(value)
    num = number_parts(value if has_v.all() else np.where(has_v, value, 0.0))
    wn, wl = t.node.shape[1], num.lead_width
    if fig is not None:  # the figure and what separates it from the score, written after the node; then as usual
        from dti_cli.render.scores_figures import chunk_with_figures

        return chunk_with_figures(scores, t, rows, start, value, rank, fig, has_v, num, pick)
    mat = _matrix(n, t.width + wl + MAX_DECIMALS)  # every byte is written below
    wp = t.prefix.shape[1]
    if cell.all():  # each row's "year<sep>unit<sep>" k times over
        mat[:, :wp].view(f"V{wp}")[:, 0] = np.repeat(t.prefix[start:start + n_rows].view(f"V{wp}")[:, 0], k)
    else:
        put(mat, 0, t.prefix, pick(np.repeat(np.arange(start, start + n_rows), k)))
    node = pick(np.tile(np.arange(k), n_rows))
    if num.lead is None and k * len(num.lead_tab) <= 1 << 16:  # "node<sep>" and the lead: one lookup
        put(mat, wp, t.node_lead(num.lead_tab), node * len(num.lead_tab) + num.lead_code)
    else:
        put(mat, wp, t.node, node)
        if num.lead is None:
            put(mat, wp + wn, num.lead_tab, num.lead_code)
        else:
            mat[:, wp + wn:wp + wn + wl] = num.lead
    at = wp + wn + wl
    put_fraction(mat, at, num)
    if not has_v.all():
        mat[~has_v, wp + wn:at + MAX_DECIMALS] = 0
        if t.dialect.no_value:
            nv = t.dialect.no_value
            mat[~has_v, wp + wn:wp + wn + len(nv)] = np.frombuffer(nv, np.uint8)
    return _finish(mat, at + MAX_DECIMALS, t, scores, rows, rank, pick)


def _finish(mat: np.ndarray, at: int, t: "_Tables", scores: Scores, rows, rank, pick) -> bytes:
    """The rank, provenance and source of each line from `at` on; the chunk's bytes."""
    rank = np.where(np.isnan(rank), t.no_rank, rank).astype(np.int64)
    pair = pick(scores.prov[rows].ravel()).astype(np.int64) * t.n_src + pick(scores.source[rows].ravel())
    if t.tail is not None:
        put(mat, at, t.tail, rank * t.n_pairs + pair)
        return _squeeze()
    mat[:, at:at + len(t.after)] = t.after
    at += len(t.after)
    put(mat, at, t.rank, rank)
    at += t.rank.shape[1]
    put(mat, at, t.suffix, pair)
    return _squeeze()


class _Buffer:
    """One process's reused byte buffer for the rows of a chunk; past the rows in use it holds zero bytes."""

    def __init__(self):
        self.pid, self.data, self.used = None, bytearray(), 0

    def matrix(self, n: int, width: int) -> np.ndarray:
        if self.pid != os.getpid():  # a forked writer gets its own
            self.pid, self.data, self.used = os.getpid(), bytearray(), 0
        size = n * width
        if size > len(self.data):
            self.data, self.used = bytearray(size), 0
        if self.used > size:
            self.data[size:self.used] = bytes(self.used - size)
        self.used = size
        return np.frombuffer(self.data, dtype=np.uint8, count=size).reshape(n, width)


_BUFFER = _Buffer()


def _matrix(n: int, width: int) -> np.ndarray:
    return _BUFFER.matrix(n, width)


def _squeeze() -> bytes:
    """The last matrix's bytes without their zero (padding) bytes: bytearray.translate deletes them (faster than a
    mask) straight from the reused buffer, whose tail past the rows is zero bytes too."""
    return _BUFFER.data.translate(None, b"\0")


def _slow_chunk(scores: Scores, rows: np.ndarray, d: _Dialect) -> bytes:
    """The rows of one chunk through the table renderer (for figures the byte tables do not cover)."""
    part = _rows_only(scores, rows)
    frame = long_frame(part, sorted(set(part.rows["year"].tolist())))
    return d.slow(Table.of("scores", frame, long_columns(scores.unit_kind, figures=scores.figure is not None)))


def _rows_only(scores: Scores, rows: np.ndarray) -> Scores:
    import dataclasses

    arrays = {f.name: getattr(scores, f.name)[rows] for f in dataclasses.fields(scores)
              if isinstance(getattr(scores, f.name), np.ndarray)}
    return dataclasses.replace(scores, rows=scores.rows.iloc[rows].reset_index(drop=True), **arrays)


def _fd(sink) -> int | None:
    """The file descriptor under a binary stream, when there is a real one."""
    try:
        return sink.fileno()
    except (AttributeError, OSError, ValueError):
        return None


def _binary(out: TextIO) -> BinaryIO:
    """The byte stream under a text stream (stdout), flushed first so nothing is reordered."""
    out.flush()
    buf = getattr(out, "buffer", None)
    if buf is not None:
        return buf

    class _Text:
        def write(self, b: bytes) -> None:
            out.write(b.decode("utf-8"))

        def flush(self) -> None:
            out.flush()

    return _Text()
