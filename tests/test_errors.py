"""Every bad input gets one line on stderr naming the culprit, a documented exit code, and nothing on stdout."""

import json
import os
import subprocess
import sys

import pytest

GOOD_LONG = "year,province,indicator,value\n2022,quang-ninh,dti,0.7024\n2022,ha-noi,dti,0.6\n"


def one_line_error(res, code, *fragments):
    assert res.code == code, res
    assert res.out == "", res
    lines = res.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), res.err
    for f in fragments:
        assert f in lines[0], (f, lines[0])
    assert "Traceback" not in res.err


def test_missing_data_file(run):
    one_line_error(run("rank", "--data", "nope.csv"), 2, "nope.csv", "no such data file")


def test_missing_method_file(run):
    one_line_error(run("rank", "--method", "nope.toml"), 2, "nope.toml", "no such method file")


def test_not_utf8(run, write):
    text = "year,province,indicator,value\n2022,Qu\u1ea3ng Ninh,dti,0.7\n".encode("utf-8")
    path = write("latin.csv", text.replace("ả".encode(), b"\xe1"))  # a stray Latin-1 byte
    one_line_error(run("rank", "--data", path), 1, "latin.csv, line 2", "not UTF-8")


def test_utf16_file(run, write):
    path = write("u16.csv", GOOD_LONG.encode("utf-16"))
    one_line_error(run("rank", "--data", path), 1, "u16.csv", "UTF-8")


def test_too_many_fields(run, write):
    path = write("bad.csv", "year,province,indicator,value\n2022,quang-ninh,dti,0,7024\n")
    one_line_error(run("rank", "--data", path), 1, "bad.csv, line 2", "5 fields where the header has 4")


def test_non_numeric_cell_names_line_and_column(run, write):
    path = write("bad.csv", GOOD_LONG + "2022,da-nang,dti,zero\n")
    one_line_error(run("rank", "--data", path), 1, "bad.csv, line 4, column 4 (value)", "'zero' is not a number")


@pytest.mark.parametrize("decimal", [".", ","])
def test_a_blank_indicator_cell_is_empty_whatever_the_number_format(run, write, decimal):
    # spaces only: not an indicator named "" (the default format once took it for one)
    path = write("blank.csv", "year;unit;indicator;value\n2022;a;x;1\n2022;b; ;2\n")
    one_line_error(run("scores", "--data", path, "--decimal", decimal), 1,
                   "blank.csv, line 3, column 3 (indicator): is empty")


def test_decimal_comma_is_not_guessed(run, write):
    path = write("vn.csv", "year;province;indicator;value\n2022;quang-ninh;dti;0,7024\n")
    one_line_error(run("rank", "--data", path), 1, "vn.csv, line 2, column 4 (value)", "--decimal ,")
    res = run("rank", "--data", path, "--decimal", ",", "-f", "json")
    assert res.code == 0 and json.loads(res.out)[0]["score"] == 0.7024


@pytest.mark.parametrize("token", ["nan", "NaN", "inf", "-inf", "1e999", "Infinity", "NA"])
def test_non_finite_and_na_tokens_are_errors(run, write, token):
    path = write("bad.csv", GOOD_LONG + f"2022,da-nang,dti,{token}\n")
    one_line_error(run("rank", "--data", path), 1, "bad.csv, line 4, column 4 (value)")


def test_na_token_when_declared(run, write):
    path = write("na.csv", GOOD_LONG + "2022,da-nang,dti,NA\n")
    res = run("rank", "--data", path, "--na", "NA", "-f", "json")
    assert res.code == 0, res
    assert {r["province"] for r in json.loads(res.out)} == {"quang-ninh", "ha-noi"}


def test_blank_lines_do_not_shift_line_numbers(run, write):
    path = write("bad.csv", "year,province,indicator,value\n\n2022,quang-ninh,dti,0.7\n\n2022,ha-noi,dti,x\n")
    one_line_error(run("rank", "--data", path), 1, "bad.csv, line 5, column 4")


def test_bad_year_cell(run, write):
    path = write("bad.csv", GOOD_LONG + "20x2,da-nang,dti,0.5\n")
    one_line_error(run("rank", "--data", path), 1, "line 4, column 1 (year)", "not a year")


def test_unknown_province_in_data(run, write):
    path = write("bad.csv", GOOD_LONG + "2022,Quang Nin,dti,0.5\n")
    one_line_error(run("rank", "--data", path), 1, "line 4, column 2 (province)", "did you mean quang-ninh")


