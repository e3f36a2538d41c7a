"""The long `scores` output, written fast enough for millions of rows."""

from __future__ import annotations

import json
from typing import TextIO

import numpy as np
import pandas as pd

from dti_cli.engine import Scores
from dti_cli.render import Column


def score_columns(unit_kind: str) -> list[Column]:
    return [Column("year", "Năm", "Year", "int"), Column(unit_kind, "Đơn vị", "Unit"),
            Column("node", "Chỉ số", "Node"), Column("score", "Điểm", "Score", "score", prov="provenance"),
            Column("rank", "Hạng", "Rank", "rank"), Column("provenance", "Nguồn gốc", "Provenance"),
            Column("source", "Nguồn", "Source", table=False)]


def scores_frame(scores: Scores, years: list[int]) -> pd.DataFrame:
    """year, unit, node, score, rank, provenance, source: one row per figure that exists."""
    m = np.isin(scores.rows["year"].to_numpy(), years)
    n, k = int(m.sum()), len(scores.nodes)
    value = scores.value[m]
    rank = scores.rank[m]
    keep = (~np.isnan(value) | ~np.isnan(rank)).ravel()
    frame = pd.DataFrame({
        "year": np.repeat(scores.rows["year"].to_numpy()[m], k),
        scores.unit_kind: np.repeat(scores.rows["unit"].to_numpy()[m], k),
        "node": np.tile(np.array(scores.nodes, dtype=object), n),
        "score": value.ravel(),
        "rank": rank.ravel(),
        "provenance": np.asarray(scores.labels, dtype=object)[scores.prov[m].ravel()],
        "source": np.asarray(scores.sources, dtype=object)[scores.source[m].ravel()],
    })
    return frame[keep].reset_index(drop=True)


def write_scores(scores: Scores, years: list[int], fmt: str, out: TextIO) -> None:
    """Write the long scores table as csv, tsv, json or markdown."""
    from dti_cli import render

    frame = scores_frame(scores, years)
    cols = score_columns(scores.unit_kind)
    if fmt in ("csv", "tsv"):
        sep = "\t" if fmt == "tsv" else ","
        text = frame.assign(rank=frame["rank"].astype("Int64")).to_csv(
            sep=sep, index=False, lineterminator="\n", float_format=None)
        out.write(text)
        return
    out.write(render.to_text(frame, cols, render.Fmt(fmt)))
