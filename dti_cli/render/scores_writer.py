"""The long `scores` output, written fast enough for millions of rows (vectorised bytes, no per-row Python)."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from typing import BinaryIO, TextIO

import numpy as np
import pandas as pd

from dti_cli.engine import Scores
from dti_cli.parallel import workers, write_all
from dti_cli.render import MAX_DECIMALS, MAX_SIGNIFICANT, Column, machine_round  # noqa: F401

_POW10 = 10 ** np.arange(19, dtype=np.int64)


def score_columns(unit_kind: str) -> list[Column]:
    return [Column("year", "Năm", "Year", "int"), Column(unit_kind, "Đơn vị", "Unit"),
            Column("node", "Chỉ số", "Node"), Column("score", "Điểm", "Score", "score", prov="provenance"),
            Column("rank", "Hạng", "Rank", "rank"), Column("provenance", "Nguồn gốc", "Provenance"),
            Column("source", "Nguồn", "Source", table=False)]


def scores_frame(scores: Scores, years: list[int]) -> pd.DataFrame:
    """year, unit, node, score, rank, provenance, source: one row per figure that exists."""
    m = np.isin(scores.rows["year"].to_numpy(), years)
    n, k = int(m.sum()), len(scores.nodes)
    value = scores.value[m]
    rank = scores.rank[m]
    keep = (~np.isnan(value) | ~np.isnan(rank)).ravel()
    frame = pd.DataFrame({
        "year": np.repeat(scores.rows["year"].to_numpy()[m], k),
        scores.unit_kind: np.repeat(scores.rows["unit"].to_numpy()[m], k),
        "node": np.tile(np.array(scores.nodes, dtype=object), n),
        "score": value.ravel(),
        "rank": rank.ravel(),
        "provenance": np.asarray(scores.labels, dtype=object)[scores.prov[m].ravel()],
        "source": np.asarray(scores.sources, dtype=object)[scores.source[m].ravel()],
    })
    return frame[keep].reset_index(drop=True)


def write_scores(scores: Scores, years: list[int], fmt: str, out: TextIO) -> None:
    """Write the long scores table as csv, tsv, json or markdown."""
    from dti_cli import render

    if fmt in ("csv", "tsv"):
        _write_delimited(scores, years, "\t" if fmt == "tsv" else ",", out)
        return
    frame = scores_frame(scores, years)
    out.write(render.to_text(frame, score_columns(scores.unit_kind), render.Fmt(fmt)))


# ---------------------------------------------------------------- numbers as bytes, vectorised

def _int_digits(i: np.ndarray) -> np.ndarray:
    """Number of decimal digits of non-negative integers (1 for 0)."""
    return 1 + np.searchsorted(_POW10[1:17], i, side="right")


_FRACTION = None


def _fraction_table() -> np.ndarray:
    """Rows 0..9999: four digits; rows 10000..19999: the same with trailing zeros blanked (zero bytes).

    Four-digit groups keep the table at 80 kB, in cache: a gather from a million-row table costs several times more.
    """
    global _FRACTION
    if _FRACTION is None:
        x = np.arange(10_000, dtype=np.int64)
        dig = np.empty((10_000, 4), dtype=np.uint8)
        for j in range(4):
            dig[:, j] = 48 + (x // 10 ** (3 - j)) % 10
        strip = dig.copy()
        for j in range(4):  # digit j is a trailing zero when x is divisible by 10**(4-j)
            strip[x % 10 ** (4 - j) == 0, j] = 0
        _FRACTION = np.concatenate([dig, strip])
    return _FRACTION


def _int_label_table(top: int, suffix: bytes) -> tuple[np.ndarray, np.ndarray]:
    """ASCII of 0..top followed by `suffix`, as a padded table and lengths (vectorised)."""
    x = np.arange(top + 1, dtype=np.int64)
    nd = _int_digits(x)
    w = int(nd.max()) + len(suffix)
    mat = np.zeros((top + 1, w), dtype=np.uint8)
    for j in range(int(nd.max())):
        pos = nd - 1 - j  # the j-th digit from the right sits at column nd-1-j
        ok = pos >= 0
        mat[np.flatnonzero(ok), pos[ok]] = 48 + (x[ok] // 10**j) % 10
    for i, b in enumerate(suffix):
        mat[np.arange(top + 1), nd + i] = b
    return mat, nd + len(suffix)


@dataclass
class _Number:
    """A block of finite floats as machine_round writes them: a lead (sign, integer digits, point) and 12 decimals
    in three 4-digit groups, each a row of a small table (zero bytes as padding)."""

    lead: np.ndarray  # (n, wl) the lead bytes themselves, or None when lead_tab/lead_code give them
    lead_tab: np.ndarray | None
    lead_code: np.ndarray | None
    groups: tuple[np.ndarray, np.ndarray, np.ndarray]  # row numbers in _fraction_table()

    @property
    def lead_width(self) -> int:
        return self.lead_tab.shape[1] if self.lead_tab is not None else self.lead.shape[1]


def number_parts(v: np.ndarray) -> _Number:
    n = len(v)
    a = np.abs(v)
    if n and a.max() < 10 ** (MAX_SIGNIFICANT - MAX_DECIMALS):  # the usual case, all below 1000: 12 decimals
        np.multiply(a, 1e12, out=a)
        scaled = np.rint(a, out=a).astype(np.int64)
        ipart, f12 = np.divmod(scaled, 10**12)
    else:
        intdig = _int_digits(np.floor(a).astype(np.int64))
        dec = np.clip(MAX_SIGNIFICANT - intdig, 0, MAX_DECIMALS)
        scaled = np.rint(a * _POW10[dec]).astype(np.int64)
        ipart = scaled // _POW10[dec]
        f12 = (scaled - ipart * _POW10[dec]) * _POW10[MAX_DECIMALS - dec]
    # the fraction: three 4-digit groups; the last non-zero group loses its trailing zeros, later ones vanish
    g1, rest = np.divmod(f12, 100_000_000)
    g2, g3 = np.divmod(rest, 10_000)
    nz3 = g3 != 0
    groups = (np.where(nz3 | (g2 != 0), g1, g1 + 10_000), np.where(nz3, g2, g2 + 10_000), g3 + 10_000)
    # sign, integer part and the decimal point from one table (the point only when a fraction follows)
    code = ipart * 4
    if n and v.min() < 0:
        code += ((v < 0) & (scaled != 0)) * 2
    code += f12 != 0
    top = int(ipart.max()) if n else 0
    if top <= 1_000_000:
        return _Number(None, _lead_table(top), code, groups)
    neg = (code // 2) % 2 == 1  # very large integer parts: digit by digit (leading zeros blank)
    intdig = _int_digits(ipart)
    lead = np.zeros((n, 18), dtype=np.uint8)
    lead[:, 0] = np.where(neg, ord("-"), 0)
    j = np.arange(16)
    digits = 48 + (ipart[:, None] // _POW10[15 - j][None, :]) % 10
    lead[:, 1:17] = np.where(j[None, :] >= (16 - intdig)[:, None], digits, 0)
    lead[:, 17] = np.where(f12 != 0, ord("."), 0)
    return _Number(lead, None, None, groups)


def _put_fraction(out: np.ndarray, at: int, num: _Number) -> None:
    tab = _fraction_table()
    for i, g in enumerate(num.groups):
        _put(out, at + 4 * i, tab, g)


def format_numbers(v: np.ndarray, out: np.ndarray) -> int:
    """Write finite floats as machine_round does into `out` (n, number_width(v)) uint8 rows, zero bytes as padding.
    Returns how many leading columns it wrote (the rest are left as they were)."""
    num = number_parts(v)
    wl = num.lead_width
    if num.lead is None:
        _put(out, 0, num.lead_tab, num.lead_code)
    else:
        out[:, :wl] = num.lead
    _put_fraction(out, wl, num)
    return wl + MAX_DECIMALS


def number_width(v: np.ndarray) -> int:
    """Bytes format_numbers needs for these values: sign, integer digits, point, 12 decimals."""
    finite = v[np.isfinite(v)]
    top = int(np.floor(np.abs(finite).max())) + 1 if len(finite) else 1
    return (2 + len(str(top)) + 2 if top <= 1_000_001 else 18) + MAX_DECIMALS


def _put(out: np.ndarray, at: int, table: np.ndarray, codes) -> None:
    """out[:, at:at+w] = table[codes] (or table itself), as one gather of w-byte items."""
    w = table.shape[1]
    dest = out[:, at:at + w].view(f"V{w}")[:, 0]
    dest[...] = (table.view(f"V{w}").ravel()[codes] if codes is not None
                 else np.ascontiguousarray(table).view(f"V{w}").ravel())


_LEAD: dict = {}


def _lead_table(top: int) -> np.ndarray:
    """Rows for (integer part i, negative, has fraction): "i", "-i", "i.", "-i." zero-padded; index (2i+neg)*2+frac."""
    if top in _LEAD:
        return _LEAD[top]
    digits, lens = _int_label_table(top, b"")
    w = digits.shape[1] + 2
    tab = np.zeros((top + 1, 2, 2, w), dtype=np.uint8)
    rows = np.arange(top + 1)
    for neg in (0, 1):
        for frac in (0, 1):
            t = tab[:, neg, frac]
            t[:, neg:neg + digits.shape[1]] = digits
            if neg:
                t[:, 0] = ord("-")
            if frac:
                t[rows, lens + neg] = ord(".")
    _LEAD[top] = tab.reshape((top + 1) * 4, w)
    return _LEAD[top]


def _labels_table(labels: list[str], sep: str, suffix: str = "") -> tuple[np.ndarray, np.ndarray]:
    """Each label once, quoted as csv would, followed by `suffix`, as a padded uint8 matrix and lengths."""
    enc = []
    for lab in labels:
        buf = io.StringIO()
        csv.writer(buf, delimiter=sep, lineterminator="").writerow([lab])
        text = buf.getvalue() if lab != "" else ""  # csv writes a lone empty field as '""'
        enc.append((text + suffix).encode("utf-8"))
    w = max((len(e) for e in enc), default=0) or 1
    mat = np.zeros((len(enc), w), dtype=np.uint8)
    for i, e in enumerate(enc):
        mat[i, :len(e)] = np.frombuffer(e, dtype=np.uint8)
    return mat, np.array([len(e) for e in enc], dtype=np.int64)


def _write_delimited(scores: Scores, years: list[int], sep: str, out: TextIO, chunk: int = 100_000) -> None:
    """csv/tsv rows assembled in zero-padded byte matrices and compacted; labels with a NUL take the slow way."""
    labels = [str(x) for x in (*scores.nodes, *scores.labels, *scores.sources, *scores.rows["unit"].unique())]
    if any("\x00" in x for x in labels):
        frame = scores_frame(scores, years).assign(rank=lambda f: f["rank"].astype("Int64"))
        out.write(frame.to_csv(sep=sep, index=False, lineterminator="\n"))
        return
    m = np.isin(scores.rows["year"].to_numpy(), years)
    rows_idx = np.flatnonzero(m)
    k = len(scores.nodes)
    header = sep.join(["year", scores.unit_kind, "node", "score", "rank", "provenance", "source"]) + "\n"
    sink = _binary(out)
    sink.write(header.encode())
    # per row: "year<sep>unit<sep>"; per node: "node<sep>"; per rank: "rank<sep>"; per (provenance, source):
    # "provenance<sep>source\n": four table lookups and one number per line
    year_codes, year_labels = pd.factorize(scores.rows["year"].to_numpy()[rows_idx])
    unit_codes, unit_labels = pd.factorize(scores.rows["unit"].to_numpy()[rows_idx])
    ymat, ylen = _labels_table([str(y) for y in year_labels], sep, sep)
    umat, ulen = _labels_table([str(u) for u in unit_labels], sep, sep)
    prefix = np.zeros((len(rows_idx), ymat.shape[1] + umat.shape[1]), dtype=np.uint8)
    cols = np.arange(prefix.shape[1])
    yl, ul = ylen[year_codes], ulen[unit_codes]
    prefix[:, :ymat.shape[1]] = ymat[year_codes]
    # shift each unit label right after its year label: column c holds unit byte c - yl
    src = cols[None, :] - yl[:, None]
    ok = (src >= 0) & (src < ul[:, None])
    prefix[ok] = umat[np.repeat(unit_codes, ok.sum(axis=1)), src[ok]]
    prefix_table = (prefix, yl + ul)
    node_table = _labels_table(list(scores.nodes), sep, sep)
    ranked = scores.rank if len(rows_idx) == len(scores.rank) else scores.rank[rows_idx]
    best = np.fmax.reduce(ranked, axis=None) if ranked.size else np.nan  # NaN only when nothing is ranked
    top = 0 if np.isnan(best) else int(best)
    rmat, rlen = _int_label_table(top, sep.encode())
    rank_table = (np.concatenate([rmat, np.zeros((1, rmat.shape[1]), np.uint8)]), np.r_[rlen, 0])
    no_rank = top + 1
    no_rank_sep = _labels_table([""], sep, sep)  # an empty rank is just the separator
    rank_table[0][no_rank, 0] = no_rank_sep[0][0, 0]
    rank_table[1][no_rank] = 1
    n_src = len(scores.sources)
    pairs = [(p, s) for p in scores.labels for s in scores.sources]
    suffix_table = _pairs_table(pairs, sep)
    tables = [prefix_table[0], node_table[0], rank_table[0], suffix_table[0]]
    width = sum(t.shape[1] for t in tables) + 1
    rows_per_chunk = max(1, chunk // max(k, 1))
    tail = None
    if len(rank_table[0]) * len(pairs) <= 1 << 20:  # "<sep>rank<sep>provenance<sep>source\n": one lookup
        r, p = rank_table[0], suffix_table[0]
        tail = np.concatenate([np.full((len(r), len(p), 1), ord(sep), np.uint8),
                               np.broadcast_to(r[:, None, :], (len(r), len(p), r.shape[1])),
                               np.broadcast_to(p[None, :, :], (len(r), len(p), p.shape[1]))], axis=2)
        tail = tail.reshape(len(r) * len(p), -1)
    tabs = _Tables(prefix_table[0], node_table[0], rank_table[0], suffix_table[0], tail, no_rank, n_src, len(pairs),
                   width, sep)

    every = len(rows_idx) == len(scores.value)  # all rows: slices (views) rather than row lists (copies)

    def chunk_bytes(start: int) -> bytes:
        rows = slice(start, start + rows_per_chunk) if every else rows_idx[start:start + rows_per_chunk]
        return _chunk_bytes(scores, tabs, rows, start)

    starts = list(range(0, len(rows_idx), rows_per_chunk))
    fd = _fd(sink)
    if fd is not None and len(starts) >= 4 and workers() > 1:
        sink.flush()
        _two_writers(fd, starts, chunk_bytes)
    else:
        for start in starts:
            sink.write(chunk_bytes(start))
    sink.flush()


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
    width: int  # bytes of all tables' rows and one separator, before the number
    sep: str
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
    if not (np.abs(value[~np.isnan(value)]) < 1e15).all():  # huge figures: the row-by-row route
        return _slow_chunk(scores, rows, t.sep)
    n = len(value)
    has_v = ~np.isnan(value)
    num = number_parts(value if has_v.all() else np.where(has_v, value, 0.0))
    wn, wl = t.node.shape[1], num.lead_width
    mat = _matrix(n, t.width + wl + MAX_DECIMALS)  # every byte is written below
    wp = t.prefix.shape[1]
    if cell.all():  # each row's "year<sep>unit<sep>" k times over
        mat[:, :wp].view(f"V{wp}")[:, 0] = np.repeat(t.prefix[start:start + n_rows].view(f"V{wp}")[:, 0], k)
    else:
        _put(mat, 0, t.prefix, pick(np.repeat(np.arange(start, start + n_rows), k)))
    node = pick(np.tile(np.arange(k), n_rows))
    if num.lead is None and k * len(num.lead_tab) <= 1 << 16:  # "node<sep>" and the lead: one lookup
        _put(mat, wp, t.node_lead(num.lead_tab), node * len(num.lead_tab) + num.lead_code)
    else:
        _put(mat, wp, t.node, node)
        if num.lead is None:
            _put(mat, wp + wn, num.lead_tab, num.lead_code)
        else:
            mat[:, wp + wn:wp + wn + wl] = num.lead
    at = wp + wn + wl
    _put_fraction(mat, at, num)
    if not has_v.all():
        mat[~has_v, wp + wn:at + MAX_DECIMALS] = 0
    at += MAX_DECIMALS
    rank = np.where(np.isnan(rank), t.no_rank, rank).astype(np.int64)
    pair = pick(scores.prov[rows].ravel()).astype(np.int64) * t.n_src + pick(scores.source[rows].ravel())
    if t.tail is not None:
        _put(mat, at, t.tail, rank * t.n_pairs + pair)
        return _squeeze()
    mat[:, at] = ord(t.sep)
    at += 1
    _put(mat, at, t.rank, rank)
    at += t.rank.shape[1]
    _put(mat, at, t.suffix, pair)
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


def _slow_chunk(scores: Scores, rows: np.ndarray, sep: str) -> bytes:
    """The rows of one chunk through the csv module (for figures the byte formatter does not cover)."""
    from dti_cli import render

    frame = scores_frame(_rows_only(scores, rows), sorted(set(scores.rows["year"].to_numpy()[rows].tolist())))
    text = render.delimited(frame, [c.kind for c in score_columns(scores.unit_kind)], sep)
    return text.split("\n", 1)[1].encode("utf-8")


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


def _two_writers(fd: int, starts: list[int], chunk_bytes) -> None:
    """Format chunks in two processes (this one: even chunks, a forked child: odd ones) and write them in
    order, passing a token through two pipes so that chunk i is written only after chunk i - 1."""
    to_child_r, to_child_w = os.pipe()
    to_parent_r, to_parent_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: odd chunks; never returns
        code = 1
        try:
            os.close(to_child_w)
            os.close(to_parent_r)
            for i in range(1, len(starts), 2):
                data = chunk_bytes(starts[i])
                if os.read(to_child_r, 1) != b"x":
                    break
                write_all(fd, data)
                os.write(to_parent_w, b"x")
            else:
                code = 0
        except BaseException:  # noqa: BLE001 - the parent reports it
            code = 1
        finally:
            os._exit(code)
    os.close(to_child_r)
    os.close(to_parent_w)
    try:
        for i in range(0, len(starts), 2):
            data = chunk_bytes(starts[i])
            if i > 0 and os.read(to_parent_r, 1) != b"x":
                raise RuntimeError("the second writer process stopped")
            write_all(fd, data)
            if i + 1 < len(starts):
                os.write(to_child_w, b"x")
        if len(starts) % 2 == 0 and os.read(to_parent_r, 1) != b"x":
            raise RuntimeError("the second writer process stopped")
    except BaseException:
        import signal

        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    finally:
        os.close(to_child_w)
        os.close(to_parent_r)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError("the second writer process failed")


def _pairs_table(pairs: list[tuple[str, str]], sep: str) -> tuple[np.ndarray, np.ndarray]:
    """"provenance<sep>source\n" for every pair of labels."""
    enc = []
    for prov, src in pairs:
        buf = io.StringIO()
        csv.writer(buf, delimiter=sep, lineterminator="\n").writerow([prov, src])
        enc.append(buf.getvalue().encode("utf-8"))
    w = max(len(e) for e in enc)
    mat = np.zeros((len(enc), w), dtype=np.uint8)
    for i, e in enumerate(enc):
        mat[i, :len(e)] = np.frombuffer(e, dtype=np.uint8)
    return mat, np.array([len(e) for e in enc], dtype=np.int64)


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
