"""Read and validate a methodology TOML into frozen objects: leaves, aggregates, weights and options."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any

from dti_cli.errors import UsageError

METHODS_DIR = Path(__file__).resolve().parent / "methods"


class Normalise(str, Enum):
    none = "none"
    minmax = "minmax"
    zscore = "zscore"
    goalposts = "goalposts"
    fracmax = "fracmax"
    dist2max = "dist2max"
    dist2target = "dist2target"
    rank = "rank"
    prank = "prank"


class Scope(str, Enum):
    year = "year"
    panel = "panel"


class Treat(str, Enum):
    none = "none"
    winsorise = "winsorise"
    log = "log"


class Impute(str, Enum):
    none = "none"
    mean = "mean"
    median = "median"
    group_mean = "group_mean"
    previous_year = "previous_year"
    linear = "linear"


class Aggregation(str, Enum):
    arithmetic = "arithmetic"
    geometric = "geometric"
    harmonic = "harmonic"


@dataclass(frozen=True)
class Leaf:
    """An indicator: a column of the data, with how it is imputed, treated and normalised."""

    id: str
    name: str
    name_en: str
    direction: int = 1
    normalise: Normalise = Normalise.none
    lo: float = 0.0  # minmax output range
    hi: float = 1.0
    gp_lo: float = 0.0  # goalposts, in the indicator's own units
    gp_hi: float = 1.0
    mean: float = 0.0  # zscore target mean and sd
    sd: float = 1.0
    scale: float = 1.0  # goalposts
    truncate: bool = True  # goalposts
    target: float | None = None  # dist2target
    cap: bool = False  # dist2target: cap scores above the target at 1
    scope: Scope = Scope.year
    treat: Treat = Treat.none
    winmax: int = 5
    impute: Impute = Impute.none
    group: str | None = None  # group_mean: a data column, or "region" for provinces
    unit: str = ""

    def label(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name


@dataclass(frozen=True)
class Aggregate:
    """A node computed from its children; weights are normalised to sum to 1 (None when unpublished)."""

    id: str
    name: str
    name_en: str
    children: tuple[str, ...]
    weights: tuple[float, ...] | None
    raw_weights: tuple[float, ...] | None = None
    aggregate: Aggregation = Aggregation.arithmetic
    min_coverage: float = 1.0

    def label(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name

    @property
    def computable(self) -> bool:
        return self.weights is not None


@dataclass(frozen=True)
class Method:
    """A validated methodology: leaves, aggregates in evaluation order (children first), one root."""

    id: str
    name: str
    name_en: str
    source: str
    years: tuple[int, ...] | None
    leaves: dict[str, Leaf]
    aggregates: dict[str, Aggregate]
    root: str
    pillars: tuple[str, ...]
    rank_decimals: int = 4
    path: str = ""
    note: str = ""
    note_en: str = ""
    attributes: tuple[str, ...] = ()  # text columns of a wide data file (groupings), not indicators
    _parents: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def nodes(self) -> tuple[str, ...]:
        """Every node id: leaves first, then aggregates children-first."""
        return tuple(self.leaves) + tuple(self.aggregates)

    @property
    def computable(self) -> bool:
        return all(a.computable for a in self.aggregates.values())

    def label(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name

    def node_label(self, node: str, lang: str = "vi") -> str:
        """A node's display name."""
        obj = self.leaves.get(node) or self.aggregates.get(node)
        return obj.label(lang) if obj else node

    def parents(self, node: str) -> tuple[str, ...]:
        """The aggregates that list this node as a child."""
        return tuple(a.id for a in self.aggregates.values() if node in a.children)

    def applies_to(self, year: int) -> bool:
        return self.years is None or year in self.years

    def tree_order(self) -> tuple[str, ...]:
        """The root, the pillars, then every other node depth-first from the root (parents before children)."""
        order: list[str] = []

        def walk(node: str) -> None:
            if node not in order:
                order.append(node)
            agg = self.aggregates.get(node)
            for child in agg.children if agg else ():
                walk(child)

        walk(self.root)
        rest = [n for n in order if n != self.root and n not in self.pillars]
        rest += [n for n in self.nodes if n not in rest and n != self.root and n not in self.pillars]
        return (self.root, *self.pillars, *rest)

    def descendants(self, node: str) -> set[str]:
        """Every node below this one."""
        out: set[str] = set()
        stack = [node]
        while stack:
            agg = self.aggregates.get(stack.pop())
            if agg:
                for c in agg.children:
                    if c not in out:
                        out.add(c)
                        stack.append(c)
        return out

    def shares(self, node: str | None = None) -> dict[str, float]:
        """Each descendant's effective weight in `node` (default the root): products along paths, summed over paths."""
        top = node or self.root
        out: dict[str, float] = {top: 1.0}
        for agg_id in reversed(tuple(self.aggregates)):  # parents before children
            if agg_id not in out:
                continue
            agg = self.aggregates[agg_id]
            if agg.weights is None:
                continue
            for c, w in zip(agg.children, agg.weights):
                out[c] = out.get(c, 0.0) + out[agg_id] * w
        return out

    def with_weights(self, changes: dict[str, float]) -> "Method":
        """A copy in which the given children carry new raw weights in every parent that lists them."""
        aggs = {}
        for agg in self.aggregates.values():
            if agg.raw_weights is None or not any(c in changes for c in agg.children):
                aggs[agg.id] = agg
                continue
            raw = tuple(float(changes.get(c, w)) for c, w in zip(agg.children, agg.raw_weights))
            total = sum(raw)
            aggs[agg.id] = replace(agg, raw_weights=raw, weights=tuple(w / total for w in raw))
        return replace(self, aggregates=aggs)


