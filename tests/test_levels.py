"""The national and ministry levels (issue 12, item 3): the national DTI and the published means beside a
province's figures, the national series, and the ministries' DTI as the press printed it, marked partial."""

import csv
import io
import json
import math

import pandas as pd
import pytest

import dti_cli as dti
from dti_cli.model import levels, provinces



@pytest.fixture(autouse=True)
def empty_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DTI_HOME", str(tmp_path / "dti-home"))


def rows(res) -> list[dict]:
    assert res.code == 0, res
    return list(csv.DictReader(io.StringIO(res.out)))


def test_the_bundled_file_cites_known_sources_and_holds_shares():
    t = levels.table()
    known = set(pd.read_csv(provinces.DATA_DIR / "sources.csv", dtype=str)["source"])
    cited = {s for ss in t["source"] for s in ss.split()}
    assert cited <= known, cited - known
    assert t["value"].dropna().between(0, 1).all()
    assert set(t["level"]) == {"national", "provinces", "ministries_ps", "ministries_nps"}
    # every row is a value or a rank, never neither
    assert (t["value"].notna() | t["rank"].notna()).all()


def test_compare_national_shows_both_figures_labelled_and_prefers_the_published_mean(run):
    res = run("compare", "quang-ninh", "--national", "--year", "2024", "-f", "csv")
    r = next(x for x in rows(res) if x["indicator"] == "dti")
    fig, nat = levels.provinces_mean(2024, "dti"), levels.national(2024)
    assert float(r["national"]) == fig.value and r["national_source"] == fig.source and r["national_n"] == "63"
    assert float(r["national_dti"]) == nat.value and r["national_dti_source"] == nat.source
    assert math.isclose(float(r["gap"]), float(r["value"]) - fig.value, abs_tol=1e-9)
    assert math.isclose(float(r["national_dti_gap"]), float(r["value"]) - nat.value, abs_tol=1e-9)
    assert "a separate assessment of the country" in run("compare", "quang-ninh", "--national", "--year", "2024",
                                                         "--lang", "en", "-f", "csv").err
    other = next(x for x in rows(res) if x["indicator"] == "ha_tang_so")
    assert other["national_source"] == "" and other["national_dti"] == ""  # computed; the national DTI is the index's


@pytest.mark.parametrize("lang, mean, national", [("en", "Mean of 63 provinces", "National DTI"),
                                                  ("vi", "Trung bình 63 tỉnh", "DTI quốc gia")])
def test_the_terminal_labels_say_what_each_figure_is(run, lang, mean, national):
    res = run("compare", "quang-ninh", "--national", "--year", "2024", "--lang", lang, "-f", "markdown")
    assert res.code == 0 and mean in res.out and national in res.out, res


def test_a_published_mean_that_differs_from_the_values_at_hand_is_noted(run):
    """2020: the ministry published the mean of the 63; dti has only a few provinces' values."""
    res = run("compare", "quang-ninh", "--national", "--year", "2020", "--lang", "en", "-f", "csv")
    r = next(x for x in rows(res) if x["indicator"] == "dti")
    assert float(r["national"]) == levels.provinces_mean(2020, "dti").value and r["national_n"] == "63"
    have = dti.rank(year=2020)["score"].dropna()
    assert f"the mean of the {len(have)} values dti has is {have.mean():.4f}" in res.err
    assert "no national DTI was published for 2020" in res.err


def test_without_a_published_mean_the_mean_of_the_63_is_computed(run):
    r = next(x for x in rows(run("compare", "quang-ninh", "--national", "--year", "2022", "-f", "csv"))
             if x["indicator"] == "dti")
    assert math.isclose(float(r["national"]), dti.rank(year=2022)["score"].mean(), abs_tol=1e-9)
    assert r["national_source"] == "" and float(r["national_dti"]) == levels.national(2022).value


def test_the_published_levels_are_not_put_beside_other_figures(run, write):
    """On the 34 units, a user's file or an imported year, the means are of the figures at hand (the national DTI
    stays beside the bundled figures on the 34 units)."""
    res = run("compare", "quang-ninh", "--national", "--year", "2024", "--boundaries", "2025", "--lang", "en",
              "-f", "csv")
    r = next(x for x in rows(res) if x["indicator"] == "dti")
    on34 = dti.rank(year=2024, boundaries=2025)["score"]
    assert math.isclose(float(r["national"]), on34.mean(), abs_tol=1e-9) and r["national_n"] == str(len(on34))
    assert r["national_source"] == ""
    assert "the published mean of the 63 provinces is 0.6961" in res.err
    # the national DTI assesses the country: it does not depend on the boundaries
    assert float(r["national_dti"]) == levels.national(2024).value
    path = write("mine.csv", "year,province,indicator,value\n2024,quang-ninh,dti,0.5\n2024,ha-noi,dti,0.7\n")
    r = rows(run("compare", "quang-ninh", "--national", "--year", "2024", "--data", path, "-f", "csv"))[0]
    assert float(r["national"]) == 0.6 and r["national_source"] == "" and r["national_dti"] == ""


