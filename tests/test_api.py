"""The Python API: each function returns the frame of its command's `--format csv` output, notes in attrs, and
does nothing a library must not do (print, fork, change process-wide settings)."""

import doctest
import io
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import dti_cli as dti
from conftest import published_count
from dti_cli import api

EX = Path(__file__).resolve().parent.parent / "examples" / "districts"
DATA, METHOD = str(EX / "data.csv"), str(EX / "method.toml")

# command line -> the same call in Python
CASES = {
    "rank": (["rank", "--year", "2022"], lambda: dti.rank(year=2022, lang="en")),
    "rank_region": (["rank", "--year", "2021", "--region", "mekong"], lambda: dti.rank(year=2021, region="mekong",
                                                                                        lang="en")),
    "rank_2025": (["rank", "--year", "2024", "--boundaries", "2025"], lambda: dti.rank(year=2024, boundaries=2025,
                                                                                        lang="en")),
    "compare": (["compare", "quang-ninh", "ha-noi", "--national", "--region", "--year", "2022"],
                lambda: dti.compare("quang-ninh", "ha-noi", national=True, region=True, year=2022, lang="en")),
    "show": (["show", "quang-ninh"], lambda: dti.show("quang-ninh", lang="en")),
    "scores": (["scores", "--year", "2022"], lambda: dti.scores(year=2022, lang="en")),
    "explain": (["explain", "quang-ninh", "--year", "2023"], lambda: dti.explain("quang-ninh", year=2023,
                                                                                 lang="en")),
    "movers": (["movers", "--year", "2023", "--top", "3"], lambda: dti.movers(year=2023, top=3, lang="en")),
    "whatif_set": (["whatif", "quang-ninh", "--set", "hd_kts=0.7", "--year", "2022"],
                   lambda: dti.whatif("quang-ninh", set={"hd_kts": 0.7}, year=2022, lang="en")),
    "whatif_weights": (["whatif", "--weights", "hd_cqs=300,hd_kts=150", "--year", "2022"],
                       lambda: dti.whatif(weights="hd_cqs=300,hd_kts=150", year=2022, lang="en")),
    "gap": (["gap", "bac-ninh", "-r", "3", "--year", "2022"], lambda: dti.gap("bac-ninh", target_rank=3, year=2022,
                                                                           lang="en")),
    "uncertainty": (["uncertainty", "--year", "2022", "--samples", "300", "--seed", "4"],
                    lambda: dti.uncertainty(year=2022, samples=300, seed=4, lang="en")),
    "verify": (["verify"], lambda: dti.verify(lang="en")),
    "check": (["check", "--data", DATA, "--method", METHOD], lambda: dti.check(data=DATA, method=METHOD, lang="en")),
    "method": (["method", "922"], lambda: dti.method("922", lang="en")),
    "raw_scores": (["scores", "--data", DATA, "--method", METHOD],
                   lambda: dti.scores(data=dti.load_data(DATA, method=METHOD), method=dti.load_method(METHOD),
                                      lang="en")),
}


def assert_same(frame: pd.DataFrame, csv_text: str) -> None:
    """The frame holds exactly what the csv says: the same columns in order, the same values cell by cell."""
    want = pd.read_csv(io.StringIO(csv_text), dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(want.columns)
    assert len(frame) == len(want)
    for col in frame.columns:
        got, text = frame[col], want[col]
        if pd.api.types.is_bool_dtype(got):
            assert [("" if pd.isna(v) else str(bool(v))) for v in got] == text.tolist(), col
        elif pd.api.types.is_numeric_dtype(got):
            nums = pd.to_numeric(text.replace("", np.nan)).to_numpy(dtype=float)
            vals = got.to_numpy(dtype=float, na_value=np.nan)
            assert np.array_equal(np.isnan(nums), np.isnan(vals)), col
            assert (nums[~np.isnan(nums)] == vals[~np.isnan(vals)]).all(), col
        else:
            assert [("" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)) for v in got] \
                == text.tolist(), col


@pytest.mark.parametrize("name", sorted(CASES))
def test_function_gives_the_command_csv(run, name):
    args, call = CASES[name]
    res = run(*args, "-f", "csv")
    assert res.code == 0, res
    frame = call()
    assert isinstance(frame, pd.DataFrame) and len(frame)
    assert_same(frame, res.out)


def test_every_command_has_a_function():
    from dti_cli.cli import COMMANDS

    tables = {c for c in COMMANDS if c not in ("init", "chart", "map", "report", "import", "list")}
    assert "list_" in dti.__all__  # `list` is a builtin of Python
    assert "import_table" in dti.__all__ and "imported" in dti.__all__  # `import` is a keyword of Python
    assert tables <= set(dti.__all__) and tables <= {n for args, _ in CASES.values() for n in args[:1]}


