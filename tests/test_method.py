"""Method files: every error names its key (exit 2, one line), and valid files load into the right objects."""

import pytest

from dti_cli.model import editions, method_file
from dti_cli.model import method
from dti_cli.errors import UsageError

BASE = """
name = "Toy"
[indicators.a]
[indicators.b]
[aggregates.idx]
children = { a = 1, b = 1 }
"""


def parse(text):
    return method_file.parse(text, "m.toml")


@pytest.mark.parametrize("text,fragment", [
    ("nme = 'x'\n" + BASE, "m.toml: nme: unknown key"),
    (BASE + "[indicators.c]\nnormalize = 'minmax'\n", "indicators.c.normalize: unknown key"),
    (BASE.replace("[indicators.a]", "[indicators.a]\nnormalise = 'minmx'"),
     "indicators.a.normalise: unknown method 'minmx' (one of: none, minmax"),
    (BASE.replace("[indicators.a]", "[indicators.a]\ndirection = 2"), "indicators.a.direction: must be 1 or -1"),
    (BASE.replace("[indicators.a]", "[indicators.a]\ndirection = 'up'"), "indicators.a.direction: expected an integer"),
    (BASE.replace("[indicators.a]", "[indicators.a]\nnormalise = 'minmax'\nrange = [1, 0]"),
     "indicators.a.range: bad range: lo (1) must be below hi (0)"),
    (BASE.replace("[indicators.a]", "[indicators.a]\nnormalise = 'goalposts'\ngoalposts = [5, 5]"),
     "indicators.a.goalposts: bad range"),
    (BASE.replace("[indicators.a]", "[indicators.a]\nnormalise = 'goalposts'"), "indicators.a.goalposts: required"),
    (BASE.replace("[indicators.a]", "[indicators.a]\nnormalise = 'dist2target'"), "indicators.a.target: required"),
    (BASE.replace("[indicators.a]", "[indicators.a]\nrange = 'wide'"), "indicators.a.range: expected a list"),
    (BASE.replace("[indicators.a]", "[indicators.a]\ntreat = 'winsorize'"), "indicators.a.treat: unknown method"),
    (BASE.replace("[indicators.a]", "[indicators.a]\nimpute = 'knn'"), "indicators.a.impute: unknown method"),
    (BASE.replace("[indicators.a]", "[indicators.a]\nwinmax = 0"), "indicators.a.winmax: must be at least 1"),
    (BASE.replace("[indicators.a]", "[indicators.a]\ntruncate = 'yes'"),
     "indicators.a.truncate: expected true or false"),
    (BASE.replace("a = 1, b = 1", "a = 0, b = 1"), "aggregates.idx.children.a: weight must be positive, got 0"),
    (BASE.replace("a = 1, b = 1", "a = -2, b = 1"), "aggregates.idx.children.a: weight must be positive"),
    (BASE.replace("a = 1, b = 1", "a = '1', b = 1"), "aggregates.idx.children.a: weight must be a number"),
    (BASE.replace("a = 1, b = 1", "a = 1, b = 1, z = 1"), "aggregates.idx.children: unknown node 'z'"),
    (BASE + "[aggregates.idx2]\nchildren = { a = 1 }\n", "more than one root (idx, idx2)"),
    (BASE + "[aggregates.p]\nchildren = { q = 1 }\n[aggregates.q]\nchildren = { p = 1 }\n",
     "cycle (p -> q -> p)"),
    ("[indicators.a]\n[aggregates.r]\nchildren = { r = 1, a = 1 }\n", "aggregates.r: cycle (r -> r)"),
    (BASE + "[aggregates.a]\nchildren = { b = 1 }\n", "indicators.a: also declared as aggregates.a"),
    ("[indicators.a]\n", "aggregates: a method needs at least one"),
    (BASE + "[indicators.c]\n", "indicators.c: not a child of any aggregate"),
    (BASE.replace("children = { a = 1, b = 1 }", "children = ['a', 'b']"), "needs weights = \"equal\""),
    (BASE.replace("children = { a = 1, b = 1 }", "children = ['a', 'b']\nweights = 'even'"),
     "aggregates.idx.weights: unknown value 'even'"),
    (BASE.replace("children = { a = 1, b = 1 }", "children = { a = 1, b = 1 }\nweights = 'equal'"), "not both"),
    (BASE.replace("[aggregates.idx]", "[aggregates.idx]\naggregate = 'median'"),
     "aggregates.idx.aggregate: unknown method"),
    (BASE.replace("[aggregates.idx]", "[aggregates.idx]\nmin_coverage = 1.5"), "aggregates.idx.min_coverage: must be"),
    (BASE.replace("[aggregates.idx]", "[aggregates.idx]\ncolour = 'red'"), "aggregates.idx.colour: unknown key"),
    (BASE.replace("[indicators.a]", "[defaults]\nnormalise = 'zz'\n[indicators.a]"),
     "defaults.normalise: unknown method 'zz'"),
    (BASE.replace("[indicators.a]", "[defaults]\ntitle = 'x'\n[indicators.a]"), "defaults.title: unknown key"),
    ("years = 2022\n" + BASE, "years: expected a list"),
    ("pillars = ['nope']\n" + BASE, "pillars: unknown node 'nope'"),
    (BASE.replace("[indicators.a]", "[indicators.a]\ndirection = -1"), "indicators.a.direction: -1 needs a "
                                                                        "normalisation"),
    (BASE.replace("a = 1, b = 1", "a = inf, b = 1"), "aggregates.idx.children.a: weight must be a finite number"),
    (BASE.replace("[indicators.a]", "[indicators.a]\nnormalise = 'minmax'\nrange = [0, nan]"),
     "indicators.a.range: expected two finite numbers"),
    (BASE.replace("[indicators.a]", "[indicators.a]\nnormalise = 'goalposts'\ngoalposts = [0, inf]"),
     "indicators.a.goalposts: expected two finite numbers"),
    (BASE.replace("[indicators.a]", "[indicators.a]\nnormalise = 'goalposts'\ngoalposts = [0, 1]\nscale = -1"),
     "indicators.a.scale: must be positive"),
    (BASE.replace("[indicators.a]", "[indicators.a]\ntarget = nan"), "indicators.a.target: expected a finite"),
    ("rank_decimals = 400\n" + BASE, "rank_decimals: must be between 0 and 12"),
    ("name = 'x\n", "not valid TOML"),
])
def test_method_errors_name_the_key(text, fragment):
    with pytest.raises(UsageError) as exc:
        parse(text)
    msg = str(exc.value)
    assert fragment in msg and msg.startswith("m.toml")
    assert "\n" not in msg


