"""Write the ASEM methodology (COINr's example index) as dti method files, one per reference pipeline.

Usage: python tests/asem/make_methods.py ../shared/reference/coinr_asem/asem_iMeta.csv tests/asem

The files are committed; this script documents how they were made from COINr's iMeta table (levels, parents,
weights, directions). They live with the tests: the ASEM index is a cross-check, not part of the product.
"""

import csv
import sys
from pathlib import Path

PIPELINES = {
    "minmax_amean": ('normalise = "minmax"\nrange = [0, 100]', "arithmetic"),
    "zscore_amean": ('normalise = "zscore"\nzscore = [0, 1]', "arithmetic"),
    "minmax1_gmean": ('normalise = "minmax"\nrange = [1, 100]', "geometric"),
}


def main(meta_path: str, out_dir: str) -> None:
    rows = [r for r in csv.DictReader(open(meta_path, encoding="utf-8")) if r["Type"] in ("Indicator", "Aggregate")]
    for name, (norm, agg) in PIPELINES.items():
        lines = [f'name = "ASEM Sustainable Connectivity ({name})"',
                 'source = "COINr ASEM example (asem_iMeta.csv), pipeline ' + name + '"', "",
                 "[defaults]", norm, f'aggregate = "{agg}"',
                 "min_coverage = 0  # COINr: a missing child is skipped, the others' weights rescaled", ""]
        for r in rows:
            if r["Type"] != "Indicator":
                continue
            lines += [f"[indicators.{r['iCode']}]", f'name = "{r["iName"]}"']
            if r["Direction"] == "-1":
                lines.append("direction = -1")
            lines.append("")
        for r in rows:
            if r["Type"] != "Aggregate":
                continue
            kids = [k for k in rows if k["Parent"] == r["iCode"]]
            weights = ", ".join(f"{k['iCode']} = {k['Weight']}" for k in kids)
            lines += [f"[aggregates.{r['iCode']}]", f'name = "{r["iName"]}"', f"children = {{ {weights} }}", ""]
        Path(out_dir, f"asem_{name}.toml").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
