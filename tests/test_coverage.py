"""Coverage is part of every average (issue 10, item 4): every mean carries its count, a mean over fewer units than
the set it is named after is marked § with a note (or left out, and said so, in reports and pictures), and ranks
among a subset say among how many."""

import csv
import io
import math

import numpy as np
import pytest

from dti_cli.analysis import averages
from dti_cli.i18n import render

PARTIAL = "over only the 5 of 63 provinces with a value (§)"
FOUNDATION = ("nhan_thuc_so", "the_che_so", "nhan_luc_so", "attt")


def rows(res) -> list[dict]:
    assert res.code == 0, res
    return list(csv.DictReader(io.StringIO(res.out)))


def by_node(res) -> dict[str, dict]:
    return {r["indicator"]: r for r in rows(res) if r.get("indicator")}


# ---------------------------------------------------------------- the shared rule


def test_a_mean_is_partial_when_it_covers_some_but_not_all_of_its_units():
    assert averages.Mean(0.5, 5, 63).partial
    assert not averages.Mean(0.5, 63, 63).partial
    assert not averages.Mean(float("nan"), 0, 63).partial
    assert list(averages.marks([5, 63, 0], [63, 63, 63])) == ["partial", "", ""]


def test_a_region_mean_of_one_unit_is_left_out_with_its_count():
    import dti_cli.app.session as session

    loaded = session.load(session.Source())
    names = loaded.names("en")
    one = averages.region_figure(loaded.scores, 2022, "attt", names.region("can-tho"), names)
    assert one.n == 1 and one.of == 13 and math.isnan(one.value)
    full = averages.region_figure(loaded.scores, 2023, "dti", names.region("can-tho"), names)
    assert full.n == full.of == 13 and not full.partial and np.isfinite(full.value)


def test_the_notes_group_nodes_by_coverage_in_both_languages():
    import pandas as pd

    f = pd.DataFrame({"indicator": ["a", "b", "c"], "national": [0.1, 0.2, 0.3], "national_n": [5, 5, 63],
                      "national_of": [63, 63, 63]})
    (note,) = averages.mean_notes(f, which="national", kind=averages.kind_word("province"))
    assert render(note, "en") == f"the means of the provinces for a, b: {PARTIAL}"
    assert "chỉ tính trên 5 trong 63 tỉnh/thành có số liệu (§)" in render(note, "vi")
    (left,) = averages.mean_notes(f, which="national", kind=averages.kind_word("province"), left_out=True)
    assert "left out: over only 5 of 63 provinces with a value" in render(left, "en")
    assert averages.mean_notes(f[f["indicator"] == "c"], which="national", kind="x") == []


# ---------------------------------------------------------------- show


def test_show_labels_the_mean_as_compare_does_marks_a_partial_one_and_counts_it(run):
    comp = {r["indicator"]: r for r in rows(run("show", "quang-ninh", "--year", "2022", "-f", "csv"))
            if r["section"] == "components"}
    assert all(comp[n]["national_n"] == "5" for n in FOUNDATION) and comp["hd_cqs"]["national_n"] == "63"
    res = run("show", "quang-ninh", "--year", "2022", "-f", "markdown")
    assert res.code == 0 and "| Mean of 63 provinces |" in res.out and "National" not in res.out
    assert "| 0.9400§ |" in res.out and "| 0.6067 |" in res.out
    assert f"the means of the provinces for {', '.join(FOUNDATION)}: {PARTIAL}" in res.err


def test_show_of_a_year_with_every_mean_complete_has_no_mark_and_no_note(run):
    res = run("show", "quang-ninh", "--year", "2023", "-f", "markdown")
    assert res.code == 0 and "| Mean of 63 provinces |" in res.out and "§" not in res.out
    assert "over only" not in res.err
    comp = [r for r in rows(run("show", "quang-ninh", "--year", "2023", "-f", "csv")) if r["section"] == "components"]
    assert comp and {r["national_n"] for r in comp} == {"63"}


def test_show_says_it_in_vietnamese(run):
    res = run("show", "quang-ninh", "--year", "2022", "-f", "markdown", "--lang", "vi")
    assert "| Trung bình 63 tỉnh |" in res.out and "TB cả nước" not in res.out
    assert "chỉ tính trên 5 trong 63 tỉnh/thành có số liệu (§)" in res.err


# ---------------------------------------------------------------- compare: national and region means


def test_compare_counts_the_region_mean_and_marks_a_partial_one(run):
    got = by_node(run("compare", "da-nang", "--national", "--region", "--year", "2022", "-f", "csv"))
    assert got["attt"]["region_n"] == "2" and got["dti"]["region_n"] == "14" and got["attt"]["national_n"] == "5"
    res = run("compare", "da-nang", "--national", "--region", "--year", "2022", "-f", "markdown")
    assert "| 0.9750§ |" in res.out and "| 0.9400§ |" in res.out
    assert ("the means of the region North Central and Central Coast for nhan_thuc_so, the_che_so, nhan_luc_so, "
            "attt: over only the 2 of 14 provinces with a value (§)") in res.err
    assert f"the means of the provinces for {', '.join(FOUNDATION)}: {PARTIAL}" in res.err


def test_compare_leaves_out_a_region_mean_of_the_province_alone_and_says_so(run):
    got = by_node(run("compare", "can-tho", "--national", "--region", "--year", "2022", "-f", "csv"))
    assert got["attt"]["region_n"] == "1" and got["attt"]["region_mean"] == "" and got["attt"]["region_gap"] == ""
    res = run("compare", "can-tho", "--region", "--year", "2022", "-f", "markdown")
    assert "the means of the region Mekong River Delta for nhan_thuc_so, the_che_so, nhan_luc_so, attt left out: " \
           "over only 1 of 13 provinces with a value" in res.err
    assert "+0.0000" not in res.out


