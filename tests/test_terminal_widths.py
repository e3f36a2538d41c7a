"""Terminal layouts at real widths (60, 80, 120 columns, no colour): nothing wider than the terminal, names whole or
cut with an ellipsis (never split over lines), figures never cut, the bar dropped first, `compare` side by side."""

import pandas as pd
import pytest
from rich.cells import cell_len
from rich.console import Console

from dti_cli.model.result import Column, Table
from dti_cli.render.terminal import layout

WIDTHS = (60, 80, 120)
PROVINCES = ("Quảng Ninh", "Hà Nội", "Đà Nẵng")
TOP5 = ("Đà Nẵng", "TP. Hồ Chí Minh", "Quảng Ninh", "Thừa Thiên Huế", "Cần Thơ")
INDICATORS = {"vi": ("Chỉ số DTI", "Chính quyền số", "Nền tảng chung", "An toàn thông tin mạng",
                     "Hoạt động chính quyền số", "Hoạt động kinh tế số"),
              "en": ("DTI", "Digital government", "Common foundation", "Cybersecurity",
                     "Digital government activity", "Digital economy activity")}
COMMANDS = {"rank": ("rank", "--year", "2022", "--top", "5"),
            "show": ("show", "quang-ninh", "--year", "2022"),
            "compare": ("compare", "quang-ninh", "ha-noi", "da-nang", "--year", "2022")}


def _screen(run, width: int, *args: str):
    r = run(*args, "-f", "table", env={"COLUMNS": str(width), "NO_COLOR": "1"})
    assert r.code == 0, r
    return r


def _whole_or_cut(out: str, name: str) -> bool:
    """The name on one line, whole or as its beginning and an ellipsis."""
    return name in out or any(f"{name[:k]}…" in out for k in range(3, len(name)))


def _widest(out: str) -> int:
    return max(cell_len(line) for line in out.splitlines())


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_tables_fit_the_terminal_with_names_and_figures_intact(run, command, width, lang):
    out = _screen(run, width, *COMMANDS[command], "--lang", lang).out
    assert _widest(out) <= width
    assert "0.7024" in out  # Quảng Ninh 2022, never cut
    names = {"rank": TOP5, "show": INDICATORS[lang][2:], "compare": PROVINCES + INDICATORS[lang]}[command]
    assert all(_whole_or_cut(out, n) for n in names), out
    if width == 120:
        assert "…" not in out


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_narrow_rank_drops_the_bar_first_then_cuts_names_with_an_ellipsis(run, lang):
    wide = _screen(run, 80, "rank", "--year", "2022", "--top", "5", "--lang", lang).out
    assert "█" in wide and "TP. Hồ Chí Minh" in wide
    narrow = _screen(run, 60, "rank", "--year", "2022", "--top", "5", "--lang", lang).out
    assert "█" not in narrow and _widest(narrow) <= 60
    if lang == "vi":  # the Vietnamese headers leave no room: names are cut
        assert "TP. Hồ Chí M…" in narrow and "Thừa Thiên H…" in narrow
    else:  # the English ones wrap, so the table is split before a name is cut
        assert "TP. Hồ Chí Minh" in narrow and "Thừa Thiên Huế" in narrow


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("width", WIDTHS)
def test_compare_puts_the_provinces_side_by_side(run, width, lang):
    out = _screen(run, width, *COMMANDS["compare"], "--lang", lang).out
    lines = out.splitlines()
    heads = [line for line in lines if all(p in line for p in PROVINCES)]
    if width >= 80 or lang == "vi":
        assert heads, out  # one header line names the three
    else:  # English names need more room at 60: the provinces go in two tables of whole provinces
        assert sum(all(p in line for p in PROVINCES[:2]) for line in lines) >= 1 and "Đà Nẵng" in out
    rows = [line for line in lines if line.lstrip().startswith(INDICATORS[lang][0] + " ")]
    assert len(rows) < 8  # one row per indicator and table, not one per province and indicator (39 in all)
    assert "0.6098" in out and "0.8002" in out and "0.7024" in out


def test_compare_side_by_side_at_60_columns_exactly(run):
    out = _screen(run, 60, "compare", "ha-noi", "da-nang", "quang-ninh", "--year", "2023", "--lang", "vi").out
    expected = """\
Hà Nội, Đà Nẵng, Quảng Ninh — 2023 (hạng trong số 63)

 Chỉ số            Hà Nội Hạng Đà Nẵng Hạng Quảng Ninh Hạng
 ──────────────────────────────────────────────────────────
 Chỉ số DTI        0.7448    6  0.8340    1     0.7166   12
 Chính quyền số   0.7574*   32 0.9098*    1    0.7781*   21
 Kinh tế số       0.8067*    4 0.8769*    1    0.7489*   17
 Xã hội số        0.7368*   11 0.8450*    1    0.7200*   15
 Nền tảng chung   0.7887†   18 0.9221†    1    0.7829†   22
 Hạ tầng số        0.6901   35  0.8362    2     0.7291   18
 Hoạt động chính…  0.6794   47  0.8790    1     0.7662   26
 Hoạt động kinh …  0.8667    1  0.7262    6     0.6356   21
 Hoạt động xã hộ…  0.5639    4  0.5881    2     0.5105    6

DTI cấp tỉnh 2021–2023 (Quyết định 922/QĐ-BTTTT)
* do dti tính; † suy ra từ số liệu công bố
Thay đổi so với 2022

 Chỉ số                Hà Nội   ↕ Đà Nẵng  ↕ Quảng Ninh   ↕
 ──────────────────────────────────────────────────────────
 Chỉ số DTI           +0.1350 ▲18 +0.0338  =    +0.0142  ▼9
 Chính quyền số       +0.1277  ▲8 +0.0459  =    −0.0023 ▼17
 Kinh tế số           +0.1256 ▲14 +0.0296  =    +0.0302  ▼8
 Xã hội số            +0.1473 ▲19 +0.0586  =    +0.0336 ▼13
 Nền tảng chung       +0.1318 ▲19 +0.0557  =    +0.0258 ▼16
 Hạ tầng số           +0.0224 ▼13 +0.0109  =    −0.0357 ▼14
 Hoạt động chính quy… +0.1174  ▼5 +0.0215  =    −0.0723 ▼23
 Hoạt động kinh tế số +0.1052  ▲2 −0.0574 ▼5    +0.0452  ▲1
 Hoạt động xã hội số  +0.1991  ▲2 +0.0684 ▼1    +0.0600  ▼4

"""
    assert [line.rstrip() for line in out.splitlines()] == expected.splitlines()


