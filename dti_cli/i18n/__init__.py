"""Every user-facing string, in Vietnamese and English, from one catalogue (catalogue.toml): messages with named
parameters, rendered in a language at the edge (the CLI, the API's notes, the renderers)."""

from __future__ import annotations

import string
import tomllib
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

CATALOGUE = Path(__file__).resolve().parent / "catalogue.toml"


class Lang(str, Enum):
    vi = "vi"
    en = "en"


LANGS = tuple(x.value for x in Lang)


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    """key -> {"vi": text, "en": text}, read once; nested TOML tables give dotted keys."""
    with open(CATALOGUE, "rb") as fh:
        doc = tomllib.load(fh)
    out: dict[str, dict[str, str]] = {}

    def walk(prefix: str, table: dict) -> None:
        if set(table) & set(LANGS):
            out[prefix] = {k: v for k, v in table.items() if k in LANGS}
        for k, v in table.items():
            if isinstance(v, dict):
                walk(f"{prefix}.{k}" if prefix else k, v)

    walk("", doc)
    return out


def has(key: str) -> bool:
    return key in catalogue()


class Msg:
    """A message: a catalogue key and its parameters, rendered in a language when it is shown."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, /, **params: Any):
        self.key, self.params = key, params

    def text(self, lang: str = "en") -> str:
        return text(self.key, lang, **self.params)

    def __repr__(self) -> str:
        return f"Msg({self.key!r}, {self.params!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Msg) and (self.key, self.params) == (other.key, other.params)

    def __hash__(self) -> int:
        return hash((self.key, tuple(sorted((k, repr(v)) for k, v in self.params.items()))))


class Plain:
    """Text that is the same in every language (a name from the data, a file path)."""

    __slots__ = ("value",)

    def __init__(self, value: str):
        self.value = str(value)

    def text(self, lang: str = "en") -> str:
        return self.value


class Joined:
    """Parts shown one after the other in a language (sentences: " "; clauses on one line: "; "), empty ones left
    out."""

    def __init__(self, parts, sep: str = " "):
        self.parts, self.sep = [p for p in parts if p is not None], sep

    def text(self, lang: str = "en") -> str:
        return self.sep.join(x for x in (render(p, lang) for p in self.parts) if x)


def lang_of(lang: str | None) -> str:
    """"en" for English in any spelling a user or a locale gives it (en, EN, en_US.UTF-8, en-GB); else "vi"."""
    value = str(getattr(lang, "value", lang)).strip().lower()
    return "en" if value == "en" or value[:3] in ("en_", "en-", "en.") else "vi"


def render(obj: Any, lang: str = "en") -> str:
    """Anything shown to a person as text in a language: a Msg, an object with .text(lang), a list, a string."""
    if obj is None:
        return ""
    if hasattr(obj, "text") and callable(obj.text):
        return obj.text(lang)
    if isinstance(obj, (list, tuple)):
        return ", ".join(render(x, lang) for x in obj)
    return str(obj)


def text(key: str, lang: str = "en", /, **params: Any) -> str:
    """The catalogue's text for `key` in `lang` with its parameters filled in."""
    entry = catalogue()[key]
    template = entry[lang_of(lang)]
    return _Formatter(lang_of(lang)).vformat(template, (), params)


def plural(n: int, key: str) -> str:
    """`key.one` for 1 when the catalogue has it, else `key.other` (or `key`)."""
    if n == 1 and has(key + ".one"):
        return key + ".one"
    return key + ".other" if has(key + ".other") else key


class _Formatter(string.Formatter):
    """str.format with parameters rendered in a language: messages in the same language, lists joined, and
    numbers in the language's convention (Vietnamese: 10.000,5; English: 10,000.5)."""

    def __init__(self, lang: str):
        super().__init__()
        self.lang = lang

    def format_field(self, value: Any, spec: str) -> str:
        if isinstance(value, bool):
            return format(value, spec)
        if isinstance(value, (int, float)) and spec:
            from dti_cli.i18n.numbers import localise

            return localise(format(value, spec), self.lang)
        if hasattr(value, "item") and not isinstance(value, (str, bytes)) and spec:  # numpy scalars
            return self.format_field(value.item(), spec)
        return format(render(value, self.lang), spec)