def test_compare_with_every_mean_complete_has_no_mark_and_no_note(run):
    got = by_node(run("compare", "ha-noi", "--national", "--region", "--year", "2023", "-f", "csv"))
    assert {r["region_n"] for r in got.values()} == {"11"} and {r["national_n"] for r in got.values()} == {"63"}
    res = run("compare", "ha-noi", "--national", "--region", "--year", "2023", "-f", "markdown")
    assert res.code == 0 and "§" not in res.out and "over only" not in res.err


def test_compare_side_by_side_marks_the_partial_region_means(run):
    res = run("compare", "da-nang", "hue", "--national", "--region", "--year", "2022", "-f", "table",
              env={"COLUMNS": "120"})
    assert res.code == 0 and res.out.count("0.9750§") == 2


def test_the_two_2024_means_are_labelled_by_what_they_average(run):
    on63 = by_node(run("compare", "ha-noi", "--national", "--year", "2024", "-f", "csv"))["dti"]
    on34 = by_node(run("compare", "ha-noi", "--national", "--year", "2024", "--boundaries", "2025", "-f", "csv"))
    assert on63["national_n"] == "63" and float(on63["national"]) == pytest.approx(0.6961)
    assert on34["dti"]["national_n"] == "34" and float(on34["dti"]["national"]) == pytest.approx(0.7005, abs=5e-5)
    assert "| Mean of 63 provinces |" in run("compare", "ha-noi", "--national", "--year", "2024", "-f",
                                             "markdown").out
    res = run("compare", "ha-noi", "--national", "--year", "2024", "--boundaries", "2025", "-f", "markdown")
    assert "| Mean of 34 provinces |" in res.out and "§" not in res.out


# ---------------------------------------------------------------- report and charts: left out, and said so


def test_the_report_leaves_out_partial_means_and_says_so_in_the_document(run, tmp_path):
    out = tmp_path / "r.md"
    res = run("report", "da-nang", "--year", "2022", "--samples", "0", "-o", str(out))
    assert res.code == 0, res
    text = out.read_text(encoding="utf-8")
    assert "The means of the provinces for nhan\\_thuc\\_so" in text and "left out: over only 5 of 63" in text
    assert "left out: over only 5 of 63 provinces with a value" in res.err
    full = tmp_path / "full.md"
    res = run("report", "da-nang", "--year", "2023", "--samples", "0", "-o", str(full))
    assert res.code == 0 and "left out" not in full.read_text(encoding="utf-8") and "left out" not in res.err


def test_chart_compare_says_which_means_it_leaves_out(tmp_path):
    pytest.importorskip("matplotlib")
    from dti_cli.app import pictures

    pic = pictures.chart_compare(province="da-nang", year=2022, lang="en")
    said = [render(n, "en") for n in pic.notes]
    assert any("the means of the provinces for nhan_thuc_so" in s and "left out: over only 5 of 63" in s
               for s in said), said
    assert any("the means of the region North Central and Central Coast" in s for s in said), said
    full = pictures.chart_compare(province="da-nang", year=2023, lang="en")
    assert not any("left out" in render(n, "en") for n in full.notes)


def test_chart_rank_says_its_mean_line_covers_the_units_with_a_value(run, tmp_path):
    pytest.importorskip("matplotlib")
    res = run("chart", "rank", "--year", "2020", "--by", "cqs", "-o", str(tmp_path / "r.svg"))
    assert res.code == 0 and "the means of the provinces for cqs: over only the 11 of 63 provinces" in res.err
    res = run("chart", "rank", "--year", "2023", "-o", str(tmp_path / "full.svg"))
    assert res.code == 0 and "over only" not in res.err


# ---------------------------------------------------------------- ranks among a subset


def test_whatif_says_a_rank_is_among_the_units_with_a_value(run):
    res = run("whatif", "da-nang", "--set", "attt=0.9", "--year", "2022", "-f", "csv")
    got = {r["node"]: r for r in rows(res)}
    assert got["attt"]["of"] == "5" and got["dti"]["of"] == "63"
    assert f"{', '.join(FOUNDATION)}: ranks among the 5 provinces with a value (of 63)" in res.err
    vi = run("whatif", "da-nang", "--set", "attt=0.9", "--year", "2022", "-f", "csv", "--lang", "vi")
    assert "hạng trong 5 tỉnh/thành có số liệu (trên 63)" in vi.err
    full = run("whatif", "da-nang", "--set", "hd_kts=0.9", "--year", "2023", "-f", "csv")
    assert full.code == 0 and "ranks among" not in full.err and {r["of"] for r in rows(full)} == {"63"}


def test_movers_says_the_changes_are_among_the_units_with_both_years(run):
    res = run("movers", "--year", "2022", "-f", "csv")
    got = rows(res)
    assert {r["of"] for r in got if r["measure"] == "rank"} == {"21"}
    assert "rank changes since 2021: among the 21 provinces with a rank in both years (of 63)" in res.err
    vi = run("movers", "--year", "2022", "--lang", "vi", "-f", "csv")
    assert "thay đổi thứ hạng so với 2021: chỉ tính trên 21 tỉnh/thành có thứ hạng cả hai năm (trên 63)" in vi.err
    full = run("movers", "--year", "2023", "-f", "csv")
    assert full.code == 0 and "changes since" not in full.err and {r["of"] for r in rows(full)} == {"63"}
