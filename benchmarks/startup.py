"""Start-up cost of the CLI, as ratios against `python -c "import pandas"` measured in the same run, and of
`dti --help` against a minimal Typer app's `--help` on the same typer.

Usage: python benchmarks/startup.py [--runs 15]

Each command runs as a fresh process (stdout to a pipe, as in a shell pipeline); the median wall time of
--runs runs is compared with the median time of `python -c "import pandas"`, the floor any pandas-based
command pays. Targets: `dti rank --year 2022` within 1.3x; `dti --help` and completion well below 1x
(they must not import pandas). `dti --help` is also divided by the `--help` of `minimal_typer_app.py` (one
command, one option), the floor any Typer CLI pays on the installed typer: target within 1.3x.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from importlib.metadata import version


def median_time(cmd: list[str], runs: int, env: dict | None = None) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, check=False)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=15)
    args = ap.parse_args()
    py = sys.executable
    # `pip install .` compiles the package to bytecode; do the same for a checkout (this machine sets
    # PYTHONDONTWRITEBYTECODE, so nothing else would), else every run would time the compiler too.
    import compileall
    import dti_cli

    compileall.compile_dir(os.path.dirname(dti_cli.__file__), quiet=1)
    comp_env = dict(os.environ, _DTI_COMPLETE="complete_bash", COMP_WORDS="dti compare quang-n", COMP_CWORD="2")
    cases = [
        ("python -c 'import pandas' (baseline)", [py, "-c", "import pandas"], None),
        ("dti rank --year 2022", [py, "-m", "dti_cli", "rank", "--year", "2022"], None),
        ("dti rank --year 2022 -f table", [py, "-m", "dti_cli", "rank", "--year", "2022", "-f", "table"], None),
        ("dti --help", [py, "-m", "dti_cli", "--help"], None),
        ("completion: dti compare quang-n<TAB>", [py, "-m", "dti_cli"], comp_env),
        ("minimal Typer app --help", [py, os.path.join(os.path.dirname(__file__), "minimal_typer_app.py"), "--help"],
         None),
    ]
    # warm the file cache and bytecode once
    for _, cmd, env in cases:
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    # interleave the cases so that machine noise hits them alike
    results: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    for _ in range(args.runs):
        for name, cmd, env in cases:
            results[name].append(median_time(cmd, 1, env))
    base = statistics.median(results[cases[0][0]])
    print(f"{'command':42} {'median s':>9} {'ratio':>7}")
    for name, _, _ in cases:
        t = statistics.median(results[name])
        print(f"{name:42} {t:9.3f} {t / base:7.2f}")
    help_ratio = statistics.median(results["dti --help"]) / statistics.median(results["minimal Typer app --help"])
    print(f"dti --help / minimal Typer app --help: {help_ratio:.2f} (target <= 1.3)")
    print(f"(median of {args.runs} interleaved runs each, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"typer {version('typer')})")


if __name__ == "__main__":
    main()
