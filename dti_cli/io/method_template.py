"""A commented starting method file for a data file's indicators (`dti init`), comments in the user's language."""

from __future__ import annotations

import json
import re

from dti_cli.i18n import text

_ROOTS = ("index", "composite_index", "dti_index", "the_index")
_COLUMN = 30  # where the comments start


def _line(code: str, key: str, lang: str) -> str:
    return f"{code:<{_COLUMN - 1}} # {text(key, lang)}"


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key, ensure_ascii=False)


def _quoted(items) -> str:
    return ", ".join(json.dumps(i, ensure_ascii=False) for i in items)


def starter(indicators: list[str], *, source: str, groups: list[str] = (), lang: str = "en") -> str:
    """A commented starting method file: every indicator a leaf, min-max normalised, equal weights, one index."""
    root = next(r for r in _ROOTS if r not in indicators)
    t = lambda key, **kw: text(key, lang, **kw)  # noqa: E731
    lines = [
        "# " + t("template.head", source=source),
        "#   " + t("template.run_check"),
        "#   " + t("template.run_scores"),
        "",
        _line(f"name = {json.dumps(t('template.my_index'), ensure_ascii=False)}", "template.name", lang),
        _line('source = ""', "template.source", lang),
        _line("# years = [2023, 2024]", "template.years", lang),
        "",
        _line("[defaults]", "template.defaults", lang),
        _line("direction = 1", "template.direction", lang),
        _line('normalise = "minmax"', "template.normalise", lang),
        _line("range = [0, 1]", "template.range", lang),
        _line('scope = "year"', "template.scope", lang),
        _line('treat = "none"', "template.treat", lang),
        _line('impute = "none"', "template.impute", lang),
        _line('aggregate = "arithmetic"', "template.aggregate", lang),
        _line("min_coverage = 1", "template.min_coverage", lang),
        "",
        "# " + t("template.leaves"),
        '#   direction = -1, normalise = "goalposts", goalposts = [0, 100], impute = "median"',
    ]
    if groups:
        lines[7:7] = [f"attributes = [{_quoted(groups)}]   # " + t("template.attributes"), ""]
    for ind in indicators:
        lines += ["", f"[indicators.{_toml_key(ind)}]", f"name = {json.dumps(ind, ensure_ascii=False)}"]
    lines += ["", *("# " + x for x in t("template.aggregates").splitlines()), "",
              f"[aggregates.{root}]", f"name = {json.dumps(t('template.index'), ensure_ascii=False)}",
              f"children = [{_quoted(indicators)}]", 'weights = "equal"', ""]
    return "\n".join(lines)