def test_notes_are_attrs_in_the_language_asked_and_nothing_is_printed(capsys):
    en = dti.rank(year=2021, lang="en")
    vi = dti.rank(year=2021)
    values, ranks = published_count(2021, "dti")
    assert en.attrs["notes"] == [f"2021: {values} of 63 dti scores and {ranks} of 63 ranks are published; ranks shown "
                                 "are the published ones, provinces without one are listed unranked"]
    assert vi.attrs["notes"][0].startswith(f"2021: có {values} trên 63 điểm dti")
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_the_sentence_and_the_status():
    e = dti.explain("quang-ninh", year=2022, lang="en")
    assert e.attrs["sentence"] == "In 2022 Quảng Ninh scored 0.7024, up 0.2052 on 2021, and rose 4 places to 3rd of 63."
    v = dti.verify(lang="en")
    assert v.attrs["failed"] is False and v.attrs["status"].startswith("144 of 144 published aggregates")


def test_loaded_data_and_method_are_taken_and_give_the_same_frames():
    data, meth = dti.load_data(DATA, method=METHOD), dti.load_method(METHOD)
    a = dti.rank(data=data, method=meth, lang="en")
    b = dti.rank(data=DATA, method=METHOD, lang="en")
    pd.testing.assert_frame_equal(a, b)
    assert dti.load_method(2022).id == "922" and dti.load_method("405").id == "405"
    assert dti.load_data().bundled and dti.load_data().years == [2020, 2021, 2022, 2023, 2024]


def test_library_errors_name_no_command_line_flags(tmp_path):
    with pytest.raises(dti.UsageError) as exc:
        dti.gap("bac-ninh", target_rank=99, year=2022, lang="en")
    assert str(exc.value) == "target_rank must be between 1 and 63"
    assert exc.value.text("en", "cli") == "--target-rank must be between 1 and 63"
    with pytest.raises(dti.DataError) as exc:
        path = tmp_path / "vn.csv"
        path.write_text("year;province;indicator;value\n2022;quang-ninh;dti;0,7024\n", encoding="utf-8")
        dti.load_data(path, lang="en")
    assert str(exc.value).endswith("'0,7024' is not a number (if the file uses a decimal comma, pass decimal=\",\")")
    assert "--" not in str(exc.value)


def test_no_fork_and_no_process_settings_unless_asked(monkeypatch, tmp_path):
    """A library call never forks or tunes the process (the command line's entry point may)."""
    from dti_cli.io import processes, split_read

    def refuse(*a, **k):
        raise AssertionError("a library call forked")

    monkeypatch.setattr(os, "fork", refuse)
    monkeypatch.setattr(split_read, "SPLIT_MIN_BYTES", 0)  # even a large file stays in this process
    monkeypatch.setattr(processes, "keep_freed_memory", refuse)
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    s = dti.scores(data=DATA, method=METHOD)
    assert len(s) and "OPENBLAS_NUM_THREADS" not in os.environ
    assert dti.load_data(DATA, method=METHOD).units


def test_docstring_examples_run():
    """Every public function has a docstring with an example, and the examples give what they say."""
    for name in api.__all__:
        assert ">>> " in (getattr(api, name).__doc__ or ""), name
    here = os.getcwd()
    os.chdir(Path(__file__).resolve().parent.parent)  # the examples name files of the repository
    try:
        failed, tried = doctest.testmod(api, optionflags=doctest.NORMALIZE_WHITESPACE)
    finally:
        os.chdir(here)
    assert tried >= len(api.__all__) and failed == 0


def test_import_stays_light():
    import subprocess
    import sys

    code = "import sys, dti_cli; assert 'pandas' not in sys.modules; dti_cli.rank; assert 'pandas' in sys.modules"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0


def test_api_errors_speak_the_calls_language_and_name_wrong_types():
    import pandas as pd

    import dti_cli as dti
    from dti_cli.errors import UsageError

    with pytest.raises(UsageError, match="không có năm 1999"):
        dti.rank(year=1999)
    with pytest.raises(UsageError, match="unknown year 1999"):
        dti.rank(year=1999, lang="EN")  # the language in any case
    with pytest.raises(UsageError, match="unknown year 0"):
        dti.rank(year=0, lang="en")  # 0 is a year asked for, not "the latest"
    with pytest.raises(UsageError, match="not a DataFrame"):
        dti.rank(data=pd.DataFrame(), lang="en")
    with pytest.raises(UsageError, match="no such data file"):
        dti.load_data("absent.csv", lang="en")
    assert dti.rank(year=2022, top=1, method=922)["province"].tolist() == ["da-nang"]  # an edition id as an int
