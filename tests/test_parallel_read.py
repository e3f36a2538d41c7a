"""The two-process read gives exactly the frame, attributes and error messages of the one-process read."""

import os
import random
import signal

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from dti_cli.io import csv_read as data
from dti_cli.io import split_read as parallel
from dti_cli.model import provinces
from dti_cli.errors import DataError

LONG_HEADER = "year,unit,indicator,value,rank,provenance,source"


@pytest.fixture
def reads(monkeypatch):
    """Load a file split over two processes and in one; records what parallel.read_split returned."""
    monkeypatch.setattr(parallel, "SPLIT_MIN_BYTES", 0)
    real = parallel.read_split

    class Reads:
        def __init__(self):
            self.returned = []
            self.part_hook = None  # wraps read_part; the forked child inherits it

        def spy(self, path, read_part, sorted_columns=frozenset()):
            if self.part_hook is not None:
                read_part = self.part_hook(read_part)
            out = real(path, read_part, sorted_columns)
            self.returned.append(out)
            return out

        def outcome(self, path, workers: str, **kwargs):
            self.returned = []
            try:
                result = data.load(path, workers=int(workers), **kwargs)
            except DataError as exc:
                result = exc
            assert len(self.returned) == (1 if int(workers) > 1 else 0)  # one process: no split is tried
            return result, self.returned[0] if self.returned else None

        def both(self, path, **kwargs):
            """(two-process result, one-process result, whether the split produced a frame)."""
            two, split = self.outcome(path, "2", **kwargs)
            one, unsplit = self.outcome(path, "1", **kwargs)
            assert unsplit is None
            return two, one, split is not None

    r = Reads()
    monkeypatch.setattr(parallel, "read_split", r.spy)
    return r


def _object_categories(df: pd.DataFrame) -> pd.DataFrame:
    """Categorical columns as plain object values: what both reads must agree on whatever the categories."""
    return df.assign(**{c: df[c].astype(object) for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)})


def _same_frame(a: pd.DataFrame | None, b: pd.DataFrame | None) -> None:
    if a is None or b is None:
        assert a is None and b is None
        return
    assert list(a.columns) == list(b.columns)
    for c in a.columns:
        assert isinstance(a[c].dtype, pd.CategoricalDtype) == isinstance(b[c].dtype, pd.CategoricalDtype), c
    assert_frame_equal(_object_categories(a), _object_categories(b))


def _exact_frame(a: pd.DataFrame | None, b: pd.DataFrame | None) -> None:
    """Exactly equal, categories (their order and dtype) included."""
    if a is None:
        assert b is None
        return
    assert_frame_equal(a, b)


def assert_same(two, one) -> None:
    """Equal datasets: values first (the clearer failure), then exactly, categoricals included."""
    assert isinstance(two, data.Dataset) and isinstance(one, data.Dataset), (two, one)
    assert (two.unit_kind, two.label, two.boundaries) == (one.unit_kind, one.label, one.boundaries)
    _same_frame(two.frame, one.frame)
    _same_frame(two.attributes, one.attributes)
    _exact_frame(two.frame, one.frame)
    _exact_frame(two.attributes, one.attributes)


