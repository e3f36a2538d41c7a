"""`dti import`: a published table, as the ministry's page reads, joins the bundled years in every command."""

import csv
import io
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import dti_cli as dti

ROOT = Path(__file__).resolve().parent.parent
EX = ROOT / "examples" / "import"
SYNTH = str(EX / "synthetic_2025.csv")


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    """Each test has its own, empty store."""
    d = tmp_path / "dti-home"
    monkeypatch.setenv("DTI_HOME", str(d))
    return d


def store_files(home: Path) -> list[str]:
    return sorted(str(p.relative_to(home)) for p in home.rglob("*") if p.is_file()) if home.exists() else []


def table_rows(path: str) -> list[list[str]]:
    """The synthetic table's data rows (STT, name, DTI, rank, CQS, KTS, XHS), average row left out."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    rows = [line.split(";") for line in lines[3:]]
    return [r for r in rows if r[0]]


def write_table(path: Path, header: list[str], rows: list[list], sep: str = ";", title: bool = True) -> str:
    text = ("TITLE ROW" + sep * (len(header) - 1) + "\n") if title else ""
    text += "\n".join(sep.join(str(c) for c in r) for r in [header, *rows]) + "\n"
    path.write_text(text, encoding="utf-8")
    return str(path)


def num(text: str) -> float:
    return float(text.replace(",", "."))


def test_the_example_is_what_the_seeded_script_writes(tmp_path):
    env = dict(os.environ, DTI_HOME=str(tmp_path / "empty"))
    out = subprocess.run([sys.executable, str(EX / "make_synthetic.py")], capture_output=True, text=True, check=True,
                         env=env)
    assert out.stdout == Path(SYNTH).read_text(encoding="utf-8")


def test_import_2025_on_the_34_units_gives_deltas_and_rank_changes(run, home):
    before = dti.rank(year=2024, boundaries=2025, lang="en").set_index("province")
    res = run("import", SYNTH, "--year", "2025", "--source", "https://example.org/dti-2025", "-f", "csv")
    assert res.code == 0, res
    assert "imported 2025: 34 of the 34 units, 136 rows (dti, cqs, kts, xhs)" in res.err
    assert "left out the average rows (line 38)" in res.err
    assert "2025 has no shipped method" in res.err
    assert store_files(home) == ["methods/2025.toml", "tables/2025.csv", "tables/2025.json"]
    rec = json.loads((home / "tables" / "2025.json").read_text(encoding="utf-8"))
    assert (rec["boundaries"], rec["units"], rec["source"]) == (2025, 34, "https://example.org/dti-2025")

    res = run("rank", "--year", "2025", "-f", "json")
    assert res.code == 0 and "2025 imported on the 34 units" in res.err
    rows = json.loads(res.out)
    table = {r[1]: r for r in table_rows(SYNTH)}
    assert len(rows) == 34 and [r["rank"] for r in rows] == sorted(r["rank"] for r in rows)
    for r in rows:
        published = table[r["name"]]
        assert r["score"] == num(published[2]) and r["rank"] == int(published[3])
        assert r["provenance"] == "user"
        prev = before.loc[r["province"]]
        assert r["delta"] == pytest.approx(r["score"] - prev["score"], abs=1e-9)
        assert r["rank_change"] == prev["rank"] - r["rank"]
        assert r["cqs"] == num(published[4])  # the pillars as published


def test_every_command_takes_the_new_year(run, tmp_path):
    assert run("import", SYNTH, "--year", "2025").code == 0
    history = json.loads(run("show", "ha-noi", "-f", "json").out)["history"]
    assert [r["year"] for r in history][-2:] == [2024, 2025] and history[-1]["provenance"] == "user"
    assert run("compare", "ha-noi", "hue", "--year", "2025", "-f", "csv").code == 0
    hue = next(r for r in table_rows(SYNTH) if r[1] == "Huế")
    ex = run("explain", "hue", "--year", "2025", "-f", "table")
    assert ex.code == 0 and f"In 2025 Huế scored {num(hue[2]):.4f}, up" in ex.out
    assert run("movers", "--year", "2025", "-f", "csv").code == 0
    for args in (["chart", "history", "ha-noi", "-o", str(tmp_path / "h.svg")],
                 ["map", "--year", "2025", "-o", str(tmp_path / "m.svg")],
                 ["report", "hue", "--year", "2025", "-o", str(tmp_path / "r.md")]):
        res = run(*args)
        assert res.code == 0, res
    report = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "2025" in report and f"{num(hue[2]):.4f}" in report.replace(hue[2], f"{num(hue[2]):.4f}")
    merged = run("show", "hai-duong", "-f", "csv")
    assert merged.code == 0 and "Hải Dương is part of Hải Phòng from 1 July 2025" in merged.err
    # a command about one year of the 63 stays on the 63
    assert len(json.loads(run("rank", "--year", "2024", "-f", "json").out)) == 63


def test_the_default_year_is_the_imported_one(run):
    run("import", SYNTH, "--year", "2025")
    rows = json.loads(run("rank", "--top", "1", "-f", "json").out)
    assert rows[0]["name"] == table_rows(SYNTH)[0][1]


def test_xlsx_gives_the_same_store_as_csv(run, home, tmp_path):
    pytest.importorskip("openpyxl", reason="openpyxl is in the [excel] extra")
    book = tmp_path / "dti_2025.xlsx"
    subprocess.run([sys.executable, str(EX / "make_synthetic.py"), "--xlsx", str(book)], check=True,
                   env=dict(os.environ, DTI_HOME=str(tmp_path / "empty")))
    assert run("import", SYNTH, "--year", "2025").code == 0
    from_csv = (home / "tables" / "2025.csv").read_text(encoding="utf-8")
    assert run("import", "--remove", "2025").code == 0
    res = run("import", str(book), "--year", "2025")
    assert res.code == 0, res
    assert (home / "tables" / "2025.csv").read_text(encoding="utf-8") == from_csv


def _table_63(tmp_path, year=2022, shift=-0.1):
    """A complete 63-province table: the bundled year's figures moved by `shift`, ranks as published."""
    base = dti.rank(year=year, lang="vi")
    rows = [[i + 1, r.name, f"{max(0.0, r.score + shift):.4f}".replace(".", ","), r.rank,
             f"{max(0.0, r.cqs + shift):.4f}".replace(".", ",")] for i, r in enumerate(base.itertuples())]
    return write_table(tmp_path / f"t{year}.csv", ["STT", "Tỉnh/thành phố", "Chỉ số DTI", "Xếp hạng",
                                                    "Chính quyền số"], rows)


