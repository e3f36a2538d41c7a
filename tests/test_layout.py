"""The shape of the code: small modules and functions, a command line without pandas or domain rules, no DTI node
below the method, and one complete catalogue of every string in both languages."""

import ast
import re
import string
from pathlib import Path

import pytest

from dti_cli.i18n import LANGS, catalogue

PKG = Path(__file__).resolve().parent.parent / "dti_cli"
MODULES = sorted(PKG.rglob("*.py"))
DTI_NODES = {"cqs", "kts", "xhs", "nen_tang", "nhan_thuc_so", "the_che_so", "ha_tang_so", "nhan_luc_so", "attt",
             "hd_cqs", "hd_kts", "hd_xhs"}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PKG)))
def test_modules_are_small(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400


def test_functions_are_short():
    long = [f"{p.relative_to(PKG)}:{n.lineno} {n.name}" for p in MODULES for n in ast.walk(_tree(p))
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.end_lineno - n.lineno + 1 > 80]
    assert not long


def test_the_command_line_imports_no_pandas_or_numpy():
    for path in sorted((PKG / "cli").glob("*.py")):
        for node in ast.walk(_tree(path)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n.split(".")[0] in ("pandas", "numpy") for n in names), (path.name, names)


def test_no_dti_node_below_the_method():
    """Only the shipped method files (and the bundled data) know the DTI's nodes: no string literal in the code
    names one."""
    found = [(p.relative_to(PKG), n.lineno, n.value) for p in MODULES for n in ast.walk(_tree(p))
             if isinstance(n, ast.Constant) and isinstance(n.value, str) and n.value in DTI_NODES]
    assert not found


def _fields(template: str) -> set[str]:
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(template) if f}


# a language may leave out a parameter it has no use for (Vietnamese writes "thứ 3/63", not an ordinal; English
# "rose 4 places to 3rd" without the year)
ONE_LANGUAGE_ONLY = {"ord", "rank", "prev"}  # always given to the sentences


def test_the_catalogue_has_both_languages_with_the_same_parameters():
    for key, entry in catalogue().items():
        assert set(entry) == set(LANGS), key
        vi, en = _fields(entry["vi"]), _fields(entry["en"])
        assert vi - ONE_LANGUAGE_ONLY == en - ONE_LANGUAGE_ONLY, (key, vi, en)


KEY_CALL = re.compile(r"""(?:Msg|DTIError|DataError|UsageError|error|fail|fail_cell|text|plural|has)\(\s*["']"""
                      r"""([a-z_]+\.[a-z_.0-9]+)["']""")


def test_every_key_the_code_names_is_in_the_catalogue():
    keys = set(catalogue())
    named = {(p.relative_to(PKG), m.group(1)) for p in MODULES for m in KEY_CALL.finditer(p.read_text("utf-8"))}
    hints = {(p.relative_to(PKG), f"hint.{m.group(1)}.{aud}") for p in MODULES
             for m in re.finditer(r'hint="([a-z_]+)"', p.read_text("utf-8")) for aud in ("cli", "api")}
    missing = sorted((str(p), k) for p, k in named | hints if k not in keys and k + ".other" not in keys)
    assert len(named) > 200 and not missing
