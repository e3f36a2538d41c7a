"""Each construction step against hand-computed values, and the properties the literature asks of them."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dti_cli.pipeline import normalise as nz
from dti_cli.pipeline import treat as tr
from dti_cli.pipeline.aggregate import a_mean
from dti_cli.pipeline.impute import impute
from dti_cli.model.method import Aggregation, Impute, Leaf, Normalise, Scope, Treat

X = np.array([[2.0], [4.0], [6.0], [np.nan], [10.0]])
Y1 = np.zeros(5, dtype=int)


def norm(kind, R=X, years=Y1, **kw):
    out, notes = nz.normalise(R, years, [Leaf("x", "x", "", normalise=kind, **kw)])
    return out[:, 0], notes


def test_minmax_default_and_range():
    v, _ = norm(Normalise.minmax)
    assert np.allclose(v, [0, 0.25, 0.5, np.nan, 1], equal_nan=True)
    v, _ = norm(Normalise.minmax, lo=1.0, hi=100.0)
    assert np.allclose(v, [1, 25.75, 50.5, np.nan, 100], equal_nan=True)


def test_zscore_uses_sample_sd():
    v, _ = norm(Normalise.zscore)
    vals = np.array([2.0, 4, 6, 10])
    sd = np.sqrt(((vals - 5.5) ** 2).sum() / 3)  # 3.4157
    assert np.allclose(v, [(2 - 5.5) / sd, (4 - 5.5) / sd, (6 - 5.5) / sd, np.nan, (10 - 5.5) / sd], equal_nan=True)
    v2, _ = norm(Normalise.zscore, mean=50.0, sd=10.0)
    assert np.allclose(v2, 50 + 10 * v, equal_nan=True)


def test_goalposts_clip_and_direction():
    v, _ = norm(Normalise.goalposts, gp_lo=3.0, gp_hi=8.0)
    assert np.allclose(v, [0, 0.2, 0.6, np.nan, 1], equal_nan=True)  # 2 and 10 clipped
    v, _ = norm(Normalise.goalposts, gp_lo=3.0, gp_hi=8.0, truncate=False, scale=100.0)
    assert np.allclose(v, [-20, 20, 60, np.nan, 140], equal_nan=True)
    v, _ = norm(Normalise.goalposts, gp_lo=3.0, gp_hi=8.0, direction=-1)  # lower is better: (x - hi)/(lo - hi)
    assert np.allclose(v, [1, 0.8, 0.4, np.nan, 0], equal_nan=True)


def test_fracmax_dist2max_dist2target_rank_prank():
    assert np.allclose(norm(Normalise.fracmax)[0], [0.2, 0.4, 0.6, np.nan, 1], equal_nan=True)
    assert np.allclose(norm(Normalise.dist2max)[0], [0, 0.25, 0.5, np.nan, 1], equal_nan=True)
    # 1 - (target - x)/(target - min), target 8
    assert np.allclose(norm(Normalise.dist2target, target=8.0)[0], [0, 1 / 3, 2 / 3, np.nan, 4 / 3], equal_nan=True)
    assert np.allclose(norm(Normalise.dist2target, target=8.0, cap=True)[0], [0, 1 / 3, 2 / 3, np.nan, 1],
                       equal_nan=True)
    tied = np.array([[1.0], [3.0], [3.0], [5.0]])
    y = np.zeros(4, dtype=int)
    assert np.allclose(norm(Normalise.rank, tied, y)[0], [1, 2.5, 2.5, 4])
    assert np.allclose(norm(Normalise.prank, tied, y)[0], [0, 1 / 3, 1 / 3, 1])


def test_direction_minus_one_reverses_minmax():
    v, _ = norm(Normalise.minmax, direction=-1)
    assert np.allclose(v, [1, 0.75, 0.5, np.nan, 0], equal_nan=True)


def test_no_spread_is_a_warning_and_missing_never_a_division_by_zero():
    flat = np.array([[3.0], [3.0], [np.nan]])
    for kind in (Normalise.minmax, Normalise.zscore, Normalise.dist2max, Normalise.prank):
        v, notes = norm(kind, flat, np.array([2023, 2023, 2023]))
        assert np.isnan(v).all()
        assert [n.text("en") for n in notes] == ["indicator x: no spread in 2023; its normalised values are missing"]


def test_scope_year_versus_panel():
    R = np.array([[0.0], [10.0], [10.0], [30.0]])
    years = np.array([2022, 2022, 2023, 2023])
    by_year, _ = norm(Normalise.minmax, R, years)
    assert np.allclose(by_year, [0, 1, 0, 1])
    panel, _ = norm(Normalise.minmax, R, years, scope=Scope.panel)
    assert np.allclose(panel, [0, 1 / 3, 1 / 3, 1])


# ---- treatment

@given(arrays(float, st.integers(4, 40), elements=st.floats(-1e3, 1e3, allow_nan=False)))
def test_skew_and_kurtosis_are_the_sample_definitions(x):
    # pandas implements the same bias-corrected (Excel, e1071 type 2) estimators independently
    import pandas as pd

    s = pd.Series(x)
    if s.std() < 1e-6:
        return
    assert tr.skew(x) == pytest.approx(s.skew(), rel=1e-6, abs=1e-9)
    assert tr.kurt(x) == pytest.approx(s.kurt(), rel=1e-6, abs=1e-9)


def test_winsorise_replaces_the_extremes_by_the_next_value():
    x = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 200, 300])
    assert tr.fails(x)  # skew 2.82, kurtosis 7.31
    out, hit = tr.winsorise(x, winmax=5)
    # 300 -> 200 (skew 2.59, kurtosis 5.37: still fails), then both 200s -> 15
    assert list(np.flatnonzero(hit)) == [15, 16] and out[15] == out[16] == 15
    assert not tr.fails(out)
    out1, hit1 = tr.winsorise(x, winmax=1)
    assert list(np.flatnonzero(hit1)) == [16] and out1[16] == 200 and tr.fails(out1)


def test_treat_records_points_and_log():
    x = np.array([1.0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 30, 100])
    R = np.column_stack([x, x])
    years = np.zeros(len(R), dtype=int)
    leaves = [Leaf("w", "w", "", treat=Treat.winsorise), Leaf("l", "l", "", treat=Treat.log)]
    out, mask, notes = tr.treat(R, years, leaves)
    assert list(np.flatnonzero(mask[:, 0])) == [11] and out[11, 0] == 30  # one point brings skew to 1.71
    assert mask[:, 1].all()
    assert out[0, 1] == pytest.approx(np.log(0.99))  # log(x - min + 0.01 (max - min))
    assert out[11, 1] == pytest.approx(np.log(99 + 0.99))


# ---- imputation

def test_imputation_methods():
    years = np.array([2021, 2021, 2021, 2022, 2022, 2022, 2023, 2023, 2023])
    units = np.array(["a", "b", "c"] * 3)
    col = np.array([1.0, 3, np.nan, np.nan, 5, 6, 4, np.nan, 9])
    groups = {"g": np.array(["x", "x", "y"] * 3)}

    def run(kind, group=None):
        out, imputed = impute(col[:, None], years, units, [Leaf("v", "v", "", impute=kind, group=group)], groups)
        return out[:, 0], imputed[:, 0]

    v, m = run(Impute.mean)
    assert v[2] == 2 and v[3] == 5.5 and v[7] == 6.5 and m.sum() == 3
    v, _ = run(Impute.median)
    assert v[2] == 2 and v[3] == 5.5
    v, _ = run(Impute.group_mean, "g")
    assert np.isnan(v[2]) and v[3] == 5 and v[7] == 4  # c is alone in y: nothing to average
    v, _ = run(Impute.previous_year)
    assert np.isnan(v[2]) and v[3] == 1 and v[7] == 5
    v, _ = run(Impute.linear)
    assert np.isnan(v[2]) and v[3] == pytest.approx(2.5) and np.isnan(v[7])  # b 2023: no later year


# ---- aggregation

def test_geometric_and_harmonic_by_hand():
    X = np.array([[1.0, 4.0]])
    w = np.array([1.0, 3.0])
    assert a_mean(X, w, Aggregation.geometric)[0] == pytest.approx(4 ** 0.75)
    assert a_mean(X, w, Aggregation.harmonic)[0] == pytest.approx(1 / (0.25 / 1 + 0.75 / 4))
    assert a_mean(X, w, Aggregation.arithmetic)[0] == pytest.approx(0.25 + 3)


# ---- properties

col_values = arrays(float, st.integers(3, 30), elements=st.floats(-1e6, 1e6, allow_nan=False)).filter(
    lambda a: np.ptp(a) > 1e-6 * max(1.0, np.abs(a).max()))


@given(col_values, st.floats(-50, 50), st.floats(0.5, 100))
def test_minmax_within_its_range(x, lo, width):
    hi = lo + width
    v, _ = norm(Normalise.minmax, x[:, None], np.zeros(len(x), dtype=int), lo=lo, hi=hi)
    assert (v >= lo - 1e-9 * width).all() and (v <= hi + 1e-9 * width).all()


@given(col_values, st.floats(0.01, 100), st.floats(-1000, 1000), st.sampled_from([Normalise.minmax,
                                                                                   Normalise.zscore]))
def test_ranks_invariant_to_positive_affine_change(x, a, b, kind):
    y = np.zeros(len(x), dtype=int)
    v1, _ = norm(kind, x[:, None], y)
    v2, _ = norm(kind, (a * x + b)[:, None], y)
    assert np.allclose(v1, v2, atol=1e-6 * (1 + np.abs(v1).max()))
    order1, order2 = np.argsort(v1, kind="stable"), np.argsort(v2, kind="stable")
    assert (np.round(v1[order1], 6) == np.round(v1[order2], 6)).all()


@given(col_values, st.floats(-100, 100), st.floats(0.1, 100))
def test_goalposts_clipped(x, lo, width):
    v, _ = norm(Normalise.goalposts, x[:, None], np.zeros(len(x), dtype=int), gp_lo=lo, gp_hi=lo + width)
    assert (v >= 0).all() and (v <= 1).all()


@given(col_values, st.sampled_from([Normalise.minmax, Normalise.zscore, Normalise.rank, Normalise.dist2max,
                                     Normalise.goalposts]))
def test_direction_minus_one_reverses_the_order(x, kind):
    y = np.zeros(len(x), dtype=int)
    kw = {"gp_lo": float(x.min()), "gp_hi": float(x.max())} if kind is Normalise.goalposts else {}
    up, _ = norm(kind, x[:, None], y, **kw)
    down, _ = norm(kind, x[:, None], y, direction=-1, **kw)
    i, j = np.argmin(x), np.argmax(x)
    assert up[i] < up[j] and down[i] > down[j]
    distinct = x[:, None] < x[None, :]
    assert ((up[:, None] <= up[None, :] + 1e-9) | ~distinct).all()
    assert ((down[:, None] >= down[None, :] - 1e-9) | ~distinct).all()
