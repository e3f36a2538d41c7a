"""The official figures: what the bundled data and the shipped editions must reproduce."""

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from conftest import published_count
from dti_cli.io import csv_read as data
from dti_cli.model import editions as method

ROWS = list(csv.DictReader(open(data.bundled_path(), encoding="utf-8")))


def published(year, indicator):
    return {r["province"]: float(r["value"]) for r in ROWS
            if int(r["year"]) == year and r["indicator"] == indicator and r["value"]}


def test_rank_2022_lists_63_with_da_nang_first(run):
    res = run("rank", "--year", "2022", "--format", "json")
    assert res.code == 0, res
    rows = json.loads(res.out)
    assert len(rows) == 63
    assert rows[0]["province"] == "da-nang" and rows[0]["score"] == 0.8002 and rows[0]["rank"] == 1
    assert [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)


def test_2022_tie_at_15_then_17(run):
    rows = json.loads(run("rank", "--year", "2022", "-f", "json").out)
    by = {r["province"]: r["rank"] for r in rows}
    assert by["thanh-hoa"] == 15 and by["yen-bai"] == 15 and by["hau-giang"] == 17
    assert not any(r == 16 for r in by.values())


def test_quang_ninh_2022_headline_and_pillars(run):
    res = run("compare", "quang-ninh", "--national", "--year", "2022", "-f", "json")
    assert res.code == 0, res
    by = {r["indicator"]: r for r in json.loads(res.out)}
    dti = by["dti"]
    assert (dti["value"], dti["rank"], dti["delta"], dti["prev_rank"], dti["rank_change"]) == (0.7024, 3, 0.2052, 7, 4)
    assert (by["cqs"]["value"], by["cqs"]["rank"]) == (0.7804, 4)
    assert (by["kts"]["value"], by["kts"]["rank"]) == (0.7187, 9)
    assert (by["xhs"]["value"], by["xhs"]["rank"]) == (0.6864, 2)


def test_national_averages_are_means_of_the_63(run):
    by = {r["indicator"]: r for r in json.loads(run("compare", "quang-ninh", "--national", "--year", "2022",
                                                   "-f", "json").out)}
    for ind in ("dti", "ha_tang_so", "hd_cqs", "hd_kts", "hd_xhs"):
        vals = published(2022, ind)
        assert len(vals) == 63
        assert by[ind]["national"] == pytest.approx(sum(vals.values()) / 63, abs=1e-12)
        assert by[ind]["gap"] == pytest.approx(by[ind]["value"] - by[ind]["national"], abs=1e-12)


def test_national_average_2023_is_the_published_0_6783(run):
    by = {r["indicator"]: r for r in json.loads(run("compare", "ha-noi", "--national", "--year", "2023",
                                                   "-f", "json").out)}
    assert round(by["dti"]["national"], 4) == 0.6783


def test_2022_top5_dti_recomputed_from_all_eight_indices():
    ed = method.edition(2022)
    five = [p for p, v in published(2022, "attt").items()]
    assert len(five) == 5
    leaves = ["nhan_thuc_so", "the_che_so", "ha_tang_so", "nhan_luc_so", "attt", "hd_cqs", "hd_kts", "hd_xhs"]
    shares = ed.shares()
    for p in five:
        vals = {ind: published(2022, ind)[p] for ind in leaves}
        recomputed = sum(shares[ind] * vals[ind] for ind in leaves)
        assert abs(recomputed - published(2022, "dti")[p]) <= 1e-4, p


def test_2020_dti_from_pillars(bundled):
    ed = method.edition(2020)  # the engine's figures (bundled) and a hand computation agree
    cqs, kts, xhs, dti = (published(2020, x) for x in ("cqs", "kts", "xhs", "dti"))
    both = [p for p in dti if p in cqs]
    assert len(both) == 10
    w = dict(zip(ed.aggregates["dti"].children, ed.aggregates["dti"].weights))
    assert w == pytest.approx({"cqs": 0.4, "kts": 0.3, "xhs": 0.3})
    for p in both:
        assert abs(0.4 * cqs[p] + 0.3 * kts[p] + 0.3 * xhs[p] - dti[p]) <= 1e-4, p
    # a province with pillars but no published DTI gets a computed one, marked as such
    cell = bundled.cell(2020, "soc-trang", "dti")
    assert cell["provenance"] == "computed"
    assert cell["value"] == pytest.approx(0.4 * 0.3105 + 0.3 * 0.1931 + 0.3 * 0.2021)
    assert cell["rank"] == 57  # the published rank, since 2020 is incomplete


def test_published_value_wins_over_computed(bundled):
    cell = bundled.cell(2022, "quang-ninh", "cqs")
    assert cell["value"] == 0.7804 and cell["provenance"] == "news"
    assert cell["computed"] != 0.7804 and abs(cell["computed"] - 0.7804) < 1e-4


def test_verify_passes_on_bundled_data(run):
    res = run("verify")
    assert res.code == 0, res
    assert "OK:" in res.err and "84 of 84 published ranks" in res.err


