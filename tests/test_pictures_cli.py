"""The picture and file commands end to end: charts, map, report, Excel, atomic output."""

import csv
import io
import re
import sys
import xml.etree.ElementTree as ET

import pytest

mpl = pytest.importorskip("matplotlib", reason="the 'plot' extra (matplotlib) is not installed")

SVG = "{http://www.w3.org/2000/svg}"


def ids(path, prefix):
    root = ET.parse(path).getroot()
    return [g.get("id") for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith(prefix)]


def test_chart_rank_svg_and_png(run, tmp_path):
    svg = tmp_path / "rank.svg"
    res = run("chart", "rank", "--year", "2022", "--highlight", "quang-ninh", "-o", str(svg))
    assert res.code == 0, res
    bars = ids(svg, "bar-")
    assert len(bars) == 63 and "bar-quang-ninh" in bars
    png = tmp_path / "rank.png"
    assert run("chart", "rank", "--year", "2024", "--boundaries", "2025", "-o", str(png)).code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg34 = tmp_path / "rank34.svg"
    run("chart", "rank", "--year", "2024", "--boundaries", "2025", "-o", str(svg34))
    assert len(ids(svg34, "bar-")) == 34


def test_chart_history_and_compare(run, tmp_path):
    for cmd, name in ((["chart", "history", "quang-ninh", "ha-noi"], "h.png"),
                      (["chart", "compare", "quang-ninh", "--year", "2022"], "c.svg")):
        out = tmp_path / name
        res = run(*cmd, "-o", str(out))
        assert res.code == 0, res
        assert out.stat().st_size > 1000


def test_chart_needs_a_file_and_a_known_suffix(run, tmp_path):
    res = run("chart", "rank", "--year", "2022")
    assert res.code == 2 and "add -o FILE.svg" in res.err
    res = run("chart", "rank", "--year", "2022", "-o", str(tmp_path / "x.jpg"))
    assert res.code == 2 and ".svg or .png" in res.err and not (tmp_path / "x.jpg").exists()


def test_missing_matplotlib_names_the_install_command(run, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    res = run("chart", "rank", "--year", "2022", "-o", str(tmp_path / "r.svg"))
    assert res.code == 2
    assert res.err.strip().splitlines() == [
        "Error: charts need matplotlib, the 'plot' extra: pip install 'dti[plot]' (in a checkout: pip install "
        "'.[plot]')"]


def test_map_file_and_terminal(run, tmp_path):
    out = tmp_path / "map.svg"
    assert run("map", "--year", "2022", "-o", str(out)).code == 0
    assert len(ids(out, "quang-ninh")) == 1
    res = run("map", "--year", "2022", "-f", "table", "--no-color", env={"COLUMNS": "80"})
    lines = res.out.splitlines()
    assert max(len(line) for line in lines) <= 80
    for label in ("QNi", "HNo", "HCM", "CM", "DNan"):
        assert re.search(rf"\b{label}\b", res.out), label
    # a region in the terminal: its units only; by rank: the legend runs from the last rank to the first
    res = run("map", "--year", "2022", "--region", "mekong", "--by", "rank", "-f", "table", "--no-color")
    assert res.code == 0 and "CT" in res.out.split() and "HNo" not in res.out.split()
    assert res.out.splitlines()[0] == "DTI 2022 · Mekong River Delta"
    assert re.match(r"\d+ +\d+$", res.out.splitlines()[-1].strip())
    res = run("map", "--year", "2022", "--region", "mekong", "-o", str(out))
    assert res.err.strip() == f"Note: wrote {out} (13 provinces with a value)"
    for width in (40, 60):  # a narrow terminal crops the grid's east side instead of wrapping it out of shape
        res = run("map", "--year", "2022", "-f", "table", "--no-color", env={"COLUMNS": str(width)})
        lines = res.out.splitlines()
        assert res.code == 0 and max(len(line) for line in lines) <= width and len(lines) == len(
            run("map", "--year", "2022", "-f", "table", "--no-color", env={"COLUMNS": "80"}).out.splitlines())


@pytest.mark.parametrize("cmd,sheet", [(["rank", "--year", "2022"], "rank 2022"),
                                       (["compare", "quang-ninh", "--national", "--year", "2022"], "compare 2022"),
                                       (["scores", "--year", "2022"], "scores")])
def test_xlsx_reads_back_as_the_csv(run, tmp_path, cmd, sheet):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("openpyxl", reason="the 'excel' extra (openpyxl) is not installed")
    path = tmp_path / "out.xlsx"
    res = run(*cmd, "-o", str(path))
    assert res.code == 0, res
    got = pd.read_excel(path, sheet_name=sheet)
    want = pd.read_csv(io.StringIO(run(*cmd, "-f", "csv").out))
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert pd.ExcelFile(path).sheet_names[-1] == "about"


def test_show_xlsx_has_two_tables(run, tmp_path):
    pd = pytest.importorskip("pandas")
    pytest.importorskip("openpyxl")
    path = tmp_path / "qn.xlsx"
    assert run("show", "quang-ninh", "-o", str(path)).code == 0
    assert pd.ExcelFile(path).sheet_names == ["years", "components", "about"]  # Excel reserves "History"
    hist = pd.read_excel(path, sheet_name="years")
    assert hist.loc[hist["year"] == 2022, "score"].item() == 0.7024


def test_output_file_is_replaced_only_on_success(run, tmp_path):
    out = tmp_path / "rank.csv"
    out.write_text("old")
    res = run("rank", "--year", "2019", "-o", str(out))
    assert res.code == 2 and out.read_text() == "old"
    assert run("rank", "--year", "2022", "-o", str(out)).code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert len(rows) == 63 and [p.name for p in tmp_path.iterdir()] == ["rank.csv"]


def test_report_html(run, tmp_path):
    out = tmp_path / "qn.html"
    res = run("report", "quang-ninh", "--year", "2022", "--samples", "500", "--lang", "vi", "-o", str(out))
    assert res.code == 0, res
    html = out.read_text(encoding="utf-8")
    assert "Năm 2022, Quảng Ninh đạt 0,7024 điểm, tăng 0,2052 điểm và tăng 4 bậc so với năm 2021" in html
    assert "<script" not in html and "http" not in html.split("<body")[0]
    assert html.count("<svg") == 3  # history and comparison charts and the map, inline
    assert '<g id="quang-ninh"><title>Quảng Ninh: 0,7024, hạng 3</title>' in html
    assert len(re.findall(r'<g id="[a-z-]+"><title>', html)) == 63 + 2  # the provinces and the archipelagos
    outline = html.split('<g id="highlight-quang-ninh">')[1].split("</g>")[0]  # the province outlined
    assert "stroke: #d95f02" in outline
    md = tmp_path / "qn.md"
    assert run("report", "quang-ninh", "--lang", "en", "-o", str(md)).code == 0
    assert md.read_text(encoding="utf-8").count("|") > 20


def test_terminal_pictures(run):
    res = run("rank", "--year", "2022", "--top", "3", "-f", "table", "--no-color", env={"COLUMNS": "80"})
    assert "██████████" in res.out  # the leader's bar is full
    res = run("show", "quang-ninh", "-f", "table", "--no-color", env={"COLUMNS": "80"})
    assert re.search(r"DTI 2020–2024\s+[▁▂▃▄▅▆▇█]{5}", res.out)
    res = run("rank", "--year", "2022", "-f", "csv")
    assert "█" not in res.out
