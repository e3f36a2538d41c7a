"""The bulk csv/tsv writer gives exactly what the row-by-row route gives."""

import csv
import io

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from dti_cli.model.result import machine_round
from dti_cli.render import numbers as output


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e14, max_value=1e14), min_size=1,
                max_size=50))
def test_numbers_match_machine_round(values):
    v = np.array(values)
    out = np.zeros((len(v), output.number_width(v)), dtype=np.uint8)
    output.format_numbers(v, out)
    for i, x in enumerate(v):
        text = out[i][out[i] != 0].tobytes().decode()
        assert float(text) == float(machine_round(x))
        assert not text.endswith(".") and not ("." in text and text.endswith("0"))


def test_bulk_scores_equal_the_frame(run, write):
    data = write("d.csv", "year,unit,a,b\n2022,x,1,5\n2022,\"y, z\",2,\n2023,x,3,7\n2023,w,4,8.25\n"
                          "2023,v,3.5,7.5\n")
    method = write("m.toml", "[defaults]\nnormalise = 'minmax'\n[indicators.a]\n[indicators.b]\n"
                             "[aggregates.idx]\nchildren = { a = 1, b = 2 }\nmin_coverage = 0.3\n")
    res = run("scores", "--data", data, "--method", method, "-f", "csv")
    assert res.code == 0, res
    rows = list(csv.reader(io.StringIO(res.out)))
    # a method that normalises: each leaf's figure (`value`) before its score (issue 10, item 6)
    assert rows[0] == ["year", "unit", "node", "value", "score", "rank", "provenance", "source"]
    by = {(r[0], r[1], r[2]): r for r in rows[1:]}
    assert by[("2022", "y, z", "a")][3:7] == ["2", "1", "1", "input+normalised"]  # quoted unit survives, minmax of 2 is 1
    assert by[("2022", "y, z", "idx")][3:5] == ["", "1"]  # b missing: a alone (coverage 1/3 ≥ 0.3)
    assert by[("2023", "w", "b")][4] == "1" and by[("2023", "x", "b")][4] == "0"
    # b has one value in 2022 (no spread): missing, so idx rests on a alone
    assert by[("2022", "x", "idx")][4:7] == ["0", "2", "computed"] and ("2022", "x", "b") not in by
    assert by[("2023", "x", "idx")][4:7] == ["0", "3", "computed"]
    assert by[("2023", "w", "idx")][4] == "1"
    # v: a = (3.5-3)/(4-3) = 0.5, b = (7.5-7)/(8.25-7) = 0.4; idx = (0.5 + 2·0.4)/3
    assert by[("2023", "v", "idx")][4] == "0.433333333333"
