"""The bulk scores writer: one number format with every other machine output, the same bytes in one process or
two, and a second process that fails is an error, never a silently short file."""

import io
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dti_cli.io import csv_read
from dti_cli.model.result import Table, machine_round
from dti_cli.model.scores import long_columns, long_frame
from dti_cli.pipeline.evaluate import evaluate
from dti_cli.pipeline.plan import plan
from dti_cli.render import jsonfmt, scores_writer
from dti_cli.render.delimited import delimited
from dti_cli.render.numbers import HUGE, number_texts


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=40))
def test_numbers_over_the_whole_float_range(values):
    """Every finite double: below 1e15 a plain decimal (no exponent, no trailing zero) of the machine-rounded
    figure; from 1e15 on, Python's shortest form of the number itself."""
    for x, text in zip(values, number_texts(values)):
        if abs(x) < HUGE:
            assert float(text) == float(machine_round(x)) and "e" not in text.lower()
            assert not text.endswith(".") and not ("." in text and text.endswith("0")) and text != "-0"
        else:
            assert float(text) == x


@pytest.fixture(scope="module")
def bundled_scores():
    ds = csv_read.load(csv_read.bundled_path())
    return evaluate(ds, plan(ds, None))


def _bulk(scores, years, sep, **kw) -> str:
    buf = io.StringIO()
    scores_writer.write_delimited(scores, years, sep, buf, **kw)
    return buf.getvalue()


@pytest.mark.parametrize("sep", [",", "\t"])
def test_the_bulk_writer_writes_what_the_table_renderer_writes(bundled_scores, sep):
    years = bundled_scores.years
    table = Table.of("scores", long_frame(bundled_scores, years), long_columns("province"))
    assert _bulk(bundled_scores, years, sep, chunk=500) == delimited(table, sep)


def test_json_numbers_are_the_csv_numbers(bundled_scores):
    table = Table.of("scores", long_frame(bundled_scores, [2022]), long_columns("province"))
    rows = pd.read_json(io.StringIO(jsonfmt.to_json(table)), dtype=False)
    texts = [line.split(",")[3] for line in delimited(table, ",").splitlines()[1:]]
    assert [("" if pd.isna(v) else number_texts([v])[0]) for v in rows["score"]] == texts


def _to_file(tmp_path, scores, years, name, **kw) -> bytes:
    path = tmp_path / name
    with open(path, "w", encoding="utf-8", newline="") as fh:
        scores_writer.write_delimited(scores, years, "\t", fh, **kw)
    return path.read_bytes()


def test_two_writer_processes_give_the_same_bytes(tmp_path, bundled_scores):
    years = bundled_scores.years
    one = _to_file(tmp_path, bundled_scores, years, "one.tsv", workers=1, chunk=300)
    two = _to_file(tmp_path, bundled_scores, years, "two.tsv", workers=2, chunk=300)  # dozens of chunks, in turn
    assert one == two and one.count(b"\n") > 1500


