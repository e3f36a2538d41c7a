"""`dti scores` as json against the same command as csv on 1.2 million output rows: time and peak memory ratios.

Usage: python benchmarks/json_scale.py [--units 1100] [--indicators 200] [--years 5] [--runs 5]

Generates the data set once (benchmarks/make_synthetic.py, cached in benchmarks/data/; 1,100 units x 225 nodes x
5 years = 1,229,079 output rows), then runs, as fresh processes and interleaved (csv, json, csv, json, ...) so that
machine noise hits both alike:
  baseline: dti scores --data FILE --method FILE.toml --format csv  > /dev/null
  json:     dti scores --data FILE --method FILE.toml --format json > /dev/null
and prints each one's median wall time and peak resident memory, and the ratios json/csv (target: at most 3 for
both; issue 11, item 21).
"""

import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scale import arguments, prepared, timed  # noqa: E402 - the same data, and wall time and peak RSS of a child


def main() -> None:
    args = arguments(__doc__, units=1_100, indicators=200, years=5, runs=5)
    csv, toml = prepared(args)
    cmd = [sys.executable, "-m", "dti_cli", "scores", "--data", str(csv), "--method", str(toml), "--format"]
    out_rows = subprocess.run(cmd + ["csv"], capture_output=True, check=True).stdout.count(b"\n") - 1
    print(f"data: {csv.name}, {csv.stat().st_size / 1e6:,.0f} MB; {out_rows:,} output rows")
    with open(os.devnull, "wb") as null:
        timed(cmd + ["csv"], null)  # warm the page cache
        base, js = [], []
        for _ in range(args.runs):
            base.append(timed(cmd + ["csv"], null))
            js.append(timed(cmd + ["json"], null))
    runs = lambda xs: " ".join(f"{t:.2f}" for t, _ in xs)  # noqa: E731
    b, j = statistics.median(t for t, _ in base), statistics.median(t for t, _ in js)
    bm, jm = statistics.median(m for _, m in base), statistics.median(m for _, m in js)
    print(f"dti scores -f csv   {b:7.2f} s   peak {bm:7,.0f} MB   (runs: {runs(base)})")
    print(f"dti scores -f json  {j:7.2f} s   peak {jm:7,.0f} MB   (runs: {runs(js)})")
    print(f"ratio json/csv      {j / b:7.2f} time, {jm / bm:.2f} peak   (target <= 3 for both; medians of "
          f"{args.runs} interleaved runs, {os.cpu_count()} CPUs, Python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
