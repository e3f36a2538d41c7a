"""The scatter of long rows into matrices runs in blocks of rows; tiny blocks give exactly what one block gives."""

import numpy as np
import pytest

from dti_cli.io import csv_read as data
from dti_cli.model import method_file as method
from dti_cli.model.dataset import NumberFormat as Format
from dti_cli.pipeline import scatter
from dti_cli.pipeline.evaluate import evaluate
from dti_cli.pipeline.plan import plan

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def _scores(ds, meth, years):
    return evaluate(ds, plan(ds, meth, years))


def _same(a, b):
    for name in ("value", "raw", "prov", "source", "pub_rank", "rank"):
        x, y = getattr(a, name), getattr(b, name)
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), name
    assert a.rows.equals(b.rows) and a.nodes == b.nodes and a.labels == b.labels and a.sources == b.sources


@pytest.mark.parametrize("years", [None, [2022], [2021, 2023]])
def test_bundled_indicators_in_tiny_blocks(monkeypatch, years):
    # published ranks, provenance and sources that differ by row, years left out of the grid
    ds = data.load(data.bundled_path())
    one = _scores(ds, None, years)
    monkeypatch.setattr(scatter, "BLOCK", 7)
    _same(_scores(ds, None, years), one)


def test_raw_method_with_extra_indicators_in_tiny_blocks(monkeypatch, tmp_path):
    # a column the method does not use (rows outside the grid) and missing values
    text = (ROOT / "examples" / "districts" / "data.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[0] += ",unused"
    lines[1:] = [line + f",{i}" for i, line in enumerate(lines[1:])]
    path = tmp_path / "d.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    meth = method.load(ROOT / "examples" / "districts" / "method.toml")
    groups = tuple({lf.group for lf in meth.leaves.values() if lf.group} | set(meth.attributes))
    ds = data.load(path, fmt=Format(), attributes=groups)
    assert "unused" in ds.indicators
    one = _scores(ds, meth, None)
    monkeypatch.setattr(scatter, "BLOCK", 5)
    _same(_scores(ds, meth, None), one)
