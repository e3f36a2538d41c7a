"""`--boundaries 2025` on every command that takes a province or a year (issue 10, item 3): the figures are on the
34 units, and a province of the 63 asked for on them is answered by the unit it joined, saying so."""

import csv
import io

import pytest

MERGED = "Hải Dương is part of Hải Phòng from 1 July 2025"


@pytest.fixture(autouse=True)
def empty_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DTI_HOME", str(tmp_path / "dti-home"))


@pytest.mark.parametrize("args", [
    ["rank", "--year", "2024"], ["scores", "--year", "2024"], ["movers", "--year", "2024"],
    ["show", "hai-duong"], ["compare", "hai-duong"], ["explain", "hai-duong", "--year", "2024"],
    ["gap", "hai-duong", "-r", "1"], ["whatif", "hai-duong", "--set", "hd_cqs=1"],
    ["uncertainty", "--samples", "100"]])
def test_tables_on_the_34_units(run, args):
    res = run(*args, "--boundaries", "2025", "--lang", "en", "-f", "csv")
    assert res.code == 0, res
    rows = list(csv.DictReader(io.StringIO(res.out)))
    assert rows
    if "province" in rows[0]:
        units = {r["province"] for r in rows}
        assert "hai-duong" not in units and "hai-phong" in units and len(units) <= 34
    else:  # one unit's figures: they are Hải Phòng's on the 34, not Hải Dương's on the 63
        assert res.out != run(*args, "--lang", "en", "-f", "csv").out
    if "hai-duong" in args:
        assert MERGED in res.err


@pytest.mark.parametrize("args", [
    ["report", "hai-duong", "--samples", "0", "-o", "{tmp}/r.md"],
    ["chart", "history", "hai-duong", "ha-noi", "-o", "{tmp}/h.svg"],
    ["chart", "compare", "hai-duong", "-o", "{tmp}/c.svg"],
    ["chart", "rank", "--highlight", "hai-duong", "-o", "{tmp}/r.svg"],
    ["map", "--highlight", "hai-duong", "-o", "{tmp}/m.svg"]])
def test_files_on_the_34_units(run, tmp_path, args):
    if args[0] in ("chart", "map"):
        pytest.importorskip("matplotlib", reason="matplotlib is in the [plot] extra")
    res = run(*[a.format(tmp=tmp_path) for a in args], "--boundaries", "2025", "--lang", "en")
    assert res.code == 0 and MERGED in res.err, res
    if args[0] == "report":
        text = (tmp_path / "r.md").read_text(encoding="utf-8")
        assert text.startswith("# Hải Phòng") and "34 provinces ranked" in text, text[:300]


def test_whatif_of_a_figure_the_merged_unit_is_not_built_from_is_refused(run):
    res = run("whatif", "hai-duong", "--set", "nhan_thuc_so=0.9", "--boundaries", "2025", "--lang", "en")
    assert res.code == 2 and "so nothing would change; set nen_tang instead" in res.err and res.out == "", res


def test_the_report_cites_the_merge_rule_and_the_old_provinces_sources(run, tmp_path):
    out = tmp_path / "r.md"
    assert run("report", "hai-duong", "--boundaries", "2025", "--samples", "0", "-o", str(out)).code == 0
    text = out.read_text(encoding="utf-8")
    sources = [line.split("|")[1].strip() for line in text.split("## ")[-1].splitlines() if line.startswith("| ")]
    assert "merge\\_2025" in sources and "S\\_pmnm\\_github\\_full" in sources
    assert not {"mean", "of", "hai-duong"} & set(sources)  # the rule is one source, not its words
