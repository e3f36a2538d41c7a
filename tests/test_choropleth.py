"""The map with borders: one shape per unit with its slug and hover text, colours that follow the values, the
archipelagos marked, units without data hatched, zoom, highlight, and the bundled outlines themselves."""

import colorsys
import json
import re
import warnings
import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest

from dti_cli.model import borders, provinces

REG = provinces.registry()
SVG = "{http://www.w3.org/2000/svg}"


# --- the bundled outlines --------------------------------------------------------------------------------------

@pytest.mark.parametrize("which,units", [(None, REG.p63), (2025, REG.p34)])
def test_outlines_cover_the_registry(which, units):
    shapes = borders.outlines(which)
    assert list(shapes) == [p.slug for p in units]
    for slug, rings in shapes.items():
        assert rings and all(r.shape[1] == 2 and len(r) >= 4 for r in rings), slug
        lon = np.concatenate([r[:, 0] for r in rings])
        lat = np.concatenate([r[:, 1] for r in rings])
        assert 102 < lon.min() and lon.max() < 110 and 8 < lat.min() and lat.max() < 24, slug
        p = REG.get(slug, which)
        # the reference point lies within the unit's bounding box (a feature matched to the wrong unit would not)
        assert lon.min() <= p.lon <= lon.max() and lat.min() <= p.lat <= lat.max(), slug


