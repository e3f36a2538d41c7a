"""Read and validate a methodology TOML into a Method; every error is one line naming the file and the key."""

from __future__ import annotations

import math
import tomllib
from enum import Enum
from pathlib import Path
from typing import Any

from dti_cli.errors import UsageError
from dti_cli.i18n import Msg
from dti_cli.model.method import Aggregate, Aggregation, Impute, Leaf, Method, Normalise, Scope, Treat

_TOP_KEYS = {"id", "name", "name_en", "source", "years", "pillars", "rank_decimals", "defaults", "indicators",
             "aggregates", "note", "note_en", "description", "attributes"}
_LEAF_KEYS = {"name", "name_en", "direction", "normalise", "range", "zscore", "goalposts", "scale", "truncate",
              "target", "cap", "scope", "treat", "winmax", "impute", "group", "unit", "description"}
_AGG_KEYS = {"name", "name_en", "children", "weights", "aggregate", "min_coverage", "description"}
_DEFAULT_KEYS = (_LEAF_KEYS | {"aggregate", "min_coverage"}) - {"name", "name_en", "description", "unit"}
_KINDS = {str: "str", int: "int", float: "float", bool: "bool", list: "list", dict: "dict"}


MAX_BYTES = 10_000_000  # a method file (the shipped ones are 2-5 KB)
# the largest magnitude of a figure, goalpost or weight dti computes with: squares and sums stay finite past it
MAGNITUDE = 1e150
# every column name a table of dti has: a method's node may not take one (its pillars and nodes become columns
# beside them; tests/test_method.py keeps this list complete)
RESERVED_IDS = frozenset("""
aggregate band bar basis boundaries change check computed computed_rank contribution current delta depth difference
direction edition file gap imported increase index_points indicator indicator_name kind leaf level measure median_rank
message name name_en national national_n needed new new_rank node normalise of ok old old_rank overlaps_neighbour
parent path position prev prev_rank prev_score prev_value provenance province published published_rank q5 q95 rank
rank_change reachable region region_gap region_mean region_n region_rank rows samples_ranked score section set
share_in_index share_in_parent source subject national_source national_dti national_dti_gap
national_dti_source provinces_mean provinces_n provinces_mean_provenance ministries_ps_mean ministries_nps_mean group
group_name threshold tolerance tree unit units value weight weight_share year missing
years region_key region_key_en unit_2025 gso_code merged_from n_provinces n_nodes weights_published
""".split())


def error(path: str, name: str, key: str, **params) -> UsageError:
    """"m.toml: indicators.a.direction: must be 1 or -1, got 2"."""
    return UsageError("method.at", path=path, name=name, message=Msg(key, **params))


class _Kinds:
    """"an integer or a number" in the reader's language."""

    def __init__(self, kinds: tuple):
        self.kinds = kinds

    def text(self, lang: str = "en") -> str:
        from dti_cli.i18n import text

        names = [text(f"method.kind.{_KINDS.get(k, 'other')}", lang) for k in self.kinds]
        return text("method.kind.or", lang).join(names)


