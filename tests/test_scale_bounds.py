"""Output and input at scale (issue 11): a table on the terminal is bounded, years without any index figure are one
line for `report` and `uncertainty`, and a header longer than any read block is read whole."""

import sys

import numpy as np
import pytest

from dti_cli.cli import emit


# ---- item 21: a terminal table past the limit is refused before anything is drawn

def terminal(monkeypatch):
    """Standard output that says it is a terminal (the format is then a table, as for a person); called in the
    test itself, as the captured stream is only in place then."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)


def test_a_long_terminal_table_is_one_line_suggesting_a_format(run, monkeypatch):
    terminal(monkeypatch)
    monkeypatch.setattr(emit, "TABLE_ROWS", 50)
    r = run("scores", "--year", "2022")
    assert r.code == 1 and r.out == ""
    err = [line for line in r.err.splitlines() if line.startswith("Error:")]
    assert len(err) == 1 and "--format csv" in err[0] and "--top N" in err[0] and "at most 50" in err[0]
    assert "Traceback" not in r.err


def test_the_limit_holds_for_an_asked_table_and_in_vietnamese(run, monkeypatch):
    monkeypatch.setattr(emit, "TABLE_ROWS", 50)
    r = run("scores", "--year", "2022", "-f", "table", "--lang", "vi")
    assert r.code == 1 and r.out == "" and "tối đa 50" in r.err and "--format csv" in r.err


def test_a_table_within_the_limit_is_drawn_and_machine_formats_are_never_bounded(run, monkeypatch):
    terminal(monkeypatch)
    monkeypatch.setattr(emit, "TABLE_ROWS", 63)
    r = run("rank", "--year", "2022")
    assert r.code == 0 and "Hà Nội" in r.out
    monkeypatch.setattr(emit, "TABLE_ROWS", 62)
    assert run("rank", "--year", "2022").code == 1
    assert run("rank", "--year", "2022", "--top", "10").code == 0  # what the message suggests
    piped = run("scores", "--year", "2022", "-f", "csv")
    assert piped.code == 0 and piped.out.count("\n") > 63


def test_the_default_limit_is_ten_thousand_rows():
    assert emit.TABLE_ROWS == 10_000


# ---- item 17: no unit has an index in the year

@pytest.fixture
def pillars_only(write):
    """Two provinces with activity indicators only: no DTI is published, and none can be computed."""
    return write("pillars.csv", "year,province,indicator,value\n2022,ha-noi,hd_cqs,0.5\n2022,hai-phong,hd_cqs,0.4\n"
                                "2022,ha-noi,hd_kts,0.3\n2022,hai-phong,hd_kts,0.6\n")


@pytest.mark.parametrize("lang, words", [("en", "2022: no unit has a dti score (none in the data, none computable "
                                                "from it), so there is nothing to report"),
                                         ("vi", "không đơn vị nào có điểm dti")])
def test_report_without_any_index_is_one_line(run, pillars_only, tmp_path, lang, words):
    out = tmp_path / "r.md"
    r = run("report", "ha-noi", "--data", pillars_only, "-o", str(out), "--lang", lang)
    lines = r.err.strip().splitlines()
    assert r.code == 1 and r.out == "" and not out.exists()
    assert len(lines) == 1 and words in lines[0] and "2022" in lines[0]


@pytest.mark.parametrize("fmt", [None, "csv", "json"])
def test_uncertainty_without_any_index_is_one_line(run, pillars_only, fmt):
    """Exit 1 and the reason, not exit 2 about 0 of 63 provinces having a score."""
    r = run("uncertainty", "--data", pillars_only, *(("-f", fmt) if fmt else ()))
    assert r.code == 1 and r.out == ""
    assert r.err.strip().splitlines() == ["Error: 2022: no unit has a dti score, so there is nothing to rank"]


def test_uncertainty_without_any_index_in_vietnamese_and_with_a_method_of_ones_own(run, pillars_only, write):
    r = run("uncertainty", "--data", pillars_only, "--lang", "vi")
    assert r.code == 1 and r.err.strip().splitlines() == [
        "Lỗi: 2022: không đơn vị nào có điểm dti, nên không có gì để xếp hạng"]
    data = write("d.csv", "year,unit,a,b\n2022,x,1,\n2022,y,2,\n2022,z,3,\n")  # b missing everywhere
    meth = write("m.toml", "[indicators.a]\n[indicators.b]\n[aggregates.idx]\nchildren = { a = 1, b = 1 }\n")
    for cmd in (("uncertainty",), ("report", "x", "-o", str(pillars_only) + ".md")):
        r = run(*cmd, "--data", data, "--method", meth)
        assert r.code == 1 and len(r.err.strip().splitlines()) == 1 and "no unit has a idx score" in r.err


def test_a_year_with_an_index_still_reports(run, tmp_path):
    out = tmp_path / "r.md"
    assert run("report", "ha-noi", "--year", "2022", "-o", str(out)).code == 0 and out.exists()


# ---- item 2: a header longer than one read block

N_WIDE = 5_200


@pytest.fixture(scope="module")
def wide_and_long(tmp_path_factory):
    """The same figures as a wide file (5,200 indicator columns, an 83 kB header) and as a long one, and a method
    with every column as an indicator (seeded)."""
    d = tmp_path_factory.mktemp("wide")
    ids = [f"indicator_{i:05d}" for i in range(N_WIDE)]
    units = [f"u{i:02d}" for i in range(4)]
    vals = np.round(np.random.default_rng(2).uniform(0, 100, (len(units), N_WIDE)), 3)
    vals[1, 7] = np.nan  # a missing cell: empty in the wide file, no row in the long one
    meth = d / "m.toml"
    meth.write_text('[defaults]\nnormalise = "minmax"\n' + "".join(f"[indicators.{i}]\n" for i in ids)
                    + "[aggregates.idx]\nchildren = { " + ", ".join(f"{i} = 1" for i in ids) + " }\n",
                    encoding="utf-8")
    wide, long = d / "wide.csv", d / "long.csv"
    wide.write_text("year,unit," + ",".join(ids) + "\n" + "".join(
        "2022," + u + "," + ",".join("" if np.isnan(v) else repr(float(v)) for v in row) + "\n"
        for u, row in zip(units, vals)), encoding="utf-8")
    long.write_text("year,unit,indicator,value\n" + "".join(
        f"2022,{u},{i},{float(v)!r}\n" for u, row in zip(units, vals) for i, v in zip(ids, row) if not np.isnan(v)),
        encoding="utf-8")
    return str(wide), str(long), str(meth)


def test_a_header_past_64_kib_gives_the_figures_of_the_narrow_file(run, wide_and_long):
    wide, long, meth = wide_and_long
    with open(wide, "rb") as fh:
        assert len(fh.readline()) > 65_536  # the header alone is longer than the old read block
    a = run("scores", "--data", wide, "--method", meth, "-f", "csv")
    b = run("scores", "--data", long, "--method", meth, "-f", "csv")
    assert a.code == 0 and b.code == 0 and a.out == b.out
    assert a.out.count("\n") > 4 * N_WIDE and "\n2022,u01,indicator_00007," not in a.out  # the missing cell
    assert ",indicator_05199," in a.out and "\n2022,u00,idx," in a.out


def test_a_wide_header_from_standard_input(run, wide_and_long, monkeypatch):
    from dti_cli.io import csv_read

    monkeypatch.setattr(csv_read, "_STREAMS", {})  # a stream is read once per process: another test's is not ours
    wide, long, meth = wide_and_long
    with open(wide, "rb") as fh:
        data = fh.read()
    a = run("scores", "--data", "-", "--method", meth, "-f", "csv", "--year", "2022", stdin=data)
    b = run("scores", "--data", long, "--method", meth, "-f", "csv", "--year", "2022")
    assert a.code == 0 and a.out == b.out and a.out.count("\n") > N_WIDE


def test_first_line_reads_through_the_line_end():
    import io

    from dti_cli.io.csv_read import first_line

    text = b"a," * 100_000 + b"z\nrest"
    assert first_line(io.BytesIO(text), block=10).split(b"\n")[0] == text.split(b"\n")[0]
    assert first_line(io.BytesIO(b"no line end")) == b"no line end"
    assert first_line(io.BytesIO(b"")) == b""