# ---------------------------------------------------------------- reading

_TOP_KEYS = {"id", "name", "name_en", "source", "years", "pillars", "rank_decimals", "defaults", "indicators",
             "aggregates", "note", "note_en", "description", "attributes"}
_LEAF_KEYS = {"name", "name_en", "direction", "normalise", "range", "zscore", "goalposts", "scale", "truncate",
              "target", "cap", "scope", "treat", "winmax", "impute", "group", "unit", "description"}
_AGG_KEYS = {"name", "name_en", "children", "weights", "aggregate", "min_coverage", "description"}
_DEFAULT_KEYS = (_LEAF_KEYS | {"aggregate", "min_coverage"}) - {"name", "name_en", "description", "unit"}


class _Checker:
    """Typed access to one TOML table, raising one-line errors that name the key."""

    def __init__(self, path: str, prefix: str, table: dict, own: dict | None = None):
        self.path, self.prefix, self.table = path, prefix, table
        self.own = table if own is None else own  # keys written in this table (others come from [defaults])

    def fail(self, key: str, message: str) -> UsageError:
        head = key.split(".")[0]
        prefix = "defaults" if head in self.table and head not in self.own else self.prefix
        name = f"{prefix}.{key}" if prefix else key
        return UsageError(f"{self.path}: {name}: {message}")

    def get(self, key: str, kind: type | tuple, default: Any = None) -> Any:
        if key not in self.table:
            return default
        value = self.table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(key, f"expected {_kind_name(kinds)}, got {value!r}")
        if not isinstance(value, kinds):
            raise self.fail(key, f"expected {_kind_name(kinds)}, got {type(value).__name__} {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(key, f"expected a finite number, got {value!r}")
        return value

    def choice(self, key: str, enum: type[Enum], default: Enum) -> Any:
        value = self.get(key, str)
        if value is None:
            return default
        try:
            return enum(value)
        except ValueError:
            names = ", ".join(e.value for e in enum)
            raise self.fail(key, f"unknown method '{value}' (one of: {names})") from None

    def pair(self, key: str, default: tuple[float, float], *, ordered: bool = True) -> tuple[float, float]:
        value = self.get(key, list)
        if value is None:
            return default
        if len(value) != 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                                      for v in value):
            raise self.fail(key, f"expected two finite numbers [lo, hi], got {value!r}")
        lo, hi = float(value[0]), float(value[1])
        if ordered and lo >= hi:
            raise self.fail(key, f"bad range: lo ({lo:g}) must be below hi ({hi:g})")
        return lo, hi

    def unknown(self, allowed: set[str]) -> None:
        for key in self.table:
            if key not in allowed:
                raise self.fail(key, "unknown key (allowed: " + ", ".join(sorted(allowed)) + ")")


