"""Time `dti uncertainty` (10,000 Monte Carlo samples, 63 provinces) in-process, after a warm-up.

Usage: python benchmarks/uncertainty.py [--samples 10000] [--repeat 5]

Prints the median time of the Monte Carlo itself (drawing weights, recomputing the index through the
method's DAG, ranking every sample, percentiles) and, for scale, the same run as a whole command.
"""

import argparse
import statistics
import subprocess
import sys
import time

from dti_cli.analysis import uncertainty as sensitivity
from dti_cli.io import csv_read as data
from dti_cli.pipeline.evaluate import evaluate
from dti_cli.pipeline.plan import plan


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--year", type=int, default=2022)
    args = ap.parse_args()
    ds = data.load(data.bundled_path())
    scores = evaluate(ds, plan(ds, None, [args.year]))
    sensitivity.uncertainty(scores, args.year, samples=100)  # warm-up
    times = []
    for i in range(args.repeat):
        t0 = time.perf_counter()
        sensitivity.uncertainty(scores, args.year, samples=args.samples, noise=0.25, seed=i)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "dti_cli", "uncertainty", "--year", str(args.year), "--samples",
                    str(args.samples), "-f", "tsv"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    whole = time.perf_counter() - t0
    print(f"uncertainty, {args.samples:,} samples x 63 provinces ({args.year}): "
          f"median {statistics.median(times):.3f} s over {args.repeat} runs (min {min(times):.3f}, "
          f"max {max(times):.3f}); whole command {whole:.2f} s")


if __name__ == "__main__":
    main()
