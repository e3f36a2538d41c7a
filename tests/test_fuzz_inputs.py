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
    failed_check = res.code == 1 and ("check failed" in res.err or "kiểm tra không đạt" in res.err)
    if res.code and not failed_check:  # `check` that finds errors reports them, then exits 1 (documented)
        assert res.out == "", res
    assert seconds < 20


@PROFILE
@given(data=data_files(), cmd=st.sampled_from(["scores", "rank", "check"]))
def test_hostile_data_files(run, tmp_path_factory, data, cmd):
    _run_on(run, tmp_path_factory, data, '[indicators.x]\nname = "x"\n[indicators.y]\nname = "y"\n[aggregates.i]\n'
            'name = "i"\nchildren = ["x", "y"]\nweights = "equal"\nmin_coverage = 0\n', cmd)


def _run_on(run, tmp_path_factory, data: bytes, method: str, cmd: str, *args: str):
    """The command on the data and method written to files: a clean end, quickly (its result)."""
    d = tmp_path_factory.mktemp("fuzz")
    (d / "d.csv").write_bytes(data)
    (d / "m.toml").write_text(method)
    t0 = time.perf_counter()
    res = run(cmd, *args, "--data", str(d / "d.csv"), "--method", str(d / "m.toml"), "-f", "csv")
    _check(res, time.perf_counter() - t0)
    return res


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


# dti's own `scores` output, then tampered with (issue 10, item 5): a renamed, added, dropped or doubled column, a
# hostile cell, a json record of the wrong shape. Read back, each is data (exit 0) or one line naming the problem.
OWN_HEAD = ["year", "unit", "name", "node", "value", "score", "rank", "provenance", "source"]
OWN_ROWS = [["2023", "a", "A", "x", "2", "0", "2", "input+normalised", ""],
            ["2023", "b", "B", "x", "4", "1", "1", "input+normalised", ""],
            ["2023", "a", "A", "y", "5", "1", "1", "input+normalised", "s"],
            ["2023", "b", "B", "y", "3", "0", "2", "input+normalised", "s"],
            ["2023", "a", "A", "i", "", "0.5", "1", "computed", ""],
            ["2023", "b", "B", "i", "", "0.5", "1", "computed", ""]]


@st.composite
def own_outputs(draw) -> bytes:
    import json

    head, rows = list(OWN_HEAD), [list(r) for r in OWN_ROWS]
    how = draw(st.sampled_from(["rename", "add", "drop", "double", "cell", "none"]))
    col = draw(st.integers(0, len(head) - 1))
    if how == "rename":
        head[col] = draw(st.sampled_from(["indicator", "scor", "nodes", "unit", "province", "kind", "", "=x", "rank"]))
    elif how == "add":
        head.append(draw(st.sampled_from(["extra", "indicator_name", "section", "delta", "kind", "x"])))
        rows = [r + [draw(st.sampled_from(LABELS[:6] + NUMBERS[:6]))] for r in rows]
    elif how == "drop":
        head.pop(col)
        rows = [r[:col] + r[col + 1:] for r in rows]
    elif how == "double":
        head.append(head[col])
        rows = [r + [r[col]] for r in rows]
    elif how == "cell":
        rows[draw(st.integers(0, len(rows) - 1))][col] = draw(st.sampled_from(LABELS + NUMBERS))
    if draw(st.booleans()):
        records = [dict(zip(head, r)) for r in rows]
        if draw(st.booleans()) and records:
            records[0][head[min(col, len(head) - 1)]] = draw(st.sampled_from([[1], {"a": 1}, True, None, 1e308, "x"]))
        text = json.dumps(records, ensure_ascii=False)
        return text[:draw(st.sampled_from([len(text), len(text) // 2]))].encode()
    sep = draw(st.sampled_from([",", "\t"]))
    return ("\n".join(sep.join(c if sep not in c and '"' not in c else '"' + c.replace('"', '""') + '"' for c in r)
                      for r in [head, *rows]) + "\n").encode("utf-8", errors="replace")


@PROFILE
@given(data=own_outputs(), cmd=st.sampled_from(["scores", "rank", "show"]))
def test_hostile_own_output_read_back(run, tmp_path_factory, data, cmd):
    res = _run_on(run, tmp_path_factory, data, '[defaults]\nnormalise = "minmax"\n[indicators.x]\n[indicators.y]\n'
                  '[aggregates.i]\nchildren = ["x", "y"]\nweights = "equal"\n', cmd, *(["a"] if cmd == "show" else []))
    if res.code:
        assert len(res.err.strip().splitlines()) <= 2, res  # the error line (and, at most, a note before it)


def test_own_output_with_an_unknown_column_is_refused(run, tmp_path):
    head = OWN_HEAD + ["extra"]
    text = "\n".join(",".join(r) for r in [head, *(r + ["1"] for r in OWN_ROWS)]) + "\n"
    (tmp_path / "d.csv").write_text(text)
    res = run("rank", "--data", str(tmp_path / "d.csv"))
    assert res.code == 1 and res.out == "" and "column 10 (extra)" in res.err and "unknown column" in res.err
    good = "\n".join(",".join(r) for r in [OWN_HEAD, *OWN_ROWS]) + "\n"
    (tmp_path / "d.csv").write_text(good)
    (tmp_path / "m.toml").write_text('[defaults]\nnormalise = "minmax"\n[indicators.x]\n[indicators.y]\n'
                                     '[aggregates.i]\nchildren = ["x", "y"]\nweights = "equal"\n')
    ok = run("rank", "--data", str(tmp_path / "d.csv"), "--method", str(tmp_path / "m.toml"), "-f", "csv")
    assert ok.code == 0, ok
    assert [line.split(",")[:4] for line in ok.out.splitlines()[1:]] == [["1", "a", "A", "0.5"], ["1", "b", "B", "0.5"]]
