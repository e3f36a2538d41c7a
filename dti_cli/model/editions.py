"""The shipped editions of the provincial DTI's methodology (dti_cli/methods/*.toml), found by id or by year."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from dti_cli.errors import UsageError
from dti_cli.model.method import Method
from dti_cli.model.method_file import load

METHODS_DIR = Path(__file__).resolve().parent.parent / "methods"


@lru_cache(maxsize=1)
def editions() -> tuple[Method, ...]:
    """The shipped editions of the provincial DTI, oldest first."""
    found = [load(p) for p in sorted(METHODS_DIR.glob("*.toml"))]
    return tuple(sorted(found, key=lambda m: min(m.years or (0,))))


def edition(key: str | int) -> Method:
    """A shipped edition by id ("922"), or the one that applies to a year (2022)."""
    key = str(key).strip()
    for ed in editions():
        if ed.id == key or key in (f"dti-{ed.id}", Path(ed.path).stem):
            return ed
    if key.isdigit():
        for ed in editions():
            if ed.applies_to(int(key)):
                return ed
    known = ", ".join(f"{e.id} ({'–'.join(map(str, (min(e.years), max(e.years))))})" for e in editions())
    raise UsageError("method.unknown_edition", key=key, known=known)


def edition_years() -> list[int]:
    """Every year a shipped edition applies to."""
    return sorted({y for e in editions() for y in (e.years or ())})