def test_duplicate_rows_with_different_values(run, write):
    path = write("dup.csv", GOOD_LONG + "2022,Quảng Ninh,dti,0.7025\n")
    one_line_error(run("rank", "--data", path), 1, "dup.csv, line 4: duplicate of line 2", "0.7025")


def test_identical_duplicates_are_fine(run, write):
    path = write("dup.csv", GOOD_LONG + "2022,quang-ninh,dti,0.7024\n")
    assert run("rank", "--data", path).code == 0


def test_header_only(run, write):
    one_line_error(run("rank", "--data", write("h.csv", "year,province,indicator,value\n")), 1, "no data rows")


def test_empty_file(run, write):
    one_line_error(run("rank", "--data", write("e.csv", "")), 1, "empty file")


def test_header_without_unit_column(run, write):
    one_line_error(run("rank", "--data", write("x.csv", "year,indicator,value\n2022,dti,1\n")), 1,
                   "neither 'province' nor 'unit'")


def test_unknown_year(run):
    one_line_error(run("rank", "--year", "2019"), 2, "unknown year 2019", "2020, 2021, 2022, 2023, 2024")


def test_unknown_indicator(run):
    one_line_error(run("rank", "--year", "2022", "--by", "foo"), 2, "unknown indicator 'foo'")


def test_malformed_toml(run, write):
    path = write("m.toml", "name = 'x'\n[aggregates.dti\n")
    one_line_error(run("rank", "--method", path), 2, "m.toml", "not valid TOML", "line 2")


def test_bad_region(run):
    one_line_error(run("rank", "--region", "atlantis"), 2, "unknown region 'atlantis'")


def test_stdin_and_bom(run):
    data = ("\ufeff" + GOOD_LONG).encode("utf-8")
    res = run("rank", "--data", "-", "-f", "json", stdin=data)
    assert res.code == 0, res
    assert [r["province"] for r in json.loads(res.out)] == ["quang-ninh", "ha-noi"]


def test_wide_file_and_unit_column(run, write):
    method = write("m.toml", """
name = "Toy"
[indicators.a]
[indicators.b]
[aggregates.idx]
children = { a = 1, b = 3 }
""")
    data = write("w.csv", "year,unit,a,b\n2023,North,0.2,0.4\n2023,South,0.6,0.1\n")
    res = run("rank", "--data", data, "--method", method, "-f", "json")
    assert res.code == 0, res
    rows = json.loads(res.out)
    assert [r["unit"] for r in rows] == ["North", "South"]
    assert rows[0]["score"] == pytest.approx(0.25 * 0.2 + 0.75 * 0.4)
    assert rows[1]["score"] == pytest.approx(0.25 * 0.6 + 0.75 * 0.1)


def _dti(*args, stdout=subprocess.PIPE, env=None, **kw):
    return subprocess.run([sys.executable, "-m", "dti_cli", *args], stdout=stdout, stderr=subprocess.PIPE,
                          env=dict(os.environ, DTI_LANG="en", **(env or {})), **kw)


@pytest.mark.parametrize("cmd", [["scores"], ["rank"]])
def test_a_reader_that_goes_away_is_not_a_failure(cmd):
    """`dti scores | head -1` ends like `dti rank | head -1`: exit 0, nothing on stderr (issue 11, item 19)."""
    proc = subprocess.Popen([sys.executable, "-m", "dti_cli", *cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, DTI_LANG="en"))
    proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait() == 0 and "Error" not in err and "Traceback" not in err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full on this system")
@pytest.mark.parametrize("cmd", [["rank", "--year", "2022"], ["scores"], ["rank", "--year", "2022", "-o", "/dev/full",
                                                                          "-f", "csv"]])
def test_a_full_disk_is_one_line(cmd):
    """Disk full behind a redirect or -o: one line naming where, exit 1 (issue 11, item 15)."""
    with open("/dev/full", "w") as full:
        res = _dti(*cmd, stdout=full)
    err = res.stderr.decode()
    assert res.returncode == 1 and "No space left on device" in err and len(err.strip().splitlines()) <= 2
    assert "internal error" not in err and "Traceback" not in err


def test_an_output_file_the_system_refuses_is_one_line(run):
    res = run("rank", "--year", "2022", "-o", "/proc/dti-test.csv")
    assert res.code == 1 and "cannot write to /proc/dti-test.csv" in res.err and "internal" not in res.err


def test_a_closed_stdout_is_one_line():
    res = subprocess.run([sys.executable, "-m", "dti_cli", "rank", "--year", "2022"], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env=dict(os.environ, DTI_LANG="en"),
                         preexec_fn=lambda: os.close(1))
    err = res.stderr.decode()
    assert res.returncode == 1 and "standard output is closed" in err and "Traceback" not in err


