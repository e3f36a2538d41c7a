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
    assert fragment in str(exc.value)


def test_compare_takes_a_list_too():
    assert dti.compare(["quang-ninh", "ha-noi"], year=2022)["province"].nunique() == 2


@pytest.mark.parametrize("args,vi", [(["rank", "--format"], "tuỳ chọn '--format' cần một giá trị"),
                                     (["rank", "extra"], "thừa đối số (extra)"),
                                     (["nosuch"], "không có lệnh 'nosuch'"),
                                     (["compare", "x", "--national=3"], "tuỳ chọn '--national' không nhận giá trị")])
def test_click_usage_errors_in_vietnamese(run, args, vi):
    res = run(*args, env={"DTI_LANG": "vi"})
    assert res.code == 2 and res.err.startswith("Lỗi: " + vi)


def test_a_single_unit_is_said_not_a_crash(run, write):
    data = write("one.csv", "year,unit,a,b\n2023,x,1,2\n")
    method = write("m.toml", '[defaults]\nnormalise = "minmax"\n[indicators.a]\n[indicators.b]\n'
                             '[aggregates.idx]\nchildren = ["a", "b"]\nweights = "equal"\n')
    res = run("uncertainty", "--data", data, "--method", method, "--samples", "5")
    assert res.code == 1 and "no unit has a idx score" in res.err and "Traceback" not in res.err
    res = run("whatif", "x", "--set", "a=5", "--data", data, "--method", method, "-f", "csv")
    assert res.code == 0 and res.out.startswith("node,name,old,new")
