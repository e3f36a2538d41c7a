"""Every command writes every format its --help lists, and refuses every other one in one line (exit 2)."""

import csv
import io
import json
import re
from pathlib import Path

import pytest

from dti_cli.render.formats import SUFFIXES, Format

EX = Path(__file__).resolve().parent.parent / "examples" / "districts"
RAW = ["--data", str(EX / "data.csv"), "--method", str(EX / "method.toml")]
TABLES = ("table", "csv", "tsv", "json", "markdown", "xlsx")
COMMANDS = {  # the command's arguments, and the formats it lists
    "rank": (["rank", "--year", "2022"], TABLES), "compare": (["compare", "quang-ninh", "--national"], TABLES),
    "show": (["show", "quang-ninh"], TABLES), "scores": (["scores", "--year", "2023"], TABLES),
    "movers": (["movers", "--year", "2023"], TABLES), "explain": (["explain", "quang-ninh", "--year", "2023"], TABLES),
    "whatif": (["whatif", "--weights", "hd_cqs=300", "--year", "2022"], TABLES),
    "gap": (["gap", "bac-ninh", "-r", "3", "--year", "2022"], TABLES),
    "uncertainty": (["uncertainty", "--year", "2022", "--samples", "50"], TABLES),
    "verify": (["verify"], TABLES), "check": (["check", *RAW], TABLES), "method": (["method", "922"], (*TABLES, "toml")),
    "list": (["list", "provinces"], TABLES),
    "init": (["init", "--data", str(EX / "data.csv")], ("toml",)),
    "chart rank": (["chart", "rank", "--year", "2022"], ("svg", "png")),
    "chart history": (["chart", "history", "quang-ninh"], ("svg", "png")),
    "chart compare": (["chart", "compare", "quang-ninh", "--year", "2022"], ("svg", "png")),
    "map": (["map", "--year", "2022"], ("table", "svg", "png")),
    "report": (["report", "quang-ninh", "--year", "2022", "--samples", "0"], ("html", "markdown")),
}
PICTURES = {"chart rank", "chart history", "chart compare", "map", "report"}
SUFFIX = {f: s for s, f in reversed(list(SUFFIXES.items()))}  # the first suffix of each format


def _check(fmt: str, res, path: Path | None) -> None:
    assert res.code == 0, res
    text = path.read_bytes() if path else res.out.encode()
    assert text
    if fmt in ("csv", "tsv"):
        rows = list(csv.reader(io.StringIO(text.decode()), delimiter="\t" if fmt == "tsv" else ","))
        assert len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows)
    elif fmt == "json":
        assert json.loads(text)
    elif fmt == "xlsx":
        assert text[:2] == b"PK"
    elif fmt == "png":
        assert text[:8] == b"\x89PNG\r\n\x1a\n"
    elif fmt == "svg":
        assert b"<svg" in text
    elif fmt == "html":
        assert text.startswith(b"<!doctype html>")
    elif fmt == "toml":
        import tomllib

        assert tomllib.loads(text.decode())


CASES = [(name, fmt) for name, (_, formats) in COMMANDS.items() for fmt in formats]


@pytest.mark.parametrize("name,fmt", CASES)
def test_every_listed_format_works(run, tmp_path, name, fmt):
    if fmt in ("svg", "png", "xlsx") or name in PICTURES and fmt != "table":
        pytest.importorskip("matplotlib" if fmt in ("svg", "png") else "openpyxl" if fmt == "xlsx" else "rich")
    args, _ = COMMANDS[name]
    to_file = fmt in ("xlsx", "svg", "png", "html") or name == "report"
    path = tmp_path / f"out{SUFFIX[Format(fmt)]}" if to_file else None
    res = run(*args, "-f", fmt, *(["-o", str(path)] if path else []))
    _check(fmt, res, path)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_lists_exactly_the_formats(run, name):
    res = run(*COMMANDS[name][0][:2 if name.startswith("chart") else 1], "--help")
    listed = re.search(r"--format\s+[<\[]([a-z|]+)[>\]]", res.out).group(1)
    assert sorted(listed.split("|")) == sorted(COMMANDS[name][1])


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_other_format_is_a_one_line_usage_error(run, tmp_path, name):
    args, formats = COMMANDS[name]
    for fmt in (f.value for f in Format if f.value not in formats):
        res = run(*args, "-f", fmt)
        assert res.code == 2 and res.out == "", (fmt, res)
        assert len(res.err.strip().splitlines()) == 1 and res.err.startswith("Error:"), (fmt, res)
        if Format(fmt) not in SUFFIX:  # a terminal table has no file suffix
            continue
        path = tmp_path / f"x{SUFFIX[Format(fmt)]}"
        res = run(*args, "-o", str(path))
        assert res.code == 2 and not path.exists(), (fmt, res)
        assert len(res.err.strip().splitlines()) == 1 and res.err.startswith("Error:"), (fmt, res)


@pytest.mark.parametrize("name", [n for n in COMMANDS if COMMANDS[n][1] == TABLES or n in ("init", "method")])
def test_the_output_is_settled_before_any_work(run, tmp_path, name):
    """A bad -o fails first (before reading a data file that does not exist): an unknown suffix, an empty name, a
    suffix that disagrees with --format, a directory, a directory that does not exist; nothing is written."""
    args, formats = COMMANDS[name]
    if name in ("method", "list"):
        args = [*args, "--method", str(tmp_path / "absent.toml")]
    elif "--data" not in args:
        args = [*args, "--data", str(tmp_path / "absent.csv")]
    (tmp_path / "dir.csv").mkdir()
    for output, extra, words in (("x.bad", [], "cannot tell the format"), ("", [], "empty file name"),
                                 ("x.csv", ["-f", "json" if formats == TABLES else "toml"], "disagree"),
                                 ("dir.csv", [], "is a directory"), ("absent/x.csv", [], "no such directory")):
        out = run(*args, *extra, "-o", str(tmp_path / output) if output else "")
        assert out.code == 2 and words in out.err and len(out.err.strip().splitlines()) == 1, (output, out.err)
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["dir.csv"]


def test_dash_is_stdout(run):
    out = run("rank", "--year", "2022", "--top", "1", "-f", "csv", "-o", "-")
    assert out.code == 0 and out.out.startswith("rank,province") and "wrote" not in out.err
