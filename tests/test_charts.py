"""Charts: valid SVG and PNG files, one SVG group per bar, gaps in histories, atomic saves, Vietnamese glyphs."""

import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from dti_cli.model import provinces
from dti_cli.render import charts
from dti_cli.errors import UsageError

SVG = "{http://www.w3.org/2000/svg}"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
VIETNAMESE = ["Quảng Ninh", "Thừa Thiên Huế", "Đắk Lắk"]


@pytest.fixture(scope="module")
def mpl():
    return pytest.importorskip("matplotlib", reason="charts need matplotlib, the optional 'plot' extra")


def units(n: int) -> pd.DataFrame:
    """n provinces (the 63, the 34, or the first n of the 63) with made-up scores, best last."""
    reg = provinces.registry()
    ps = reg.p34 if n == 34 else reg.p63[:n]
    return pd.DataFrame({"unit": [p.slug for p in ps], "name": [p.name_vi for p in ps],
                         "score": np.linspace(0.3, 0.8, len(ps))})


def groups(root: ET.Element, prefix: str) -> dict[str, ET.Element]:
    return {g.get("id"): g for g in root.iter(f"{SVG}g") if (g.get("id") or "").startswith(prefix)}


def fill(group: ET.Element) -> str:
    style = next(group.iter(f"{SVG}path")).get("style", "")
    return dict(x.split(":", 1) for x in style.replace(" ", "").split(";") if ":" in x)["fill"]


def written(fig, tmp_path, name: str) -> ET.Element:
    """Save a figure as PNG and SVG, check both are valid, return the parsed SVG."""
    png, svg = charts.save(fig, tmp_path / f"{name}.png"), charts.save(fig, tmp_path / f"{name}.svg")
    assert png.read_bytes()[:8] == PNG_MAGIC
    return ET.parse(svg).getroot()


def texts(fig) -> list[str]:
    from matplotlib.text import Text

    return [t.get_text() for t in fig.findobj(Text)]