def test_a_latin1_stream_gets_replacements_and_a_note():
    """PYTHONIOENCODING=latin-1 writes what it can, says so, never exit 3 (issue 11, item 18)."""
    res = _dti("rank", "--year", "2022", "--top", "2", "-f", "csv", env={"PYTHONIOENCODING": "latin-1"})
    assert res.returncode == 0
    assert "standard output is iso8859-1" in res.stderr.decode("latin-1")
    out = res.stdout.decode("latin-1")
    assert out.splitlines()[1].startswith("1,da-nang,?") and "0.8002" in out


TINY_METHOD = '[indicators.a]\nname = "a"\n\n[aggregates.i]\nname = "i"\nchildren = ["a"]\nweights = "equal"\n'


@pytest.mark.parametrize("label, why", [
    ("=HYPERLINK(\"http://x\")", "starts like a spreadsheet formula"), ("+1+2", "starts like a spreadsheet formula"),
    ("@SUM(A1)", "starts like a spreadsheet formula"), ("-x", "starts like a spreadsheet formula"),
    ("\tcell", "starts like a spreadsheet formula"), ("a\x1b[31mred", "holds a control character"),
    ("bell\x07", "holds a control character"), ("nul\x00byte", "holds a control character"),
    ("del\x7f", "holds a control character"), ("c1\x85", "holds a control character"),
])
@pytest.mark.parametrize("where", ["unit", "indicator", "header"])
def test_unsafe_labels_are_refused_with_line_and_column(run, write, label, why, where):
    """Issue 11, items 12, 13 and 20: a control character or a formula trigger never reaches a terminal or a csv."""
    cell = '"' + label.replace('"', '""') + '"'
    if where == "unit":
        text = f"year,unit,indicator,value\n2023,ok,a,1\n2023,{cell},a,2\n"
        place = "line 3, column 2 (unit)"
    elif where == "indicator":
        text = f"year,unit,indicator,value\n2023,ok,a,1\n2023,b,{cell},2\n"
        place = "line 3, column 3 (indicator)"
    else:
        text = f"year,unit,a,{cell}\n2023,ok,1,2\n"
        place = "line 1, column 4"
    data = write("d.csv", text)
    res = run("scores", "--data", data, "--method", write("m.toml", TINY_METHOD), "-f", "csv")
    if where == "header" and label != label.strip():  # a header cell is stripped: nothing unsafe is left
        assert res.code == 0 and label not in res.out + res.err and label.strip() in res.err, res
        return
    assert res.code == 1 and res.out == "" and place in res.err and why in res.err, res
    assert "\x1b" not in res.err and "\x07" not in res.err and "\x00" not in res.err


def test_a_label_with_a_minus_before_a_digit_is_a_label(run, write):
    data = write("d.csv", "year,unit,indicator,value\n2023,-5 district,a,1\n2023,b,a,2\n")
    res = run("scores", "--data", data, "--method", write("m.toml", TINY_METHOD), "-f", "csv")
    assert res.code == 0 and "-5 district" in res.out


@pytest.mark.parametrize("args, says", [
    (["rank", "--year", "0"], "unknown year 0"), (["rank", "--region", ""], "unknown region ''"),
    (["rank", "--by", ""], "unknown indicator ''"), (["movers", "--by", "", "--year", "2023"], "unknown indicator ''"),
    (["compare", "quang-ninh", "", "--year", "2022"], "unknown province ''"),
    (["chart", "rank", "--by", "", "-o", "x.svg"], "unknown indicator ''"),
    (["uncertainty", "--seed", "-1", "--year", "2022"], "--seed must be a whole number 0 or above"),
    (["uncertainty", "--samples", "1000000000", "--year", "2022"], "--samples must be between 1 and"),
    (["uncertainty", "--samples", "0", "--year", "2022"], "--samples must be between 1 and"),
])
def test_options_that_would_do_nothing_are_errors(run, args, says):
    """Issue 11, item 6: an empty or absurd value is refused, never read as "no option"."""
    res = run(*args)
    assert res.code == 2 and says in res.err and res.out == "", res


