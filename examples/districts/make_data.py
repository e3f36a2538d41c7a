"""Generate the SYNTHETIC district data of this example (seeded, so every run writes the same file).

Usage: python examples/districts/make_data.py > examples/districts/data.csv

The 13 district-level units of Quảng Ninh (before the 2025 reorganisation) are real; every number is invented
by this script to show how a province can score its districts with dti. None of them is a published figure.
"""

import csv
import sys

import numpy as np

SEED = 2024
UNITS = [  # slug, name, kind (thành phố / thị xã / huyện), an invented "development" level 0..1
    ("ha-long", "Hạ Long", "thành phố", 0.95), ("mong-cai", "Móng Cái", "thành phố", 0.80),
    ("cam-pha", "Cẩm Phả", "thành phố", 0.78), ("uong-bi", "Uông Bí", "thành phố", 0.75),
    ("dong-trieu", "Đông Triều", "thị xã", 0.62), ("quang-yen", "Quảng Yên", "thị xã", 0.60),
    ("van-don", "Vân Đồn", "huyện", 0.55), ("tien-yen", "Tiên Yên", "huyện", 0.40),
    ("dam-ha", "Đầm Hà", "huyện", 0.35), ("hai-ha", "Hải Hà", "huyện", 0.42),
    ("binh-lieu", "Bình Liêu", "huyện", 0.22), ("ba-che", "Ba Chẽ", "huyện", 0.18),
    ("co-to", "Cô Tô", "huyện", 0.30),
]
YEARS = [2022, 2023]
# indicator: (low, high) of the invented range, and how much it improves from one year to the next
INDICATORS = {
    "fibre_households_pct": (55.0, 98.0, 4.0),
    "broadband_communes_pct": (70.0, 100.0, 3.0),
    "online_services_pct": (35.0, 92.0, 6.0),
    "processing_days": (14.0, 3.0, -1.0),  # lower is better
    "officials_trained_pct": (30.0, 85.0, 5.0),
    "e_invoice_pct": (40.0, 95.0, 5.0),
    "digital_payment_pct": (20.0, 75.0, 6.0),
}


def main() -> None:
    rng = np.random.default_rng(SEED)
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["year", "unit", "name", "kind", *INDICATORS])
    for t, year in enumerate(YEARS):
        for slug, name, kind, level in UNITS:
            row = []
            for ind, (lo, hi, step) in INDICATORS.items():
                v = lo + (hi - lo) * np.clip(level + rng.normal(0, 0.08), 0.02, 0.98) + t * step
                v = min(v, 100.0) if ind.endswith("_pct") else max(v, 1.0)
                row.append(f"{v:.1f}")
            if (year, slug) == (2023, "co-to"):
                row[list(INDICATORS).index("digital_payment_pct")] = ""  # not reported: imputed by the method
            out.writerow([year, slug, name, kind, *row])


if __name__ == "__main__":
    main()
