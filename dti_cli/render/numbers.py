"""Numbers as machine formats write them (csv, tsv, json; the bulk scores writer too): at most 12 decimals and
15 significant digits, plain decimals without an exponent or trailing zeros ("1", "0.7024", "0.0000004"), built
as bytes from small digit tables without a Python call per number. Beyond 1e15, Python's shortest form."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from dti_cli.model.result import MAX_DECIMALS, MAX_SIGNIFICANT, POW10, int_digits, kept_decimals

HUGE = 1e15  # from here on, repr: the byte tables hold 15 significant digits


def number_texts(values) -> np.ndarray:
    """Each finite float as machine formats write it; "" for a missing value (an object array of str)."""
    v = np.asarray(values, dtype=float)
    out = np.full(len(v), "", dtype=object)
    small = np.isfinite(v) & (np.abs(v) < HUGE)
    if small.any():
        vs = v[small]
        mat = np.zeros((len(vs), number_width(vs) + 1), dtype=np.uint8)
        end = format_numbers(vs, mat)
        mat[:, end] = ord("\n")
        texts = mat.tobytes().translate(None, b"\0").decode("ascii").split("\n")
        out[small] = texts[:-1]
    for i in np.flatnonzero(np.isfinite(v) & ~small):
        out[i] = repr(float(v[i]))
    return out


def number_text(x: float) -> str:
    """One number as machine formats write it (see number_texts)."""
    return number_texts([x])[0]


@functools.cache
def fraction_table() -> np.ndarray:
    """Rows 0..9999: four digits; rows 10000..19999: the same with trailing zeros blanked (zero bytes).

    Four-digit groups keep the table at 80 kB, in cache: a gather from a million-row table costs several times more.
    """
    x = np.arange(10_000, dtype=np.int64)
    dig = np.empty((10_000, 4), dtype=np.uint8)
    for j in range(4):
        dig[:, j] = 48 + (x // 10 ** (3 - j)) % 10
    strip = dig.copy()
    for j in range(4):  # digit j is a trailing zero when x is divisible by 10**(4-j)
        strip[x % 10 ** (4 - j) == 0, j] = 0
    return np.concatenate([dig, strip])


def int_label_table(top: int, suffix: bytes) -> tuple[np.ndarray, np.ndarray]:
    """ASCII of 0..top followed by `suffix`, as a padded table and lengths (vectorised)."""
    x = np.arange(top + 1, dtype=np.int64)
    nd = int_digits(x)
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
class Number:
    """A block of finite floats as machine_round writes them: a lead (sign, integer digits, point) and 12 decimals
    in three 4-digit groups, each a row of a small table (zero bytes as padding)."""

    lead: np.ndarray  # (n, wl) the lead bytes themselves, or None when lead_tab/lead_code give them
    lead_tab: np.ndarray | None
    lead_code: np.ndarray | None
    groups: tuple[np.ndarray, np.ndarray, np.ndarray]  # row numbers in fraction_table()

    @property
    def lead_width(self) -> int:
        return self.lead_tab.shape[1] if self.lead_tab is not None else self.lead.shape[1]


def number_parts(v: np.ndarray) -> Number:
    n = len(v)
    a = np.abs(v)
    if n and a.max() < 10 ** (MAX_SIGNIFICANT - MAX_DECIMALS):  # the usual case, all below 1000: 12 decimals
        np.multiply(a, 1e12, out=a)
        scaled = np.rint(a, out=a).astype(np.int64)
        ipart, f12 = np.divmod(scaled, 10**12)
    else:
        dec = kept_decimals(a)
        scaled = np.rint(a * POW10[dec]).astype(np.int64)
        ipart = scaled // POW10[dec]
        f12 = (scaled - ipart * POW10[dec]) * POW10[MAX_DECIMALS - dec]
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
        return Number(None, lead_table(top), code, groups)
    neg = (code // 2) % 2 == 1  # very large integer parts: digit by digit (leading zeros blank)
    intdig = int_digits(ipart)
    lead = np.zeros((n, 18), dtype=np.uint8)
    lead[:, 0] = np.where(neg, ord("-"), 0)
    j = np.arange(16)
    digits = 48 + (ipart[:, None] // POW10[15 - j][None, :]) % 10
    lead[:, 1:17] = np.where(j[None, :] >= (16 - intdig)[:, None], digits, 0)
    lead[:, 17] = np.where(f12 != 0, ord("."), 0)
    return Number(lead, None, None, groups)


def put_fraction(out: np.ndarray, at: int, num: Number) -> None:
    tab = fraction_table()
    for i, g in enumerate(num.groups):
        put(out, at + 4 * i, tab, g)


def format_numbers(v: np.ndarray, out: np.ndarray) -> int:
    """Write finite floats as machine_round does into `out` (n, number_width(v)) uint8 rows, zero bytes as padding.
    Returns how many leading columns it wrote (the rest are left as they were)."""
    num = number_parts(v)
    wl = num.lead_width
    if num.lead is None:
        put(out, 0, num.lead_tab, num.lead_code)
    else:
        out[:, :wl] = num.lead
    put_fraction(out, wl, num)
    return wl + MAX_DECIMALS


def number_width(v: np.ndarray) -> int:
    """Bytes format_numbers needs for these values: sign, integer digits, point, 12 decimals."""
    finite = v[np.isfinite(v)]
    top = int(np.floor(np.abs(finite).max())) + 1 if len(finite) else 1
    return (2 + len(str(top)) + 2 if top <= 1_000_001 else 18) + MAX_DECIMALS


def put(out: np.ndarray, at: int, table: np.ndarray, codes) -> None:
    """out[:, at:at+w] = table[codes] (or table itself), as one gather of w-byte items."""
    w = table.shape[1]
    dest = out[:, at:at + w].view(f"V{w}")[:, 0]
    dest[...] = (table.view(f"V{w}").ravel()[codes] if codes is not None
                 else np.ascontiguousarray(table).view(f"V{w}").ravel())


@functools.lru_cache(maxsize=4)  # a table for a million integer parts is 36 MB: a few are kept, not one per block
def lead_table(top: int) -> np.ndarray:
    """Rows for (integer part i, negative, has fraction): "i", "-i", "i.", "-i." zero-padded; index (2i+neg)*2+frac."""
    digits, lens = int_label_table(top, b"")
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
    return tab.reshape((top + 1) * 4, w)
