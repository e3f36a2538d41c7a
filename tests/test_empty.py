"""No empty success (issue 10, item 7): a request that yields no rows is exit 1 with one line saying why."""

import pytest

DISTRICTS = "examples/districts"


def _one_line_why(res, *words):
    assert res.code == 1, res
    assert res.out == ""
    lines = res.err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(("Error: nothing to show: ", "Lỗi: không có gì để hiển thị: "))
    for w in words:
        assert w in lines[0], (w, lines[0])


@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_rank_of_an_unpublished_pillar(run, fmt):
    _one_line_why(run("rank", "--year", "2024", "--by", "cqs", "-f", fmt), "2024", "cqs",
                  "neither published nor computable")


def test_movers_without_a_previous_year(run):
    _one_line_why(run("movers", "--year", "2020"), "2019", "2021, 2022")


def test_movers_of_an_unpublished_pillar(run):
    _one_line_why(run("movers", "--year", "2024", "--by", "cqs"), "cqs", "neither published")


def test_rank_of_a_region_without_figures(run):
    _one_line_why(run("rank", "--year", "2021", "--by", "ha_tang_so", "--region", "mekong"), "ha_tang_so",
                  "Mekong")


def test_compare_a_year_without_figures_names_the_years_with(run):
    _one_line_why(run("compare", "ha-noi", "--year", "2021", "--national"), "Hà Nội", "2021", "2020, 2022")


def test_explain_without_the_previous_year(run):
    _one_line_why(run("explain", "ha-noi", "--year", "2020"), "2019")
    _one_line_why(run("explain", "ha-noi", "--year", "2021"), "2020 dti of ha-noi")


def test_explain_with_ranks_but_no_scores_is_still_an_answer(run):
    assert run("explain", "bac-ninh", "--year", "2021", "-f", "json").code == 0


@pytest.fixture
def ghost(tmp_path):
    """The districts method with a leaf the data lacks, in the aggregate cqs (so the index is missing too)."""
    from pathlib import Path

    text = (Path(__file__).parent.parent / DISTRICTS / "method.toml").read_text(encoding="utf-8")
    text = text.replace("[indicators.online_services_pct]", '[indicators.ghost_pct]\nname = "Ghost"\n\n'
                                                            "[indicators.online_services_pct]")
    text = text.replace("children = { online_services_pct", "children = { ghost_pct = 1, online_services_pct")
    path = tmp_path / "ghost.toml"
    path.write_text(text, encoding="utf-8")
    return ["--data", str(Path(__file__).parent.parent / DISTRICTS / "data.csv"), "--method", str(path)]


@pytest.mark.parametrize("args", [("rank",), ("rank", "--by", "cqs"), ("rank", "--by", "ghost_pct"),
                                  ("movers", "--by", "cqs")])
def test_a_method_leaf_missing_from_the_data(run, ghost, args):
    _one_line_why(run(*args, *ghost, "-f", "csv"), "ghost_pct", "not in the data")


def test_a_method_leaf_missing_from_the_data_in_vietnamese(run, ghost):
    _one_line_why(run("rank", *ghost, "--lang", "vi"), "ghost_pct", "không có trong số liệu")


def test_a_node_that_has_figures_still_ranks(run, ghost):
    res = run("rank", "--by", "kts", *ghost, "-f", "csv")
    assert res.code == 0 and res.out.count("\n") == 14


def test_charts_with_nothing_to_draw(run, tmp_path):
    pytest.importorskip("matplotlib")
    _one_line_why(run("chart", "rank", "--year", "2024", "--by", "cqs", "-o", str(tmp_path / "a.svg")), "cqs")
    _one_line_why(run("chart", "compare", "ha-noi", "--year", "2021", "-o", str(tmp_path / "b.svg")), "2020, 2022")
    assert not list(tmp_path.iterdir())


def test_answers_without_rows_stay_answers(run):
    assert run("gap", "ha-noi", "-r", "10", "--year", "2023").code == 0  # already there: the note says so
    assert run("import", "--list").code == 0  # the status says the store is empty


def test_the_api_says_why_in_attrs():
    import dti_cli as dti

    frame = dti.rank(year=2024, by="cqs", lang="en")
    assert len(frame) == 0 and "neither published nor computable" in frame.attrs["empty"]
