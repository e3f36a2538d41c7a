"""The editions of the provincial DTI's methodology, found by id or by year: the shipped ones (dti_cli/methods/*.toml)
and those the user added to the store (`dti method --new`, `dti import`) for years dti does not ship."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from dti_cli.errors import UsageError
from dti_cli.model.method import Method
from dti_cli.model.method_file import load

METHODS_DIR = Path(__file__).resolve().parent.parent / "methods"


def editions() -> tuple[Method, ...]:
    """The editions of the provincial DTI, oldest first: the shipped ones, then the store's for other years."""
    from dti_cli.io import store

    files = []
    for p in store.method_paths():
        try:
            st = p.stat()
        except OSError:
            continue
        files.append((str(p), st.st_mtime_ns, st.st_size))
    return _editions(tuple(files))


@lru_cache(maxsize=1)
def shipped() -> tuple[Method, ...]:
    """The editions dti ships, oldest first."""
    found = [load(p) for p in sorted(METHODS_DIR.glob("*.toml"))]
    return tuple(sorted(found, key=lambda m: min(m.years or (0,))))


@lru_cache(maxsize=4)
def _editions(files: tuple) -> tuple[Method, ...]:
    """The shipped editions and the store's method files (path, mtime, size: a changed file is read again)."""
    found = list(shipped())
    taken = {y for m in found for y in (m.years or ())} | {m.id for m in found}
    for path, _, _ in files:
        m = load(Path(path))
        if m.id in taken or not m.years or set(m.years) & taken:
            raise UsageError("store.method_clash", path=str(path), id=m.id)
        taken |= set(m.years) | {m.id}
        found.append(m)
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
