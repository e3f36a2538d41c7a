"""`dti rank` against `dti scores` on 10,000 units: the table renderer against the bulk writer, in one run.

Usage: python benchmarks/tables.py [--units 10000] [--runs 7]

Generates the data once (benchmarks/make_synthetic.py: UNITS × 200 indicators × 1 year, cached in benchmarks/data/),
then runs, as fresh processes and interleaved so that machine noise hits both alike:
  dti rank   --data FILE --method FILE.toml --format tsv    (10,000 rows × 12 columns, through the table renderer)
  dti scores --data FILE --method FILE.toml --format tsv    (2,250,000 rows, through the bulk writer)
and prints each one's median wall time and their ratio (target: rank at most the time of scores).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    stem = HERE / "data" / f"synthetic_{args.units}x200x1"
    csv, toml = stem.with_suffix(".csv"), stem.with_suffix(".toml")
    if not csv.exists() or not toml.exists():
        subprocess.run([sys.executable, str(HERE / "make_synthetic.py"), "--units", str(args.units), "--years", "1"],
                       check=True)
    import compileall

    import dti_cli

    compileall.compile_dir(os.path.dirname(dti_cli.__file__), quiet=1)  # as `pip install .` would
    base = [sys.executable, "-m", "dti_cli"]
    rank = [*base, "rank", "--data", str(csv), "--method", str(toml), "--format", "tsv"]
    scores = [*base, "scores", "--data", str(csv), "--method", str(toml), "--format", "tsv"]
    timed(scores)  # warm the page cache
    r, s = [], []
    for _ in range(args.runs):
        r.append(timed(rank))
        s.append(timed(scores))
    mr, ms = statistics.median(r), statistics.median(s)
    print(f"dti rank   (tsv)  {mr:6.2f} s   (runs: {' '.join(f'{t:.2f}' for t in r)})")
    print(f"dti scores (tsv)  {ms:6.2f} s   (runs: {' '.join(f'{t:.2f}' for t in s)})")
    print(f"ratio rank/scores {mr / ms:6.2f}   (target <= 1; median of {args.runs} interleaved runs, "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
