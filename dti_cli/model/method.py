"""A validated methodology as frozen objects: leaves, aggregates in evaluation order, weights and options."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum


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


class _Labelled:
    """A name and an English name: the English one in English where there is one."""

    name: str
    name_en: str

    def label(self, lang: str = "vi") -> str:
        return self.name_en if lang == "en" and self.name_en else self.name


@dataclass(frozen=True)
class Leaf(_Labelled):
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


@dataclass(frozen=True)
class Aggregate(_Labelled):
    """A node computed from its children; weights are normalised to sum to 1 (None when unpublished)."""

    id: str
    name: str
    name_en: str
    children: tuple[str, ...]
    weights: tuple[float, ...] | None
    raw_weights: tuple[float, ...] | None = None
    aggregate: Aggregation = Aggregation.arithmetic
    min_coverage: float = 1.0

    @property
    def computable(self) -> bool:
        return self.weights is not None


@dataclass(frozen=True)
class Method(_Labelled):
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

    @property
    def nodes(self) -> tuple[str, ...]:
        """Every node id: leaves first, then aggregates children-first."""
        return tuple(self.leaves) + tuple(self.aggregates)

    @property
    def computable(self) -> bool:
        return all(a.computable for a in self.aggregates.values())

    def node_label(self, node: str, lang: str = "vi") -> str:
        """A node's display name."""
        obj = self.leaves.get(node) or self.aggregates.get(node)
        return obj.label(lang) if obj else node

    def named(self, node: str | None = None) -> "Named":
        """A node's name (default: the method's own) as the language layer shows it."""
        return Named(self, node)

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


class Named:
    """A method's or a node's name in the reader's language (name, or name_en in English)."""

    __slots__ = ("method", "node")

    def __init__(self, method: Method, node: str | None = None):
        self.method, self.node = method, node

    def text(self, lang: str = "en") -> str:
        return self.method.label(lang) if self.node is None else self.method.node_label(self.node, lang)
