"""A user's own file, in every command (issue 10): ranks over the units in the file, names from the file or the
provinces, no refusal because the 63-province publication's rules do not apply to it."""

import csv
import io
import random

import pytest

import dti_cli as dti

MAIN = ["nhan_thuc_so", "the_che_so", "ha_tang_so", "nhan_luc_so", "attt", "hd_cqs", "hd_kts", "hd_xhs"]
FOUR = ["quang-ninh", "ha-noi", "da-nang", "bac-ninh"]


@pytest.fixture(autouse=True)
def empty_store(tmp_path, monkeypatch):
    monkeypatch.setenv("DTI_HOME", str(tmp_path / "dti-home"))


@pytest.fixture
def four(write):
    """Four provinces' main indices for 2022 and 2023 (seeded), named by slug in a `province` column."""
    rnd = random.Random(1)
    lines = ["year,province,indicator,value"] + [f"{y},{p},{i},{rnd.uniform(0.4, 0.95):.4f}"
                                                  for y in (2022, 2023) for p in FOUR for i in MAIN]
    return write("four.csv", "\n".join(lines) + "\n")


def rows(res) -> list[dict]:
    assert res.code == 0, res
    return list(csv.DictReader(io.StringIO(res.out)))


def test_a_province_file_is_ranked_over_its_own_provinces(run, four):
    got = rows(run("rank", "--data", four, "-f", "csv"))
    assert sorted(int(r["rank"]) for r in got) == [1, 2, 3, 4]
    scores = [float(r["score"]) for r in got]
    assert scores == sorted(scores, reverse=True)
    assert {r["name"] for r in got} == {"Quảng Ninh", "Hà Nội", "Đà Nẵng", "Bắc Ninh"}
    assert all(r["prev_rank"] for r in got)  # 2022 is ranked among the same four


@pytest.mark.parametrize("args", [
    ["compare", "quang-ninh", "ha-noi", "--national"], ["gap", "quang-ninh", "-r", "1"],
    ["whatif", "quang-ninh", "--set", "hd_cqs=0.99"], ["uncertainty", "--samples", "200"],
    ["explain", "quang-ninh"], ["movers"], ["show", "quang-ninh"]])
def test_every_analysis_works_on_four_provinces(run, four, args):
    res = run(*args, "--data", four, "-f", "csv")
    assert res.code == 0 and res.out, res
    assert "cannot be recomputed" not in res.err and "không tính lại được" not in res.err


def test_the_national_mean_of_a_file_is_the_mean_of_its_units(run, four):
    r = next(x for x in rows(run("compare", "quang-ninh", "--national", "--data", four, "-f", "csv"))
             if x["indicator"] == "dti")
    ranked = dti.rank(data=four)
    assert r["national_n"] == "4" and float(r["national"]) == pytest.approx(ranked["score"].mean(), abs=1e-9)
    assert r["rank"] == str(int(ranked.set_index("province").loc["quang-ninh", "rank"]))


def test_uncertainty_ranks_every_unit_of_the_file(run, four):
    got = rows(run("uncertainty", "--data", four, "--samples", "200", "-f", "csv"))
    assert sorted(int(r["rank"]) for r in got) == [1, 2, 3, 4]


def test_report_on_a_users_file(run, four, tmp_path):
    out = tmp_path / "r.html"
    res = run("report", "quang-ninh", "--data", four, "--samples", "200", "-o", str(out))
    assert res.code == 0 and out.exists(), res
    assert "/4" in out.read_text(encoding="utf-8") or "of 4" in out.read_text(encoding="utf-8")


def test_names_come_from_the_file_then_the_provinces_then_the_id(run, write):
    path = write("u.csv", "year,unit,name,indicator,value\n2023,qn,Quảng Ninh (mine),dti,0.70\n"
                          "2023,ha-noi,,dti,0.75\n2023,x9,,dti,0.6\n")
    got = {r["unit"]: r for r in rows(run("rank", "--data", path, "-f", "csv"))}
    assert {u: r["name"] for u, r in got.items()} == {"qn": "Quảng Ninh (mine)", "ha-noi": "Hà Nội", "x9": "x9"}
    assert {u: r["rank"] for u, r in got.items()} == {"ha-noi": "1", "qn": "2", "x9": "3"}


def test_the_bundled_publication_keeps_its_rules(run):
    """2021: only 6 provinces have a DTI value; the ranks shown are the 21 published ones, among 63."""
    got = rows(run("rank", "--year", "2021", "-f", "csv"))
    assert sum(1 for r in got if r["score"]) == 6 and len(got) == 21 and max(int(r["rank"]) for r in got) > 21


def test_a_merged_unit_missing_a_member_is_named_on_the_34(run, write):
    path = write("m.csv", "year,province,indicator,value\n2024,hai-duong,dti,0.7\n2024,hai-phong,dti,0.8\n"
                          "2024,bac-kan,dti,0.5\n2024,tuyen-quang,dti,0.6\n2024,ha-giang,dti,0.55\n")
    res = run("rank", "--data", path, "--boundaries", "2025", "--lang", "en", "-f", "csv")
    got = rows(res)
    assert [(r["province"], r["rank"]) for r in got] == [("hai-phong", "1"), ("tuyen-quang", "2")]
    assert "Thái Nguyên (from July 2025) is left out: the file has Bắc Kạn but not Thái Nguyên" in res.err