@pytest.mark.parametrize("which", [None, 2025])
def test_left_out_interior_rings_are_slivers(which):
    with open(borders.GEO_DIR / borders.FILES[which], encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    holes = [abs(borders.area(np.asarray(ring, dtype=float))) for f in features
             for poly in ([f["geometry"]["coordinates"]] if f["geometry"]["type"] == "Polygon"
                          else f["geometry"]["coordinates"]) for ring in poly[1:]]
    assert (len(holes) > 0) == (which == 2025) and all(a < 0.001 for a in holes)


@pytest.mark.parametrize("which,owner", [(None, "ba-ria-vung-tau"), (2025, "ho-chi-minh")])
def test_con_dao_belongs_to_its_province(which, owner):
    shapes = borders.outlines(which)
    at = [u for u, rings in shapes.items() for r in rings
          if r[:, 0].min() <= 106.62 <= r[:, 0].max() and r[:, 1].min() <= 8.72 <= r[:, 1].max()]
    assert at == [owner]


def test_archipelagos_belong_to_units_of_both_maps():
    for owner, (lat, lon), points in borders.ARCHIPELAGOS.values():
        assert owner in REG.slugs63 and owner in REG.slugs34
        assert all(7.5 < la < 17.5 and 111 < lo < 115.5 for la, lo in points)


# --- the map as an SVG file ------------------------------------------------------------------------------------

mpl = pytest.importorskip("matplotlib", reason="maps need matplotlib, the optional 'plot' extra")


def groups(path) -> dict:
    """{id: (title, fill)} of each group with a title: the units (and the archipelagos); ids are unique."""
    root = ET.parse(path).getroot()
    every = [g.get("id") for g in root.iter(f"{SVG}g") if g.get("id")]
    assert len(every) == len(set(every)), "an id used twice"
    out = {}
    for g in root.iter(f"{SVG}g"):
        title = g.find(f"{SVG}title")
        if title is None:
            continue
        path_ = g.find(f"{SVG}path")
        fill = re.search(r"fill: ?([^;]+)", path_.get("style", "")) if path_ is not None else None
        out[g.get("id")] = (title.text, fill.group(1).strip() if fill else None)
    return out


def texts(path) -> str:
    """The plain texts drawn in an SVG (matplotlib writes each in a comment, its glyphs as paths; not the labels
    with a halo, which it draws as paths alone)."""
    return "\n".join(re.findall(r"<!-- (.*?) -->", path.read_text(encoding="utf-8"), re.S))


def figure_texts(**kw) -> str:
    """Every text of the map figure, the haloed labels included."""
    from dti_cli.app import pictures

    fig = pictures.map_data(**kw).figure()
    return "\n".join(t.get_text() for t in fig.findobj(mpl.text.Text))


def lightness(colour: str) -> float:
    r, g, b = (int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return colorsys.rgb_to_hls(r, g, b)[1]


@pytest.fixture(scope="module")
def rank2022():
    import dti_cli as dti

    return dti.rank(year=2022, lang="vi").set_index("province")


@pytest.fixture(scope="module")
def map2022(tmp_path_factory):
    from dti_cli import cli

    out = tmp_path_factory.mktemp("map") / "map.svg"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a warning
        with pytest.raises(SystemExit) as ex:
            cli.main(["map", "--year", "2022", "--highlight", "quang-ninh", "-o", str(out)])
    assert ex.value.code in (0, None)
    return out


def test_one_shape_per_province_with_its_slug_and_hover_text(map2022, rank2022):
    g = groups(map2022)
    units = {k: v for k, v in g.items() if k in REG.slugs63}
    assert set(units) == REG.slugs63 and set(g) - set(units) == {"hoang-sa", "truong-sa"}
    row = rank2022.loc["quang-ninh"]
    score = f"{row['score']:.4f}".replace(".", ",")
    assert units["quang-ninh"][0] == f"Quảng Ninh: {score}, hạng {int(row['rank'])}"
    assert g["hoang-sa"][0] == "Quần đảo Hoàng Sa (Đà Nẵng)" and g["truong-sa"][0] == "Quần đảo Trường Sa (Khánh Hòa)"


def test_colours_follow_the_scores(map2022, rank2022):
    g = groups(map2022)
    light = pd.Series({u: lightness(g[u][1]) for u in REG.slugs63})
    score = rank2022["score"].reindex(light.index)
    order = score.sort_values(kind="stable").index
    assert (np.diff(light[order].to_numpy()) <= 1e-9).all()  # a higher score is never lighter
    assert light.idxmin() == score.idxmax()  # the best province is the darkest


def test_map_texts_title_source_credit_and_islands(map2022):
    shown = " ".join(figure_texts(year=2022, highlight=["quang-ninh"]).split())
    for part in ("Chỉ số DTI 2022", "Quyết định 922", "63 tỉnh/thành", "Made with Natural Earth", "Nguồn:",
                 "Quần đảo Hoàng Sa (Đà Nẵng)", "Quần đảo Trường Sa (Khánh Hòa)", "Biển Đông",
                 groups(map2022)["quang-ninh"][0]):  # the highlighted province's label is its hover text
        assert part in shown, part
    outline = map2022.read_text(encoding="utf-8").split('<g id="highlight-quang-ninh">')[1].split("</g>")[0]
    assert "stroke: #d95f02" in outline and "fill: none" in outline


def test_by_rank_rank_one_darkest_in_english(run, tmp_path, rank2022):
    out = tmp_path / "r.svg"
    assert run("map", "--year", "2022", "--by", "rank", "--lang", "en", "-o", str(out)).code == 0
    g = groups(out)
    light = pd.Series({u: lightness(g[u][1]) for u in REG.slugs63})
    ranks = rank2022["rank"].reindex(light.index)
    assert set(light[ranks == 1].index) == {light.idxmin()}
    assert (np.diff(light[ranks.sort_values(kind="stable").index].to_numpy()) >= -1e-9).all()
    shown = figure_texts(year=2022, by="rank", lang="en")
    assert "Hoang Sa archipelago" in shown and "Truong Sa archipelago" in shown and "East Sea" in shown
    assert "Rank" in texts(out) and g["ha-noi"][0].startswith("Hà Nội: 0.") and ", rank " in g["ha-noi"][0]


def test_34_units_and_hatched_no_data(run, tmp_path):
    out = tmp_path / "m34.svg"
    assert run("map", "--year", "2024", "--boundaries", "2025", "-o", str(out)).code == 0
    assert {k for k in groups(out)} - {"hoang-sa", "truong-sa"} == REG.slugs34
    assert "34 units with a value" in run("map", "--year", "2024", "--boundaries", "2025", "-o", str(out)).err
    import dti_cli as dti

    table = dti.rank(year=2020, by="cqs", lang="en").set_index("province")
    scored = set(table.index[table["score"].notna()])
    rank_only = table.loc[table["score"].isna() & table["rank"].notna(), "rank"]
    out = tmp_path / "cqs.svg"
    res = run("map", "--year", "2020", "--node", "cqs", "-o", str(out))
    assert res.code == 0 and f"{len(scored)} provinces with a value" in res.err
    g = groups(out)
    hatched = {u for u in REG.slugs63 if g[u][1].startswith("url(#h")}
    assert hatched == REG.slugs63 - scored and len(rank_only) > 0
    for u in hatched:  # what is known of a unit without a score: its published rank, or nothing
        want = f": rank {int(rank_only[u])} (score not published)" if u in rank_only else ": no data"
        assert g[u][0].endswith(want), (u, g[u][0])
    assert f"no data ({63 - len(scored)})" in texts(out)
    res = run("map", "--year", "2022", "--node", "nhan_thuc_so", "--by", "rank", "-o", str(out))
    assert res.code == 1 and "has a rank of Digital awareness; map it by score" in res.err


def test_region_zoom_shades_the_region_only(run, tmp_path):
    out = tmp_path / "mekong.svg"
    assert run("map", "--year", "2022", "--region", "mekong", "-o", str(out)).code == 0
    g = groups(out)
    mekong = {p.slug for p in REG.p63 if p.region == "Đồng bằng sông Cửu Long"}
    assert len(mekong) == 13
    assert {u for u in REG.slugs63 if g[u][1] == "#eeeeee"} == REG.slugs63 - mekong
    assert "hoang-sa" not in g  # the archipelagos belong to units outside the region
    shown = texts(out)
    assert "DTI 2022 · Mekong River Delta" in shown and "· 13 provinces" in shown
    out = tmp_path / "central.svg"
    assert run("map", "--year", "2022", "--region", "central", "-o", str(out)).code == 0
    assert {"hoang-sa", "truong-sa"} <= set(groups(out))


@pytest.mark.parametrize("args,message", [
    (["--by", "cqs"], "'cqs' is an indicator: map it with --node cqs"),
    (["--by", "rnk"], "--by takes score or rank, not 'rnk'"),
    (["--node", "nope"], "unknown indicator 'nope'"),
    (["--highlight", "atlantis"], "atlantis"),
    (["--region", "atlantis"], "unknown region 'atlantis'"),
    (["--node", ""], "unknown indicator ''"),
    (["--region", ""], "unknown region ''"),
])
def test_bad_options_are_one_line(run, tmp_path, args, message):
    out = tmp_path / "x.svg"
    res = run("map", "--year", "2022", *args, "-o", str(out))
    assert res.code == 2 and message in res.err and len(res.err.strip().splitlines()) == 1, res
    assert not out.exists()


def test_nothing_to_draw_is_an_error(run, tmp_path):
    out = tmp_path / "x.png"
    for extra in ([], ["-f", "table"]):
        res = run("map", "--year", "2024", "--node", "cqs", *extra, *([] if extra else ["-o", str(out)]))
        assert res.code == 1 and res.err.strip() == (
            "Error: 2024: no unit on this map has a value of Digital government; nothing to draw"), res
    assert not out.exists()


def test_png_and_user_district_data(run, tmp_path):
    png = tmp_path / "map.png"
    assert run("map", "--year", "2022", "-o", str(png)).code == 0
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000
    from pathlib import Path

    ex = Path(__file__).resolve().parent.parent / "examples" / "districts"
    res = run("map", "--data", str(ex / "data.csv"), "--method", str(ex / "method.toml"),
              "-o", str(tmp_path / "d.svg"))
    assert res.code == 2 and "a map needs province data" in res.err


def test_hover_text_is_escaped_and_only_for_its_group(tmp_path):
    from dti_cli.render import charts, choropleth

    shapes = {"a": (np.array([[0, 0], [1, 0], [1, 1], [0, 0]], dtype=float),),
              "b": (np.array([[1, 0], [2, 0], [2, 1], [1, 0]], dtype=float),)}
    frame = pd.DataFrame({"unit": ["a", "b"], "name": ["A", "B"], "value": [0.1, np.nan]})
    hover = {"a": '</title><script>alert("x")</script> & <b>', "nope": "never shown"}
    fig = choropleth.choropleth(frame, shapes, title="t", legend="v", layers=choropleth.Layers(hover=hover),
                                lang="en")
    path = charts.save(fig, tmp_path / "m.svg")
    svg = path.read_text(encoding="utf-8")
    assert "<script" not in svg and "never shown" not in svg
    root = ET.parse(path).getroot()  # still well-formed XML
    titles = {g.get("id"): g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g")
              if g.find(f"{SVG}title") is not None}
    assert titles == {"a": hover["a"]}
    assert charts.svg_text(fig).startswith("<svg") and "&lt;script&gt;" in charts.svg_text(fig)


def test_data_on_the_34_units_take_the_34_unit_borders(run, tmp_path):
    rows = "\n".join(f"2025,{p.slug},{i}" for i, p in enumerate(REG.p34))
    data, method = tmp_path / "d.csv", tmp_path / "m.toml"
    data.write_text("year,province,x\n" + rows + "\n", encoding="utf-8")
    method.write_text("[indicators.x]\n[aggregates.idx]\nchildren = { x = 1 }\n", encoding="utf-8")
    out = tmp_path / "m.svg"
    res = run("map", "--data", str(data), "--method", str(method), "--highlight", "hue", "-o", str(out))
    assert res.code == 0, res
    g = groups(out)
    assert set(g) - {"hoang-sa", "truong-sa"} == REG.slugs34
    i = [p.slug for p in REG.p34].index("hue")
    assert g["hue"][0] == f"Huế: {i}.0000, rank {34 - i}" and '<g id="highlight-hue">' in out.read_text(encoding="utf-8")
    # the same file less one unit: from 2025 on, still the 34 units' borders, with a note; before, the 63
    # provinces' (Huế is then Thừa Thiên Huế's slug)
    for year, drawn, note in ((2025, REG.slugs34, True), (2024, REG.slugs63, False)):
        less = "\n".join(r.replace("2025,", f"{year},", 1) for r in rows.splitlines()[1:])
        data.write_text("year,province,x\n" + less + "\n", encoding="utf-8")
        res = run("map", "--data", str(data), "--method", str(method), "-o", str(out))
        assert res.code == 0 and set(groups(out)) - {"hoang-sa", "truong-sa"} == drawn
        assert ("the data's 33 units in 2025 are all among the 34 units of 2025" in res.err) is note, res.err


def test_area_and_centroid_of_a_square():
    square = np.array([[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]], dtype=float)
    assert borders.area(square) == 4.0 and borders.area(square[::-1]) == -4.0
    assert borders.centroid(square) == (1.0, 1.0) and borders.centroid(square[::-1]) == (1.0, 1.0)
    assert borders.centroid(np.array([[0, 0], [1, 1], [2, 2]], dtype=float)) == (1.0, 1.0)  # no area


def test_legend_sits_in_the_gulf_on_the_whole_country_and_below_a_region():
    from dti_cli.app import pictures

    fig = pictures.map_data(year=2022, by="rank").figure()
    fig.canvas.draw()
    (main,), (bar,) = fig.axes, fig.axes[0].child_axes  # the colour bar is drawn inside the map's axes
    box, inner = main.get_window_extent(), bar.get_window_extent()
    assert box.x0 <= inner.x0 and inner.x1 <= box.x1 and box.y1 - box.height / 3 <= inner.y0 <= box.y1  # top third
    lo, hi = bar.get_xlim()
    assert lo > hi and hi == pytest.approx(1, abs=0.5) and lo == pytest.approx(63, abs=0.5)  # 63 left, 1 right
    fig = pictures.map_data(year=2022, region="mekong").figure()
    fig.canvas.draw()
    main, bar = fig.axes
    assert not main.child_axes and bar.get_window_extent().y1 <= main.get_window_extent().y0 + 1  # below the map


def test_same_map_same_bytes(run, tmp_path):
    a, b = tmp_path / "a.svg", tmp_path / "b.svg"
    for out in (a, b):
        assert run("map", "--year", "2023", "--highlight", "ha-noi", "-o", str(out)).code == 0
    assert a.read_bytes() == b.read_bytes()


def test_highlight_outside_the_region_and_a_file_of_some_of_the_34(run, tmp_path):
    res = run("map", "--year", "2022", "--region", "mekong", "--highlight", "quang-ninh",
              "-o", str(tmp_path / "x.svg"))
    assert res.code == 2 and res.err.strip() == (
        "Error: --highlight: Quảng Ninh is not in Mekong River Delta, the region drawn")
    data, method = tmp_path / "d.csv", tmp_path / "m.toml"
    data.write_text("year,province,x\n2025,bac-ninh,0.5\n2025,hue,0.6\n2025,ha-noi,0.7\n", encoding="utf-8")
    method.write_text("[indicators.x]\n[aggregates.idx]\nchildren = { x = 1 }\n", encoding="utf-8")
    res = run("map", "--data", str(data), "--method", str(method), "-o", str(tmp_path / "m.svg"))
    assert res.code == 0 and "the data's 3 units in 2025 are all among the 34 units of 2025 (but not all 34)" \
        in res.err
    g = groups(tmp_path / "m.svg")
    assert set(g) - {"hoang-sa", "truong-sa"} == REG.slugs34 and "3 units with a value" in res.err
    assert g["hue"][0] == "Huế: 0.6000, rank 2" and g["da-nang"][0].endswith(": no data")


def user_map(run, tmp_path, rows: str, *args):
    data, method = tmp_path / "d.csv", tmp_path / "m.toml"
    data.write_text("year,province,x\n" + rows, encoding="utf-8")
    method.write_text("[indicators.x]\n[aggregates.idx]\nchildren = { x = 1 }\n", encoding="utf-8")
    out = tmp_path / "u.svg"
    return run("map", "--data", str(data), "--method", str(method), "-o", str(out), *args), out


def test_a_user_file_of_one_equal_or_extreme_values(run, tmp_path):
    res, out = user_map(run, tmp_path, "2022,ha-noi,0.5\n")
    assert res.code == 0 and res.err.strip() == f"Note: wrote {out} (1 province with a value)"
    from dti_cli.app import pictures
    from dti_cli.app.session import Source

    res, out = user_map(run, tmp_path, "2022,ha-noi,0.7\n2022,da-nang,0.7\n")
    assert res.code == 0 and "(2 provinces with a value)" in res.err
    fig = pictures.map_data(Source(data=str(tmp_path / "d.csv"), method=str(tmp_path / "m.toml"))).figure()
    lo, hi = fig.axes[0].child_axes[0].get_xlim()  # the colour bar: 5% either side of the one value
    assert (lo, hi) == pytest.approx((0.665, 0.735))
    for rows in ("2022,ha-noi,1e308\n2022,da-nang,-1e308\n", "2022,ha-noi,1.7e308\n2022,da-nang,-1.7e308\n"):
        out.unlink(missing_ok=True)
        res, out = user_map(run, tmp_path, rows)
        # refused before any arithmetic (issue 11, item 3), so the map's own check on the span is not reached
        assert res.code == 1 and "is past ±1e+150, the largest magnitude dti computes with" in res.err
        assert not out.exists()
    res, out = user_map(run, tmp_path, "2022,ha-noi,1e149\n2022,da-nang,-1e149\n2022,hue,0\n")
    g = groups(out)  # a wide but finite span: the middle value in the middle of the scale
    assert res.code == 0 and lightness(g["ha-noi"][1]) < lightness(g["thua-thien-hue"][1]) < lightness(
        g["da-nang"][1])


def test_a_merged_province_highlighted_on_the_34_units_outlines_its_new_unit(run, tmp_path):
    rows = "".join(f"2025,{p.slug},{i / 40}\n" for i, p in enumerate(REG.p34))
    res, out = user_map(run, tmp_path, rows, "--highlight", "ha-giang")
    svg = out.read_text(encoding="utf-8")
    assert res.code == 0 and '<g id="highlight-tuyen-quang">' in svg and svg.count('<g id="highlight-') == 1
    out = tmp_path / "b.svg"
    assert run("map", "--year", "2024", "--boundaries", "2025", "--highlight", "hai-duong", "-o", str(out)).code == 0
    svg = out.read_text(encoding="utf-8")
    assert '<g id="highlight-hai-phong">' in svg and svg.count('<g id="highlight-') == 1


def test_report_without_any_index_says_so(run, tmp_path):
    data = tmp_path / "r.csv"
    data.write_text("year,province,hd_cqs\n2024,ha-noi,0.7\n2024,da-nang,0.8\n", encoding="utf-8")
    out = tmp_path / "r.html"
    res = run("report", "ha-noi", "--data", str(data), "--samples", "0", "-o", str(out))
    # a year in which no province has an index: one line, no report (issue 11, item 17; tests/test_scale_bounds.py)
    assert res.code == 1 and not out.exists() and "nothing to report" in res.err, res