def test_a_63_province_table_replaces_a_bundled_year_only_when_asked(run, home, tmp_path):
    path = _table_63(tmp_path)
    res = run("import", path, "--year", "2021")
    assert res.code == 2 and "2021 is bundled with dti" in res.err and "--replace" in res.err
    assert store_files(home) == []
    res = run("import", path, "--year", "2021", "--replace")
    assert res.code == 0, res
    assert "of the 63 units" in res.err and "replace the bundled ones" in res.err
    rows = json.loads(run("rank", "--year", "2021", "-f", "json").out)
    assert len(rows) == 63 and all(r["provenance"] == "user" for r in rows)
    r2022 = {r["province"]: r for r in json.loads(run("rank", "--year", "2022", "-f", "json").out)}
    assert r2022["da-nang"]["delta"] == pytest.approx(0.1, abs=1e-9)  # against the imported 2021
    lst = run("import", "--list", "-f", "csv")
    assert list(csv.DictReader(io.StringIO(lst.out)))[0]["year"] == "2021"
    assert run("import", "--remove", "2021").code == 0
    assert json.loads(run("rank", "--year", "2021", "-f", "json").out)[0]["provenance"] != "user"
    assert store_files(home) == []


def test_a_year_already_in_the_store_needs_replace(run, home):
    assert run("import", SYNTH, "--year", "2025").code == 0
    before = (home / "tables" / "2025.csv").read_bytes()
    res = run("import", SYNTH, "--year", "2025")
    assert res.code == 2 and "already in the store" in res.err
    assert run("import", SYNTH, "--year", "2025", "--replace").code == 0
    assert (home / "tables" / "2025.csv").read_bytes() == before


def test_a_2024_table_on_the_34_units_takes_the_place_of_the_averages(run):
    res = run("import", SYNTH, "--year", "2024", "--boundaries", "34", "--replace")
    assert res.code == 0 and "34 of the 34 units" in res.err
    rows = json.loads(run("rank", "--year", "2024", "-f", "json").out)
    assert len(rows) == 34 and all(r["provenance"] == "user" for r in rows)
    assert len(json.loads(run("rank", "--year", "2023", "-f", "json").out)) == 63