@pytest.mark.parametrize("text, says", [
    ("year,unit,indicator,value\n", "no data rows (only a header)"),
    ("year,unit,indicator,value\n2023,a,x,\n2023,b,x,\n", "no values: every value cell is empty"),
    ("year,unit,x\n2023,a,\n2023,b,\n", "no values: every value cell is empty"),
])
@pytest.mark.parametrize("cmd", ["check", "rank", "scores"])
def test_a_file_with_no_rows_or_no_values_is_an_error(run, write, text, says, cmd):
    """Issue 11, item 7 (and no empty success elsewhere)."""
    m = write("m.toml", TINY_METHOD.replace('"a"', '"x"').replace("indicators.a", "indicators.x"))
    res = run(cmd, "--data", write("d.csv", text), "--method", m)
    assert res.code == 1 and says in res.err and res.out == "", res


X_METHOD = TINY_METHOD.replace('"a"', '"x"').replace("indicators.a", "indicators.x")


def test_na_is_for_value_cells_only(run, write):
    """Issue 11, item 4: a unit, an indicator or a provenance called like the --na token stays a label."""
    data = write("d.csv", "year,unit,indicator,value,provenance\n2023,NA,x,0.5,NA\n2023,b,x,NA,input\n"
                          "2023,c,x,0.7,input\n")
    res = run("scores", "--data", data, "--method", write("m.toml", X_METHOD), "--na", "NA", "-f", "csv")
    assert res.code == 0, res
    rows = [r.split(",") for r in res.out.splitlines()[1:]]
    assert ["2023", "NA", "x", "0.5", "2", "NA", ""] in rows and not any(r[1] == "b" and r[3] for r in rows)


@pytest.mark.parametrize("extra, value", [([], None), (["--decimal", "."], "1.2"),
                                          (["--thousands", ".", "--decimal", ","], "1200")])
def test_thousands_groups_in_a_semicolon_file_are_not_read_as_decimals(run, write, extra, value):
    """Issue 11, item 5: refuse, don't reinterpret; the user's --decimal or --thousands decides."""
    data = write("d.csv", "year;unit;indicator;value\n2023;a;x;1.200\n2023;b;x;4.755\n")
    res = run("scores", "--data", data, "--method", write("m.toml", X_METHOD), "-f", "csv", *extra)
    if value is None:
        assert res.code == 1 and "line 2, column 4 (value): '1.200'" in res.err and "--thousands ." in res.err
    else:
        assert res.code == 0 and f"2023,a,x,{value}," in res.out


def test_a_semicolon_file_of_ordinary_decimals_is_read(run, write):
    data = write("d.csv", "year;unit;indicator;value\n2023;a;x;0.500\n2023;b;x;1.25\n")
    assert run("scores", "--data", data, "--method", write("m.toml", X_METHOD), "-f", "csv").code == 0


def test_markdown_escapes_html_and_links_in_cells(run, write):
    """Issue 11, item 14."""
    data = write("d.csv", "year,unit,name,x\n2023,a,<img src=x onerror=alert(1)> [click](http://evil.example) *b*,0.5\n"
                          "2023,b,B,0.7\n")
    res = run("rank", "--data", data, "--method", write("m.toml", X_METHOD), "-f", "markdown")
    assert res.code == 0, res
    assert "<img" not in res.out and "&lt;img" in res.out
    assert "[click](" not in res.out and "\\[click\\]" in res.out and "\\*b\\*" in res.out


@pytest.mark.parametrize("data, method, says", [
    ("year,unit,x\n2023,a,1e308\n2023,b,-1.7e308\n", '[indicators.x]\nname = "x"\nnormalise = "minmax"\n'
     '[aggregates.i]\nname = "i"\nchildren = ["x"]\nweights = "equal"\n', "x, a, 2023: 1e+308 is past ±1e+150"),
    ("year,unit,x,y\n2023,a,0.5,0.5\n2023,b,0.7,0.2\n", '[indicators.x]\nname = "x"\n[indicators.y]\nname = "y"\n'
     '[aggregates.i]\nname = "i"\nchildren = { x = 1e308, y = 1e308 }\n', "aggregates.i.children.x: 1e+308 is past"),
    ("year,unit,x\n2023,a,5\n2023,b,7\n", '[indicators.x]\nname = "x"\nnormalise = "goalposts"\n'
     'goalposts = [-1e300, 1e300]\n[aggregates.i]\nname = "i"\nchildren = ["x"]\nweights = "equal"\n',
     "indicators.x.goalposts: [-1e+300, 1e+300] is past"),
])
def test_arithmetic_that_would_overflow_is_one_line(run, write, data, method, says):
    """Issue 11, item 3: never inf, a dropped value or a vanished index; no numpy warning on stderr."""
    res = run("rank", "--data", write("d.csv", data), "--method", write("m.toml", method), "-f", "csv")
    assert res.code in (1, 2) and says in res.err and len(res.err.strip().splitlines()) == 1, res


