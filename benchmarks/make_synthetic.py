"""Write a large synthetic data set and its method: units x indicators x years, long CSV (seeded).

Usage: python benchmarks/make_synthetic.py [--units 10000] [--indicators 200] [--years 10] [--out benchmarks/data]

The method has the issue's shape: 200 leaves -> 20 groups -> 4 pillars -> 1 index, min-max normalised per year,
arithmetic means. Values are random (a unit effect plus noise) with a few missing cells.
"""

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd


def write_method(path: Path, n_ind: int, n_groups: int = 20, n_pillars: int = 4) -> None:
    lines = ['name = "Synthetic benchmark index"', "", "[defaults]", 'normalise = "minmax"', ""]
    per_group = n_ind // n_groups
    for i in range(n_ind):
        lines += [f"[indicators.i{i:03d}]"] + (["direction = -1"] if i % 7 == 0 else []) + [""]
    for g in range(n_groups):
        kids = ", ".join(f"i{i:03d} = {1 + i % 3}" for i in range(g * per_group, (g + 1) * per_group))
        lines += [f"[aggregates.g{g:02d}]", f"children = {{ {kids} }}", ""]
    per_pillar = n_groups // n_pillars
    for p in range(n_pillars):
        kids = ", ".join(f"g{g:02d} = 1" for g in range(p * per_pillar, (p + 1) * per_pillar))
        lines += [f"[aggregates.p{p}]", f"children = {{ {kids} }}", ""]
    lines += ["[aggregates.index]", "children = { " + ", ".join(f"p{p} = 1" for p in range(n_pillars)) + " }", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def write_data(path: Path, n_units: int, n_ind: int, n_years: int, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    units = np.array([f"u{u:05d}" for u in range(n_units)], dtype=object)
    inds = np.array([f"i{i:03d}" for i in range(n_ind)], dtype=object)
    level = rng.uniform(0, 1, n_units)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("year,unit,indicator,value\n")
        for k, year in enumerate(range(2015, 2015 + n_years)):
            vals = level[:, None] * 50 + rng.normal(0, 10, (n_units, n_ind)) + 2 * k
            vals[rng.random(vals.shape) < 0.002] = np.nan
            frame = pd.DataFrame({
                "year": year,
                "unit": np.repeat(units, n_ind),
                "indicator": np.tile(inds, n_units),
                "value": np.round(vals.ravel(), 4),
            })
            frame.to_csv(fh, header=False, index=False, lineterminator="\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=10_000)
    ap.add_argument("--indicators", type=int, default=200)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "data"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"synthetic_{args.units}x{args.indicators}x{args.years}"
    t0 = time.perf_counter()
    write_method(out / f"{stem}.toml", args.indicators)
    write_data(out / f"{stem}.csv", args.units, args.indicators, args.years)
    size = (out / f"{stem}.csv").stat().st_size / 1e6
    print(f"wrote {out / stem}.csv ({size:,.0f} MB) and .toml in {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    main()
