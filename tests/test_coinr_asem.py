"""Agreement with COINr, the JRC's reference implementation, on its ASEM example: every node within 1e-9."""

import csv
import io
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "asem"
ASEM = HERE / "coinr"  # COINr's own results, copied into the repository (see its README)


def _read(path):
    return list(csv.DictReader(open(path, encoding="utf-8")))


@pytest.fixture(scope="module")
def asem_csv(tmp_path_factory):
    """COINr's raw ASEM data as a dti wide file (year, unit, one column per indicator), 'NA' kept as it is."""
    meta = _read(ASEM / "asem_iMeta.csv")
    indicators = [r["iCode"] for r in meta if r["Type"] == "Indicator"]
    rows = _read(ASEM / "asem_iData.csv")
    out = tmp_path_factory.mktemp("asem") / "asem.csv"
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["year", "unit", *indicators])
        for r in rows:
            w.writerow([r["Time"], r["uCode"], *(r[i] for i in indicators)])
    return str(out)


@pytest.mark.parametrize("pipeline", ["minmax_amean", "zscore_amean", "minmax1_gmean"])
def test_every_node_matches_coinr(run, asem_csv, pipeline):
    res = run("scores", "--data", asem_csv, "--method", str(HERE / f"asem_{pipeline}.toml"), "--na", "NA",
              "--format", "csv")
    assert res.code == 0, res
    ours = {(r["unit"], r["node"]): float(r["score"]) for r in csv.DictReader(io.StringIO(res.out))}
    ref = _read(ASEM / f"coinr_{pipeline}.csv")
    nodes = [c for c in ref[0] if c != "uCode"]
    assert len(ref) == 51 and len(nodes) == 49 + 8 + 2 + 1
    checked = missing = 0
    worst = 0.0
    for row in ref:
        for node in nodes:
            theirs = row[node]
            mine = ours.get((row["uCode"], node))
            if theirs in ("", "NA"):
                assert mine is None, (row["uCode"], node, mine)
                missing += 1
                continue
            assert mine is not None, (row["uCode"], node)
            worst = max(worst, abs(mine - float(theirs)))
            checked += 1
    assert worst <= 1e-9, worst
    assert checked + missing == 51 * 60 and checked == 2997  # 63 cells are NA in COINr too
