"""dti reads its own long output back (issue 10, item 5), and a method built from raw data shows each figure beside
its normalised score (item 6)."""

import csv
import io

import pytest

from conftest import ROOT

DISTRICTS = ["--data", str(ROOT / "examples/districts/data.csv"), "--method", str(ROOT / "examples/districts/method.toml")]
METHOD = ["--method", str(ROOT / "examples/districts/method.toml")]


@pytest.fixture(autouse=True)
def _fresh_stdin(monkeypatch):
    from dti_cli.io import csv_read

    monkeypatch.setattr(csv_read, "_STREAMS", {})  # a stream is read once per process: each run here pipes anew


def _stdin(run):
    """`run` with a new standard input each call (the reader keeps what it read of one, for the process)."""
    from dti_cli.io import csv_read

    def piped(*args, stdin=None):
        csv_read._STREAMS.clear()
        return run(*args, stdin=stdin)

    return piped


def _rows(text: str, sep: str = ",") -> list[dict]:
    return list(csv.DictReader(io.StringIO(text), delimiter=sep))


def _ranked(text: str) -> dict:
    """province -> the figures `rank` shows that do not need the year before."""
    return {r["province"]: (r["rank"], r["score"], r["cqs"], r["kts"], r["xhs"], r["provenance"]) for r in _rows(text)}


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_scores_read_back_reproduce_rank(run, fmt):
    run = _stdin(run)
    out = run("scores", "--year", "2023", "-f", fmt)
    assert out.code == 0, out
    again = run("rank", "--data", "-", "--method", "922", "-f", "csv", stdin=out.out.encode())
    assert again.code == 0, again
    direct = run("rank", "--year", "2023", "-f", "csv")
    assert _ranked(again.out) == _ranked(direct.out) and len(_ranked(direct.out)) == 63
    # the file holds 2023 only: no year before, so no change columns (the ties, 59th, may be listed in another order)
    assert {r["prev_rank"] for r in _rows(again.out)} == {""}


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_districts_scores_read_back_with_their_method(run, fmt):
    run = _stdin(run)
    first = run("scores", *DISTRICTS, "-f", "csv")
    out = run("scores", *DISTRICTS, "-f", fmt)
    again = run("scores", "--data", "-", *METHOD, "-f", "csv", stdin=out.out.encode())
    assert first.code == out.code == again.code == 0, again
    assert again.out == first.out
    head = first.out.splitlines()[0].split(",")
    assert head == ["year", "unit", "name", "kind", "node", "value", "score", "rank", "provenance", "source"]


def test_districts_rank_read_back(run):
    run = _stdin(run)
    out = run("scores", *DISTRICTS, "-f", "csv")
    again = run("rank", "--data", "-", *METHOD, "-f", "csv", stdin=out.out.encode())
    assert again.code == 0, again
    assert again.out == run("rank", *DISTRICTS, "-f", "csv").out


def test_scores_of_raw_figures_carry_value_and_score(run):
    run = _stdin(run)
    out = run("scores", *DISTRICTS, "--year", "2023", "-f", "csv")
    rows = {(r["unit"], r["node"]): r for r in _rows(out.out)}
    days = rows[("ha-long", "processing_days")]
    # 1 day scores 1, 20 days 0 (direction -1): the figure in days, its score in 0…1
    assert 1 < float(days["value"]) < 20
    assert float(days["score"]) == pytest.approx((20 - float(days["value"])) / 19)
    assert days["provenance"] == "input+normalised"
    pay = rows[("co-to", "digital_payment_pct")]  # missing in the file: imputed in its own unit, then normalised
    assert pay["provenance"] == "imputed:group_mean+normalised"
    assert float(pay["score"]) == pytest.approx(float(pay["value"]) / 100)
    assert rows[("co-to", "index")]["value"] == "" and rows[("co-to", "index")]["provenance"] == "computed"


def test_bundled_scores_unchanged(run):
    run = _stdin(run)
    out = run("scores", "--year", "2023", "-f", "csv")
    assert out.out.splitlines()[0] == "year,province,node,score,rank,provenance,source"
    assert "normalised" not in out.out


def test_bulk_writer_with_figures_equals_the_table():
    from dti_cli.app.session import Source, load
    from dti_cli.model.result import Table
    from dti_cli.model.scores import long_columns, long_frame
    from dti_cli.render import jsonfmt
    from dti_cli.render.delimited import delimited
    from dti_cli.render.scores_writer import write_delimited, write_json

    sc = load(Source(data=DISTRICTS[1], method=DISTRICTS[3]), keep_rows=False, with_prev=False).scores
    table = Table.of("scores", long_frame(sc, sc.years), long_columns(sc.unit_kind, figures=True))
    for sep in (",", "\t"):
        out = io.StringIO()
        write_delimited(sc, sc.years, sep, out, chunk=7)
        assert out.getvalue() == delimited(table, sep)
    out = io.StringIO()
    write_json(sc, sc.years, out, chunk=7)
    assert out.getvalue() == jsonfmt.to_json(table)


