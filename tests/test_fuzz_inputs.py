"""Hostile data and method files (issue 11, item 22): encodings, separators, control characters, huge and tiny
numbers, deep trees, long labels, duplicate and ragged rows. For each: exit code 0, 1 or 2, no internal error, no
traceback, nothing on stdout unless it succeeded, and a bounded time. A few seconds in the normal suite; DTI_FUZZ=large
runs many more examples."""

import os
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

LARGE = os.environ.get("DTI_FUZZ") == "large"
PROFILE = settings(max_examples=300 if LARGE else 30, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

NUMBERS = ["0.5", "1", "-3", "1e308", "-1.7e308", "1e-320", "5e-324", "1e150", "nan", "inf", "-inf", "", "NA",
           "1.200", "0,5", "1 000", "0x10", "1_000", "١٢", "½", "+0.1", ".5", "5.", "1e", "--1"]
LABELS = ["a", "b", "Hà Nội", "ha-noi", "=SUM(A1)", "+x", "@x", "-x", "\tx", "\x1b[2J", "\x07", "\x00", "\x7f",
          "\x85", "x" * 1500, "", " ", '"', "rank", "score", "name", "a,b", "a;b", "\u202e", "\ufeff", "province"]


@st.composite
def data_files(draw) -> bytes:
    wide = draw(st.booleans())
    sep = draw(st.sampled_from([",", ";", "\t"]))
    units = draw(st.lists(st.sampled_from(LABELS), min_size=1, max_size=5))
    inds = draw(st.lists(st.sampled_from(["x", "y"] + LABELS[:8]), min_size=1, max_size=3))
    years = draw(st.lists(st.sampled_from(["2023", "2024", "0", "99999", "20x3", ""]), min_size=1, max_size=2))
    rows = []
    if wide:
        header = ["year", "unit", *inds]
        for y in years:
            for u in units:
                rows.append([y, u, *(draw(st.sampled_from(NUMBERS)) for _ in inds)])
    else:
        header = ["year", "unit", "indicator", "value"] + (["rank"] if draw(st.booleans()) else [])
        for y in years:
            for u in units:
                for i in inds:
                    rows.append([y, u, i, draw(st.sampled_from(NUMBERS))] +
                                ([draw(st.sampled_from(["1", "2", "1e300", "1e8", "-1", "x", ""]))]
                                 if len(header) == 5 else []))
    if rows and draw(st.booleans()):
        rows.append(draw(st.sampled_from(rows)))  # a duplicate
    if rows and draw(st.booleans()):
        rows[0] = rows[0] + ["extra"]  # ragged
    text = "\n".join(sep.join(c if sep not in c and '"' not in c else '"' + c.replace('"', '""') + '"' for c in r)
                     for r in [header, *rows]) + "\n"
    enc = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return text.encode(enc, errors="replace")


@st.composite
def method_files(draw) -> str:
    depth = draw(st.sampled_from([1, 2, 50, 1200]))
    leaf = draw(st.sampled_from(["x", "y", "rank", "a b", "é"]))
    norm = draw(st.sampled_from(["none", "minmax", "zscore", "goalposts", "rank", "bogus"]))
    extra = draw(st.sampled_from(["", "goalposts = [0, 1e300]", "range = [1, 1]", "direction = 0", "winmax = -1",
                                  'impute = "linear"', 'treat = "winsorise"', "goalposts = [1, 0]"]))
    lines = [f'[indicators."{leaf}"]', 'name = "x"', f'normalise = "{norm}"', extra]
    for k in range(depth):
        child = leaf if k == 0 else f"a{k - 1}"
        weights = draw(st.sampled_from(['weights = "equal"', 'weights = "unknown"'])) if k == depth - 1 else \
            'weights = "equal"'
        lines += [f"[aggregates.a{k}]", 'name = "a"', f'children = ["{child}"]', weights]
    if draw(st.integers(0, 5)) == 0:
        lines.append("[aggregates.a0]")  # declared twice
    return "\n".join(lines) + "\n"


def _check(res, seconds):
    assert res.code in (0, 1, 2), res
    assert "internal error" not in res.err and "Traceback" not in res.err and "bug in dti" not in res.err, res
    if res.code:
        assert res.out == "", res
    assert seconds < 20


@PROFILE
@given(data=data_files(), cmd=st.sampled_from(["scores", "rank", "check"]))
def test_hostile_data_files(run, tmp_path_factory, data, cmd):
    d = tmp_path_factory.mktemp("fuzz")
    (d / "d.csv").write_bytes(data)
    (d / "m.toml").write_text('[indicators.x]\nname = "x"\n[indicators.y]\nname = "y"\n'
                              '[aggregates.i]\nname = "i"\nchildren = ["x", "y"]\nweights = "equal"\nmin_coverage = 0\n')
    t0 = time.perf_counter()
    res = run(cmd, "--data", str(d / "d.csv"), "--method", str(d / "m.toml"), "-f", "csv")
    _check(res, time.perf_counter() - t0)


@PROFILE
@given(method=method_files(), cmd=st.sampled_from(["method", "scores"]))
def test_hostile_method_files(run, tmp_path_factory, method, cmd):
    d = tmp_path_factory.mktemp("fuzz")
    (d / "m.toml").write_text(method, encoding="utf-8")
    (d / "d.csv").write_text("year,unit,x,y\n2023,a,0.5,1\n2023,b,0.7,2\n2024,a,0.6,3\n")
    t0 = time.perf_counter()
    args = ["method", "--method", str(d / "m.toml")] if cmd == "method" else \
        ["scores", "--data", str(d / "d.csv"), "--method", str(d / "m.toml")]
    res = run(*args, "-f", "csv")
    _check(res, time.perf_counter() - t0)
