"""Numbers as a person reads them (4-decimal scores, signed changes, rank arrows, grouped counts), in the
convention of a language or with a decimal point, one implementation for tables, sentences, reports and charts."""

from __future__ import annotations

import math

_SWAP = str.maketrans(",.", ".,")


def localise(text: str, lang: str) -> str:
    """A number written with Python's '.' and ',' in a language's convention (Vietnamese: 10.000,5)."""
    return text.translate(_SWAP) if lang == "vi" else text


def missing(v) -> bool:
    """None, NaN (Python or numpy) or pandas' NA."""
    return v is None or (isinstance(v, float) and math.isnan(v)) or type(v).__name__ == "NAType" or (
        hasattr(v, "dtype") and getattr(v, "dtype").kind == "f" and bool(v != v))


def display(v, kind: str, *, lang: str = "en", point: bool = True, empty: str = "") -> str:
    """A value for people: `kind` score (4 decimals), delta (signed, a real minus), diff (a small difference: signed,
    6 decimals), rank/int/year, change (▲2 ▼1 =), count (grouped), num (4 significant digits, grouped past
    100,000), sig, pct, pct1; `point` keeps the decimal point in every language (tables), else the language's
    decimal mark (sentences, reports)."""
    if missing(v):
        return empty
    if kind == "change":
        n = int(v)
        return f"▲{n}" if n > 0 else (f"▼{-n}" if n < 0 else "=")
    if kind in ("rank", "int", "year"):
        return str(int(v))
    if kind == "score":
        out = f"{v:.4f}"
    elif kind == "delta":
        out = f"{v:+.4f}".replace("-", "−")
    elif kind == "diff":
        out = f"{v:+.6f}".replace("-", "−")
    elif kind == "count":
        out = f"{int(v):,}"
    elif kind == "pct":  # a table's weight share: whole percent
        out = f"{100 * v:.0f}%"
    elif kind == "pct1":  # a report's: one decimal where it has one
        out = f"{100 * v:.1f}%".replace(".0%", "%")
    elif kind == "num":
        out = f"{v:.4g}" if abs(v) < 1e5 else f"{v:,.0f}"
    elif kind == "sig":  # four significant digits, whatever the size
        out = f"{v:.4g}"
    elif isinstance(v, float) and math.isfinite(v):
        out = f"{v:.4f}"
    else:
        return str(v)
    return out if point else localise(out, lang)