class _Checker:
    """Typed access to one TOML table, raising one-line errors that name the key."""

    def __init__(self, path: str, prefix: str, table: dict, own: dict | None = None):
        self.path, self.prefix, self.table = path, prefix, table
        self.own = table if own is None else own  # keys written in this table (others come from [defaults])

    def fail(self, key: str, message: str, **params) -> UsageError:
        head = key.split(".")[0]
        prefix = "defaults" if head in self.table and head not in self.own else self.prefix
        return error(self.path, f"{prefix}.{key}" if prefix else key, message, **params)

    def get(self, key: str, kind: type | tuple, default: Any = None) -> Any:
        if key not in self.table:
            return default
        value = self.table[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if isinstance(value, bool) and bool not in kinds:
            raise self.fail(key, "method.expected", kind=_Kinds(kinds), got=repr(value))
        if not isinstance(value, kinds):
            raise self.fail(key, "method.expected", kind=_Kinds(kinds), got=f"{type(value).__name__} {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.fail(key, "method.not_finite", got=repr(value))
        if isinstance(value, float) and abs(value) > MAGNITUDE:
            raise self.fail(key, "method.too_large", got=repr(value), limit=MAGNITUDE)
        return value

    def choice(self, key: str, enum: type[Enum], default: Enum) -> Any:
        value = self.get(key, str)
        if value is None:
            return default
        try:
            return enum(value)
        except ValueError:
            raise self.fail(key, "method.unknown_choice", value=value,
                            names=", ".join(e.value for e in enum)) from None

    def pair(self, key: str, default: tuple[float, float], *, ordered: bool = True) -> tuple[float, float]:
        value = self.get(key, list)
        if value is None:
            return default
        if len(value) != 2 or not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                                      for v in value):
            raise self.fail(key, "method.expected_pair", got=repr(value))
        if any(abs(v) > MAGNITUDE for v in value):
            raise self.fail(key, "method.too_large", got=repr(value), limit=MAGNITUDE)
        lo, hi = float(value[0]), float(value[1])
        if ordered and lo >= hi:
            raise self.fail(key, "method.bad_range", lo=lo, hi=hi)
        return lo, hi

    def unknown(self, allowed: set[str]) -> None:
        for key in self.table:
            if key not in allowed:
                raise self.fail(key, "method.unknown_key", allowed=", ".join(sorted(allowed)))


def _leaf(path: str, node_id: str, table: Any, defaults: dict) -> Leaf:
    if not isinstance(table, dict):
        raise error(path, f"indicators.{node_id}", "method.expected_table")
    c = _Checker(path, f"indicators.{node_id}", {**defaults, **table}, own=table)
    _Checker(path, f"indicators.{node_id}", table).unknown(_LEAF_KEYS)
    direction = c.get("direction", int, 1)
    if direction not in (1, -1):
        raise c.fail("direction", "method.direction", got=direction)
    norm = c.choice("normalise", Normalise, Normalise.none)
    lo, hi = c.pair("range", (0.0, 1.0))
    gp_lo, gp_hi = c.pair("goalposts", (0.0, 1.0))
    if norm is Normalise.goalposts and "goalposts" not in c.table:
        raise c.fail("goalposts", "method.goalposts_required")
    if direction == -1 and norm is Normalise.none:
        raise c.fail("direction", "method.direction_needs_normalise")
    mean, sd = c.pair("zscore", (0.0, 1.0), ordered=False)
    if sd <= 0:
        raise c.fail("zscore", "method.zscore_sd", got=sd)
    target = c.get("target", float)
    if norm is Normalise.dist2target and target is None:
        raise c.fail("target", "method.target_required")
    scale = c.get("scale", float, 1.0)
    if not scale > 0:
        raise c.fail("scale", "method.positive", got=scale)
    winmax = c.get("winmax", int, 5)
    if winmax < 1:
        raise c.fail("winmax", "method.at_least_one", got=winmax)
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


def _weights(raw: _Checker, children: dict | list, mode: str | None) -> tuple[tuple, tuple | None]:
    """The children's ids and raw weights (None: unknown)."""
    if isinstance(children, dict):
        if mode is not None:
            raise raw.fail("weights", "method.weights_twice")
        raw_w = []
        for child, w in children.items():
            if isinstance(w, bool) or not isinstance(w, (int, float)):
                raise raw.fail(f"children.{child}", "method.weight_number", got=repr(w))
            if not math.isfinite(w):
                raise raw.fail(f"children.{child}", "method.weight_finite", got=repr(w))
            if abs(w) > MAGNITUDE:
                raise raw.fail(f"children.{child}", "method.too_large", got=repr(w), limit=MAGNITUDE)
            if not w > 0:
                raise raw.fail(f"children.{child}", "method.weight_positive", got=str(w))
            raw_w.append(float(w))
        return tuple(children), tuple(raw_w)
    if not all(isinstance(x, str) for x in children):
        raise raw.fail("children", "method.children_ids")
    if mode is None:
        raise raw.fail("weights", "method.list_needs_equal")
    return tuple(children), None if mode == "unknown" else tuple(1.0 for _ in children)


def _aggregate(path: str, node_id: str, table: Any, defaults: dict) -> Aggregate:
    if not isinstance(table, dict):
        raise error(path, f"aggregates.{node_id}", "method.expected_table")
    raw = _Checker(path, f"aggregates.{node_id}", table)
    raw.unknown(_AGG_KEYS)
    c = _Checker(path, f"aggregates.{node_id}", {**{k: v for k, v in defaults.items() if k in _AGG_KEYS}, **table},
                 own=table)
    children = raw.get("children", (dict, list))
    if children is None:
        raise raw.fail("children", "method.children_required")
    weights_mode = raw.get("weights", str)
    if weights_mode not in (None, "equal", "unknown"):
        raise raw.fail("weights", "method.weights_mode", value=weights_mode)
    ids, raw_weights = _weights(raw, children, weights_mode)
    if not ids:
        raise raw.fail("children", "method.no_children")
    if len(set(ids)) != len(ids):
        raise raw.fail("children", "method.child_twice")
    cov = c.get("min_coverage", float, 1.0)
    if not 0 <= cov <= 1:
        raise c.fail("min_coverage", "method.min_coverage", got=cov)
    weights = None if raw_weights is None else tuple(w / sum(raw_weights) for w in raw_weights)
    return Aggregate(
        id=node_id, name=raw.get("name", str, node_id), name_en=raw.get("name_en", str, ""), children=ids,
        weights=weights, raw_weights=raw_weights,
        aggregate=c.choice("aggregate", Aggregation, Aggregation.arithmetic), min_coverage=cov,
    )


def _structure(path: str, leaves: dict, aggs: dict, pillars: tuple) -> tuple[str, list[str]]:
    """Check the DAG (known children, no cycle, one root, every leaf used): the root and the evaluation order."""
    for p in pillars:
        if not isinstance(p, str) or (p not in leaves and p not in aggs):
            raise error(path, "pillars", "method.unknown_pillar", got=repr(p))
    for agg in aggs.values():
        for child in agg.children:
            if child not in leaves and child not in aggs:
                raise error(path, f"aggregates.{agg.id}.children", "method.unknown_child", child=child)
    order = _evaluation_order(path, aggs)
    listed = {c for a in aggs.values() for c in a.children}
    roots = [a for a in aggs if a not in listed and a not in pillars]
    if not roots:
        raise error(path, "aggregates", "method.no_root")
    if len(roots) > 1:
        raise error(path, "aggregates", "method.roots", roots=", ".join(roots))
    for leaf in leaves:
        if leaf not in listed:
            raise error(path, f"indicators.{leaf}", "method.unused_leaf")
    return roots[0], order


def parse(text: str, path: str = "<method>") -> Method:
    """Validate a methodology given as TOML text."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError("method.not_toml", path=path, detail=str(exc)) from None
    except RecursionError:  # arrays or tables nested thousands deep
        raise UsageError("method.too_deep", path=path) from None
    top = _Checker(path, "", doc)
    top.unknown(_TOP_KEYS)
    defaults = top.get("defaults", dict, {})
    _Checker(path, "defaults", defaults).unknown(_DEFAULT_KEYS)
    leaf_defaults = {k: v for k, v in defaults.items() if k not in ("aggregate", "min_coverage")}
    leaves_t = top.get("indicators", dict, {})
    aggs_t = top.get("aggregates", dict, {})
    if not aggs_t:
        raise error(path, "aggregates", "method.no_aggregates")
    for node_id in leaves_t:
        if node_id in aggs_t:
            raise error(path, f"indicators.{node_id}", "method.leaf_and_aggregate", id=node_id)
    for kind, table in (("indicators", leaves_t), ("aggregates", aggs_t)):
        for node_id in table:
            if node_id in RESERVED_IDS:
                raise error(path, f"{kind}.{node_id}", "method.reserved_id", id=node_id)
    leaves = {k: _leaf(path, k, v, leaf_defaults) for k, v in leaves_t.items()}
    aggs = {k: _aggregate(path, k, v, defaults) for k, v in aggs_t.items()}
    pillars = tuple(top.get("pillars", list, []))
    root, order = _structure(path, leaves, aggs, pillars)
    listed = {c for a in aggs.values() for c in a.children}
    if not pillars:
        pillars = tuple(a for a in aggs if a not in listed and a != root) or aggs[root].children
    years = top.get("years", list)
    if years is not None and not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
        raise top.fail("years", "method.years", got=repr(years))
    attributes = top.get("attributes", list, [])
    if not all(isinstance(a, str) for a in attributes):
        raise top.fail("attributes", "method.attributes", got=repr(attributes))
    decimals = top.get("rank_decimals", int, 4)
    if not 0 <= decimals <= 12:
        raise top.fail("rank_decimals", "method.rank_decimals", got=decimals)
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
            raise error(path, f"aggregates.{node}", "method.cycle",
                        cycle=" -> ".join(trail[trail.index(node):] + (node,)))
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
        with open(p, "rb") as fh:  # at most MAX_BYTES + 1: an endless stream (/dev/zero) is refused, not read
            raw = fh.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise UsageError("method.too_large_file", path=str(p), limit=MAX_BYTES)
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise UsageError("method.no_such_file", path=str(p)) from None
    except IsADirectoryError:
        raise UsageError("method.is_dir", path=str(p)) from None
    except UnicodeDecodeError as exc:
        raise UsageError("method.not_utf8", path=str(p), byte=exc.start) from None
    except OSError as exc:
        raise UsageError("method.cannot_read", path=str(p), reason=exc.strerror or str(exc)) from None
    return parse(text, str(p))
