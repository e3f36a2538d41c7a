"""Excel output reads back as the csv output does: same columns, same values, full precision."""

import io
import math
import sys

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dti_cli.errors import UsageError
from dti_cli.model import result
from dti_cli.render import excel as _excel
from dti_cli.render.delimited import delimited


def Column(key, vi, en, kind="text", table=True, prov=None):  # noqa: N802 - the columns as this file writes them
    return result.Column(key, en, kind, table=table, prov=prov)


def machine_value(v, kind):
    return float(result.machine_round(v))


class excel:  # noqa: N801 - write_xlsx takes machine tables; these tests give (name, frame, columns)
    sheet_names, about_rows = staticmethod(_excel.sheet_names), staticmethod(_excel.about_rows)

    @staticmethod
    def write_xlsx(path, sheets, about):
        return _excel.write_xlsx(path, [result.Table.of(n, f, c) for n, f, c in sheets], about=about)


NAN = math.nan

COLUMNS = [
    Column("rank", "Hạng", "Rank", "rank"), Column("province", "Tỉnh", "Province"),
    Column("name", "Tên", "Name"), Column("score", "Điểm", "Score", "score", prov="provenance"),
    Column("delta", "±", "±", "delta"), Column("rank_change", "↕", "↕", "change"),
    Column("year", "Năm", "Year", "int"), Column("share", "Tỷ trọng", "Share", "pct"),
    Column("population", "Dân số", "Population", "num"), Column("published", "Công bố", "Published", "bool"),
    Column("missing_column", "Không có", "Absent", "score"),  # not in the frame: left out, as in csv
    Column("provenance", "Nguồn gốc", "Provenance", table=False),
]


def sample() -> pd.DataFrame:
    return pd.DataFrame({
        "rank": [3.0, 1.0, NAN, 63.0],
        "province": ["quang-ninh", "ha-noi", "ba-ria-vung-tau", "=1+1"],
        "name": ["Quảng Ninh", "Hà Nội", "Bà Rịa – Vũng Tàu", NAN],
        "score": [0.70243456789012345, 1 / 3, NAN, 0.1 + 0.2],
        "delta": [0.2052000000000001, -1e-13, NAN, -0.123456789],
        "rank_change": [4.0, 0.0, NAN, -9.0],
        "year": [2022, 2022, 2022, 2022],
        "share": [0.125, 0.2, NAN, 1 / 7],
        "population": [1_362_900.5, 8_435_700.0, NAN, 2.5e-3],
        "published": [True, False, True, True],
        "provenance": ["official", "computed", "derived+imputed:mean", NAN],
    })


def as_csv(frame: pd.DataFrame, columns: list[Column]) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(delimited(result.Table.of("t", frame, columns), ",")))


@pytest.fixture
def openpyxl():
    return pytest.importorskip("openpyxl")


def test_reads_back_as_the_csv_does(tmp_path, openpyxl):
    path = tmp_path / "rank.xlsx"
    names = excel.write_xlsx(path, [("rank 2022", sample(), COLUMNS)], about=[("edition", "922")])
    assert names == ["rank 2022", "about"]
    got = pd.read_excel(path, sheet_name="rank 2022")
    want = as_csv(sample(), COLUMNS)
    assert list(got.columns) == list(want.columns) == [c.key for c in COLUMNS if c.key != "missing_column"]
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.loc[0, "score"] == 0.70243456789 and got.loc[0, "name"] == "Quảng Ninh"  # 12 decimals, as csv
    assert got.loc[3, "province"] == "=1+1"  # text, not a formula


def test_cells_are_typed_and_formatted(tmp_path, openpyxl):
    path = tmp_path / "t.xlsx"
    excel.write_xlsx(path, [("t", sample(), COLUMNS)], about=[])
    ws = openpyxl.load_workbook(path)["t"]
    head = [c.value for c in ws[1]]
    col = {k: i + 1 for i, k in enumerate(head)}
    assert ws.freeze_panes == "A2" and all(c.font.bold for c in ws[1])
    score = ws.cell(2, col["score"])
    assert score.data_type == "n" and score.number_format == "0.0000" and score.value == 0.70243456789
    assert ws.cell(2, col["delta"]).number_format == "0.0000"
    rank = ws.cell(2, col["rank"])
    assert rank.value == 3 and type(rank.value) is int and rank.number_format == "0"
    assert type(ws.cell(2, col["rank_change"]).value) is int
    assert ws.cell(4, col["rank"]).value is None and ws.cell(4, col["score"]).value is None  # empty, not ""
    assert ws.cell(2, col["published"]).value is True and ws.cell(3, col["published"]).value is False
    assert ws.cell(5, col["province"]).value == "=1+1" and ws.cell(5, col["province"]).data_type == "s"
    assert ws.column_dimensions["C"].width >= len("Bà Rịa – Vũng Tàu")


