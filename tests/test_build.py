"""Building an index from raw indicators: the districts example end to end, dti check and dti init."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
EX = ROOT / "examples" / "districts"
DATA, METHOD = str(EX / "data.csv"), str(EX / "method.toml")


def test_example_data_is_what_the_seeded_script_writes():
    out = subprocess.run([sys.executable, str(EX / "make_data.py")], capture_output=True, text=True, check=True)
    assert out.stdout == (EX / "data.csv").read_text(encoding="utf-8")


def test_example_check_passes(run):
    res = run("check", "--data", DATA, "--method", METHOD, "-f", "json")
    assert res.code == 0, res
    findings = json.loads(res.out)
    assert not [f for f in findings if f["level"] == "error"]
    alphas = [f for f in findings if f["check"] == "Cronbach's alpha"]
    assert {f["subject"] for f in alphas} == {"cqs", "kts", "xhs", "index"}


def test_example_scores_hand_checked(run):
    res = run("scores", "--data", DATA, "--method", METHOD, "--year", "2023", "-f", "csv")
    assert res.code == 0, res
    rows = list(csv.DictReader(io.StringIO(res.out)))
    # the figure beside its score, with the names and the grouping column (issue 10, item 6)
    assert list(rows[0]) == ["year", "unit", "name", "kind", "node", "value", "score", "rank", "provenance", "source"]
    got = {(r["unit"], r["node"]): r for r in rows}
    raw = {r["unit"]: r for r in csv.DictReader(open(DATA, encoding="utf-8")) if r["year"] == "2023"}
    hl = raw["ha-long"]
    # goalposts [0, 100] for percentages; processing days: lower is better, goalposts [1, 20] days
    online = float(hl["online_services_pct"]) / 100
    days = (float(hl["processing_days"]) - 20) / (1 - 20)
    trained = float(hl["officials_trained_pct"]) / 100
    assert float(got[("ha-long", "processing_days")]["score"]) == pytest.approx(days)
    cqs = (2 * online + days + trained) / 4
    assert float(got[("ha-long", "cqs")]["score"]) == pytest.approx(cqs)
    kts = np.sqrt(float(hl["e_invoice_pct"]) / 100 * float(hl["digital_payment_pct"]) / 100)  # geometric
    assert float(got[("ha-long", "kts")]["score"]) == pytest.approx(kts)
    xhs = (float(hl["fibre_households_pct"]) + float(hl["broadband_communes_pct"])) / 200
    assert float(got[("ha-long", "index")]["score"]) == pytest.approx(0.4 * cqs + 0.3 * kts + 0.3 * xhs)
    assert got[("ha-long", "index")]["provenance"] == "computed"
    # the one missing value is imputed from the units of the same kind, and says so
    co_to = got[("co-to", "digital_payment_pct")]
    assert co_to["provenance"] == "imputed:group_mean+normalised"
    districts = [u for u, r in raw.items() if r["kind"] == "huyện" and r["digital_payment_pct"]]
    mean = np.mean([float(raw[u]["digital_payment_pct"]) for u in districts])
    assert float(co_to["score"]) == pytest.approx(mean / 100) and float(co_to["value"]) == pytest.approx(mean)
    ranks = sorted(int(r["rank"]) for r in rows if r["node"] == "index")
    assert ranks == list(range(1, 14))


def test_example_rank_shows_names_and_changes(run):
    res = run("rank", "--data", DATA, "--method", METHOD, "--year", "2023", "-f", "json")
    rows = json.loads(res.out)
    assert len(rows) == 13 and rows[0]["unit"] == "ha-long" and rows[0]["name"] == "Hạ Long"
    assert all(r["prev_score"] is not None and r["rank_change"] is not None for r in rows)


def test_check_flags_errors_and_exits_1(run, write):
    data = write("d.csv", "year,unit,a,b,extra\n2023,x,1,5,0\n2023,y,2,5,0\n2023,z,3,5,0\n2023,w,4,5,0\n")
    method = write("m.toml", "[defaults]\nnormalise = 'minmax'\n[indicators.a]\n[indicators.b]\n[indicators.c]\n"
                             "[aggregates.idx]\nchildren = { a = 1, b = 1, c = 1 }\n")
    res = run("check", "--data", data, "--method", method, "-f", "json")
    assert res.code == 1
    findings = {(f["level"], f["check"], f["subject"]) for f in json.loads(res.out)}
    assert ("error", "missing indicator", "c") in findings
    assert ("error", "no spread", "b") in findings
    assert ("warning", "unused column", "extra") in findings
    assert "check failed: 2 errors" in res.err


def test_check_flags_skewed_and_sparse_indicators(run, write):
    vals = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 200, 300]
    lines = ["year,unit,skewed,sparse"] + [f"2023,u{i},{v},{i if i < 5 else ''}" for i, v in enumerate(vals)]
    data = write("d.csv", "\n".join(lines) + "\n")
    method = write("m.toml", "[defaults]\nnormalise = 'minmax'\n[indicators.skewed]\n[indicators.sparse]\n"
                             "[aggregates.idx]\nchildren = { skewed = 1, sparse = 1 }\nmin_coverage = 0.5\n")
    res = run("check", "--data", data, "--method", method, "-f", "json")
    assert res.code == 0, res
    f = {(x["check"], x["subject"]): x for x in json.loads(res.out)}
    assert f[("outliers", "skewed")]["level"] == "warning"
    assert f[("indicator coverage", "sparse")]["value"] == pytest.approx(5 / 17)


def test_geometric_mean_of_a_zero_is_an_error_naming_unit_and_child(run, write):
    data = write("d.csv", "year,unit,a,b\n2023,x,0,5\n2023,y,2,6\n")
    method = write("m.toml", "[indicators.a]\n[indicators.b]\n[aggregates.idx]\naggregate = 'geometric'\n"
                             "children = { a = 1, b = 1 }\n")
    res = run("scores", "--data", data, "--method", method)
    assert res.code == 1 and res.out == ""
    assert "aggregates.idx (geometric mean): x (2023): child 'a' is 0" in res.err


def test_init_writes_a_method_that_loads_and_runs(run, write, tmp_path):
    data = write("d.csv", "year;unit;fibre;days\n2023;a;89,1;3\n2023;b;75,4;7\n2023;c;60,0;12\n")
    res = run("init", "--data", data, "--decimal", ",")
    assert res.code == 0, res
    assert "[indicators.fibre]" in res.out and 'weights = "equal"' in res.out and "# " in res.out
    method = tmp_path / "m.toml"
    method.write_text(res.out, encoding="utf-8")
    res2 = run("rank", "--data", data, "--method", str(method), "--decimal", ",", "-f", "json")
    assert res2.code == 0, res2
    assert [r["unit"] for r in json.loads(res2.out)][0] == "a"


def test_thousands_separator(run, write):
    data = write("d.csv", "year;unit;pop;share\n2023;a;4.755;89,13\n2023;b;12.000;75,4\n")
    method = write("m.toml", "[indicators.pop]\n[indicators.share]\n[aggregates.idx]\nchildren = { pop = 1, share = 1 }\n")
    res = run("scores", "--data", data, "--method", method, "--decimal", ",", "--thousands", ".", "-f", "json")
    got = {(r["unit"], r["node"]): r["score"] for r in json.loads(res.out)}
    assert got[("a", "pop")] == 4755 and got[("a", "share")] == 89.13
    bad = write("bad.csv", "year;unit;pop;share\n2023;a;4.75;89,13\n")
    res = run("scores", "--data", bad, "--method", method, "--decimal", ",", "--thousands", ".")
    assert res.code == 1 and "line 2, column 3 (pop): '4.75' is not a number" in res.err


def test_panel_scope_keeps_changes_comparable(run, write):
    data = write("d.csv", "year,unit,a\n2022,x,10\n2022,y,20\n2023,x,20\n2023,y,40\n")
    base = "[indicators.a]\nnormalise = 'minmax'\n{}\n[aggregates.idx]\nchildren = {{ a = 1 }}\n"
    per_year = json.loads(run("scores", "--data", data, "--method", write("y.toml", base.format("")),
                              "-f", "json").out)
    panel = json.loads(run("scores", "--data", data, "--method", write("p.toml", base.format("scope = 'panel'")),
                           "-f", "json").out)
    get = lambda rows, y, u: next(r["score"] for r in rows if r["year"] == y and r["unit"] == u and r["node"] == "a")
    assert get(per_year, 2022, "y") == get(per_year, 2023, "y") == 1  # each year on its own scale
    assert get(panel, 2022, "y") == pytest.approx(1 / 3) and get(panel, 2023, "y") == 1


def test_no_spread_warning_and_missing_values(run, write):
    data = write("d.csv", "year,unit,a,b\n2023,x,5,1\n2023,y,5,2\n")
    method = write("m.toml", "[defaults]\nnormalise = 'minmax'\n[indicators.a]\n[indicators.b]\n"
                             "[aggregates.idx]\nchildren = { a = 1, b = 1 }\n")
    res = run("scores", "--data", data, "--method", method, "-f", "json")
    assert res.code == 0
    assert "indicator a: no spread in 2023; its normalised values are missing" in res.err
    nodes = {r["node"] for r in json.loads(res.out)}
    assert "a" not in nodes and "idx" not in nodes and "b" in nodes
