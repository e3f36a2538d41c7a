"""The terminal map: the tile grid keeps Vietnam's shape, labels are short and unique, cells take the colour scale."""

import itertools
import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from dti_cli.model import provinces
from dti_cli.render import geo
from dti_cli.errors import UsageError

REG = provinces.registry()



def points(ps) -> dict:
    return {p.slug: (p.lat, p.lon) for p in ps}


@pytest.fixture(scope="module")
def grid63():
    return geo.tile_grid(points(REG.p63))


def frame(ps, values=None) -> pd.DataFrame:
    return pd.DataFrame({"unit": [p.slug for p in ps], "name": [p.name_vi for p in ps],
                         "value": np.linspace(0.3, 0.8, len(ps)) if values is None else values,
                         "lat": [p.lat for p in ps], "lon": [p.lon for p in ps]})


def spearman(a, b) -> float:
    return float(pd.Series(a).rank().corr(pd.Series(b).rank()))


# --- assignment kernel -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(12))
def test_assign_finds_the_minimum_cost(seed):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(1, 5)), int(rng.integers(4, 7))
    cost = rng.random((n, m)).round(2)
    cols = geo.assign(cost)
    assert len(set(cols)) == n
    best = min(cost[np.arange(n), list(p)].sum() for p in itertools.permutations(range(m), n))
    assert cost[np.arange(n), cols].sum() == pytest.approx(best)


# --- tile grid -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["p63", "p34"])
def test_tile_grid_gives_every_unit_its_own_cell_and_keeps_the_shape(which):
    ps = getattr(REG, which)
    grid = geo.tile_grid(points(ps))
    assert set(grid) == {p.slug for p in ps}
    assert len(set(grid.values())) == len(ps)
    rows = [grid[p.slug][0] for p in ps]
    cols = [grid[p.slug][1] for p in ps]
    assert min(rows) == 0 and min(cols) == 0
    # rows grow southwards and follow latitude; columns follow longitude
    assert spearman(rows, [-p.lat for p in ps]) > 0.95
    assert spearman(cols, [p.lon for p in ps]) > 0.8
    order = ["ha-noi", "da-nang", "ho-chi-minh", "ca-mau"]
    if which == "p63":
        order.insert(0, "ha-giang")
    assert [grid[s][0] for s in order] == sorted(grid[s][0] for s in order)
    assert len(set(grid[s][0] for s in order)) == len(order)
    assert grid["dien-bien"][1] < grid["quang-ninh"][1]


def test_tile_grid_size_for_63(grid63):
    n_rows = max(r for r, _ in grid63.values()) + 1
    n_cols = max(c for _, c in grid63.values()) + 1
    assert 18 <= n_rows <= 28 and 8 <= n_cols <= 14


def test_tile_grid_is_deterministic():
    pts = points(REG.p63)
    shuffled = dict(random.Random(1).sample(sorted(pts.items()), len(pts)))
    assert geo.tile_grid(shuffled) == geo.tile_grid(pts)


@pytest.mark.parametrize("pts", [
    {}, {"a": (10.0, 100.0)}, {"a": (10.0, 100.0), "b": (10.0, 100.0), "c": (10.0, 100.0)},
    {f"u{i}": (10.0, 100.0 + i) for i in range(7)}, {f"u{i}": (10.0 + i, 100.0) for i in range(7)},
])
def test_tile_grid_degenerate_point_sets(pts):
    grid = geo.tile_grid(pts)
    assert set(grid) == set(pts) and len(set(grid.values())) == len(pts)


def test_tile_grid_rejects_a_missing_point():
    with pytest.raises(UsageError, match="'b'"):
        geo.tile_grid({"a": (10.0, 100.0), "b": (float("nan"), 100.0)})


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(-60, 60), st.floats(-170, 170)), min_size=1, max_size=30))
def test_tile_grid_any_points_get_distinct_cells(pts):
    grid = geo.tile_grid({f"u{i}": p for i, p in enumerate(pts)})
    assert len(set(grid.values())) == len(pts)
    assert min(r for r, _ in grid.values()) == 0 and min(c for _, c in grid.values()) == 0


# --- short labels ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,label", [("Quảng Ninh", "QN"), ("Huế", "Hue"), ("TP. Hồ Chí Minh", "HCM"),
                                        ("Thành phố Cần Thơ", "CT"), ("Bà Rịa - Vũng Tàu", "BRVT"),
                                        ("Thừa Thiên Huế", "TTH"), ("Đắk Lắk", "DL")])
def test_short_label(name, label):
    assert geo.short_label(name) == label


@pytest.mark.parametrize("which", ["p63", "p34"])
def test_short_labels_are_unique_short_and_plain(which):
    names = [p.name_vi for p in getattr(REG, which)]
    labels = geo.short_labels(names)
    assert set(labels) == set(names)
    assert len(set(labels.values())) == len(names)
    assert all(1 <= len(x) <= 4 and x.isascii() and x.isalnum() for x in labels.values())
    assert geo.short_labels(reversed(names)) == labels


