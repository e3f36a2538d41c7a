"""Vietnamese throughout with --lang vi (the default), English throughout with --lang en: every command, its notes,
its errors and its files are walked in both languages, and a word of the other language fails the test."""

import re
from pathlib import Path

import pandas as pd
import pytest

from dti_cli.i18n import catalogue
from dti_cli.model import provinces
from dti_cli.model.editions import editions

EX = Path(__file__).resolve().parent.parent / "examples" / "districts"
RAW = ["--data", str(EX / "data.csv"), "--method", str(EX / "method.toml")]
RUNS = [  # (arguments, a file the run writes and whose text counts too)
    (["rank", "--year", "2022", "--top", "5"], None), (["rank", "--year", "2021", "--top", "3"], None),
    (["rank", "--year", "2024", "--boundaries", "2025", "--top", "3"], None),
    (["compare", "quang-ninh", "ha-noi", "--national", "--region", "--year", "2022"], None),
    (["show", "quang-ninh"], None), (["scores", "--year", "2020"], None),
    (["explain", "quang-ninh", "--year", "2023"], None), (["explain", "bac-ninh", "--year", "2021"], None),
    (["movers", "--year", "2023", "--top", "2"], None),
    (["whatif", "quang-ninh", "--set", "hd_kts=0.7", "--year", "2022"], None),
    (["whatif", "--weights", "hd_cqs=300", "--year", "2022"], None),
    (["gap", "bac-ninh", "-r", "3", "--year", "2022"], None), (["gap", "da-nang", "-r", "3", "--year", "2022"], None),
    (["uncertainty", "--year", "2022", "--samples", "100"], None), (["verify"], None), (["method", "922"], None),
    (["method", "405"], None), (["check", *RAW], None), (["rank", *RAW], None), (["map", "--year", "2022"], None),
    (["init", "--data", str(EX / "data.csv")], None),
    (["report", "quang-ninh", "--year", "2022", "--samples", "100"], "r.md"),
    (["rank", "--year", "2022", "--top", "3", "-f", "markdown"], None),
    # errors and refusals
    (["compare", "quang-nin"], None), (["rank", "--year", "2019"], None), (["rank", "--region", "atlantis"], None),
    (["gap", "an-giang", "-r", "1", "--year", "2021"], None), (["rank", "--yaer", "1"], None),
    (["uncertainty", "--samples", "0"], None), (["whatif", "--year", "2022"], None),
    (["rank", "--data", "nope.csv"], None), (["chart", "rank"], None), (["map", "-f", "csv"], None),
    (["rnak"], None), (["rank", "-f", "json", "-o", "x.csv"], None), (["rank", "-o", ""], None),
    (["report", "ha-long", *RAW, "--samples", "0"], "d.md"), (["chart", "rank", "--year", "2022"], "c.svg"),
    (["map", "--year", "2020", "--node", "cqs", "--highlight", "quang-ninh"], "m.svg"),
    (["map", "--year", "2022", "--by", "rank", "--region", "mekong"], None), (["map", "--by", "cqs"], None),
]
_VI = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
VIETNAMESE = re.compile("[" + _VI + _VI.upper() + "]")  # letters of Vietnamese with their diacritics


def _data_strings() -> list[str]:
    """Names from the data and the method files, which are the same in every language (and a file path)."""
    reg = provinces.registry()
    out = [p.name_vi for p in (*reg.p63, *reg.p34)] + list(provinces.REGIONS)
    out += pd.read_csv(provinces.DATA_DIR / "sources.csv", dtype=str, keep_default_na=False)["url_or_note"].tolist()
    out += pd.read_csv(EX / "data.csv", dtype=str)["name"].tolist()  # the example's units
    for m in editions():
        out += [m.source, m.name, m.note, *(m.node_label(n, "vi") for n in m.nodes)]
    return sorted(set(out), key=len, reverse=True)


FORMATS = {"table", "csv", "tsv", "json", "markdown", "xlsx", "svg", "png", "html", "toml"}


def _words(text: str) -> set[str]:
    """The words of a text, leaving out ids (slugs, node ids, options, file names, commands) and format names."""
    text = re.sub(r"\bdti [a-z]+|--?[a-z-]+|\S*[_/.\\]\S*|\S+-\S+", " ", text)
    return set(re.findall(r"[A-Za-z]{2,}", text)) - FORMATS


def _vocabularies() -> tuple[set[str], set[str]]:
    vi, en = set(), set()
    for entry in catalogue().values():
        vi |= _words(entry["vi"])
        en |= _words(entry["en"])
    return vi, en - vi


def _output(run, tmp_path, args, file, lang) -> str:
    """What a person reads of a run: stdout, stderr and the file it writes, on a 100-column terminal."""
    extra = ["--lang", lang]
    if file:
        extra += ["-o", str(tmp_path / file)]
    elif "-f" not in args and args[0] not in ("init", "chart", "report"):
        extra += ["-f", "table"]
    res = run(*args, *extra, env={"COLUMNS": "100"})
    text = res.out + res.err
    if file and (tmp_path / file).exists():
        written = (tmp_path / file).read_text(encoding="utf-8")
        if file.endswith(".svg"):  # matplotlib draws text as paths and writes each text in a comment; a map's
            # hover texts are <title>s
            written = "\n".join(a or b for a, b in re.findall(r"<!-- (.*?) -->|<title>(.*?)</title>", written))
        text += written
    return text


def _clean(text: str, tmp_path) -> str:
    text = text.replace(str(tmp_path), "").replace(str(EX), "").replace("\\", "")  # markdown's escapes too
    for s in _data_strings():
        if s:
            text = text.replace(s, " ")
    return text


@pytest.mark.parametrize("args,file", RUNS, ids=lambda x: " ".join(x) if isinstance(x, list) else "")
def test_english_throughout(run, tmp_path, args, file):
    text = _clean(_output(run, tmp_path, args, file, "en"), tmp_path)
    found = sorted({m.group(0) for m in VIETNAMESE.finditer(text)})
    lines = [line for line in text.splitlines() if VIETNAMESE.search(line)]
    assert not found, lines[:5]


@pytest.mark.parametrize("args,file", RUNS, ids=lambda x: " ".join(x) if isinstance(x, list) else "")
def test_vietnamese_throughout(run, tmp_path, args, file):
    _, english_only = _vocabularies()
    text = _clean(_output(run, tmp_path, args, file, "vi"), tmp_path)
    english = sorted(_words(text) & english_only)
    lines = [line for line in text.splitlines() if _words(line) & english_only]
    assert not english, (english, lines[:5])
