"""A published results table read and checked before anything is stored (`dti import`): which column holds what
(headers matched by node id or name in either language, or --map), which units (the 63 or the 34, every name
resolved, one row each), values in [0, 1], ranks that follow from the values, and the units missing."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from dti_cli.errors import DataError, UsageError
from dti_cli.io import table_read
from dti_cli.model.provinces import fold, registry

FIRST_ON_34 = 2025  # the first edition on the 34 units of 1 July 2025
_IGNORED = frozenset(fold(h) for h in ("STT", "TT", "Số TT", "No", "No.", "#", "Mã", "Mã tỉnh", "Code", "Vùng",
                                       "Region", "Ghi chú", "Note"))
_ROOT = frozenset(fold(h) for h in ("DTI", "Chỉ số DTI", "Điểm DTI", "Chỉ số chuyển đổi số", "DTI index", "Index",
                                    "Giá trị DTI", "Điểm"))
_RANK = re.compile(r"^(?:xep-hang|thu-hang|hang|rank|ranking)(?:-(?P<after>.+))?$|^(?P<before>.+)-(?:xep-hang|hang|rank)$")
_AVERAGE = frozenset(fold(h) for h in ("Cả nước", "Trung bình", "Trung bình cả nước", "TB cả nước", "Bình quân",
                                       "Toàn quốc", "Việt Nam", "National", "National average", "Average", "Mean"))
_MISSING = frozenset(("", "-", "–", "—", "n/a", "na", "..", "x"))
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d+)?|[.,]\d+)")
_RANK_CELL = re.compile(r"(\d+)(?:[.,]0+)?")


@dataclass(frozen=True)
class Target:
    node: str
    kind: str  # "value" or "rank"


def parse_map(items) -> dict[str, Target | None]:
    """--map "Header=node", "Header=node.rank", "Header=" (ignore the column): folded header -> target."""
    out = {}
    for item in items or ():
        head, sep, node = str(item).partition("=")
        if not sep or not head.strip():
            raise UsageError("import.bad_map", option="map", value=item)
        node = node.strip()
        kind = "rank" if node.endswith(".rank") else "value"
        node = node[:-5] if kind == "rank" else node
        out[fold(head)] = Target(node, kind) if node else None
    return out


def _node_keys(method) -> dict[str, str]:
    keys = {}
    for node in (*method.leaves.values(), *method.aggregates.values()):
        for k in (node.id, node.name, node.name_en):
            keys.setdefault(fold(k), node.id)
    for k in _ROOT:
        keys.setdefault(k, method.root)
    return keys


def columns(cells: table_read.Cells, method, explicit: dict) -> tuple[int, dict[int, Target]]:
    """The unit column and what each other column holds; an unknown header is an error naming it."""
    keys = _node_keys(method)
    unit_col, out, seen = None, {}, {}
    for f in explicit:
        if f not in {fold(h) for h in cells.header}:
            raise UsageError("import.map_no_column", option="map", header=f, label=cells.label)
    for j, head in enumerate(cells.header):
        f = fold(head)
        if f in explicit:
            target = explicit[f]
            if target is not None and target.node not in keys.values():
                raise UsageError("import.map_unknown_node", option="map", node=target.node,
                                 nodes=", ".join(sorted(set(keys.values()))))
        elif table_read.is_unit_header(head) and unit_col is None:
            unit_col = j
            continue
        elif not f or f in _IGNORED:
            target = None
        else:
            target = _guess(f, keys, out.get(j - 1), method.root)
            if target is None:
                raise DataError("import.unknown_column", where=cells.at(cells.header_line, j, head),
                                nodes=", ".join(sorted(set(keys.values()))))
        if target is None:
            continue
        if target in seen:
            raise DataError("import.same_column", where=cells.at(cells.header_line, j, head),
                            other=cells.header[seen[target]])
        seen[target] = j
        out[j] = target
    return unit_col, out


def _guess(f: str, keys: dict, before: Target | None, root: str) -> Target | None:
    """A header's target: a node's id or name (Vietnamese or English); a rank column is "Xếp hạng" (the column
    before it, or the index) or "Xếp hạng <node>" / "<node> xếp hạng"."""
    if f in keys:
        return Target(keys[f], "value")
    m = _RANK.match(f)
    if m:
        named = m.group("after") or m.group("before")
        if named is None:
            return Target(before.node if before and before.kind == "value" else root, "rank")
        if named in keys:
            return Target(keys[named], "rank")
        return None
    for prefix in ("diem-", "chi-so-", "tru-cot-"):
        if f.startswith(prefix) and f[len(prefix):] in keys:
            return Target(keys[f[len(prefix):]], "value")
    return None


def _value(text: str, where) -> str | None:
    """A value cell as the decimal text stored (a decimal comma becomes a point); None: missing."""
    if text.lower() in _MISSING:
        return None
    if not _NUMBER.fullmatch(text):
        raise DataError("import.not_a_value", where=where, value=text)
    out = float(text.replace(",", "."))
    if not 0.0 <= out <= 1.0:
        raise DataError("import.out_of_range", where=where, value=text)
    return repr(out)  # the same text whether the cell was 0,6840 in a CSV or 0.684 in a workbook


def _rank(text: str, where, n: int) -> int | None:
    if text.lower() in _MISSING:
        return None
    m = _RANK_CELL.fullmatch(text)
    if not m or not 1 <= int(m.group(1)) <= n:
        raise DataError("import.bad_rank", where=where, value=text, n=n)
    return int(m.group(1))


@dataclass
class Read:
    """A table read and checked: its units (slugs of one boundary set) and figures, ready to store."""

    boundaries: int | None
    units: dict[str, int]  # slug -> line
    values: dict[tuple[str, str], str]  # (slug, node) -> decimal text
    ranks: dict[tuple[str, str], int]
    nodes: list[str]
    skipped: list[int]  # lines of average rows left out
    missing: list[str]


def _units(cells, unit_col: int, targets: dict, boundaries: int | None, year: int):
    """The data rows by unit, under the boundary set asked or the one every name belongs to (one row each)."""
    rows, skipped = [], []
    for line, row in cells.rows:
        name = row[unit_col]
        if not name:
            if any(row[j] for j in targets):
                raise DataError("import.no_unit", where=cells.at(line, unit_col, cells.header[unit_col]))
            continue
        if fold(name) in _AVERAGE:
            skipped.append(line)
            continue
        rows.append((line, name, row))
    if not rows:
        raise DataError("import.no_rows", path=cells.label)
    reg = registry()
    if boundaries is not None:
        sets = [2025 if boundaries in (34, 2025) else None]
    else:
        sets = [2025, None] if year >= FIRST_ON_34 else [None, 2025]
    best = None  # the set that fits furthest: its first failure is the one to report
    for b in sets:
        found = {}
        if b is None and boundaries is None and year >= FIRST_ON_34 and len(rows) <= 34:
            continue  # a table of 34 rows or fewer from 2025 on is on the 34 units (a wrong name is an error)
        for line, name, row in rows:
            slug = reg.lookup(name, b)
            if slug is None or slug in found:
                break
            found[slug] = (line, row)
        else:
            return b, found, skipped
        if best is None or len(found) > len(best[1]):
            best = (b, found, line, name, slug)
    b, found, line, name, slug = best
    where = cells.at(line, unit_col, cells.header[unit_col])
    if slug is not None:
        raise DataError("import.duplicate_unit", where=where, name=name, other=found[slug][0])
    try:
        new = reg.resolve(name, b)  # under the 34: an old province, merged
    except UsageError as exc:
        raise DataError("data.cell", where=where, message=exc.msg, hint=None) from None
    raise DataError("import.merged_unit", where=where, name=name, unit=reg.get(new, b).name_vi)


def read_table(path, *, year: int, method, explicit: dict, boundaries: int | None, partial: bool) -> Read:
    """Read and check a results table: columns, units, values in [0, 1], ranks consistent with the values."""
    cells = table_read.read(path)
    unit_col, targets = columns(cells, method, explicit)
    if unit_col is None:
        raise DataError("import.no_header", path=cells.label)
    if not targets:
        raise DataError("import.no_columns", path=cells.label)
    b, found, skipped = _units(cells, unit_col, targets, boundaries, year)
    n = len(registry().units(b))
    values, ranks = {}, {}
    for slug, (line, row) in found.items():
        for j, t in targets.items():
            at = cells.at(line, j, cells.header[j])
            if t.kind == "value":
                v = _value(row[j], at)
                if v is not None:
                    values[slug, t.node] = v
            else:
                r = _rank(row[j], at, n)
                if r is not None:
                    ranks[slug, t.node] = r
    nodes = list(dict.fromkeys(t.node for t in targets.values()))
    expected = [p.slug for p in registry().units(b)]
    missing = [s for s in expected if s not in found]
    if missing and not partial:
        names = [registry().get(s, b).name_vi for s in missing]
        raise DataError("import.missing_units", path=cells.label, n=len(missing), total=n,
                        units=", ".join(names[:8]) + (", …" if len(names) > 8 else ""), hint="import_partial")
    rank_col = {t.node: j for j, t in targets.items() if t.kind == "rank"}
    for node in nodes:
        _check_ranks(cells, node, {s: found[s][0] for s in found}, values, ranks, complete=not missing,
                     col=rank_col.get(node))
    return Read(b, {s: found[s][0] for s in found}, values, ranks, nodes, skipped, missing)


def _check_ranks(cells, node: str, lines: dict, values: dict, ranks: dict, *, complete: bool,
                 col: int | None) -> None:
    """Published ranks must be the competition ranks of the values on 4 decimals (all of them when the table is
    complete; otherwise never out of the values' order); the ranks of a complete table form a competition ranking
    even where no value is given."""
    if col is None:
        return

    def at(s):
        return cells.at(lines[s], col, cells.header[col])

    given = {s: ranks[s, node] for s in lines if (s, node) in ranks}
    have = {s: (round(float(values[s, node]), 4), given[s]) for s in given if (s, node) in values}
    if complete and have and len(have) == len(lines):
        order = pd.Series({s: v for s, (v, _) in have.items()}).rank(method="min", ascending=False)
        for s, (v, r) in have.items():
            if int(order[s]) != r:
                raise DataError("import.rank_mismatch", where=at(s), node=node, rank=r, value=v,
                                expected=int(order[s]))
        return
    if complete and len(given) == len(lines):  # a competition ranking is its own competition ranking
        first = pd.Series(given).rank(method="min").astype(int)
        for s, r in sorted(given.items(), key=lambda kv: (kv[1], lines[kv[0]])):
            if first[s] != r:
                raise DataError("import.not_a_ranking", where=at(s), node=node, rank=r, above=first[s] - 1)
    if not have:
        return
    items = sorted(have.items(), key=lambda kv: (-kv[1][0], kv[1][1]))
    for (s1, (v1, r1)), (s2, (v2, r2)) in zip(items, items[1:]):
        if (v1 > v2 and r1 >= r2) or (v1 == v2 and r1 != r2):
            raise DataError("import.rank_order", where=at(s2), node=node, rank=r2, value=v2,
                            other_line=lines[s1], other_rank=r1, other_value=v1)
