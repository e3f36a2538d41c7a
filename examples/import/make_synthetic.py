"""Write a SYNTHETIC DTI 2025 results table on the 34 units, laid out the way the ministry's tables read (title
rows, an STT column, Vietnamese headers, decimal commas, semicolons, an average row at the bottom), to try
`dti import` before the real table is at hand.

Usage: python examples/import/make_synthetic.py > examples/import/synthetic_2025.csv
       python examples/import/make_synthetic.py --xlsx synthetic_2025.xlsx

Every figure is invented: each unit's 2024 index re-expressed on the 34 units (`dti rank --year 2024 --boundaries
2025`) plus a seeded random rise, and pillars around it. None of them is a published figure.
"""

import argparse
import sys

import numpy as np

import dti_cli as dti

SEED = 2025
HEADER = ["STT", "Tỉnh, thành phố", "Chỉ số DTI", "Xếp hạng", "Chính quyền số", "Kinh tế số", "Xã hội số"]
TITLE = ["BẢNG SỐ LIỆU TỔNG HỢP GIẢ LẬP (KHÔNG PHẢI SỐ LIỆU CÔNG BỐ) — CHỈ SỐ DTI CẤP TỈNH NĂM 2025"]


def table() -> list[list]:
    """The rows under the header: STT, name, DTI, rank, the three pillars (numbers on 4 decimals)."""
    rng = np.random.default_rng(SEED)
    base = dti.rank(year=2024, boundaries=2025, lang="vi")
    rows = []
    for x in base.itertuples():
        score = round(min(1.0, x.score + rng.uniform(0.0, 0.06)), 4)
        pillars = [round(float(np.clip(score + rng.normal(0, 0.03), 0, 1)), 4) for _ in range(3)]
        rows.append([x.name, score, *pillars])
    scores = np.array([r[1] for r in rows])
    ranks = [1 + int((scores > s).sum()) for s in scores]  # competition ranking
    order = sorted(range(len(rows)), key=lambda i: (ranks[i], rows[i][0]))
    out = [[n + 1, rows[i][0], rows[i][1], ranks[i], *rows[i][2:]] for n, i in enumerate(order)]
    mean = [round(float(np.mean([r[k] for r in out])), 4) for k in (2, 4, 5, 6)]
    out.append(["", "Trung bình cả nước", mean[0], "", *mean[1:]])
    return out


def comma(v) -> str:
    return f"{v:.4f}".replace(".", ",") if isinstance(v, float) else str(v)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--xlsx", metavar="PATH", help="write an .xlsx workbook instead of CSV on stdout")
    args = ap.parse_args()
    rows = table()
    if args.xlsx:
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = "DTI 2025"
        for r in (TITLE, [], HEADER, *rows):
            sheet.append(r)
        book.save(args.xlsx)
        return
    out = sys.stdout
    out.write(";".join(TITLE) + ";" * (len(HEADER) - 1) + "\n" + ";" * (len(HEADER) - 1) + "\n")
    for r in (HEADER, *rows):
        out.write(";".join(comma(v) for v in r) + "\n")


if __name__ == "__main__":
    main()