def test_importing_charts_and_geo_does_not_import_matplotlib():
    code = ("import sys, dti_cli.render.charts, dti_cli.render.geo; "
            "print(sorted(m for m in sys.modules if 'matplotlib' in m))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_require_matplotlib_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    with pytest.raises(UsageError, match=r"pip install 'dti\[plot\]'") as exc:
        charts.require_matplotlib()
    assert "\n" not in str(exc.value) and "pip install '.[plot]'" in str(exc.value)
    with pytest.raises(UsageError):
        charts.rank_chart(units(3), title="t")


@pytest.mark.parametrize("n", [63, 34, 13])
def test_rank_chart_one_group_per_scored_bar_and_highlight_colour(mpl, tmp_path, n):
    frame = units(n)
    frame.loc[[1, 4], "score"] = np.nan
    marked = [frame["unit"].iloc[0], frame["unit"].iloc[-1]]
    fig = charts.rank_chart(frame, title="DTI 2022", subtitle="2022 · DTI 2022", source="Nguồn: Bộ TT&TT",
                            national=0.55, highlight=marked)
    root = written(fig, tmp_path, f"rank{n}")
    bars = groups(root, "bar-")
    assert set(bars) == {f"bar-{u}" for u in frame.dropna()["unit"]}
    assert len(bars) == n - 2
    assert {k: fill(g) for k, g in bars.items()} == {
        f"bar-{u}": charts.HIGHLIGHT if u in marked else charts.BASE for u in frame.dropna()["unit"]}
    assert groups(root, "national")


def test_rank_chart_sorts_best_first_with_national_label(mpl):
    frame = units(5)
    fig = charts.rank_chart(frame, title="t", national=0.5, lang="en")
    ax = fig.axes[0]
    bar_y = {p.get_gid(): p.get_y() for p in ax.patches if (p.get_gid() or "").startswith("bar-")}
    order = sorted(bar_y, key=bar_y.get)
    assert ax.yaxis_inverted()  # the first bar is drawn at the top
    assert order == [f"bar-{u}" for u in frame.sort_values("score", ascending=False)["unit"]]
    shown = texts(fig)
    assert "National average 0.5000" in shown and "DTI score" in shown
    assert "Trung bình cả nước 0.5000" in texts(charts.rank_chart(frame, title="t", national=0.5))


# the pillars a method declares, as the command passes them: column -> name shown
PILLARS = {"vi": {"cqs": "Chính quyền số", "kts": "Kinh tế số", "xhs": "Xã hội số"},
           "en": {"cqs": "Digital government", "kts": "Digital economy", "xhs": "Digital society"}}


def history(years, scores, ranks, **pillars) -> pd.DataFrame:
    return pd.DataFrame({"year": years, "score": scores, "rank": ranks, **pillars})


def segments(line) -> list[tuple[float, float]]:
    """The (x0, x1) of each segment a Line2D draws: consecutive points that are both finite."""
    xy = line.get_xydata()
    ok = np.isfinite(xy).all(axis=1)
    return [(xy[i, 0], xy[i + 1, 0]) for i in range(len(xy) - 1) if ok[i] and ok[i + 1]]


def test_history_chart_breaks_lines_at_missing_and_absent_years(mpl, tmp_path):
    # 2021: a NaN score; 2022: no row at all; 2024's cqs unknown
    qn = history([2020, 2021, 2023, 2024, 2025], [0.39, np.nan, 0.72, 0.75, 0.77], [4, np.nan, 12, 17, np.nan],
                 cqs=[0.45, np.nan, 0.78, np.nan, 0.8], kts=[0.3, 0.4, 0.75, 0.7, 0.72])
    fig = charts.history_chart({"Quảng Ninh": qn}, title="Quảng Ninh", source="Nguồn: DTI", pillars=PILLARS["vi"])
    written(fig, tmp_path, "history")
    lines = {ln.get_gid(): ln for ln in fig.axes[0].get_lines() if (ln.get_gid() or "").startswith("line-")}
    assert set(lines) == {"line-0-score", "line-0-cqs", "line-0-kts"}
    for line in lines.values():
        assert all(b - a == 1 for a, b in segments(line)), line.get_gid()
    assert segments(lines["line-0-score"]) == [(2023, 2024), (2024, 2025)]
    assert segments(lines["line-0-cqs"]) == []  # no two consecutive years: markers only
    assert segments(lines["line-0-kts"]) == [(2020, 2021), (2023, 2024), (2024, 2025)]
    marks = [t for t in texts(fig) if t.startswith("#")]
    assert sorted(marks) == ["#12", "#17", "#4"]
    assert any("khoảng trống" in t for t in texts(fig))


def test_history_chart_several_units_one_colour_each_in_english(mpl, tmp_path):
    a = history([2022, 2023], [0.7, 0.72], [3, 12], cqs=[0.78, 0.77], kts=[0.72, 0.75], xhs=[0.69, 0.71])
    b = history([2021, 2022, 2023], [0.64, 0.8, 0.83], [1, 1, 1])
    c = history([2022, 2023], [0.54, 0.67], [np.nan, 39])
    fig = charts.history_chart({"Quảng Ninh": a, "Đà Nẵng": b, "Đắk Lắk": c}, title="DTI", lang="en",
                               pillars=PILLARS["en"])
    written(fig, tmp_path, "history3")
    ax = fig.axes[0]
    colours = {ln.get_gid(): ln.get_color() for ln in ax.get_lines() if (ln.get_gid() or "").endswith("-score")}
    assert len(colours) == 3 and len(set(colours.values())) == 3
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    expected = {"Quảng Ninh", "Đà Nẵng", "Đắk Lắk", "Digital government", "Digital economy", "Digital society"}
    assert expected <= set(legend)
    assert sorted(t for t in texts(fig) if t.startswith("#")) == ["#1", "#1", "#1", "#12", "#3", "#39"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2021", "2022", "2023"]


def test_compare_chart_groups_bars_per_indicator(mpl, tmp_path):
    frame = pd.DataFrame({"indicator_name": ["Chỉ số DTI", "Chính quyền số", "Kinh tế số"],
                          "value": [0.7, 0.75, np.nan], "national": [0.55, 0.6, 0.5],
                          "region_mean": [0.6, np.nan, 0.51]})
    root = written(charts.compare_chart(frame, title="Quảng Ninh", source="DTI 2022"), tmp_path, "compare")
    assert set(groups(root, "value-")) == {"value-0", "value-1"}
    assert set(groups(root, "national-")) == {"national-0", "national-1", "national-2"}
    assert set(groups(root, "region_mean-")) == {"region_mean-0", "region_mean-2"}
    assert {fill(g) for g in groups(root, "value-").values()} == {charts.HIGHLIGHT}
    fig = charts.compare_chart(frame.drop(columns="region_mean"), title="t", label="Quảng Ninh", lang="en")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["Quảng Ninh", "National average"]


def test_vietnamese_names_have_every_glyph(mpl, tmp_path):
    frame = pd.DataFrame({"unit": ["a", "b", "c"], "name": VIETNAMESE, "score": [0.5, 0.6, 0.7]})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = charts.rank_chart(frame, title="Chỉ số chuyển đổi số: " + ", ".join(VIETNAMESE),
                                subtitle="Đà Nẵng", source="Nguồn", national=0.6, highlight=["a"])
        charts.save(fig, tmp_path / "vi.png")
        charts.svg_text(fig)


def test_a_missing_glyph_would_be_caught(mpl, tmp_path):
    # the check above is only worth something if a missing glyph does warn
    frame = pd.DataFrame({"unit": ["a"], "name": ["漢字"], "score": [0.5]})
    with pytest.warns(UserWarning, match="Glyph .* missing"):
        charts.save(charts.rank_chart(frame, title="t"), tmp_path / "cjk.png")


def test_svg_text_is_self_contained(mpl):
    svg = charts.svg_text(charts.rank_chart(units(4), title="Quảng Ninh", national=0.5))
    assert svg.startswith("<svg")
    root = ET.fromstring(svg)
    assert not list(root.iter(f"{SVG}text"))  # text is drawn as paths: no font needed
    assert "font-family" not in svg and "@font-face" not in svg
    refs = [v for el in root.iter() for k, v in el.attrib.items() if k.endswith("href")]
    assert refs and all(r.startswith("#") for r in refs)
    assert len(groups(root, "bar-")) == 4


def test_save_is_reproducible(mpl, tmp_path):
    fig = charts.rank_chart(units(4), title="t")
    a, b = charts.save(fig, tmp_path / "a.svg"), charts.save(fig, tmp_path / "b.svg")
    assert a.read_bytes() == b.read_bytes()


@pytest.mark.parametrize("name", ["chart.jpg", "chart", "chart.svgz"])
def test_save_rejects_other_suffixes(mpl, tmp_path, name):
    fig = charts.rank_chart(units(3), title="t")
    with pytest.raises(UsageError, match=r"\.svg or \.png") as exc:
        charts.save(fig, tmp_path / name)
    assert name in str(exc.value)
    assert list(tmp_path.iterdir()) == []


def test_save_in_a_missing_directory_is_a_usage_error(mpl, tmp_path):
    with pytest.raises(UsageError, match="no such directory"):
        charts.save(charts.rank_chart(units(3), title="t"), tmp_path / "nope" / "c.png")


@pytest.mark.parametrize("name", ["c.png", "c.svg"])
def test_failed_render_leaves_nothing_behind(mpl, tmp_path, monkeypatch, name):
    fig = charts.rank_chart(units(3), title="t")

    def broken(*args, **kwargs):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(fig, "savefig", broken)
    with pytest.raises(RuntimeError):
        charts.save(fig, tmp_path / name)
    assert list(tmp_path.iterdir()) == []
    # an existing file is left as it was
    (tmp_path / name).write_text("old")
    with pytest.raises(RuntimeError):
        charts.save(fig, tmp_path / name)
    assert list(tmp_path.iterdir()) == [tmp_path / name] and (tmp_path / name).read_text() == "old"


def test_save_passes_the_format_explicitly(mpl, tmp_path, monkeypatch):
    fig = charts.rank_chart(units(3), title="t")
    seen = {}
    real = fig.savefig

    def spy(path, **kwargs):
        seen.update(kwargs)
        real(path, **kwargs)

    monkeypatch.setattr(fig, "savefig", spy)
    charts.save(fig, tmp_path / "c.PNG")
    assert seen["format"] == "png" and seen["dpi"] == charts.DPI
    assert (tmp_path / "c.PNG").read_bytes()[:8] == PNG_MAGIC


def test_labels_in_both_languages():
    assert charts.labels("en")["rank"] == "Rank" and charts.labels("vi")["rank"] == "Hạng"
    assert set(charts.labels("vi")) == set(charts.labels("en"))
