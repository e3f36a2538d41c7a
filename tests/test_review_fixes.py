"""Cases a review of the application layer found: each once wrong, each now checked."""

import pytest

import dti_cli as dti


def test_the_excel_about_sheet_is_in_the_language_of_the_run(run, tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("openpyxl")
    for lang, meaning, edition in (("en", "published on dti.gov.vn", "Provincial DTI 2021–2023"),
                                   ("vi", "công bố chính thức trên dti.gov.vn", "DTI cấp tỉnh 2021–2023")):
        path = tmp_path / f"r-{lang}.xlsx"
        assert run("rank", "--year", "2022", "--lang", lang, "-o", str(path)).code == 0
        about = dict(pd.read_excel(path, sheet_name="about").values.tolist())
        assert about["provenance official"] == meaning and about["edition"].startswith(edition)
    for cmd in (["verify"], ["method", "922"]):
        path = tmp_path / f"{cmd[0]}.xlsx"
        assert run(*cmd, "-o", str(path)).code == 0
        assert "edition" in dict(pd.read_excel(path, sheet_name="about").values.tolist())


def test_markdown_is_a_document_with_every_row(run):
    verify = run("verify", "-f", "markdown")
    assert verify.code == 0 and verify.out.count("\n| 20") == 144 + 84  # every value and every rank check
    whatif = run("whatif", "--weights", "hd_cqs=300", "--year", "2022", "-f", "markdown")
    assert whatif.out.count("\n| ") == 63  # a row for every province, not only those that move
    rank = run("rank", "--year", "2022", "--top", "2", "-f", "markdown")
    assert "█" not in rank.out and "|  |" not in rank.out.splitlines()[0]  # the bar (an unheaded column) is for screens


def test_a_picture_takes_the_format_asked_for(run, tmp_path):
    pytest.importorskip("matplotlib")
    path = tmp_path / "x.svg"
    clash = run("chart", "rank", "--year", "2022", "-f", "png", "-o", str(path))  # a PNG in a .svg file: refused
    assert clash.code == 2 and "--format png and" in clash.err and not path.exists()
    assert run("chart", "rank", "--year", "2022", "-f", "png", "-o", str(tmp_path / "x.png")).code == 0
    assert (tmp_path / "x.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    other = tmp_path / "x.dat"
    assert run("chart", "rank", "--year", "2022", "-f", "svg", "-o", str(other)).code == 0
    assert b"<svg" in other.read_bytes()


@pytest.mark.parametrize("call,fragment", [
    (lambda: dti.compare(), "at least one province"),
    (lambda: dti.rank(top=0), "top must be at least 1, got 0"),
    (lambda: dti.movers(top=-1), "top must be at least 1"),
    (lambda: dti.rank(lang="fr"), "'fr' is not a language"),
    (lambda: dti.rank(boundaries=2024), "2024 is not a boundary set"),
    (lambda: dti.rank(method="922", year=2020), "unknown year 2020 (the data has 2021, 2022, 2023)"),
    (lambda: dti.whatif("quang-ninh", year=2022), "pass set={node: value}"),
])
def test_the_api_refuses_what_makes_no_sense(call, fragment):
    with pytest.raises(dti.UsageError) as exc:
        call()
    assert fragment in exc.value.text("en")


def test_compare_takes_a_list_too():
    assert dti.compare(["quang-ninh", "ha-noi"], year=2022)["province"].nunique() == 2


@pytest.mark.parametrize("args,vi", [(["rank", "--format"], "tuỳ chọn '--format' cần một giá trị"),
                                     (["rank", "extra"], "thừa đối số (extra)"),
                                     (["nosuch"], "không có lệnh 'nosuch'"),
                                     (["compare", "x", "--national=3"], "tuỳ chọn '--national' không nhận giá trị")])
def test_click_usage_errors_in_vietnamese(run, args, vi):
    res = run(*args, env={"DTI_LANG": "vi"})
    assert res.code == 2 and res.err.startswith("Lỗi: " + vi)


@pytest.mark.parametrize("args,vi", [(["rank", "--year", "abc"], "'abc' không phải là số"),
                                     (["rank", "--year", "1.5"], "'1.5' không phải là số"),
                                     (["rank", "--top", "0"], "0 nằm ngoài khoảng x>=1"),
                                     (["rank", "-f", "nope"], "'nope' không phải một trong table, csv, tsv, json"),
                                     (["map", "-f", "csv"], "'csv' không phải một trong table, svg, png")])
def test_bad_option_values_in_vietnamese(run, args, vi):
    """typer 0.28 words these itself and 0.29 through pydantic; either way the user reads dti's Vietnamese."""
    res = run(*args, env={"DTI_LANG": "vi"})
    assert res.code == 2 and vi in res.err and "Value error" not in res.err and "Input should" not in res.err


def test_a_single_unit_is_said_not_a_crash(run, write):
    data = write("one.csv", "year,unit,a,b\n2023,x,1,2\n")
    method = write("m.toml", '[defaults]\nnormalise = "minmax"\n[indicators.a]\n[indicators.b]\n'
                             '[aggregates.idx]\nchildren = ["a", "b"]\nweights = "equal"\n')
    res = run("uncertainty", "--data", data, "--method", method, "--samples", "5")
    assert res.code == 1 and "no unit has a idx score" in res.err and "Traceback" not in res.err
    res = run("whatif", "x", "--set", "a=5", "--data", data, "--method", method, "-f", "csv")
    # nothing can be computed for one unit: no empty table, one line saying why (issue 10, item 7)
    assert res.code == 1 and res.out == "" and "no spread" in res.err and len(res.err.splitlines()) == 1


@pytest.mark.parametrize("lang,words", [("en", "(geometric mean)"), ("vi", "(trung bình nhân)")])
def test_the_kind_of_mean_is_named_in_the_language(run, tmp_path, lang, words):
    (tmp_path / "d.csv").write_text("year,unit,a,b\n2022,x,0,5\n2022,y,3,4\n2022,z,5,1\n", encoding="utf-8")
    (tmp_path / "m.toml").write_text('name = "t"\n[defaults]\nnormalise = "minmax"\naggregate = "geometric"\n'
                                     '[indicators.a]\n[indicators.b]\n[aggregates.idx]\nchildren = ["a", "b"]\n'
                                     'weights = "equal"\n', encoding="utf-8")
    out = run("scores", "--data", str(tmp_path / "d.csv"), "--method", str(tmp_path / "m.toml"), "--lang", lang)
    assert out.code == 1 and words in out.err
    if lang == "vi":
        assert "geometric" not in out.err


def test_a_change_that_shows_as_zero_is_unchanged():
    from dti_cli.analysis.sentences import _score_change

    assert _score_change(0.00004).key == "phrase.score_same" and _score_change(-0.00004).key == "phrase.score_same"
    assert _score_change(0.00005).key == "phrase.score_up" and _score_change(-0.0001).key == "phrase.score_down"


def test_one_province_is_singular_and_the_gap_note_is_an_ordinal(run):
    assert run("rank", "--year", "2022", "--top", "1", "-f", "table").out.startswith("DTI 2022: 1 province\n")
    assert "(7th in 2022)" in run("gap", "bac-ninh", "-r", "3", "--year", "2022").err
    assert "is already 1st in 2022" in run("gap", "da-nang", "-r", "3", "--year", "2022").err


def test_a_long_caption_is_not_folded_to_a_narrow_table(run):
    out = run("explain", "quang-ninh", "--year", "2022", "-f", "table", env={"COLUMNS": "80"}).out
    assert "Provincial DTI 2021–2023 (Decision 922/QD-BTTTT)\n" in out


def test_the_report_of_other_units_counts_units_and_names_the_region_in_english(run, tmp_path):
    from pathlib import Path

    ex = Path(__file__).resolve().parent.parent / "examples" / "districts"
    assert run("report", "ha-long", "--data", str(ex / "data.csv"), "--method", str(ex / "method.toml"),
               "--samples", "0", "-o", str(tmp_path / "d.md")).code == 0
    assert "13 units ranked" in (tmp_path / "d.md").read_text(encoding="utf-8")
    assert run("report", "quang-ninh", "--year", "2022", "--samples", "0", "-o", str(tmp_path / "q.md")).code == 0
    assert "Region: Red River Delta" in (tmp_path / "q.md").read_text(encoding="utf-8")


def test_a_pictures_source_line_names_provenances_in_the_language():
    from dti_cli.app.common import SourceLine
    from dti_cli.app.session import Source, load

    line = SourceLine(load(Source()).scores, 2022, "dti")
    assert "chính thức 5" in line.text("vi") and "official 5" in line.text("en")


def test_a_name_with_dollars_is_text_in_a_chart(run, tmp_path):
    pytest.importorskip("matplotlib")
    from pathlib import Path

    ex = Path(__file__).resolve().parent.parent / "examples" / "districts"
    data = tmp_path / "d.csv"
    data.write_text((ex / "data.csv").read_text(encoding="utf-8").replace("Hạ Long", "Hạ $^$ Long"), encoding="utf-8")
    out = run("chart", "rank", "--data", str(data), "--method", str(ex / "method.toml"), "-o", str(tmp_path / "c.svg"))
    assert out.code == 0 and "<!-- Hạ $^$ Long -->" in (tmp_path / "c.svg").read_text(encoding="utf-8")


@pytest.mark.parametrize("args,words", [
    (["--seed", "-1"], "--seed must be a whole number 0 or above, got -1"),
    (["--samples", "0"], "--samples must be between 1 and 793,650, got 0"),
    (["--samples", "1000000"], "--samples must be between 1 and 793,650"),
    (["--weight-noise", "1"], "--weight-noise must be in [0, 1), got 1"),
])
def test_uncertainty_refuses_what_it_cannot_do(run, args, words):
    out = run("uncertainty", "--year", "2022", *args)
    assert out.code == 2 and words in out.err and len(out.err.strip().splitlines()) == 1, out.err


@pytest.mark.parametrize("value", ["en", "EN", "en_US.UTF-8", "en-GB", " En "])
def test_english_in_any_spelling_of_dti_lang(run, value):
    assert "unknown year 1900" in run("rank", "--year", "1900", env={"DTI_LANG": value}).err


def test_a_mistyped_command_is_answered_in_vietnamese(run):
    out = run("rnak", "--lang", "vi")
    assert out.code == 2 and "không có lệnh 'rnak'; có phải ý bạn là 'rank'?" in out.err


def test_a_rank_chart_of_other_units_does_not_call_them_provinces(run, tmp_path):
    pytest.importorskip("matplotlib")
    from pathlib import Path

    ex = Path(__file__).resolve().parent.parent / "examples" / "districts"
    out = tmp_path / "c.svg"
    assert run("chart", "rank", "--data", str(ex / "data.csv"), "--method", str(ex / "method.toml"),
               "-o", str(out)).code == 0
    assert "<!-- District digital transformation index — Quảng Ninh (example) · 13 units -->" in out.read_text(
        encoding="utf-8")


def test_a_report_refuses_more_samples_than_uncertainty_takes(run, tmp_path):
    out = run("report", "quang-ninh", "--year", "2022", "--samples", "2000000", "-o", str(tmp_path / "r.md"))
    assert out.code == 2 and "--samples must be between 1 and 793,650" in out.err and not (tmp_path / "r.md").exists()
    assert run("report", "quang-ninh", "--year", "2021", "--samples", "100", "-o", str(tmp_path / "r.md")).code == 0