def test_two_writers_with_an_odd_number_of_chunks(tmp_path, bundled_scores):
    k = len(bundled_scores.nodes)
    rows = int(bundled_scores.year_mask(2022).sum())
    chunk = k * (rows // 5 + 1)  # five chunks: the parent writes the last
    one = _to_file(tmp_path, bundled_scores, [2022], "one.tsv", workers=1, chunk=chunk)
    assert _to_file(tmp_path, bundled_scores, [2022], "two.tsv", workers=2, chunk=chunk) == one


def test_a_failing_second_writer_is_an_error_not_a_short_file(tmp_path, bundled_scores, monkeypatch):
    parent, real = os.getpid(), scores_writer._chunk_bytes

    def chunk_bytes(scores, tabs, rows, start):
        if os.getpid() != parent:  # the forked writer
            raise MemoryError("killed")
        return real(scores, tabs, rows, start)

    monkeypatch.setattr(scores_writer, "_chunk_bytes", chunk_bytes)
    with pytest.raises(RuntimeError, match="second writer"):
        _to_file(tmp_path, bundled_scores, bundled_scores.years, "x.tsv", workers=2, chunk=300)


def test_the_command_line_writes_with_two_processes(run, tmp_path, monkeypatch):
    """`dti scores -o FILE` on a machine with two CPUs: the second process writes half the chunks."""
    monkeypatch.setattr(scores_writer, "write_delimited", _small_chunks(scores_writer.write_delimited))
    path = tmp_path / "s.tsv"
    assert run("scores", "-o", str(path), env={"DTI_WORKERS": "2"}).code == 0
    again = tmp_path / "t.tsv"
    assert run("scores", "-o", str(again), env={"DTI_WORKERS": "1"}).code == 0
    assert path.read_bytes() == again.read_bytes() and path.read_bytes().count(b"\n") > 1500


def _small_chunks(real):
    """The writer with chunks small enough that the bundled data makes dozens (the default needs 400,000 cells)."""

    def write(scores, years, sep, out, *, workers=1, chunk=100_000):
        assert workers == int(os.environ["DTI_WORKERS"])  # the command line passes its choice of processes
        return real(scores, years, sep, out, workers=workers, chunk=300)

    return write


def test_huge_figures_take_the_table_renderers_route():
    frame = pd.DataFrame({"score": [1e15, 2.5, -3e300, np.nan]})
    text = delimited(Table.of("t", frame, long_columns("unit")[3:4]), ",")
    assert text.splitlines() == ["score", "1000000000000000.0", "2.5", "-3e+300", ""]


def _raw_scores(tmp_path, rows: str):
    from dti_cli.model.method_file import parse

    path = tmp_path / "d.csv"
    path.write_text("year,unit,a,b\n" + rows, encoding="utf-8")
    meth = parse("[indicators.a]\n[indicators.b]\n[aggregates.idx]\nchildren = { a = 1, b = 1 }\n", "m.toml")
    ds = csv_read.load(path)
    return evaluate(ds, plan(ds, meth))


def _same_as_renderer(scores, sep=",", **kw):
    table = Table.of("scores", long_frame(scores, scores.years), long_columns(scores.unit_kind))
    assert _bulk(scores, scores.years, sep, chunk=7, **kw) == delimited(table, sep)


def test_large_integer_parts_take_the_wide_lead_tables(tmp_path):
    # integer parts past 16,383 (lead table of 65,536 rows) and past 1,000,000 (digits written one by one)
    _same_as_renderer(_raw_scores(tmp_path, "2022,u1,50000.25,1\n2022,u2,3000000.5,-2.125\n2022,u3,-987654.75,0\n"))


def test_without_the_joint_tail_table(tmp_path, monkeypatch):
    monkeypatch.setattr(scores_writer, "TAIL_MAX", 0)
    _same_as_renderer(_raw_scores(tmp_path, "2022,u1,1,2\n2022,u2,3,4\n2023,u1,5,\n"), sep="\t")


def test_labels_with_a_nul_take_the_renderer(bundled_scores):
    import dataclasses

    odd = dataclasses.replace(bundled_scores, nodes=tuple(n + "\x00" if n == "dti" else n
                                                          for n in bundled_scores.nodes))
    _same_as_renderer(odd)


# ---- json: the same writer, records streamed a chunk at a time (issue 11, item 21)

def _json(scores, years, **kw) -> str:
    buf = io.StringIO()
    scores_writer.write_json(scores, years, buf, **kw)
    return buf.getvalue()


def _json_of_table(scores, years) -> str:
    return jsonfmt.to_json(Table.of("scores", long_frame(scores, years), long_columns(scores.unit_kind)))


def test_the_json_stream_writes_what_the_json_renderer_writes(bundled_scores):
    years = bundled_scores.years
    assert _json(bundled_scores, years, chunk=500) == _json_of_table(bundled_scores, years)
    assert _json(bundled_scores, [2022], chunk=7) == _json_of_table(bundled_scores, [2022])


def test_the_json_stream_in_two_processes_gives_the_same_bytes(tmp_path, bundled_scores):
    def to_file(name, workers):
        path = tmp_path / name
        with open(path, "w", encoding="utf-8", newline="") as fh:
            scores_writer.write_json(bundled_scores, bundled_scores.years, fh, workers=workers, chunk=300)
        return path.read_bytes()

    one = to_file("one.json", 1)
    assert to_file("two.json", 2) == one == _json_of_table(bundled_scores, bundled_scores.years).encode()


@pytest.mark.parametrize("rows", [
    "2022,u1,1,2\n2022,u2,3,4\n2023,u1,5,\n",  # a missing figure: null
    "2022,u1,50000.25,1\n2022,u2,3000000.5,-2.125\n2022,u3,-987654.75,0\n",  # wide integer parts
    "2022,u1,1e15,2\n2022,u2,-3e100,4\n",  # huge figures: the renderer's route, the first record among them
    "2022,\"u \"\"1\"\", \\\\ é\",1,2\n2022,u2,3,4\n",  # a label json escapes
])
def test_json_stream_edge_cases(tmp_path, rows):
    scores = _raw_scores(tmp_path, rows)
    for chunk in (1, 7, 100_000):
        assert _json(scores, scores.years, chunk=chunk) == _json_of_table(scores, scores.years)


def test_json_stream_without_the_joint_tail_table(tmp_path, monkeypatch):
    monkeypatch.setattr(scores_writer, "TAIL_MAX", 0)
    scores = _raw_scores(tmp_path, "2022,u1,1,2\n2022,u2,3,4\n2023,u1,5,\n")
    assert _json(scores, scores.years, chunk=7) == _json_of_table(scores, scores.years)


def test_json_stream_with_no_figure_and_with_a_nul_label(tmp_path, bundled_scores):
    import dataclasses

    scores = _raw_scores(tmp_path, "2022,u1,1,2\n")
    blank = dataclasses.replace(scores, value=np.full_like(scores.value, np.nan), rank=np.full_like(scores.rank, np.nan))
    assert _json(blank, blank.years) == _json_of_table(blank, blank.years) == "[]\n"
    odd = dataclasses.replace(bundled_scores, nodes=tuple(n + "\x00" if n == "dti" else n
                                                          for n in bundled_scores.nodes))
    assert _json(odd, [2022], chunk=50) == _json_of_table(odd, [2022])


def test_the_command_line_streams_json(run, tmp_path, monkeypatch):
    """`dti scores -f json` takes the streaming writer and gives the renderer's bytes, to stdout and to -o."""
    calls = []
    real = scores_writer.write_json
    monkeypatch.setattr(scores_writer, "write_json", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    r = run("scores", "--year", "2022", "-f", "json")
    assert r.code == 0 and calls and r.err == ""
    path = tmp_path / "s.json"
    assert run("scores", "--year", "2022", "-o", str(path)).code == 0
    assert path.read_text(encoding="utf-8") == r.out
    import json

    assert {"year", "province", "node", "score", "rank", "provenance", "source"} == set(json.loads(r.out)[0])