def test_tampered_output_column_is_refused(run):
    run = _stdin(run)
    text = run("scores", "--year", "2023", "-f", "csv").out.replace("provenance,source", "provenance,source,extra", 1)
    text = text.replace("\n", ",x\n").replace("source,extra,x\n", "source,extra\n", 1)
    res = run("rank", "--data", "-", "--method", "922", stdin=text.encode())
    assert res.code != 0 and res.out == ""
    assert "extra" in res.err and "unknown column" in res.err and len(res.err.strip().splitlines()) == 1


def test_tampered_score_is_named(run):
    run = _stdin(run)
    lines = run("scores", "--year", "2023", "-f", "csv").out.splitlines()
    cells = lines[3].split(",")
    cells[3] = "high"
    lines[3] = ",".join(cells)
    res = run("rank", "--data", "-", "--method", "922", stdin=("\n".join(lines) + "\n").encode())
    assert res.code == 1 and "line 4" in res.err and "(score)" in res.err and "'high'" in res.err


@pytest.mark.parametrize("text", ["[1, 2]", "{\"a\": 1}", "[{\"year\": [2023]}]", "[{\"year\": 2023", "[]"])
def test_json_that_is_not_records(run, text):
    run = _stdin(run)
    res = run("rank", "--data", "-", stdin=text.encode())
    assert res.code == 1 and res.out == "" and "Traceback" not in res.err
    assert len(res.err.strip().splitlines()) == 1


def test_show_and_compare_give_figure_and_score(run):
    show = run("show", "co-to", *DISTRICTS, "--year", "2023", "-f", "csv")
    assert show.code == 0, show
    comp = {r["indicator"]: r for r in _rows(show.out) if r["section"] == "components"}
    days = comp["processing_days"]
    assert days["value"] == "11.2" and float(days["score"]) == pytest.approx((20 - 11.2) / 19)
    assert days["provenance"] == "input+normalised"
    cmp_ = run("compare", "co-to", "ha-long", *DISTRICTS, "--year", "2023", "-f", "csv")
    rows = {(r["unit"], r["indicator"]): r for r in _rows(cmp_.out)}
    assert rows[("co-to", "processing_days")]["value"] == "11.2"
    assert rows[("co-to", "processing_days")]["score"] == days["score"]
    assert rows[("co-to", "index")]["value"] == "" and rows[("co-to", "index")]["score"] != ""
    table = run("compare", "co-to", *DISTRICTS, "--year", "2023", "-f", "table", env={"COLUMNS": "120"})
    assert "Figure" in table.out and "11.2" in table.out and "0.4632" in table.out


def test_bundled_show_and_compare_unchanged(run):
    show = run("show", "ha-noi", "--year", "2023", "-f", "csv")
    assert show.out.splitlines()[0] == ("section,year,score,rank,of,delta,rank_change,cqs,kts,xhs,edition,provenance,"
                                        "indicator,indicator_name,national,gap,national_n,national_source")
    cmp_ = run("compare", "ha-noi", "--year", "2023", "-f", "csv")
    assert cmp_.out.splitlines()[0] == ("province,name,indicator,indicator_name,value,rank,prev_value,delta,"
                                        "prev_rank,rank_change,provenance")


def test_rank_lists_a_unit_without_an_index_last(run, write):
    data = write("d.csv", "year,unit,a,b\n2023,x,1,5\n2023,y,2,7\n2023,z,3,\n2023,w,4,8\n")
    method = write("m.toml", '[defaults]\nnormalise = "minmax"\n[indicators.a]\n[indicators.b]\n'
                             '[aggregates.idx]\nchildren = ["a", "b"]\nweights = "equal"\n')
    res = run("rank", "--data", data, "--method", method, "-f", "csv")
    assert res.code == 0, res
    rows = _rows(res.out)
    assert [(r["rank"], r["unit"], r["missing"]) for r in rows] == [("1", "w", ""), ("2", "y", ""), ("3", "x", ""),
                                                                     ("", "z", "b")]
    assert "1 listed last without a rank" in res.err
    table = run("rank", "--data", data, "--method", method, "-f", "table", env={"COLUMNS": "100"})
    assert "Missing" in table.out and table.out.rstrip().count(" z ") == 1


def test_bundled_rank_has_no_missing_column(run):
    for year in ("2022", "2023", "2024"):
        assert "missing" not in run("rank", "--year", year, "-f", "csv").out.splitlines()[0]
