"""Help that teaches (issue 10, item 8): -h, examples that run, node ids, regions and formats listed or completed,
`dti list`, and a shipped method written as a TOML file to edit."""

import shlex
import shutil
from pathlib import Path

import pytest
import typer.main

from dti_cli import cli

ROOT = Path(__file__).resolve().parent.parent
# files a user would have, for the examples that read one (import a published table, init a method for data)
FILES = {"dti_2025.csv": ROOT / "examples" / "import" / "synthetic_2025.csv",
         "districts.csv": ROOT / "examples" / "districts" / "data.csv"}


def _paths(cmd=None, path=()):
    """Every command path of the app: (), ("rank",), ("chart",), ("chart", "rank"), …"""
    cmd = cmd or typer.main.get_command(cli.app)
    out = [path]
    for name, sub in sorted(getattr(cmd, "commands", {}).items()):
        out += _paths(sub, path + (name,))
    return out


def _command(path):
    cmd = typer.main.get_command(cli.app)
    for name in path:
        cmd = cmd.commands[name]
    return cmd


def _examples(path) -> list[str]:
    """The example lines of a command's help (its epilog)."""
    return [line.strip() for line in (_command(path).epilog or "").splitlines() if line.strip().startswith("dti ")]


PATHS = _paths()


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "dti")
def test_dash_h_is_help(run, path):
    short, long = run(*path, "-h"), run(*path, "--help")
    assert short.code == 0 and short.out == long.out and "Usage: dti" in short.out
    assert "-h, --help" in short.out


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "dti")
def test_every_help_has_two_to_four_examples(run, path):
    found = _examples(path)
    assert 2 <= len(found) <= 4, found
    res = run(*path, "--help", env={"COLUMNS": "80"})
    for example in found:  # shown whole, one per line, within 80 columns
        assert "    " + example + "\n" in res.out and len("    " + example) <= 80, example
    if path:
        assert all(e.startswith("dti " + " ".join(path)) for e in found[:1]), found


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "dti")
def test_the_examples_run_on_the_bundled_data(run, path, tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DTI_HOME", str(tmp_path / "home"))
    for name, source in FILES.items():
        shutil.copy(source, tmp_path / name)
    for example in _examples(path):  # in order: a later example may read what an earlier one wrote
        res = run(*shlex.split(example)[1:])
        assert res.code == 0, (example, res)
        assert "Traceback" not in res.err


def test_chart_help_offers_only_the_formats_it_writes(run):
    for sub in ("rank", "history", "compare"):
        out = run("chart", sub, "--help").out
        assert "<svg|png>" in out and "csv" not in out and "table" not in out.split("--format")[1].split("\n")[0]


def test_by_and_region_help_list_what_they_take(run):
    out = " ".join(run("rank", "--help", env={"COLUMNS": "200"}).out.split())
    assert "cqs" in out and "dti list nodes" in out
    for key in ("mekong", "dong-bang-song-cuu-long", "red-river", "dong-bang-song-hong", "tay-nguyen", "highlands"):
        assert key in out


def test_region_errors_list_both_languages_keys(run):
    res = run("rank", "--region", "atlantis")
    assert res.code == 2 and "dong-bang-song-cuu-long (mekong)" in res.err and "tay-nguyen (highlands)" in res.err
    assert len(res.err.strip().splitlines()) == 1


def test_region_completion_offers_both_keys():
    assert cli._complete_region("me") == ["mekong"]
    assert cli._complete_region("dong-bang") == ["dong-bang-song-hong", "dong-bang-song-cuu-long"]
    assert "red-river" in cli._complete_region("") and "trung-du-mien-nui-phia-bac" in cli._complete_region("")
    assert cli._complete_region("Đồng bằng sông C") == ["dong-bang-song-cuu-long"]


def test_node_completion_offers_the_ids_with_their_names():
    found = dict(cli._complete_node(None, "hd_"))
    assert set(found) == {"hd_cqs", "hd_kts", "hd_xhs"} and found["hd_cqs"] == "Digital government activity"
    assert {"dti", "cqs", "nen_tang", "ha_tang_so"} <= dict(cli._complete_node(None, "")).keys()


def test_node_completion_follows_the_method_given():
    class Ctx:
        params = {"method": str(ROOT / "examples" / "districts" / "method.toml")}
        parent = None

    assert [k for k, _ in cli._complete_node(Ctx(), "")][:1] and "fibre_households_pct" in dict(
        cli._complete_node(Ctx(), "fib"))
    Ctx.params = {"method": "no-such-file.tom"}  # still being typed: the editions
    assert "hd_cqs" in dict(cli._complete_node(Ctx(), "hd"))


def test_completion_of_nodes_and_regions_does_not_import_pandas():
    import subprocess
    import sys

    code = ("import sys\n"
            "from dti_cli import cli\n"
            "class C:\n    params = {'method': %r}\n    parent = None\n"
            "print(cli._complete_node(C(), 'fib'), cli._complete_node(None, 'hd'), cli._complete_region('me'))\n"
            "assert 'pandas' not in sys.modules and 'numpy' not in sys.modules\n"
            % str(ROOT / "examples" / "districts" / "method.toml"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "fibre_households_pct" in out.stdout and "hd_cqs" in out.stdout and "mekong" in out.stdout


def test_province_completion_still_works():
    assert "quang-ninh" in cli._complete_province("quang")


def test_shell_completion_of_by_and_region():
    import os
    import subprocess
    import sys

    for words, cword, expect in (("dti rank --by hd_k", "3", "hd_kts"), ("dti rank --region mek", "3", "mekong")):
        env = dict(os.environ, _DTI_COMPLETE="complete_bash", COMP_WORDS=words, COMP_CWORD=cword)
        out = subprocess.run([sys.executable, "-c", "from dti_cli.cli import main; main()"], capture_output=True,
                             text=True, env=env)
        assert expect in out.stdout, out


# ---------------------------------------------------------------- dti list

@pytest.mark.parametrize("what,rows,words", [("provinces", 63, ("quang-ninh", "Quảng Ninh", "22")),
                                             ("regions", 6, ("mekong", "dong-bang-song-cuu-long")),
                                             ("editions", 3, ("922", "1726", "405")),
                                             ("nodes", None, ("hd_cqs", "nen_tang"))])
def test_list_machine_output(run, what, rows, words):
    res = run("list", what, "-f", "csv")
    assert res.code == 0 and res.err == ""
    lines = res.out.strip().splitlines()
    if rows is not None:
        assert len(lines) == rows + 1
    for w in words:
        assert w in res.out


def test_list_provinces_on_the_2025_units(run):
    import json

    doc = json.loads(run("list", "provinces", "--boundaries", "2025", "-f", "json").out)
    assert len(doc) == 34
    hp = next(r for r in doc if r["province"] == "hai-phong")
    assert "Hải Dương" in hp["merged_from"]


def test_list_in_both_languages(run):
    en = run("list", "regions", "--lang", "en", "-f", "csv").out
    vi = run("list", "regions", "--lang", "vi", "-f", "csv").out
    assert "Mekong River Delta" in en and "Đồng bằng sông Cửu Long" in vi
    assert "Đồng bằng sông Cửu Long" in run("list", "regions", "-f", "csv", env={"DTI_LANG": "vi"}).out
    nodes = run("list", "nodes", "--lang", "vi", "-f", "markdown").out
    assert "trụ cột" in nodes and "Chính quyền số" in nodes
    assert ",pillar," in run("list", "nodes", "--lang", "vi", "-f", "csv").out  # machine values stay stable


@pytest.mark.parametrize("lang,title", [("en", "The 6 GSO regions"), ("vi", "6 vùng của TCTK")])
def test_list_table_at_80_columns(run, lang, title):
    res = run("list", "regions", "--lang", lang, "-f", "table", env={"COLUMNS": "80"})
    assert res.code == 0 and title in res.out
    assert max(len(x) for x in res.out.splitlines()) <= 80


def test_list_nodes_of_a_method_file(run):
    res = run("list", "nodes", "--method", str(ROOT / "examples" / "districts" / "method.toml"), "-f", "csv")
    assert res.code == 0 and "processing_days" in res.out and "hd_cqs" not in res.out


def test_list_something_unknown_is_one_line(run):
    res = run("list", "cities")
    assert res.code == 2 and len(res.err.strip().splitlines()) == 1 and "provinces" in res.err


def test_list_from_python():
    import dti_cli as dti

    assert "list_" in dti.__all__
    frame = dti.list_("regions", lang="en")
    assert list(frame["region_key_en"]) == ["north", "red-river", "central", "highlands", "southeast", "mekong"]
    assert len(dti.list_("provinces", boundaries=2025)) == 34
    with pytest.raises(dti.UsageError):
        dti.list_("cities")


# ---------------------------------------------------------------- dti method EDITION --format toml

@pytest.mark.parametrize("edition", ["922", "1726", "405"])
def test_the_toml_template_loads_back_as_the_same_method(run, edition, tmp_path):
    from dti_cli.model import editions
    from dti_cli.model.method_file import load

    path = tmp_path / f"{edition}.toml"
    res = run("method", edition, "--format", "toml", "-o", str(path))
    assert res.code == 0, res
    back, shipped = load(path), editions.edition(edition)
    assert back.nodes == shipped.nodes and back.leaves == shipped.leaves and back.aggregates == shipped.aggregates
    assert back.pillars == shipped.pillars and back.years == shipped.years


def test_the_toml_template_reproduces_the_ranking(run, tmp_path):
    path = tmp_path / "m.toml"
    assert run("method", "922", "--format", "toml", "-o", str(path)).code == 0
    mine = run("rank", "--method", str(path), "--year", "2022", "-f", "csv")
    shipped = run("rank", "--year", "2022", "-f", "csv")
    assert mine.code == 0 and shipped.code == 0
    assert mine.out == shipped.out


def test_an_edited_weight_changes_the_ranking(run, tmp_path):
    path = tmp_path / "m.toml"
    run("method", "922", "-f", "toml", "-o", str(path))
    text = path.read_text(encoding="utf-8")
    assert "hd_cqs = 200" in text
    path.write_text(text.replace("hd_cqs = 200", "hd_cqs = 400"), encoding="utf-8")
    assert run("rank", "--method", str(path), "--year", "2022", "-f", "csv").out != \
        run("rank", "--year", "2022", "-f", "csv").out


@pytest.mark.parametrize("lang,words", [("en", "as a method file to edit"),
                                        ("vi", "dưới dạng tệp để chỉnh sửa")])
def test_the_toml_template_to_stdout_in_the_language(run, lang, words):
    res = run("method", "922", "--format", "toml", "--lang", lang)
    assert res.code == 0 and res.out.startswith("# ") and words in res.out.splitlines()[0]
    assert 'children = { nen_tang = 500, hd_cqs = 200, hd_kts = 150, hd_xhs = 150 }' in res.out


def test_a_raw_data_method_round_trips(run, tmp_path):
    """Every setting of a raw-data method (goalposts, direction, imputation by group, geometric means) survives."""
    from dti_cli.model.method_file import load

    src = ROOT / "examples" / "districts" / "method.toml"
    out = tmp_path / "back.toml"
    assert run("method", "--method", str(src), "-f", "toml", "-o", str(out)).code == 0
    a, b = load(src), load(out)
    assert a.leaves == b.leaves and a.aggregates == b.aggregates
    data = str(ROOT / "examples" / "districts" / "data.csv")
    assert run("rank", "--data", data, "--method", str(out), "-f", "csv").out == \
        run("rank", "--data", data, "--method", str(src), "-f", "csv").out


def test_toml_with_new_is_refused_before_anything_is_written(run, tmp_path):
    res = run("method", "--new", "2026", "-f", "toml", env={"DTI_HOME": str(tmp_path)})
    assert res.code == 2 and res.out == "" and len(res.err.strip().splitlines()) == 1
    assert not (tmp_path / "methods").exists()


def test_list_provinces_of_a_region_in_either_key(run):
    en = run("list", "provinces", "--region", "mekong", "-f", "csv").out
    vi = run("list", "provinces", "--region", "dong-bang-song-cuu-long", "-f", "csv").out
    assert en == vi and len(en.strip().splitlines()) == 14 and "can-tho" in en and "ha-noi" not in en
    res = run("list", "nodes", "--region", "mekong")
    assert res.code == 2 and "dti list provinces --region" in res.err
