"""Hostile and careless tables for `dti import`: whatever the file, the exit code is 0, 1 or 2, there is no internal
error or traceback, nothing is on stdout unless it succeeded, nothing is stored unless it succeeded, and it ends
quickly. A few seconds in the normal suite; DTI_FUZZ=large runs many more examples."""

import os
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

LARGE = os.environ.get("DTI_FUZZ") == "large"
SYNTH = Path(__file__).resolve().parent.parent / "examples" / "import" / "synthetic_2025.csv"
BASE = SYNTH.read_text(encoding="utf-8")

cells = st.one_of(
    st.sampled_from(["", "0,5", "0.5", "1,5", "-0,1", "1e308", "1e-320", "nan", "inf", "0,5%", "1.200", "--", "=1+1",
                     "Hà Nội", "Huế", "Hải Dương", "Cả nước", "STT", "Xếp hạng", "Tỉnh, thành phố", "35", "0",
                     "\x1b[31m", "\x00", "\u200b", "\ufeff", "x" * 2000, '"', "\r", "1.5", "2,5", "1e999",
                     "=SUM(A1)"]),
    st.text(max_size=12))


@st.composite
def tables(draw) -> bytes:
    """The synthetic table with a few lines or cells broken, in one of several encodings and separators."""
    lines = BASE.splitlines()
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["cell", "drop", "dup", "ragged", "swap", "blank", "trailing"]))
        cols = lines[i].split(";")
        if how == "cell":
            cols[draw(st.integers(0, len(cols) - 1))] = draw(cells)
            lines[i] = ";".join(cols)
        elif how == "drop":
            del lines[i]
        elif how == "dup":
            lines.insert(i, lines[i])
        elif how == "ragged":
            lines[i] = ";".join(cols + [draw(cells)] * draw(st.integers(1, 3)))
        elif how == "blank":
            lines[i:i] = [";" * len(cols)] * draw(st.integers(1, 50))
        elif how == "trailing":  # an empty header cell or a cell past the header
            lines[i] += ";" + draw(cells)
        else:
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
    sep = draw(st.sampled_from([";", ",", "\t"]))
    text = "\n".join(lines).replace(";", sep) + "\n"
    enc = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return text.encode(enc, errors="replace")


@settings(max_examples=400 if LARGE else 25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(content=tables(), year=st.sampled_from(["2025", "2021", "2024"]),
       extra=st.sampled_from([[], ["--partial"], ["--boundaries", "63"], ["--boundaries", "34"],
                              ["--map", "Chỉ số DTI=dti"], ["--map", "=dti"], ["--map", "Xếp hạng="],
                              ["--source", "https://a.vn/\x07"], ["--source", "x" * 1_001]]))
def test_hostile_tables(run, tmp_path_factory, monkeypatch, content, year, extra):
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("DTI_HOME", str(home))
    path = tmp_path_factory.mktemp("in") / "t.csv"
    path.write_bytes(content)
    t0 = time.perf_counter()
    res = run("import", str(path), "--year", year, "--replace", *extra)
    assert time.perf_counter() - t0 < 10
    assert res.code in (0, 1, 2), res
    assert "internal error" not in res.err and "Traceback" not in res.err and "bug in dti" not in res.err
    stored = sorted(p.name for p in home.rglob("*") if p.is_file())
    if res.code:
        assert res.out == "" and stored == [] and len(res.err.strip().splitlines()) == 1, res
    else:
        assert f"{year}.csv" in stored
        assert run("rank", "--year", year, "-f", "csv").code == 0
