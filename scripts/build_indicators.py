"""Rebuild indicators.csv from the project's shared copy of the published DTI figures.

Usage: python scripts/build_indicators.py ../shared/data/dti_published.csv > indicators.csv

The published file is copied row for row (no value is changed, added or dropped); rows are sorted by year,
indicator and province, and every province slug and indicator id is checked against the shipped registry and
methodology files so that a typo upstream fails here rather than in a user's ranking.
"""
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dti_cli.model import editions as method_mod  # noqa: E402
from dti_cli.model import provinces  # noqa: E402

COLUMNS = ["year", "province", "indicator", "value", "rank", "provenance", "source"]


def main(path: str) -> None:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    registry = provinces.registry()
    known = {node for ed in method_mod.editions() for node in ed.nodes}
    for i, row in enumerate(rows, start=2):
        if row["province"] not in registry.by_slug63:
            sys.exit(f"{path}:{i}: unknown province {row['province']!r}")
        if row["indicator"] not in known:
            sys.exit(f"{path}:{i}: indicator {row['indicator']!r} is in no shipped edition")
    rows.sort(key=lambda r: (int(r["year"]), r["indicator"], r["province"]))
    out = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
    out.writeheader()
    for row in rows:
        out.writerow({k: row[k] for k in COLUMNS})


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT.parent / "shared" / "data" / "dti_published.csv"))
