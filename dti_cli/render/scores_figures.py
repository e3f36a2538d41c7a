"""The lines of the bulk `scores` writer for a method that normalises: each leaf's figure (`value`) in its own unit
before its score (issue 10, item 6), from the same byte tables as the other lines."""

from __future__ import annotations

import numpy as np

from dti_cli.model.result import MAX_DECIMALS
from dti_cli.model.scores import Scores
from dti_cli.render.numbers import number_parts, put, put_fraction
from dti_cli.render.scores_writer import _finish, _matrix, _Tables


def put_number(mat: np.ndarray, at: int, num, has: np.ndarray, no_value: bytes) -> int:
    """One number column at `at` (lead and fraction; `no_value` where there is none); the place after it."""
    wl = num.lead_width
    if num.lead is None:
        put(mat, at, num.lead_tab, num.lead_code)
    else:
        mat[:, at:at + wl] = num.lead
    put_fraction(mat, at + wl, num)
    end = at + wl + MAX_DECIMALS
    if not has.all():
        mat[~has, at:end] = 0
        if no_value:
            mat[~has, at:at + len(no_value)] = np.frombuffer(no_value, np.uint8)
    return end


def chunk_with_figures(scores: Scores, t: _Tables, rows, start: int, value, rank, fig, has_v, num, pick) -> bytes:
    """The lines of a chunk with figures (see scores_writer._chunk_bytes: the same, one number more)."""
    k = len(scores.nodes)
    n_rows = len(scores.rows["year"].to_numpy()[rows])
    has_f = ~np.isnan(fig)
    fnum = number_parts(fig if has_f.all() else np.where(has_f, fig, 0.0))
    between = np.frombuffer(t.dialect.between.encode(), np.uint8)
    mat = _matrix(len(value), t.width + fnum.lead_width + num.lead_width + 2 * MAX_DECIMALS + len(between))
    wp = t.prefix.shape[1]
    put(mat, 0, t.prefix, pick(np.repeat(np.arange(start, start + n_rows), k)))
    put(mat, wp, t.node, pick(np.tile(np.arange(k), n_rows)))
    at = put_number(mat, wp + t.node.shape[1], fnum, has_f, t.dialect.no_value)
    mat[:, at:at + len(between)] = between
    at = put_number(mat, at + len(between), num, has_v, t.dialect.no_value)
    return _finish(mat, at, t, scores, rows, rank, pick)
