"""Rebuild indicators.csv from the project's shared copy of the published DTI figures.

Usage: python scripts/build_indicators.py ../shared/data/dti_published.csv > indicators.csv

The published file is copied row for row (no value is changed, added or dropped); rows are sorted by year,
indicator and province, and every province slug and indicator id is checked against the shipped registry and
methodology files so that a typo upstream fails here rather than in a user's ranking; every source id must be
in dti_cli/data/sources.csv.

One citation is corrected, never a value: rows citing `S_pmnm_github` (a file of the GitHub transcription that holds
only the 34-unit rows) cite `S_pmnm_github_full`, its 63-province table `Tapdulieu/bang_1.csv`, where the 2022-2024
figures of the 63 provinces come from (../shared/data/README.md, "Added since the first release").
"""
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dti_cli.model import editions as method_mod  # noqa: E402
from dti_cli.model import provinces  # noqa: E402

COLUMNS = ["year", "province", "indicator", "value", "rank", "provenance", "source"]
CITATION = {"S_pmnm_github": "S_pmnm_github_full"}  # the 63-province table, not the 34-unit file
SOURCES = ROOT / "dti_cli" / "data" / "sources.csv"


def cite(cell: str) -> str:
    """The row's source ids, with the corrected citation."""
    return " ".join(CITATION.get(s, s) for s in cell.split())


def main(path: str) -> None:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    registry = provinces.registry()
    known = {node for ed in method_mod.editions() for node in ed.nodes}
    with open(SOURCES, encoding="utf-8", newline="") as fh:
        cited = {r["source"] for r in csv.DictReader(fh)}
    for i, row in enumerate(rows, start=2):
        if row["province"] not in registry.by_slug63:
            sys.exit(f"{path}:{i}: unknown province {row['province']!r}")
        if row["indicator"] not in known:
            sys.exit(f"{path}:{i}: indicator {row['indicator']!r} is in no shipped edition")
        row["source"] = cite(row["source"])
        for sid in row["source"].split():
            if sid not in cited:
                sys.exit(f"{path}:{i}: source {sid!r} is not in {SOURCES.relative_to(ROOT)}")
    rows.sort(key=lambda r: (int(r["year"]), r["indicator"], r["province"]))
    out = csv.DictWriter(sys.stdout, fieldnames=COLUMNS, lineterminator="\n")
    out.writeheader()
    for row in rows:
        out.writerow({k: row[k] for k in COLUMNS})


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else str(ROOT.parent / "shared" / "data" / "dti_published.csv"))