def test_show_viet_nam_gives_the_national_series(run):
    res = run("show", "viet-nam", "-f", "csv")
    got = {int(r["year"]): r for r in rows(res)}
    assert sorted(got) == [2020, 2021, 2022, 2023, 2024]
    for y in got:
        nat = levels.national(y)
        assert got[y]["national_dti"] == ("" if nat is None else str(nat.value).rstrip("0"))
    assert got[2022]["provinces_mean_provenance"] == "computed"
    assert math.isclose(float(got[2022]["provinces_mean"]), dti.rank(year=2022)["score"].mean(), abs_tol=1e-9)
    assert got[2024]["provinces_mean"] == "0.6961" and got[2024]["provinces_mean_provenance"] == "news"
    assert run("show", "Việt Nam", "-f", "csv").out == res.out == run("show", "ca nuoc", "-f", "csv").out
    assert "not the mean of the provinces" in run("show", "viet-nam", "--lang", "en").err
    frame = dti.show("viet-nam")
    assert frame["year"].tolist() == sorted(got)


@pytest.mark.parametrize("args", [["--year", "2022"], ["--boundaries", "2025"], ["--data", "x.csv"]])
def test_the_national_series_takes_no_data_options(run, args):
    res = run("show", "viet-nam", *args)
    assert res.code == 2 and "the national series" in res.err and res.out == "", res


def test_rank_level_ministries_is_the_published_top_marked_partial(run):
    res = run("rank", "--level", "ministries", "--year", "2021", "--lang", "en", "-f", "csv")
    got = rows(res)
    assert [(r["group"], r["rank"]) for r in got] == [("ministries_ps", str(i)) for i in range(1, 6)] + \
        [("ministries_nps", str(i)) for i in range(1, 6)]
    assert got[0]["name"] == "Bộ Tài chính" and got[0]["score"] == "0.6321" and got[0]["source"] == "S_hanoimoi_2021"
    assert "partial: the press printed the top 5" in res.err
    assert "5 printed; the group's published mean 0.4595" in res.err
    top = run("rank", "--level", "ministries", "--year", "2021", "--top", "2", "--lang", "en", "-f", "csv")
    assert len(rows(top)) == 4 and "5 printed" in top.err  # --top shows fewer, not fewer printed
    latest = rows(run("rank", "--level", "ministries", "-f", "csv"))
    assert {r["year"] for r in latest} == {"2023"} and {r["score"] for r in latest} == {""}  # ranks only
    assert "5 of 17 printed" in run("rank", "--level", "ministries", "--lang", "en", "-f", "csv").err
    assert len(dti.rank(level="ministries", year=2020)) == 2


@pytest.mark.parametrize("args, message", [
    (["rank", "--level", "ministries", "--year", "2024"], "no ministry figures were published for that year"),
    (["rank", "--level", "ministries", "--by", "cqs"], "--level ministries takes --year, --top"),
    (["rank", "--level", "ministries", "--boundaries", "2025"], "--level ministries takes"),
    (["rank", "--level", "bo"], "--level"),
    (["show", "bo-khong-co", "--level", "ministries"], "no published figures for the ministry 'bo-khong-co'"),
])
def test_level_errors(run, args, message):
    res = run(*args, "--lang", "en")
    assert res.code == 2 and message in res.err and res.out == "", res


def test_show_a_ministry(run):
    by_slug = run("show", "bo-tai-chinh", "--level", "ministries", "-f", "json")
    got = json.loads(by_slug.out)
    assert [(r["year"], r["rank"], r["score"]) for r in got] == [(2020, 1, 0.4944), (2021, 1, 0.6321),
                                                                 (2023, 2, None)]
    assert run("show", "Bộ Tài chính", "--level", "ministries", "-f", "json").out == by_slug.out


def test_a_ministrys_notes_count_what_the_press_printed_of_its_group(run):
    res = run("show", "bo-tai-chinh", "--level", "ministries", "--lang", "en", "-f", "csv")
    assert "2023, ministries with public services: 5 of 17 printed" in res.err, res
    assert "2021, ministries with public services: 5 printed" in res.err
    res = run("show", "bo-tai-chinh", "--level", "ministries", "--year", "2021", "--lang", "en")
    assert res.code == 2 and "shown for every year" in res.err


def test_mean_labels_say_what_they_average(run, write):
    path = write("u.csv", "year,unit,indicator,value\n2024,a,dti,0.5\n2024,b,dti,0.7\n2024,c,dti,0.6\n")
    res = run("compare", "a", "--national", "--data", path, "--lang", "en", "-f", "markdown")
    assert "Mean of 3 units" in res.out and "National" not in res.out, res
    res = run("compare", "ha-noi", "--national", "--year", "2022", "--lang", "en", "-f", "csv")
    assert "mean of 63 provinces 2022 for dti: not published" in res.err