def cut_of(raw: bytes) -> int:
    """Where read_split cuts a file: just after the first line end past the middle of the data."""
    header_end = raw.find(b"\n") + 1
    return raw.find(b"\n", header_end + (len(raw) - header_end) // 2) + 1


def half_of(raw: bytes, line: int) -> str:
    """Which process parses a (1-based) physical line."""
    start = 0
    for _ in range(line - 1):
        start = raw.index(b"\n", start) + 1
    return "first" if start < cut_of(raw) else "second"


# ---- files


def long_lines(seed: int = 7) -> list[str]:
    """A long file sorted by year and unit: units and an indicator that only the last years have, empty cells."""
    rng = random.Random(seed)
    lines = [LONG_HEADER]
    for year in range(2016, 2024):
        units = [f"u{i:02d}" for i in range(12)] + (["late-1", "late-2"] if year >= 2022 else [])
        indicators = ["ind_b", "ind_c", "ind_d"] + (["ind_a"] if year == 2023 else [])
        for unit in units:
            for ind in indicators:
                value = "" if rng.random() < 0.1 else f"{rng.uniform(0, 100):.4f}"
                rank = "" if rng.random() < 0.2 else str(rng.randint(1, 63))
                if value == "" and rng.random() < 0.5:
                    rank = str(rng.randint(1, 63))  # rank only
                prov = rng.choice(["news", "hf", "official", ""] + (["derived"] if year == 2023 else []))
                source = rng.choice(["", "S_one", "S_two S_three"] + (["S_0_late"] if year >= 2022 else []))
                lines.append(f"{year},{unit},{ind},{value},{rank},{prov},{source}")
    return lines


def write_lines(tmp_path, lines: list[str], *, name="d.csv", eol="\n", bom=False, trailing=True):
    text = eol.join(lines) + (eol if trailing else "")
    p = tmp_path / name
    p.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return p


def with_blank_lines_at_cut(lines: list[str], count: int = 7) -> list[str]:
    """Blank lines inserted just after the line holding the middle byte, so the cut falls among them."""
    sizes = np.cumsum([len(s.encode()) + 1 for s in lines])
    middle = sizes[0] + (sizes[-1] - sizes[0]) // 2
    at = int(np.searchsorted(sizes, middle, side="right")) + 1
    return lines[:at] + [""] * count + lines[at:]


def at_blank_line(raw: bytes, cut: int) -> bool:
    after = raw[cut:].split(b"\n", 1)[0].strip(b"\r")
    before = raw[:cut - 1].rsplit(b"\n", 1)[-1].strip(b"\r")
    return after == b"" or before == b""


# ---- equal results


def test_long_file_with_late_units_indicator_and_empty_cells(reads, tmp_path):
    path = write_lines(tmp_path, long_lines())
    two, one, split = reads.both(path)
    assert split
    raw = path.read_bytes()
    tail = raw[cut_of(raw):].decode()
    head = raw[:cut_of(raw)].decode()
    assert "late-1" in tail and "late-1" not in head and ",ind_a," in tail and ",ind_a," not in head
    assert one.frame["value"].isna().any() and one.frame["rank"].notna().any()
    assert set(one.frame["provenance"]) >= {"input", "derived"}
    assert len(one.frame) == len(long_lines()) - 1
    assert_same(two, one)


@pytest.mark.parametrize("variant", ["semicolon", "bom", "crlf", "blank_lines_at_cut", "no_trailing_newline",
                                     "trailing_blank_lines", "all"])
def test_file_formats(reads, tmp_path, variant):
    lines = long_lines(seed=11)
    kw = {}
    every = variant == "all"
    if variant == "semicolon" or every:
        lines = [s.replace(",", ";") for s in lines]
    if variant == "bom" or every:
        kw["bom"] = True
    if variant == "crlf" or every:
        kw["eol"] = "\r\n"
    if variant == "blank_lines_at_cut" or every:
        lines = with_blank_lines_at_cut(lines)
    if variant == "no_trailing_newline" or every:
        kw["trailing"] = False
    if variant == "trailing_blank_lines":
        lines = lines + [""] * 3
    path = write_lines(tmp_path, lines, **kw)
    raw = path.read_bytes()
    assert raw.endswith(b"\n") != (variant in ("no_trailing_newline", "all"))
    if variant in ("blank_lines_at_cut", "all"):
        assert at_blank_line(raw, cut_of(raw))
    two, one, split = reads.both(path)
    assert split
    assert len(one.frame) == len(long_lines(seed=11)) - 1
    assert_same(two, one)


def test_second_half_of_only_blank_lines(reads, tmp_path):
    path = write_lines(tmp_path, ["year,unit,indicator,value", "2020,a,x,1", "2021,b,x,2"] + [""] * 40)
    two, one, split = reads.both(path)
    assert split and len(one.frame) == 2
    assert_same(two, one)


def test_wide_file_with_an_attribute_and_empty_cells(reads, tmp_path):
    rng = random.Random(3)
    regions = {f"d{i:02d}": rng.choice(["North", " South ", "Centre"]) for i in range(20)}
    lines = ["year,unit,region,a,b,c"]
    for year in range(2018, 2024):
        units = sorted(regions) + (["d-late"] if year == 2023 else [])
        rng.shuffle(units)
        for unit in units:
            region = "" if unit == "d05" and year == 2019 else regions.get(unit, "Highlands")
            cells = ["" if rng.random() < 0.15 else f"{rng.uniform(-5, 5):.3f}" for _ in "abc"]
            lines.append(",".join([str(year), unit, region] + cells))
    path = write_lines(tmp_path, lines)
    two, one, split = reads.both(path, attributes=("region",))
    assert split
    assert one.attributes is not None and set(one.attributes["region"].dropna()) >= {"South", "Highlands"}
    assert one.frame["indicator"].cat.categories.tolist() == ["a", "b", "c"]
    assert len(one.frame) < 3 * (len(lines) - 1)  # empty cells dropped
    assert_same(two, one)


def test_the_bundled_indicators(reads):
    two, one, split = reads.both(data.bundled_path())
    assert split and one.unit_kind == "province"
    assert_same(two, one)


def test_province_file_with_names_and_slugs(reads, tmp_path):
    real = data.bundled_path().read_text(encoding="utf-8").splitlines()
    header, rows = real[0], real[1:301]
    assert header.startswith("year,province,")
    reg = provinces.registry()
    late = "lai-chau"  # only in the second half: its rows in the first half are left out
    rows = [r for i, r in enumerate(rows) if i >= len(rows) * 0.6 or f",{late}," not in r]
    # the second half names some provinces in Vietnamese, with diacritics (the same units as slugs above)
    named = []
    for i, row in enumerate(rows):
        year, slug, rest = row.split(",", 2)
        name = reg.get(slug).name_vi if i >= len(rows) * 0.6 and i % 3 == 0 else slug
        named.append(f"{year},{name},{rest}")
    extra = [f"2024,{reg.get(late).name_vi},dti,0.3,,news,S_x"]
    path = write_lines(tmp_path, [header] + named + extra)
    raw = path.read_bytes()
    head, tail = raw[:cut_of(raw)], raw[cut_of(raw):]
    assert late.encode() not in head and head.isascii() and not tail.isascii()
    two, one, split = reads.both(path)
    assert split and one.unit_kind == "province"
    assert late in one.units and not any(u != u.lower() for u in one.units)
    assert_same(two, one)


def test_same_labels_in_both_halves_are_exactly_equal(reads, tmp_path):
    # cut at the year boundary: both halves see units p, q, r in that order and no new label
    lines = ["year,unit,indicator,value,rank"]
    lines += [f"2020,{u},x,{n}.500,{n}" for n, u in enumerate("pqr", 1)]
    lines += [f"2021,{u},x,{n}.5,{n}" for n, u in enumerate("pqr", 1)]
    path = write_lines(tmp_path, lines)
    raw = path.read_bytes()
    assert raw[cut_of(raw):].startswith(b"2021,p,")
    two, one, split = reads.both(path)
    assert split
    assert_same(two, one)


# ---- the two differences, each alone


def test_joined_unit_categories_have_the_dtype_and_order_of_one_read(reads, tmp_path):
    path = write_lines(tmp_path, ["year,unit,indicator,value", "2020,a,x,1", "2020,b,x,2", "2021,b,x,3",
                                  "2021,a,x,4"])
    two, one, split = reads.both(path)
    assert split
    assert one.frame["unit"].cat.categories.tolist() == ["a", "b"]
    assert two.frame["unit"].cat.categories.dtype == one.frame["unit"].cat.categories.dtype
    assert two.frame["unit"].cat.categories.tolist() == ["a", "b"]


def test_joined_categories_keep_the_sorted_order(reads, tmp_path):
    path = write_lines(tmp_path, ["year,unit,indicator,value", "2020,u,b,1", "2020,u,c,2", "2020,v,b,3",
                                  "2020,v,c,4", "2021,u,a,5", "2021,u,b,6"])
    raw = path.read_bytes()
    assert raw[cut_of(raw):] == b"2021,u,a,5\n2021,u,b,6\n"
    two, one, split = reads.both(path)
    assert split
    assert one.frame["indicator"].cat.categories.tolist() == ["a", "b", "c"]
    assert two.frame["indicator"].cat.categories.tolist() == ["a", "b", "c"]


def test_a_second_half_with_far_more_rows_than_estimated(reads, tmp_path):
    # the parent sizes the joined arrays from its own rows per byte; short lines after long ones overflow that
    first = [f"2020,{'u' * 200}{i},x,{i}" for i in range(2000)]
    second = [f"2021,v{i},y{i % 3},{i}" for i in range(30_000)]
    path = write_lines(tmp_path, ["year,unit,indicator,value", *first, *second])
    raw = path.read_bytes()
    tail = raw[cut_of(raw):]
    assert b"uuu" not in tail and tail.count(b"\n") > 2 * (2000 * 1.1) + 1024  # past the estimate
    two, one, split = reads.both(path)
    assert split
    assert_same(two, one)


@pytest.mark.parametrize("chunk", [None, 5000])
def test_units_past_the_narrow_codes(reads, tmp_path, monkeypatch, chunk):
    if chunk:  # the codes widen between two chunks of one piece, with earlier chunks' codes already stored
        monkeypatch.setattr(parallel, "CHUNK_ROWS", chunk)
    # about 11,000 units in the first half (int16 codes), 35,000 more in the second: the joined codes widen
    first = [f"2020,a{i:05d},{'x' * 48},{i}" for i in range(10_000)]
    second = [f"2020,b{i:05d},y,{i}" for i in range(36_000)]
    path = write_lines(tmp_path, ["year,unit,indicator,value", *first, *second])
    raw = path.read_bytes()
    assert b"x,9999\n" in raw[:cut_of(raw)] and b"xxx" not in raw[cut_of(raw):]
    two, one, split = reads.both(path)
    assert split
    assert len(two.frame["unit"].cat.categories) == 46_000
    assert_same(two, one)


@pytest.mark.parametrize("rows", [1, 7, 100])
def test_pieces_parsed_in_small_chunks(reads, tmp_path, monkeypatch, rows):
    # each piece is parsed a chunk of rows at a time; labels first met in later chunks, units past the int16
    # codes within one piece, attributes and ranks must come out as one read gives them
    monkeypatch.setattr(parallel, "CHUNK_ROWS", rows)
    long = write_lines(tmp_path, long_lines(), name="long.csv")
    two, one, split = reads.both(long)
    assert split
    assert_same(two, one)
    wide = ["year,unit,region,a,b"] + [f"{2020 + i % 3},u{i % 97},{'NS'[i % 2]},{i},{i % 5 or ''}" for i in range(291)]
    two, one, split = reads.both(write_lines(tmp_path, wide, name="wide.csv"), attributes=("region",))
    assert split
    assert_same(two, one)
    two, one, split = reads.both(data.bundled_path())
    assert split
    assert_same(two, one)


# ---- errors: the same message, naming the same line


def error_lines(seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    lines = [LONG_HEADER]
    for year in range(2019, 2023):
        for unit in ("alpha", "beta", "gamma", "delta", "eps"):
            for ind in ("x", "y", "z"):
                lines.append(f"{year},{unit},{ind},{rng.uniform(0, 1):.4f},{rng.randint(1, 5)},news,S")
    return lines


def _set(line: str, col: int, value: str) -> str:
    cells = line.split(",")
    cells[col] = value
    return ",".join(cells)


ERRORS = {  # name: (which half, how a line is spoilt, the message's end, whether the split still gives a frame)
    "non_number": ("second", lambda s: _set(s, 3, "abc"), "column 4 (value): 'abc' is not a number", False),
    "non_number_first": ("first", lambda s: _set(s, 3, "n/a"), "column 4 (value): 'n/a' is not a number (leave "
                         "missing values empty, or list the token with --na)", False),
    "decimal_comma": ("second", lambda s: _set(s, 3, "0,5"), "8 fields where the header has 7 "
                      "(a value with a comma needs quotes, or use --decimal ,)", False),
    "bad_year": ("second", lambda s: _set(s, 0, "20x1"), "column 1 (year): '20x1' is not a year (four digits)", False),
    "infinity": ("second", lambda s: _set(s, 3, "inf"), "column 4 (value): is not a finite number", True),
    "bad_rank": ("second", lambda s: _set(s, 4, "1.5"), "column 5 (rank): '1.5' is not a rank (a whole number from 1)",
                 True),
    "empty_unit": ("second", lambda s: _set(s, 1, ""), "column 2 (unit): is empty", True),
    "empty_indicator": ("second", lambda s: _set(s, 2, ""), "column 3 (indicator): is empty", True),
    "too_many_fields": ("second", lambda s: s + ",extra", "8 fields where the header has 7 (a value with a comma "
                        "needs quotes, or use --decimal ,)", False),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_name_the_same_line(reads, tmp_path, name):
    half, spoil, end, frame = ERRORS[name]
    lines = error_lines()
    n = 5 if half == "first" else len(lines) * 3 // 4
    lines[n] = spoil(lines[n])
    path = write_lines(tmp_path, lines)
    assert half_of(path.read_bytes(), n + 1) == half
    two, one, split = reads.both(path)
    assert isinstance(one, DataError) and isinstance(two, DataError), (two, one)
    assert str(two) == str(one)
    cli = one.text("en", "cli")  # as the command line words it (the hints name its options)
    assert cli.startswith(f"{path}, line {n + 1}") and cli.endswith(end)
    assert split == frame


def test_a_differing_duplicate_across_the_halves(reads, tmp_path):
    lines = error_lines()
    first = lines[3]
    dup = _set(first, 3, "0.9999")
    lines.insert(len(lines) - 2, dup)
    path = write_lines(tmp_path, lines)
    raw = path.read_bytes()
    assert half_of(raw, 4) == "first" and half_of(raw, len(lines) - 2) == "second"
    two, one, split = reads.both(path)
    assert split
    assert isinstance(one, DataError) and str(two) == str(one)
    assert str(one).startswith(f"{path}, line {len(lines) - 2}: duplicate of line 4 (")
    assert "(0.9999 vs " in str(one)


def test_an_unknown_province_in_the_second_half(reads, tmp_path):
    lines = ["year,province,indicator,value"] + [f"2022,{s},dti,0.{i}" for i, s in
                                                 enumerate(["ha-noi", "hai-phong", "da-nang", "can-tho"] * 5)]
    lines[-3] = "2023,atlantis,dti,0.5"
    path = write_lines(tmp_path, lines)
    two, one, split = reads.both(path)
    assert split
    assert isinstance(one, DataError) and str(two) == str(one)
    assert str(one).startswith(f"{path}, line {len(lines) - 2}, column 2 (province): unknown province 'atlantis'")


def test_a_non_utf8_byte_in_the_second_half(reads, tmp_path):
    lines = error_lines()
    path = write_lines(tmp_path, lines)
    raw = path.read_bytes()
    at = raw.index(b",gamma,", cut_of(raw))
    path.write_bytes(raw[:at + 1] + b"g\xe9mma" + raw[at + 6:])
    line = path.read_bytes()[:at].count(b"\n") + 1
    two, one, split = reads.both(path)
    assert not split
    assert isinstance(one, DataError) and str(two) == str(one)
    assert str(one).startswith(f"{path}, line {line}: not UTF-8 text (byte 0xe9)")


# ---- quotes and failures: the one-process read decides


@pytest.mark.parametrize("where", ["first", "second"])
def test_a_quote_anywhere_falls_back(reads, tmp_path, where):
    lines = long_lines(seed=2)
    n = 3 if where == "first" else len(lines) - 3
    lines[n] = _set(lines[n], 1, '"a, b"')
    path = write_lines(tmp_path, lines)
    assert half_of(path.read_bytes(), n + 1) == where
    two, one, split = reads.both(path)
    assert not split
    assert "a, b" in one.units
    assert_same(two, one)


def _in_child(marker, then):
    """A read_part wrapper: the child's half (no header) leaves a marker file, then `then()` ends it."""
    def hook(read_part):
        def part(fh, has_header):
            if not has_header:
                marker.touch()
                then()
            return read_part(fh, has_header)
        return part
    return hook


def _raise():
    raise RuntimeError("the child's half")


@pytest.mark.parametrize("how", ["raises", "killed", "dies_mid_transfer"])
def test_a_child_that_dies_falls_back(reads, tmp_path, monkeypatch, how):
    path = write_lines(tmp_path, long_lines(seed=4))
    marker = tmp_path / "child-was-here"
    if how == "raises":
        reads.part_hook = _in_child(marker, _raise)
    elif how == "killed":
        reads.part_hook = _in_child(marker, lambda: os.kill(os.getpid(), signal.SIGKILL))
    else:
        parent, real_write = os.getpid(), parallel.write_all

        def write_some(fd, buf):  # the child sends 3 bytes of its columns' description, then exits
            if os.getpid() == parent:
                return real_write(fd, buf)
            marker.touch()
            real_write(fd, memoryview(buf).cast("B")[:3])
            os._exit(1)

        monkeypatch.setattr(parallel, "write_all", write_some)
    two, one, split = reads.both(path)
    assert marker.exists()
    assert not split
    assert_same(two, one)
    assert len(two.frame) == len(long_lines(seed=4)) - 1


@pytest.mark.parametrize("rows", [None, 3])
def test_labels_that_look_like_numbers_stay_text(reads, tmp_path, monkeypatch, rows):
    # the parser turns a chunk of labels that all look like numbers into numbers ("001" → 1): such a chunk sends
    # the file to the one-process read, which keeps them as text; a later chunk of words must not break it either
    if rows:
        monkeypatch.setattr(parallel, "CHUNK_ROWS", rows)
    lines = ["year,unit,indicator,value"] + [f"2020,{u:03d},01,{u}" for u in range(40)] + \
        [f"2021,x{u:03d},02,{u}" for u in range(40)]
    two, one, split = reads.both(write_lines(tmp_path, lines))
    assert not split
    assert_same(two, one)
    assert set(one.frame["unit"].astype(str)) >= {"000", "039", "x000"} and set(one.indicators) == {"01", "02"}


def test_ctrl_c_while_reading_is_not_taken_for_a_bad_file(reads, tmp_path, monkeypatch):
    # pandas can turn a Ctrl-C during its read() into a ParserError; the run must stop, not read the file again
    path = write_lines(tmp_path, long_lines())
    parent, real = os.getpid(), parallel._Range.read

    def read(self, size=-1):
        if os.getpid() == parent:  # a Ctrl-C in the parent, while pandas reads its piece
            signal.raise_signal(signal.SIGINT)
        return real(self, size)

    def as_pandas_may(read_part):
        def part(fh, has_header):
            try:
                yield from read_part(fh, has_header)
            except KeyboardInterrupt:
                raise pd.errors.ParserError("Calling read(nbytes) on source failed. Try engine='python'.") from None
        return part

    monkeypatch.setattr(parallel._Range, "read", read)
    reads.part_hook = as_pandas_may
    with pytest.raises(KeyboardInterrupt):
        reads.outcome(path, "2")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytest.mark.parametrize("fails", ["fork", "pipe"])
def test_no_second_process_to_be_had_falls_back(reads, tmp_path, monkeypatch, fails):
    path = write_lines(tmp_path, long_lines())

    def refuse(*_):
        raise BlockingIOError(11, "Resource temporarily unavailable")

    fds = len(os.listdir("/proc/self/fd"))
    monkeypatch.setattr(os, fails, refuse)
    two, split = reads.outcome(path, "2")
    assert split is None and len(os.listdir("/proc/self/fd")) == fds  # no pipe left open
    monkeypatch.undo()
    assert_frame_equal(two.frame, data.load(path).frame)


def test_a_header_with_spaces(reads, tmp_path):
    lines = long_lines()
    lines[0] = ", ".join(lines[0].split(","))
    two, one, split = reads.both(write_lines(tmp_path, lines))
    assert split
    assert_same(two, one)
    assert one.frame["value"].isna().any() and list(one.frame.columns)[:4] == ["year", "unit", "indicator", "value"]
