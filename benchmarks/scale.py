"""`dti scores` on a large data set, as a ratio to pandas reading the same CSV, with peak memory.

Usage: python benchmarks/scale.py [--units 10000] [--indicators 200] [--years 10] [--runs 3]

Generates the data set once (benchmarks/make_synthetic.py, cached in benchmarks/data/), then runs, as fresh
processes and interleaved so that machine noise hits both alike:
  baseline: python -c "import pandas; pandas.read_csv(FILE)"
  dti:      dti scores --data FILE --method FILE.toml --format tsv > /dev/null
and prints the median wall time of each, their ratio (target: at most 2) and each one's peak resident memory.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def timed(cmd: list[str], stdout) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    err = proc.stderr.read().decode()
    proc.stderr.close()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    return wall, usage.ru_maxrss / 1024


def arguments(doc: str, *, units: int, indicators: int, years: int, runs: int):
    """The size of the synthetic data and the number of runs, from the command line."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--units", type=int, default=units)
    ap.add_argument("--indicators", type=int, default=indicators)
    ap.add_argument("--years", type=int, default=years)
    ap.add_argument("--runs", type=int, default=runs)
    return ap.parse_args()


def prepared(args) -> tuple[Path, Path]:
    """The seeded synthetic data and method of that size (made once), with dti compiled as `pip install .` would."""
    stem = HERE / "data" / f"synthetic_{args.units}x{args.indicators}x{args.years}"
    csv, toml = stem.with_suffix(".csv"), stem.with_suffix(".toml")
    if not csv.exists() or not toml.exists():
        subprocess.run([sys.executable, str(HERE / "make_synthetic.py"), "--units", str(args.units),
                        "--indicators", str(args.indicators), "--years", str(args.years)], check=True)
    import compileall

    import dti_cli

    compileall.compile_dir(os.path.dirname(dti_cli.__file__), quiet=1)
    return csv, toml


def main() -> None:
    args = arguments(__doc__, units=10_000, indicators=200, years=10, runs=3)
    csv, toml = prepared(args)
    py = sys.executable
    base_cmd = [py, "-c", f"import pandas; pandas.read_csv({str(csv)!r})"]
    dti_cmd = [py, "-m", "dti_cli", "scores", "--data", str(csv), "--method", str(toml), "--format", "tsv"]
    size = csv.stat().st_size / 1e6
    rows = args.units * args.indicators * args.years
    print(f"data: {csv.name}, {rows:,} rows, {size:,.0f} MB; method: {args.indicators} leaves -> 20 groups -> "
          "4 pillars -> 1 index")
    with open(os.devnull, "wb") as null:
        timed(base_cmd, null)  # warm the page cache
        base, dti = [], []
        for _ in range(args.runs):
            base.append(timed(base_cmd, null))
            dti.append(timed(dti_cmd, null))
    out_lines = subprocess.run(dti_cmd, capture_output=True, check=True).stdout.count(b"\n") - 1
    b = statistics.median(t for t, _ in base)
    d = statistics.median(t for t, _ in dti)
    runs = lambda xs: " ".join(f"{t:.2f}" for t, _ in xs)  # noqa: E731
    print(f"pandas.read_csv     {b:7.2f} s   peak {max(m for _, m in base):7,.0f} MB   (runs: {runs(base)})")
    print(f"dti scores (tsv)    {d:7.2f} s   peak {max(m for _, m in dti):7,.0f} MB   (runs: {runs(dti)}; "
          f"{out_lines:,} output rows)")
    print(f"ratio               {d / b:7.2f}   (target <= 2; median of {args.runs} interleaved runs, "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