HEADER = ["STT", "Tỉnh, thành phố", "Chỉ số DTI", "Xếp hạng"]


def _rows34(edit=None):
    rows = [r[:4] for r in table_rows(SYNTH)]
    if edit:
        edit(rows)
    return rows


def _set(i, j, v):
    def edit(rows):
        rows[i][j] = v
    return edit


BAD = {
    "out_of_range": (_rows34(_set(3, 2, "1,5")), "line 6, column 3 (Chỉ số DTI): '1,5' is outside [0, 1]"),
    "not_a_number": (_rows34(_set(0, 2, "0,8x")), "line 3, column 3 (Chỉ số DTI): '0,8x' is not a number"),
    "unknown_name": (_rows34(_set(1, 1, "Hue Cityy")), "line 4, column 2"),
    "close_name": (_rows34(_set(2, 1, "hai-phongg")), "did you mean"),
    "duplicate": (_rows34(_set(1, 1, "Hà Nội")), "'Hà Nội' is the same unit as line 3"),
    "rank": (_rows34(_set(0, 3, "2")), "rank 2 does not follow from the values"),
    "rank_range": (_rows34(_set(0, 3, "35")), "not a rank from 1 to 34"),
    "missing": (_rows34(lambda rows: rows.pop()), "1 of the 34 units missing: Cao Bằng"),
    "merged": (_rows34(_set(5, 1, "Hải Dương")), "'Hải Dương' is not one of the 34 units"),
    "control": (_rows34(_set(0, 1, "Hà\x1bNội")), "line 3, column 2: a control character"),
    "no_unit": (_rows34(_set(0, 1, "")), "a row with figures but no unit"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_table_is_one_line_and_changes_nothing(run, home, tmp_path, case):
    assert run("import", SYNTH, "--year", "2025").code == 0
    snapshot = {f: (home / f).read_bytes() for f in store_files(home)}
    rows, message = BAD[case]
    path = write_table(tmp_path / "bad.csv", HEADER, rows)
    res = run("import", path, "--year", "2025", "--replace")
    assert res.code == 1 and res.out == "", res
    assert message in res.err and len(res.err.strip().splitlines()) == 1 and "Traceback" not in res.err
    assert {f: (home / f).read_bytes() for f in store_files(home)} == snapshot


def test_partial_imports_a_table_that_lacks_units(run, tmp_path):
    path = write_table(tmp_path / "p.csv", HEADER, _rows34(lambda rows: rows.pop()))
    res = run("import", path, "--year", "2025", "--partial")
    assert res.code == 0 and "1 unit has no row" in res.err
    rows = json.loads(run("rank", "--year", "2025", "-f", "json").out)
    assert "cao-bang" not in {r["province"] for r in rows if r["score"] is not None}


def test_unknown_columns_are_named_and_map_places_them(run, tmp_path):
    header = ["STT", "Địa phương", "Điểm tổng hợp", "Thứ hạng", "Ghi chú tỉnh"]
    path = write_table(tmp_path / "m.tsv", header, [r + ["x"] for r in _rows34()], sep="\t", title=False)
    res = run("import", path, "--year", "2025")
    assert res.code == 1 and "column 3 (Điểm tổng hợp): a column dti cannot place" in res.err
    res = run("import", path, "--year", "2025", "--map", "Điểm tổng hợp=dti", "--map", "Ghi chú tỉnh=")
    assert res.code == 0, res
    assert json.loads(run("rank", "--year", "2025", "-f", "json").out)[0]["rank"] == 1
    assert run("import", path, "--year", "2025", "--replace", "--map", "Điểm=dti").code == 2  # no such column
    assert run("import", path, "--year", "2025", "--replace", "--map", "Điểm tổng hợp").code == 2  # no '='


def test_plain_english_comma_file(run, tmp_path):
    rows = [[r[1], r[2].replace(",", "."), r[3]] for r in table_rows(SYNTH)]
    path = write_table(tmp_path / "en.csv", ["Province", "DTI", "Rank"], rows, sep=",", title=False)
    assert run("import", path, "--year", "2025").code == 0


@pytest.mark.parametrize("content, message", [
    (b"", "no header row naming the units"),
    (b"a;b\n1;2\n", "no header row naming the units"),
    (b"T\xecnh;DTI\nH\xe0 N\xf4i;0,5\n", "not UTF-8 text"),  # a Windows code page
    (b"PK\x03\x04 not really a workbook", "not a readable .xlsx workbook"),
    ("Tỉnh;DTI\n".encode(), "no data rows under the header"),
    ("Tỉnh;DTI\nHà Nội;0,5;7\n".encode(), "more cells than the 2 of the header"),
])
def test_unreadable_files(run, home, tmp_path, content, message):
    p = tmp_path / "f.csv"
    p.write_bytes(content)
    res = run("import", str(p), "--year", "2025")
    assert res.code == 1 and message in res.err and res.out == "", res
    assert store_files(home) == []


def test_utf16_tab_file_as_excel_saves_unicode_text(run, tmp_path):
    rows = [[r[1], r[2], r[3]] for r in table_rows(SYNTH)]
    text = "\n".join("\t".join(r) for r in [["Tỉnh, thành phố", "Chỉ số DTI", "Xếp hạng"], *rows]) + "\n"
    p = tmp_path / "u16.txt"
    p.write_bytes(text.encode("utf-16"))
    assert run("import", str(p), "--year", "2025").code == 0


@pytest.mark.parametrize("args, message", [
    (["import", SYNTH], "--year is needed"),
    (["import", SYNTH, "--year", "0"], "--year 0: not a year"),
    (["import", "--list", "--remove", "2025"], "one of them"),
    (["import"], "one of them"),
    (["import", "nowhere.csv", "--year", "2025"], "no such file: nowhere.csv"),
    (["import", "--remove", "2030"], "2030 is not in the store"),
])
def test_usage_errors(run, home, args, message):
    res = run(*args)
    assert res.code == 2 and message in res.err, res
    assert store_files(home) == []


def test_list_and_remove(run, home):
    assert "no imported years" in run("import", "--list").err
    run("import", SYNTH, "--year", "2025")
    lst = list(csv.DictReader(io.StringIO(run("import", "--list", "-f", "csv").out)))
    assert [(r["year"], r["units"], r["boundaries"], r["file"]) for r in lst] == [
        ("2025", "34", "34", "synthetic_2025.csv")]
    res = run("import", "--remove", "2025")
    assert res.code == 0 and "removed 2025" in res.err
    assert store_files(home) == []  # the method the import wrote goes with it
    assert run("rank", "--year", "2025").code == 2


def test_an_edited_method_stays_when_the_year_is_removed(run, home):
    run("import", SYNTH, "--year", "2025")
    m = home / "methods" / "2025.toml"
    m.write_text(m.read_text(encoding="utf-8") + "\n# my notes\n", encoding="utf-8")
    res = run("import", "--remove", "2025")
    assert res.code == 0 and "kept" in res.err and m.exists()


def test_a_store_table_changed_by_hand_is_named(run, home):
    run("import", SYNTH, "--year", "2025")
    t = home / "tables" / "2025.csv"
    lines = t.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].replace(",dti,0.", ",dti,9.")
    t.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run("rank", "--year", "2025")
    assert res.code == 1 and f"{t}, line 5" in res.err and "--replace" in res.err


def test_verify_checks_the_imported_ranks_on_the_34_and_the_bundled_on_the_63(run):
    run("import", SYNTH, "--year", "2025")
    res = run("verify", "-f", "csv")
    assert res.code == 0
    rows = list(csv.DictReader(io.StringIO(res.out)))
    assert sum(r["year"] == "2025" for r in rows) == 34
    assert "144 of 144 published aggregates" in res.err


def _fill_in_weights(path: Path, edition: str) -> None:
    """What a user does once the weights are published: each aggregate's children get their weights."""
    ship = (ROOT / "dti_cli" / "methods" / f"{edition}.toml").read_text(encoding="utf-8")
    children = {k: v["children"] for k, v in tomllib.loads(ship)["aggregates"].items()}
    text = path.read_text(encoding="utf-8")
    for agg, weights in children.items():
        i = text.index(f"[aggregates.{agg}]")
        j = text.index("children = [", i)
        k = text.index('weights = "unknown"', j) + len('weights = "unknown"')
        table = ", ".join(f"{c} = {w}" for c, w in weights.items())
        text = text[:j] + f"children = {{ {table} }}" + text[k:]
    path.write_text(text, encoding="utf-8")


def test_method_new_and_weights_filled_in_compute_and_verify(run, home, tmp_path):
    res = run("method", "--new", "2026", "922", "-f", "csv")
    assert res.code == 0 and "structure of edition 922" in res.err
    assert run("method", "--new", "2026").code == 2  # there already
    assert run("method", "--new", "2023").code == 2  # a shipped year
    _fill_in_weights(home / "methods" / "2026.toml", "922")
    # a 2026 table of the eight main indices and the index, for the provinces that have all of them in 2022
    wide = dti.scores(year=2022, lang="en").pivot(index="province", columns="node", values="score")
    leaves = ["nhan_thuc_so", "the_che_so", "ha_tang_so", "nhan_luc_so", "attt", "hd_cqs", "hd_kts", "hd_xhs"]
    names = ["Nhận thức số", "Thể chế số", "Hạ tầng số", "Nhân lực số", "An toàn thông tin mạng",
             "Hoạt động chính quyền số", "Hoạt động kinh tế số", "Hoạt động xã hội số"]
    top = wide.dropna(subset=leaves)
    rows = [[p, *(f"{top.loc[p, n]:.4f}" for n in leaves), f"{top.loc[p, 'dti']:.4f}"] for p in top.index]
    t = write_table(tmp_path / "t2026.csv", ["Tỉnh", *names, "Chỉ số DTI"], rows, sep=",", title=False)
    res = run("import", t, "--year", "2026", "--boundaries", "63", "--partial")
    assert res.code == 0, res
    ver = run("verify", "-f", "csv")
    assert ver.code == 0, ver
    checked = [r for r in csv.DictReader(io.StringIO(ver.out)) if r["year"] == "2026" and r["check"] == "value"]
    assert len(checked) == len(rows) and all(r["ok"] == "True" and r["indicator"] == "dti" for r in checked)


def test_store_home_follows_the_platform(monkeypatch, tmp_path):
    from dti_cli.io import store

    monkeypatch.delenv("DTI_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setattr(sys, "platform", "linux")
    assert store.home() == tmp_path / "xdg" / "dti"
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", str(tmp_path / "roaming"))
    assert store.home() == tmp_path / "roaming" / "dti"
    monkeypatch.setattr(sys, "platform", "darwin")
    assert store.home() == Path.home() / "Library" / "Application Support" / "dti"


# --- what an attack on `dti import` found (issue 11) ---

def test_a_figure_under_no_header_is_named(run, home, tmp_path):
    """A decimal comma in a comma-separated file puts the decimals under no header: refused, not read as 0."""
    rows = [[r[1], r[2], r[3]] for r in table_rows(SYNTH)]
    text = "Tỉnh,DTI,Xếp hạng,\n" + "\n".join(",".join(r) + "," for r in rows) + "\n"  # as a spreadsheet saves it
    p = tmp_path / "a2.csv"
    p.write_text(text, encoding="utf-8")
    res = run("import", str(p), "--year", "2025")
    assert "is in a column with no header" in res.err and "line 2, column 4" in res.err, res
    assert store_files(home) == []


def test_blank_lines_are_skipped_and_rows_are_bounded(run, home, tmp_path, monkeypatch):
    lines = Path(SYNTH).read_text(encoding="utf-8").splitlines()
    p = tmp_path / "blank.csv"
    p.write_text("\n".join(lines[:5] + [";;;;;;"] * 20_000 + lines[5:]) + "\n", encoding="utf-8")
    assert run("import", str(p), "--year", "2025").code == 0
    from dti_cli.io import table_read
    monkeypatch.setattr(table_read, "MAX_ROWS", 20)
    res = run("import", SYNTH, "--year", "2025", "--replace")
    assert res.code == 1 and "more than 20 rows that hold something" in res.err, res


def test_too_many_columns_is_one_line(run, home, tmp_path):
    p = tmp_path / "wide.csv"
    p.write_text("Tỉnh;" + ";".join(f"c{i}" for i in range(1_200)) + "\nHà Nội;" + "0,5;" * 1_200 + "\n",
                 encoding="utf-8")
    res = run("import", str(p), "--year", "2025")
    assert res.code == 1 and "more than 1,000 columns" in res.err and "line 1, column 1201" in res.err, res


@pytest.mark.parametrize("year", [2025.5, "2025", True, 1999, 2101])
def test_the_api_refuses_a_year_that_is_not_a_whole_number_before_writing(home, year):
    with pytest.raises(dti.UsageError):
        dti.import_table(SYNTH, year=year)
    assert store_files(home) == []


@pytest.mark.parametrize("source, message", [("x" * 1_001, "longer than 1,000 characters"),
                                             ("https://a.vn/\x1b[2J", "holds a control character")])
def test_source_is_one_clean_line(run, home, source, message):
    res = run("import", SYNTH, "--year", "2025", "--source", source)
    assert res.code == 2 and message in res.err, res
    assert store_files(home) == []


def test_source_spaces_and_line_ends_are_folded(run, home):
    assert run("import", SYNTH, "--year", "2025", "--source", "https://a.vn/x\n  (trang 3)").code == 0
    rec = json.loads((home / "tables" / "2025.json").read_text(encoding="utf-8"))
    assert rec["source"] == "https://a.vn/x (trang 3)"


def test_a_failure_saving_the_method_leaves_no_year(run, home, monkeypatch):
    from dti_cli.io import store

    def fail(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(store, "save_method", fail)
    with pytest.raises(OSError):
        dti.import_table(SYNTH, year=2025)
    assert store_files(home) == []


def test_replace_keeps_the_method_record_so_remove_takes_it_away(run, home):
    assert run("import", SYNTH, "--year", "2025").code == 0
    assert run("import", SYNTH, "--year", "2025", "--replace").code == 0
    assert json.loads((home / "tables" / "2025.json").read_text(encoding="utf-8"))["method"]["path"] == "2025.toml"
    assert run("import", "--remove", "2025").code == 0
    assert store_files(home) == []


@pytest.mark.parametrize("field, value", [("boundaries", 1e999), ("boundaries", 7), ("units", 1e999)])
def test_a_record_changed_by_hand_is_named(run, home, field, value):
    run("import", SYNTH, "--year", "2025")
    meta = home / "tables" / "2025.json"
    rec = json.loads(meta.read_text(encoding="utf-8"))
    rec[field] = value
    meta.write_text(json.dumps(rec), encoding="utf-8")
    res = run("rank", "--year", "2025")
    assert res.code == 1 and str(meta) in res.err and "Traceback" not in res.err, res


@pytest.mark.parametrize("rank", ["1.5", "99"])
def test_a_stored_rank_that_cannot_be_is_named(run, home, rank):
    run("import", SYNTH, "--year", "2025")
    t = home / "tables" / "2025.csv"
    lines = t.read_text(encoding="utf-8").splitlines()
    cols = lines[1].split(",")
    header = lines[0].split(",")
    cols[header.index("rank")] = rank
    lines[1] = ",".join(cols)
    t.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = run("rank", "--year", "2025")
    assert res.code == 1 and f"{t}, line 2" in res.err, res


def test_ranks_without_values_must_form_a_ranking(run, home, tmp_path):
    rows = [[r[1], r[3]] for r in table_rows(SYNTH)]
    rows[0][1] = rows[1][1] = "5"
    p = write_table(tmp_path / "r.csv", ["Tỉnh, thành phố", "Xếp hạng"], rows, title=False)
    res = run("import", p, "--year", "2025")
    assert res.code == 1 and "is not a competition ranking" in res.err, res
    assert store_files(home) == []


def test_a_formula_with_no_saved_value_is_refused(run, home, tmp_path):
    openpyxl = pytest.importorskip("openpyxl", reason="openpyxl is in the [excel] extra")
    book = openpyxl.Workbook()
    sh = book.active
    sh.append(["Tỉnh, thành phố", "Chỉ số DTI", "Xếp hạng"])
    for r in table_rows(SYNTH):
        sh.append([r[1], float(num(r[2])), int(r[3])])
    sh["B2"] = "=0.5+0.1"  # openpyxl saves no cached result, as a program that does not compute would
    p = tmp_path / "f.xlsx"
    book.save(p)
    res = run("import", str(p), "--year", "2025")
    assert res.code == 1 and "line 2, column 2" in res.err and "a formula whose result" in res.err, res
    assert store_files(home) == []


def test_a_zip_bomb_workbook_is_refused_before_it_is_opened(run, home, tmp_path, monkeypatch):
    pytest.importorskip("openpyxl", reason="openpyxl is in the [excel] extra")
    book = tmp_path / "dti_2025.xlsx"
    subprocess.run([sys.executable, str(EX / "make_synthetic.py"), "--xlsx", str(book)], check=True,
                   env=dict(os.environ, DTI_HOME=str(tmp_path / "empty")))
    from dti_cli.io import table_read
    monkeypatch.setattr(table_read, "MAX_UNZIPPED", 1_000)
    res = run("import", str(book), "--year", "2025")
    assert res.code == 1 and "the workbook expands to" in res.err, res