@pytest.mark.parametrize("text, says", [("a = " + "[" * 3000 + "]" * 3000 + "\n", "nested too deep"),
                                        (None, "the limit of a method file")])
def test_deep_or_endless_method_files_are_one_line(run, write, text, says):
    """Issue 11, items 9 and 16."""
    path = write("m.toml", text) if text is not None else "/dev/zero"
    if text is None and not os.path.exists(path):
        pytest.skip("no /dev/zero on this system")
    res = run("method", "--method", path)
    assert res.code == 2 and says in res.err, res


def test_a_method_tree_1000_levels_deep_works(run, write):
    lines = ['[indicators.x]\nname = "x"']
    for k in range(1000):
        lines.append(f'[aggregates.a{k}]\nname = "a"\nchildren = ["{"x" if k == 0 else f"a{k - 1}"}"]\n'
                     'weights = "equal"')
    res = run("rank", "--data", write("d.csv", "year,unit,x\n2023,a,0.5\n2023,b,0.7\n"), "--method",
              write("m.toml", "\n".join(lines) + "\n"), "-f", "csv")
    assert res.code == 0 and res.out.splitlines()[1].startswith("1,b,b,0.7")


@pytest.mark.parametrize("how", ["fifo", "procsub", "devstdin", "dash"])
def test_data_from_a_stream_is_read_once(tmp_path, how):
    """Issue 11, item 10: a pipe, <(…), /dev/stdin or a named FIFO (no hang, no internal error); `init` too."""
    if sys.platform == "win32" or not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    data = "year,unit,x\n2023,a,0.5\n2023,b,0.7\n"
    m = tmp_path / "m.toml"
    m.write_text(X_METHOD)
    for cmd in (["scores", "--method", str(m), "-f", "csv"], ["init"]):
        if how == "fifo":
            fifo = tmp_path / "ff"
            fifo.unlink(missing_ok=True)
            os.mkfifo(fifo)
            shell = f"(printf '{data}' > {fifo} &); dti_data={fifo}"
            src = str(fifo)
        else:
            shell, src = "true", {"procsub": f"<(printf '{data}')", "devstdin": "/dev/stdin", "dash": "-"}[how]
        line = " ".join([sys.executable, "-m", "dti_cli", *cmd[:1], "--data", src, *cmd[1:]])
        if how in ("devstdin", "dash"):
            line = f"printf '{data}' | {line}"
        res = subprocess.run(["bash", "-c", f"{shell}; {line}"], capture_output=True, text=True, timeout=60,
                             env=dict(os.environ, DTI_LANG="en"))
        assert res.returncode == 0 and "internal error" not in res.stderr, res
        assert ("2023,b,x,0.7,1" in res.stdout) if cmd[0] == "scores" else ("[indicators.x]" in res.stdout)


@pytest.mark.parametrize("year", [[], ["--year", "2025"]])
def test_a_data_year_no_edition_covers_is_named_not_a_recursion(run, write, tmp_path, monkeypatch, year):
    monkeypatch.setenv("DTI_HOME", str(tmp_path / "empty-store"))
    path = write("y.csv", "year,province,indicator,value\n2025,ha-noi,dti,0.7\n2025,hue,dti,0.5\n")
    one_line_error(run("rank", "--data", path, *year), 2, "no shipped DTI edition covers 2025", "--method")


def test_a_method_of_many_children_ranks_without_a_library_warning(run, write):
    k = 300
    data = write("w.csv", "year,unit," + ",".join(f"x{i}" for i in range(k)) + "\n" + "".join(
        f"2023,u{u}," + ",".join(str((u * 7 + i) % 10 / 10) for i in range(k)) + "\n" for u in range(4)))
    method = write("w.toml", "".join(f"[indicators.x{i}]\n" for i in range(k)) + "[aggregates.idx]\nchildren = ["
                   + ",".join(f'"x{i}"' for i in range(k)) + ']\nweights = "equal"\n')
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning in the library is a failure here
        res = run("rank", "--data", data, "--method", method, "-f", "csv")
    assert res.code == 0 and res.err == "", res
    assert len(res.out.splitlines()) == 5


def test_a_year_past_the_integers_is_named_without_a_numpy_warning(run, write):
    path = write("y.csv", "year,unit,indicator,value\n1e308,a,x,2\n2023,b,x,4\n")
    method = write("y.toml", '[indicators.x]\n[aggregates.i]\nchildren = ["x"]\nweights = "equal"\n')
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = run("scores", "--data", path, "--method", method, "-f", "csv")
    one_line_error(res, 1, "line 2, column 1 (year)", "1e308")