def _kind_name(kinds: tuple) -> str:
    names = {str: "a string", int: "an integer", float: "a number", bool: "true or false", list: "a list",
             dict: "a table"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _leaf(path: str, node_id: str, table: Any, defaults: dict) -> Leaf:
    if not isinstance(table, dict):
        raise UsageError(f"{path}: indicators.{node_id}: expected a table")
    c = _Checker(path, f"indicators.{node_id}", {**defaults, **table}, own=table)
    _Checker(path, f"indicators.{node_id}", table).unknown(_LEAF_KEYS)
    direction = c.get("direction", int, 1)
    if direction not in (1, -1):
        raise c.fail("direction", f"must be 1 or -1, got {direction}")
    norm = c.choice("normalise", Normalise, Normalise.none)
    lo, hi = c.pair("range", (0.0, 1.0))
    gp_lo, gp_hi = c.pair("goalposts", (0.0, 1.0))
    if norm is Normalise.goalposts and "goalposts" not in c.table:
        raise c.fail("goalposts", "required by normalise = \"goalposts\" ([lo, hi] in the indicator's units)")
    if direction == -1 and norm is Normalise.none:
        raise c.fail("direction", "-1 needs a normalisation (normalise = \"none\" uses the values as they are, "
                                  "so lower could not count as better)")
    mean, sd = c.pair("zscore", (0.0, 1.0), ordered=False)
    if sd <= 0:
        raise c.fail("zscore", f"the target standard deviation must be positive, got {sd:g}")
    target = c.get("target", float)
    if norm is Normalise.dist2target and target is None:
        raise c.fail("target", "required by normalise = \"dist2target\"")
    scale = c.get("scale", float, 1.0)
    if not scale > 0:
        raise c.fail("scale", f"must be positive, got {scale:g}")
    winmax = c.get("winmax", int, 5)
    if winmax < 1:
        raise c.fail("winmax", f"must be at least 1, got {winmax}")
    impute = c.choice("impute", Impute, Impute.none)
    group = c.get("group", str)
    return Leaf(
        id=node_id, name=c.get("name", str, node_id), name_en=c.get("name_en", str, ""), direction=direction,
        normalise=norm, lo=lo, hi=hi, gp_lo=gp_lo, gp_hi=gp_hi, mean=mean, sd=sd, scale=scale,
        truncate=c.get("truncate", bool, True), target=target, cap=c.get("cap", bool, False),
        scope=c.choice("scope", Scope, Scope.year), treat=c.choice("treat", Treat, Treat.none), winmax=winmax,
        impute=impute, group=group if group else ("region" if impute is Impute.group_mean else None),
        unit=c.get("unit", str, ""),
    )


def _aggregate(path: str, node_id: str, table: Any, defaults: dict) -> Aggregate:
    if not isinstance(table, dict):
        raise UsageError(f"{path}: aggregates.{node_id}: expected a table")
    raw = _Checker(path, f"aggregates.{node_id}", table)
    raw.unknown(_AGG_KEYS)
    c = _Checker(path, f"aggregates.{node_id}", {**{k: v for k, v in defaults.items() if k in _AGG_KEYS}, **table},
                 own=table)
    children = raw.get("children", (dict, list))
    if children is None:
        raise raw.fail("children", "required: a table of child = weight, or a list with weights = \"equal\"")
    weights_mode = raw.get("weights", str)
    if weights_mode not in (None, "equal", "unknown"):
        raise raw.fail("weights", f"unknown value '{weights_mode}' (one of: equal, unknown)")
    if isinstance(children, dict):
        if weights_mode is not None:
            raise raw.fail("weights", "give weights either in `children` or as weights = \"equal\", not both")
        ids = tuple(children)
        raw_w = []
        for child, w in children.items():
            if isinstance(w, bool) or not isinstance(w, (int, float)):
                raise raw.fail(f"children.{child}", f"weight must be a number, got {w!r}")
            if not math.isfinite(w):
                raise raw.fail(f"children.{child}", f"weight must be a finite number, got {w!r}")
            if not w > 0:
                raise raw.fail(f"children.{child}", f"weight must be positive, got {w}")
            raw_w.append(float(w))
        raw_weights: tuple[float, ...] | None = tuple(raw_w)
    else:
        if not all(isinstance(x, str) for x in children):
            raise raw.fail("children", "a list of children must hold node ids (strings)")
        if weights_mode is None:
            raise raw.fail("weights", "a list of children needs weights = \"equal\" (or \"unknown\")")
        ids = tuple(children)
        raw_weights = None if weights_mode == "unknown" else tuple(1.0 for _ in ids)
    if not ids:
        raise raw.fail("children", "an aggregate needs at least one child")
    if len(set(ids)) != len(ids):
        raise raw.fail("children", "a child is listed twice")
    cov = c.get("min_coverage", float, 1.0)
    if not 0 <= cov <= 1:
        raise c.fail("min_coverage", f"must be between 0 (any child present) and 1 (all children), got {cov:g}")
    weights = None if raw_weights is None else tuple(w / sum(raw_weights) for w in raw_weights)
    return Aggregate(
        id=node_id, name=raw.get("name", str, node_id), name_en=raw.get("name_en", str, ""), children=ids,
        weights=weights, raw_weights=raw_weights,
        aggregate=c.choice("aggregate", Aggregation, Aggregation.arithmetic), min_coverage=cov,
    )


def parse(text: str, path: str = "<method>") -> Method:
    """Validate a methodology given as TOML text."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: not valid TOML: {exc}") from None
    top = _Checker(path, "", doc)
    top.unknown(_TOP_KEYS)
    defaults = top.get("defaults", dict, {})
    _Checker(path, "defaults", defaults).unknown(_DEFAULT_KEYS)
    leaf_defaults = {k: v for k, v in defaults.items() if k not in ("aggregate", "min_coverage")}
    leaves_t = top.get("indicators", dict, {})
    aggs_t = top.get("aggregates", dict, {})
    if not aggs_t:
        raise UsageError(f"{path}: aggregates: a method needs at least one [aggregates.<id>] table")
    for node_id in leaves_t:
        if node_id in aggs_t:
            raise UsageError(f"{path}: indicators.{node_id}: also declared as aggregates.{node_id}; a node is a "
                             "leaf or an aggregate, not both")
    leaves = {k: _leaf(path, k, v, leaf_defaults) for k, v in leaves_t.items()}
    aggs = {k: _aggregate(path, k, v, defaults) for k, v in aggs_t.items()}
    pillars = tuple(top.get("pillars", list, []))
    for p in pillars:
        if not isinstance(p, str) or (p not in leaves and p not in aggs):
            raise UsageError(f"{path}: pillars: unknown node {p!r}")
    for agg in aggs.values():
        for child in agg.children:
            if child not in leaves and child not in aggs:
                raise UsageError(f"{path}: aggregates.{agg.id}.children: unknown node '{child}' (declare it as "
                                 f"[indicators.{child}] or [aggregates.{child}])")
    order = _evaluation_order(path, aggs)
    listed = {c for a in aggs.values() for c in a.children}
    roots = [a for a in aggs if a not in listed and a not in pillars]
    if not roots:
        raise UsageError(f"{path}: aggregates: no root (every aggregate is some node's child)")
    if len(roots) > 1:
        raise UsageError(f"{path}: aggregates: more than one root ({', '.join(roots)}); an index has one root, "
                         "list side summaries in `pillars`")
    root = roots[0]
    for leaf in leaves:
        if leaf not in listed:
            raise UsageError(f"{path}: indicators.{leaf}: not a child of any aggregate")
    if not pillars:
        pillars = tuple(a for a in aggs if a not in listed and a != root) or aggs[root].children
    years = top.get("years", list)
    if years is not None and not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
        raise top.fail("years", f"expected a list of years, got {years!r}")
    attributes = top.get("attributes", list, [])
    if not all(isinstance(a, str) for a in attributes):
        raise top.fail("attributes", f"expected a list of column names, got {attributes!r}")
    decimals = top.get("rank_decimals", int, 4)
    if not 0 <= decimals <= 12:
        raise top.fail("rank_decimals", f"must be between 0 and 12, got {decimals}")
    return Method(
        id=top.get("id", str, Path(path).stem), name=top.get("name", str, Path(path).stem),
        name_en=top.get("name_en", str, ""), source=top.get("source", str, ""),
        years=tuple(years) if years is not None else None, leaves=leaves,
        aggregates={a: aggs[a] for a in order}, root=root, pillars=pillars, rank_decimals=decimals, path=path,
        note=top.get("note", str, ""), note_en=top.get("note_en", str, ""), attributes=tuple(attributes),
    )


def _evaluation_order(path: str, aggs: dict[str, Aggregate]) -> list[str]:
    """Aggregates children-first; a cycle is an error naming a node on it."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(node: str, trail: tuple[str, ...]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            cycle = " -> ".join(trail[trail.index(node):] + (node,))
            raise UsageError(f"{path}: aggregates.{node}: cycle ({cycle})")
        state[node] = 1
        for child in aggs[node].children:
            if child in aggs:
                visit(child, trail + (node,))
        state[node] = 2
        order.append(node)

    for node in aggs:
        visit(node, ())
    return order


def load(path: str | Path) -> Method:
    """Read and validate a methodology file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{p}: no such method file") from None
    except IsADirectoryError:
        raise UsageError(f"{p}: is a directory, not a method file") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{p}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise UsageError(f"{p}: cannot read: {exc.strerror}") from None
    return parse(text, str(p))


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
    raise UsageError(f"unknown edition '{key}' (shipped: {known}; or give a year)")


def starter(indicators: list[str], *, source: str, unit_kind: str, groups: list[str] = ()) -> str:
    """A commented starting method file: every indicator a leaf, min-max normalised, equal weights, one index."""
    import json

    root = next(r for r in ("index", "composite_index", "dti_index", "the_index") if r not in indicators)
    lines = [
        f"# A starting method for {source}, written by `dti init`. Edit it, then run",
        "#   dti check --data DATA --method THIS_FILE      (audit the data against the method)",
        "#   dti scores --data DATA --method THIS_FILE     (every node's score and rank)",
        "",
        'name = "My index"            # display name (name_en for --lang en)',
        'source = ""                  # where the method comes from: a decision, a report',
        "# years = [2023, 2024]       # the data years this method applies to (default: all)",
        "",
        "[defaults]                   # settings every indicator gets unless it says otherwise",
        "direction = 1                # 1: higher is better; -1: lower is better (processing days, costs)",
        'normalise = "minmax"         # none | minmax | zscore | goalposts | fracmax | dist2max | dist2target | rank | prank',
        "range = [0, 1]               # minmax output range",
        'scope = "year"               # min/max over the units of each year; "panel" over all years (comparable over time)',
        'treat = "none"               # none | winsorise (COINr: while |skew| > 2 and kurtosis > 3.5, at most winmax points) | log',
        'impute = "none"              # none | mean | median | group_mean (group = COLUMN) | previous_year | linear',
        'aggregate = "arithmetic"     # arithmetic | geometric | harmonic (geometric/harmonic need positive inputs)',
        "min_coverage = 1             # share of a node's weight that must be present (1: all children; below 1 COINr's rescaling)",
        "",
        "# One table per indicator (a column of the data). Per indicator you can override any default, e.g.",
        '#   direction = -1, normalise = "goalposts", goalposts = [0, 100] (in its own units), impute = "median"',
    ]
    if groups:
        lines[7:7] = ["attributes = [" + ", ".join(json.dumps(g, ensure_ascii=False) for g in groups)
                      + "]   # text columns of the data: groupings (impute = \"group_mean\", group = …), not indicators",
                      ""]
    for ind in indicators:
        lines += ["", f"[indicators.{_toml_key(ind)}]", f"name = {json.dumps(ind, ensure_ascii=False)}"]
    lines += [
        "",
        "# Aggregates: nodes computed from their children. Weights are any positive numbers, normalised to sum 1;",
        '# `children = ["a", "b"]` with `weights = "equal"` gives equal weights. Group indicators into pillars by',
        "# adding [aggregates.<pillar>] tables and listing the pillars as the index's children.",
        "",
        f"[aggregates.{root}]",
        'name = "Index"',
        "children = [" + ", ".join(json.dumps(i, ensure_ascii=False) for i in indicators) + "]",
        'weights = "equal"',
        "",
    ]
    return "\n".join(lines)


def _toml_key(key: str) -> str:
    import json
    import re

    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def edition_years() -> list[int]:
    """Every year a shipped edition applies to."""
    return sorted({y for e in editions() for y in (e.years or ())})