def test_about_sheet_comes_last(tmp_path, openpyxl):
    path = tmp_path / "a.xlsx"
    about = excel.about_rows(edition="DTI cấp tỉnh 2021–2023 (Quyết định 922/QĐ-BTTTT)", method="DTI = …",
                             sources=pd.DataFrame({"source": ["S_dti_2022"],
                                                   "url": ["https://dti.gov.vn/xep-hang-2022"]}),
                             generated_by="dti 0.1.0")
    excel.write_xlsx(path, [("a", sample(), COLUMNS), ("b", sample().head(0), COLUMNS)], about=about)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["a", "b", "about"]
    rows = {r[0]: r[1] for r in wb["about"].iter_rows(min_row=2, values_only=True)}
    assert rows["edition"].startswith("DTI cấp tỉnh")
    assert rows["source S_dti_2022"] == "https://dti.gov.vn/xep-hang-2022"
    assert rows["provenance official"] == "published on dti.gov.vn" and rows["generated by"] == "dti 0.1.0"
    assert pd.read_excel(path, sheet_name="b").columns.tolist() == as_csv(sample().head(0), COLUMNS).columns.tolist()


def test_sheet_names_are_ones_excel_accepts():
    names = excel.sheet_names(["about", "a/b:c*d?e[f]g\\h", "x" * 40, "x" * 40, "X" * 31, "'quoted'", "", "History"])
    assert names[0] == "about" and names[1] == "a_b_c_d_e_f_g_h"
    assert all(len(n) <= 31 for n in names) and len({n.lower() for n in names}) == len(names)
    assert names[2] == "x" * 31 and names[3] == "x" * 27 + " (2)" and names[4] == "X" * 27 + " (3)"
    assert names[5] == "quoted" and names[6] == "sheet" and names[7] == "History_"


def test_a_table_called_about_does_not_take_the_about_sheet(tmp_path, openpyxl):
    names = excel.write_xlsx(tmp_path / "x.xlsx", [("About", sample(), COLUMNS)], about=[("k", "v")])
    assert names == ["About (2)", "about"]


def test_missing_openpyxl_names_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(UsageError) as err:
        excel.write_xlsx(tmp_path / "x.xlsx", [("t", sample(), COLUMNS)], about=[])
    assert str(err.value) == ("Excel output needs openpyxl, the 'excel' extra: pip install 'dti[excel]' "
                              "(in a checkout: pip install '.[excel]')")
    assert not list(tmp_path.iterdir())


def test_wrong_suffix_is_refused(tmp_path, openpyxl):
    with pytest.raises(UsageError, match=r"out\.xls: .*\.xlsx"):
        excel.write_xlsx(tmp_path / "out.xls", [("t", sample(), COLUMNS)], about=[])
    assert not list(tmp_path.iterdir())


def test_a_failed_save_keeps_the_old_file_and_leaves_nothing(tmp_path, monkeypatch, openpyxl):
    path = tmp_path / "out.xlsx"
    path.write_bytes(b"old")

    def broken_save(self, filename):
        with open(filename, "wb") as fh:
            fh.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        excel.write_xlsx(path, [("t", sample(), COLUMNS)], about=[])
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]


def test_a_failed_conversion_writes_nothing(tmp_path, openpyxl):
    bad = sample().astype({"rank": object})
    bad.loc[0, "rank"] = "third"
    with pytest.raises(ValueError):
        excel.write_xlsx(tmp_path / "new.xlsx", [("t", bad, COLUMNS)], about=[])
    assert not list(tmp_path.iterdir())


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=12))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_finite_float_reads_back_as_csv_writes_it(tmp_path, values):
    pytest.importorskip("openpyxl")
    frame = pd.DataFrame({"score": values})
    cols = [Column("score", "Điểm", "Score", "score")]
    path = tmp_path / "f.xlsx"
    excel.write_xlsx(path, [("f", frame, cols)], about=[])
    got = pd.read_excel(path, sheet_name="f")["score"].tolist()
    # the figure csv carries (12 decimals, 15 significant digits), exactly
    assert got == [machine_value(v, "score") for v in values] == as_csv(frame, cols)["score"].tolist()
