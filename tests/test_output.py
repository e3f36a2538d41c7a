"""Every output format parses back; piped output has no colour codes; tables fit 80 columns."""

import csv
import io
import json
import re
import subprocess
import sys

import pytest

ANSI = re.compile(r"\x1b\[")


@pytest.mark.parametrize("cmd", [["rank", "--year", "2022"], ["compare", "quang-ninh", "ha-noi", "--national"],
                                 ["scores", "--year", "2023"], ["method", "922"], ["show", "da-nang"],
                                 ["verify"]])
@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_formats_parse_back(run, cmd, fmt):
    res = run(*cmd, "--format", fmt)
    assert res.code == 0, res
    if fmt == "json":
        doc = json.loads(res.out)
        assert doc
    else:
        rows = list(csv.DictReader(io.StringIO(res.out), delimiter="\t" if fmt == "tsv" else ","))
        assert rows and all(len(r) == len(rows[0]) for r in rows)
        assert None not in rows[0]


def test_csv_and_json_agree(run):
    rows = list(csv.DictReader(io.StringIO(run("rank", "--year", "2022", "-f", "csv").out)))
    doc = json.loads(run("rank", "--year", "2022", "-f", "json").out)
    assert [r["province"] for r in rows] == [d["province"] for d in doc]
    assert [float(r["score"]) for r in rows] == [d["score"] for d in doc]
    assert [("" if d["prev_rank"] is None else str(d["prev_rank"])) for d in doc] == [r["prev_rank"] for r in rows]


def test_piped_default_is_tsv_without_ansi():
    out = subprocess.run([sys.executable, "-m", "dti_cli", "rank", "--year", "2022"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert not ANSI.search(out.stdout) and not ANSI.search(out.stderr)
    assert out.stdout.splitlines()[0].startswith("rank\tprovince\tname\tscore")
    assert len(out.stdout.splitlines()) == 64


def test_markdown_table(run):
    res = run("rank", "--year", "2022", "--top", "3", "-f", "markdown", "--lang", "en")
    lines = res.out.splitlines()
    assert lines[0].startswith("| Rank | Province | DTI |")
    assert len(lines) == 5 and "Quảng Ninh" in lines[4]


def test_table_fits_80_columns_and_no_color(run):
    res = run("rank", "--year", "2022", "-f", "table", "--no-color", env={"COLUMNS": "80"})
    assert res.code == 0
    assert not ANSI.search(res.out)
    assert max(len(line) for line in res.out.splitlines()) <= 80
    assert "Đà Nẵng" in res.out and "0.8002" in res.out


def test_no_color_env_is_honoured(run):
    res = run("compare", "quang-ninh", "-f", "table", env={"NO_COLOR": "1", "COLUMNS": "80"})
    assert not ANSI.search(res.out)


def test_english_labels(run):
    res = run("compare", "quang-ninh", "--lang", "en", "-f", "table", "--national", "--year", "2022",
              env={"COLUMNS": "80"})
    assert "Digital government" in res.out and "National" in res.out
    assert max(len(line) for line in res.out.splitlines()) <= 80


def test_provenance_marks_in_table(run):
    res = run("show", "quang-ninh", "-f", "table", "--lang", "vi", env={"COLUMNS": "100"})
    assert "0.4972†" in res.out and "derived from published figures" not in res.out  # vi caption
    assert "suy ra" in res.out


def test_data_goes_to_stdout_messages_to_stderr(run):
    res = run("rank", "--year", "2020", "-f", "csv")
    assert res.out.startswith("rank,province")
    assert "Note:" in res.err and "Note:" not in res.out