def test_cli_method_error_is_one_line_exit_2(run, write):
    path = write("m.toml", BASE.replace("a = 1, b = 1", "a = 0, b = 1"))
    res = run("rank", "--method", path, "--data", write("d.csv", "year,unit,a,b\n2023,x,1,2\n"))
    assert res.code == 2 and res.out == ""
    assert res.err.strip().splitlines() == [f"Error: {path}: aggregates.idx.children.a: weight must be positive, got 0"]


def test_defaults_apply_and_leaves_override():
    m = parse(BASE.replace("[indicators.a]", "[defaults]\nnormalise = 'minmax'\nrange = [0, 100]\n"
                           "aggregate = 'geometric'\n[indicators.a]").replace(
        "[indicators.b]", "[indicators.b]\nnormalise = 'zscore'"))
    assert m.leaves["a"].normalise is method.Normalise.minmax and m.leaves["a"].hi == 100
    assert m.leaves["b"].normalise is method.Normalise.zscore
    assert m.aggregates["idx"].aggregate is method.Aggregation.geometric


def test_equal_weights_and_shares():
    m = parse("[indicators.a]\n[indicators.b]\n[indicators.c]\n[aggregates.g]\nchildren = ['a', 'b']\n"
              "weights = 'equal'\n[aggregates.idx]\nchildren = { g = 3, c = 1 }\n")
    assert m.aggregates["g"].weights == (0.5, 0.5)
    assert m.shares() == pytest.approx({"idx": 1, "g": 0.75, "c": 0.25, "a": 0.375, "b": 0.375})
    assert m.root == "idx" and list(m.aggregates) == ["g", "idx"]


def test_dag_with_shared_child_and_pillars():
    ed = editions.edition("922")
    assert ed.root == "dti" and ed.pillars == ("cqs", "kts", "xhs")
    assert set(ed.parents("nen_tang")) == {"dti", "cqs", "kts", "xhs"}
    assert ed.shares("kts")["hd_kts"] == pytest.approx(150 / 650)


def test_no_node_may_take_the_name_of_an_output_column(run, write):
    """Issue 11, item 1: a node id equal to a column of a table is refused, naming the key; the list of those
    names is every column any table of dti has."""
    import re
    from pathlib import Path

    from dti_cli.model.method_file import RESERVED_IDS

    src = Path(__file__).resolve().parent.parent / "dti_cli"
    keys = {m for p in src.rglob("*.py") for m in re.findall(r'Column\("([a-z_0-9]+)"', p.read_text())}
    assert keys <= RESERVED_IDS, keys - RESERVED_IDS
    for node in ("rank", "score", "name", "provenance", "bar", "national"):
        m = write("m.toml", f'[indicators.{node}]\nname = "x"\n\n[aggregates.idx]\nname = "i"\nchildren = ["{node}"]\n'
                            'weights = "equal"\n')
        res = run("method", "--method", m)
        assert res.code == 2 and f"indicators.{node}: '{node}' is the name of an output column" in res.err, res
