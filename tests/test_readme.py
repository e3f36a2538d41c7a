"""The README cannot drift: every `$ dti` example shows exactly what the command prints (at COLUMNS=80, stdout and
stderr in order), and the Python example runs as written."""

import doctest
import importlib.util
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("readme", ROOT / "scripts" / "readme.py")
readme = importlib.util.module_from_spec(spec)
spec.loader.exec_module(readme)
TEXT = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_example_output_is_what_the_command_prints():
    blocks = readme.BLOCK.findall(TEXT)
    assert len(blocks) >= 15
    bad = readme.differences(TEXT)
    assert not bad, "\n\n".join(f"$ {c}\n--- README\n{shown}\n--- prints\n{printed}" for c, shown, printed in bad)


def test_the_python_example_runs_as_written():
    section = TEXT.split("## Use from Python", 1)[1].split("\n## ", 1)[0]
    code = re.findall(r"```python\n(.*?)```", section, re.S)
    assert code and ">>> import dti_cli as dti" in code[0]
    test = doctest.DocTestParser().get_doctest(code[0], {}, "README", "README.md", 0)
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
        runner.run(test)
    finally:
        os.chdir(here)
    assert runner.failures == 0 and runner.tries >= 8