def structure(method, *, edition_id: str, years: list[int], name: str, name_en: str, source: str, note: str,
              note_en: str) -> str:
    """A method file with the structure of `method` (its indicators, aggregates and pillars, names in both
    languages) and every weight "unknown": for an edition whose results are published but whose weights are not.
    The user may replace an "unknown" by the weights once they are published."""
    q = lambda s: json.dumps(s, ensure_ascii=False)  # noqa: E731
    lines = [f"# {line}" for line in (note, note_en)] + [
        "# weights, once published: children = { a = 500, b = 200 } in place of the list and weights = \"unknown\"",
        "# (trọng số, khi được công bố: children = { a = 500, b = 200 } thay cho danh sách và weights = \"unknown\")"] + [
        f"id = {q(edition_id)}", f"name = {q(name)}", f"name_en = {q(name_en)}", f"source = {q(source)}",
        f"years = [{', '.join(map(str, years))}]", f"pillars = [{_quoted(method.pillars)}]",
        f"note = {q(note)}", f"note_en = {q(note_en)}"]
    for leaf in method.leaves.values():
        lines += ["", f"[indicators.{_toml_key(leaf.id)}]", f"name = {q(leaf.name)}", f"name_en = {q(leaf.name_en)}"]
    for agg in method.aggregates.values():
        lines += ["", f"[aggregates.{_toml_key(agg.id)}]", f"name = {q(agg.name)}", f"name_en = {q(agg.name_en)}",
                  f"children = [{_quoted(agg.children)}]", 'weights = "unknown"']
    return "\n".join(lines) + "\n"


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _leaf_lines(leaf) -> list[str]:
    """The settings of a leaf that differ from a method file's defaults, as TOML lines."""
    from dti_cli.model.method import Impute, Leaf

    d = Leaf(id=leaf.id, name="", name_en="")
    out = []
    pairs = (("direction", leaf.direction, d.direction, str),
             ("normalise", leaf.normalise, d.normalise, lambda v: json.dumps(v.value)),
             ("range", (leaf.lo, leaf.hi), (d.lo, d.hi), lambda v: f"[{_num(v[0])}, {_num(v[1])}]"),
             ("goalposts", (leaf.gp_lo, leaf.gp_hi), (d.gp_lo, d.gp_hi), lambda v: f"[{_num(v[0])}, {_num(v[1])}]"),
             ("zscore", (leaf.mean, leaf.sd), (d.mean, d.sd), lambda v: f"[{_num(v[0])}, {_num(v[1])}]"),
             ("scale", leaf.scale, d.scale, _num), ("truncate", leaf.truncate, d.truncate, lambda v: str(v).lower()),
             ("target", leaf.target, d.target, _num), ("cap", leaf.cap, d.cap, lambda v: str(v).lower()),
             ("scope", leaf.scope, d.scope, lambda v: json.dumps(v.value)),
             ("treat", leaf.treat, d.treat, lambda v: json.dumps(v.value)),
             ("winmax", leaf.winmax, d.winmax, str),
             ("impute", leaf.impute, d.impute, lambda v: json.dumps(v.value)))
    for key, value, default, fmt in pairs:
        if value != default:
            out.append(f"{key} = {fmt(value)}")
    implied = "region" if leaf.impute is Impute.group_mean else None
    if leaf.group and leaf.group != implied:
        out.append(f"group = {json.dumps(leaf.group, ensure_ascii=False)}")
    if leaf.unit:
        out.append(f"unit = {json.dumps(leaf.unit, ensure_ascii=False)}")
    return out


def editable(method, *, lang: str = "en") -> str:
    """A method as a method file to edit (weights as raw points, every setting written out): loaded back with
    --method it computes what the method computes."""
    from dti_cli.model.method import Aggregation

    q = lambda s: json.dumps(s, ensure_ascii=False)  # noqa: E731
    t = lambda key, **kw: text(key, lang, **kw)  # noqa: E731
    year = max(method.years) if method.years else None
    lines = ["# " + t("method_toml.head", label=method.label(lang), id=method.id),
             "# " + t("method_toml.edit"),
             "#   " + t("method_toml.run", year=year if year is not None else 2023), "",
             f"id = {q(method.id)}", f"name = {q(method.name)}", f"name_en = {q(method.name_en)}",
             f"source = {q(method.source)}"]
    if method.years:
        lines.append(f"years = [{', '.join(map(str, method.years))}]")
    if method.pillars:
        lines.append(f"pillars = [{_quoted(method.pillars)}]")
    if method.attributes:
        lines.append(f"attributes = [{_quoted(method.attributes)}]")
    if method.rank_decimals != 4:
        lines.append(f"rank_decimals = {method.rank_decimals}")
    for key in ("note", "note_en"):
        if getattr(method, key):
            lines.append(f"{key} = {q(getattr(method, key))}")
    for leaf in method.leaves.values():
        lines += ["", f"[indicators.{_toml_key(leaf.id)}]", f"name = {q(leaf.name)}"]
        if leaf.name_en:
            lines.append(f"name_en = {q(leaf.name_en)}")
        lines += _leaf_lines(leaf)
    for agg in method.aggregates.values():
        lines += ["", f"[aggregates.{_toml_key(agg.id)}]", f"name = {q(agg.name)}"]
        if agg.name_en:
            lines.append(f"name_en = {q(agg.name_en)}")
        if agg.raw_weights is None:
            lines += [f"children = [{_quoted(agg.children)}]",
                      'weights = "unknown"' + "   # " + t("method_toml.unknown")]
        else:
            pairs = ", ".join(f"{_toml_key(c)} = {_num(w)}" for c, w in zip(agg.children, agg.raw_weights))
            lines.append(f"children = {{ {pairs} }}")
        if agg.aggregate is not Aggregation.arithmetic:
            lines.append(f"aggregate = {q(agg.aggregate.value)}")
        if agg.min_coverage != 1.0:
            lines.append(f"min_coverage = {_num(agg.min_coverage)}")
    return "\n".join(lines) + "\n"