def test_verify_fails_on_a_wrong_figure(run, write, tmp_path):
    text = open(data.bundled_path(), encoding="utf-8").read()
    bad = text.replace("2022,da-nang,dti,0.8002", "2022,da-nang,dti,0.8102")
    assert bad != text
    path = write("bad.csv", bad)
    res = run("verify", "--data", path, "-f", "csv")
    assert res.code == 1
    assert "verification failed" in res.err
    rows = list(csv.DictReader(res.out.splitlines()))
    failed = [r for r in rows if r["ok"] == "False"]
    assert any(r["province"] == "da-nang" and r["indicator"] == "dti" for r in failed)


def test_incomplete_year_ranks_by_published_rank_and_says_so(run):
    res = run("rank", "--year", "2021", "-f", "json")
    assert res.code == 0
    values, ranks = published_count(2021, "dti")
    assert f"2021: {values} of 63 dti scores and {ranks} of 63 ranks are published" in res.err
    rows = json.loads(res.out)
    assert len(rows) == ranks
    assert [r["rank"] for r in rows][:3] == [1, 2, 3]
    qn = next(r for r in rows if r["province"] == "quang-ninh")
    assert qn["rank"] == 7 and qn["provenance"] == "derived"


def test_2024_shows_published_figures_and_says_it_cannot_compute(run):
    res = run("compare", "ha-noi", "--year", "2024", "-f", "json")
    assert res.code == 0
    assert "2024" in res.err and "weights" in res.err
    by = {r["indicator"]: r for r in json.loads(res.out)}
    assert by["dti"]["value"] == 0.8241 and "cqs" not in by


def test_show_profile_has_every_year(run):
    res = run("show", "Quảng Ninh", "-f", "json")
    assert res.code == 0, res
    doc = json.loads(res.out)
    years = {h["year"]: h for h in doc["history"]}
    assert sorted(years) == [2020, 2021, 2022, 2023, 2024]
    assert years[2022]["score"] == 0.7024 and years[2022]["rank"] == 3 and years[2022]["rank_change"] == 4
    assert doc["strongest"] and doc["weakest"]


def test_method_tree_shares(run):
    res = run("method", "922", "-f", "json")
    rows = json.loads(res.out)
    by = {(r["tree"], r["node"], r["parent"]): r for r in rows}
    assert by[("dti", "nen_tang", "dti")]["share_in_parent"] == pytest.approx(0.5)
    assert by[("dti", "attt", "nen_tang")]["share_in_index"] == pytest.approx(0.1)
    assert by[("cqs", "hd_cqs", "cqs")]["share_in_parent"] == pytest.approx(200 / 700)
    assert sum(r["share_in_index"] for r in rows if r["tree"] == "dti" and r["kind"] == "indicator") == pytest.approx(1)


def test_every_edition_covers_its_years():
    assert method.edition(2020).id == "1726"
    assert [method.edition(y).id for y in (2021, 2022, 2023)] == ["922"] * 3
    assert method.edition(2024).id == "405" and not method.edition(2024).computable


def test_scores_long_format(run):
    res = run("scores", "--year", "2022", "-f", "csv")
    assert res.code == 0
    rows = list(csv.DictReader(res.out.splitlines()))
    assert list(rows[0]) == ["year", "province", "node", "score", "rank", "provenance", "source"]
    qn = {r["node"]: r for r in rows if r["province"] == "quang-ninh"}
    assert qn["dti"]["score"] == "0.7024" and qn["dti"]["rank"] == "3" and qn["dti"]["provenance"] == "official"
    assert qn["kts"]["provenance"] == "news"
    assert {r["provenance"] for r in rows if r["node"] == "kts"} == {"news", "computed"}
    assert np.isclose(len([r for r in rows if r["node"] == "dti"]), 63)


def _indicator_rows():
    with open(data.bundled_path(), encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_every_cited_source_has_its_url():
    with open(Path(data.__file__).parent.parent / "data" / "sources.csv", encoding="utf-8", newline="") as fh:
        urls = {r["source"]: r["url_or_note"] for r in csv.DictReader(fh)}
    cited = {s for r in _indicator_rows() for s in r["source"].split()}
    assert cited - set(urls) == set() and all(urls[s].strip() for s in cited)
    # the 63-province table of 2022-2024 is cited as such, not as the transcription's 34-unit file
    assert not any("S_pmnm_github" in r["source"].split() for r in _indicator_rows())


def test_figures_added_since_the_first_build_are_there_with_their_source(run):
    rows = {(r["year"], r["province"], r["indicator"]): r for r in _indicator_rows()}
    hd = rows[("2020", "hai-duong", "dti")]
    assert (hd["value"], hd["rank"], hd["source"]) == ("0.3504", "14", "S_baohaiduong_2020")
    assert [rows[("2020", "hai-duong", p)]["rank"] for p in ("cqs", "kts", "xhs")] == ["22", "9", "13"]
    tv = rows[("2021", "tra-vinh", "dti")]
    assert tv["provenance"] == "derived"
    # derived: the 2022 score less the rise the province published
    assert float(tv["value"]) == pytest.approx(float(rows[("2022", "tra-vinh", "dti")]["value"]) - 0.1783, abs=1e-9)
    assert rows[("2021", "vinh-long", "attt")]["rank"] == "8"
    out = json.loads(run("rank", "--year", "2020", "-f", "json").out)
    assert {r["province"]: r["rank"] for r in out}["hai-duong"] == 14
