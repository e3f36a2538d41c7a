"""Every bad input gets one line on stderr naming the culprit, a documented exit code, and nothing on stdout."""

import json

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