def test_compare_side_by_side_keeps_the_marks_notes_and_every_figure(run):
    r = _screen(run, 80, "compare", "quang-ninh", "ha-noi", "da-nang", "--national", "--region", "--year", "2022",
                "--lang", "en")
    assert "Note: the means of" in r.err
    assert "0.9400§" in r.out and "§ mean" in r.out and "0.7571†" in r.out
    assert "National" in r.out and "0.7100" in r.out  # the national DTI beside the mean of the provinces
    for title in ("Change since 2021", "Gap to the mean of the provinces", "Region average and gap"):
        assert title in r.out
    assert "+0.1237" in r.out and "+0.2052" in r.out  # Quảng Ninh's gap to the national mean, its change
    assert _widest(r.out) <= 80


def test_too_many_provinces_go_in_tables_of_whole_provinces(run):
    args = ("compare", "ha-noi", "da-nang", "quang-ninh", "ho-chi-minh", "thua-thien-hue", "can-tho", "--year",
            "2023", "--lang", "en")
    out = _screen(run, 60, *args).out
    assert _widest(out) <= 60
    heads = [line for line in out.splitlines() if line.lstrip().startswith("Indicator ")]
    assert len(heads) > 2  # the levels and the changes, each cut in tables
    for name in ("Hà Nội", "Đà Nẵng", "Quảng Ninh", "TP. Hồ Chí Minh", "Thừa Thiên Huế", "Cần Thơ"):
        assert sum(name in h for h in heads) == 2  # once among the levels, once among the changes


def test_machine_output_of_compare_keeps_the_long_form(run):
    r = run("compare", "quang-ninh", "ha-noi", "da-nang", "--year", "2022", "-f", "csv")
    lines = r.out.splitlines()
    assert lines[0].startswith("province,name,indicator,indicator_name,value,rank")
    assert len(lines) == 1 + 3 * 13
    md = run("compare", "quang-ninh", "ha-noi", "--year", "2022", "-f", "markdown").out
    assert md.count("| Quảng Ninh |") == 13


@pytest.mark.parametrize("width", (60, 80))
@pytest.mark.parametrize("args", [
    ("scores", "--year", "2022"), ("movers", "--year", "2023"), ("explain", "quang-ninh", "--year", "2022"),
    ("gap", "bac-ninh", "--target-rank", "3", "--year", "2022"), ("whatif", "quang-ninh", "--set", "hd_kts=0.70",
                                                                    "--year", "2022"),
    ("uncertainty", "--year", "2022", "--samples", "200"), ("verify",), ("check",), ("method", "922"),
    ("show", "ha-noi"), ("rank", "--year", "2023", "--by", "cqs")], ids=lambda a: a[0] if isinstance(a, tuple) else a)
def test_every_table_command_fits_the_terminal(run, args, width):
    for lang in ("vi", "en"):
        out = _screen(run, width, *args, "--lang", lang).out
        assert _widest(out) <= width, (lang, out)


def _render(table: Table, width: int) -> str:
    con = Console(width=width, no_color=True, highlight=False, emoji=False, record=True, file=None)
    with con.capture() as cap:
        for t in layout(table, "en", width):
            con.print(t)
    return cap.get()


def test_the_renderer_drops_the_bar_then_cuts_names_then_cuts_the_table():
    frame = pd.DataFrame({"name": ["Thành phố Hồ Chí Minh", "Bà Rịa - Vũng Tàu"], "score": [0.7163, 0.6124],
                          "bar": ["██████████", "████████▌"], "a": [0.1, 0.2], "b": [0.3, 0.4]})
    cols = (Column("name", "Province", "text"), Column("score", "Score", "score"), Column("bar", "", "bar"),
            Column("a", "Alpha", "score"), Column("b", "Beta", "score"))
    table = Table("t", frame, cols)
    assert "██" in _render(table, 60) and "Thành phố Hồ Chí Minh" in _render(table, 60)
    narrow = _render(table, 44)
    assert "█" not in narrow and "Thành phố Hồ Chí Minh" in narrow
    cut = _render(table, 36)
    assert "Thành phố Hồ…" in cut and "Bà Rịa - Vũn…" in cut and "0.7163" in cut and "0.4000" in cut
    assert _widest(cut) <= 36
    split = _render(table, 24)  # figures are never cut: the table is cut instead, the names in each part
    assert _widest(split) <= 24 and split.count("Province") > 1
    assert all(f in split for f in ("0.7163", "0.6124", "0.1000", "0.2000", "0.3000", "0.4000"))
