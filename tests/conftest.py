import os
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

# every property test is seeded (the same examples on every run) and untimed: a loaded CI machine is no failure
settings.register_profile("dti-suite", deadline=None, derandomize=True)
settings.load_profile("dti-suite")

ROOT = Path(__file__).resolve().parent.parent
# the suite never reads or writes the store of the user running it: an empty one for the session (tests that
# import point DTI_HOME at their own directory)
os.environ["DTI_HOME"] = tempfile.mkdtemp(prefix="dti-home-")


class Result:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    def __repr__(self) -> str:
        return f"Result(code={self.code}, out={self.out[:200]!r}, err={self.err[:300]!r})"


@pytest.fixture
def run(capsys, monkeypatch):
    """Run `dti ARGS` in-process through the real entry point; returns exit code, stdout and stderr.

    Runs in English (DTI_LANG=en) unless the test passes --lang or sets DTI_LANG: most assertions pin English
    messages; the Vietnamese default is tested where a test asks for it (and by the language test)."""
    from dti_cli import cli

    def _run(*args: str, stdin: bytes | None = None, env: dict | None = None) -> Result:
        monkeypatch.setenv("DTI_LANG", "en")
        for k, v in (env or {}).items():
            monkeypatch.setenv(k, v)
        if stdin is not None:
            import io

            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        try:
            cli.main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return _run


@pytest.fixture
def write(tmp_path):
    """Write a text file under tmp_path and return its path."""

    def _write(name: str, text: str, encoding: str = "utf-8") -> str:
        p = tmp_path / name
        p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
        return str(p)

    return _write


@pytest.fixture(scope="session")
def bundled():
    """The bundled data evaluated with the shipped editions (computed once per test session)."""
    from dti_cli.io import csv_read
    from dti_cli.pipeline.evaluate import evaluate
    from dti_cli.pipeline.plan import plan

    ds = csv_read.load(csv_read.bundled_path())
    return evaluate(ds, plan(ds, None))


def published_count(year: int, indicator: str) -> tuple[int, int]:
    """How many values and ranks indicators.csv publishes for a year and indicator (for messages that count them)."""
    import csv

    with open(ROOT / "indicators.csv", encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["year"] == str(year) and r["indicator"] == indicator]
    return sum(bool(r["value"]) for r in rows), sum(bool(r["rank"]) for r in rows)


os.environ.setdefault("COLUMNS", "100")
os.environ.pop("NO_COLOR", None)