def test_short_labels_lengthen_only_what_clashes():
    labels = geo.short_labels(["Quảng Ninh", "Quảng Nam", "Quảng Ngãi", "Hà Nội", "Hà Nam", "Cà Mau"])
    assert labels == {"Quảng Ninh": "QNi", "Quảng Nam": "QNa", "Quảng Ngãi": "QNg", "Hà Nội": "HNo",
                      "Hà Nam": "HNa", "Cà Mau": "CM"}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(alphabet="aAàảãáạăắđĐơớưừ -.Qq", max_size=12), max_size=25))
def test_short_labels_any_names_unique(names):
    labels = geo.short_labels(names)
    assert set(labels) == set(names)
    assert len(set(labels.values())) == len(labels)
    assert all(1 <= len(x) <= 4 for x in labels.values())


# --- terminal tile map -----------------------------------------------------------------------------------------

def rendered(renderable, width: int = 80) -> str:
    console = Console(record=True, width=width, color_system=None, file=open("/dev/null", "w"))
    console.print(renderable)
    return console.export_text()


def test_tile_map_exact_text():
    grid = {"a": (0, 0), "b": (0, 2), "c": (1, 1)}
    fr = pd.DataFrame({"unit": ["a", "b", "c"], "name": ["An Giang", "Bến Tre", "Cà Mau"], "value": [0, 0.5, 1]})
    assert rendered(geo.tile_map(fr, grid, title="Bản đồ")) == (
        "Bản đồ\n"
        "   AG            BT  \n"
        "          CM  \n"
        "0" + " " * 20 + "1\n")


@pytest.mark.parametrize("which", ["p63", "p34"])
def test_tile_map_fits_80_columns_with_every_label(which):
    ps = getattr(REG, which)
    values = np.linspace(0.3941, 0.8002, len(ps))
    values[[3, 10]] = np.nan
    fr = frame(ps, values)
    text = rendered(geo.tile_map(fr, geo.tile_grid(points(ps)), title="DTI 2022"))
    lines = text.splitlines()
    assert lines[0] == "DTI 2022"
    assert max(cell_len(x) for x in lines) <= 80
    tokens = text.split()
    assert all(label in tokens for label in geo.short_labels(fr["name"]).values())
    assert lines[-1].startswith("0.3941 ") and "0.8002" in lines[-1] and "không có số liệu" in lines[-1]


def test_tile_map_colours_cells_by_value(grid63):
    fr = frame(REG.p63)
    fr.loc[fr["unit"] == "ca-mau", "value"] = np.nan
    text = geo.tile_map(fr, grid63, title="t", lang="en")
    styles = {text.plain[s.start:s.end].strip(): str(s.style) for s in text.spans if s.end - s.start > 2}
    low, high = fr.loc[fr["value"].idxmin(), "name"], fr.loc[fr["value"].idxmax(), "name"]
    labels = geo.short_labels(fr["name"])
    assert styles[labels[low]].endswith(geo.PALETTE[0])
    assert styles[labels[high]].endswith(geo.PALETTE[-1])
    assert styles[labels["Cà Mau"]].endswith(geo.NO_DATA)
    assert text.plain.rstrip().endswith("no data")


def test_tile_map_by_rank_darkest_first_and_highlight(grid63):
    fr = frame(REG.p63)
    fr["value"] = fr["value"].rank(ascending=False)  # rank 1 is the best
    text = geo.tile_map(fr, grid63, title="t", lang="en", by_rank=True, highlight=["quang-ninh"])
    styles = {text.plain[s.start:s.end].strip(): str(s.style) for s in text.spans if s.end - s.start > 2}
    labels = geo.short_labels(fr["name"])
    best, worst = fr.loc[fr["value"].idxmin(), "name"], fr.loc[fr["value"].idxmax(), "name"]
    assert styles[labels[best]].endswith(geo.PALETTE[-1]) and styles[labels[worst]].endswith(geo.PALETTE[0])
    assert "underline" in styles[labels["Quảng Ninh"]] and "underline" not in styles[labels[best]]
    assert text.plain.rstrip().splitlines()[-1].startswith("63 ") and text.plain.rstrip().endswith(" 1")


def test_classes_kernel():
    assert list(geo.classes(np.array([0.0, 0.5, 1.0, np.nan]), 0.0, 1.0, 4)) == [0, 2, 3, -1]
    assert geo.scale(np.array([np.nan, 2.0, 2.0])) == pytest.approx((1.9, 2.1))  # 5% either side of equal values
    assert geo.scale(np.array([0.0, 0.0])) == pytest.approx((0.0, 0.0), abs=1e-8)
    assert geo.scale(np.array([0.7, 0.7]))[0] > 0.6  # a legend for 0.7 alone stays near 0.7
    big = np.array([-1.7e308, 0.0, 1.7e308, np.nan])  # the span passes the float range; positions do not
    lo, hi = geo.scale(big)
    assert list(geo.position(big, lo, hi)[:3]) == [0.0, 0.5, 1.0] and np.isnan(geo.position(big, lo, hi)[3])
    assert list(geo.classes(big, lo, hi, 4)) == [0, 2, 3, -1]
    assert geo.scale(np.array([np.nan])) == (0.0, 1.0)
