"""Verification: every published aggregate recomputed from its inputs, every published rank of a complete year
recomputed, against the rounding tolerance of a 4-decimal publication."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dti_cli.analysis.averages import diff
from dti_cli.model.scores import Scores
from dti_cli.pipeline.aggregate import aggregate

PUBLISHED_TOLERANCE = 1e-4  # a weighted mean of 4-decimal inputs against a 4-decimal published figure
DERIVED_TOLERANCE = 2e-4  # a figure derived from 4-decimal figures carries up to about twice that


def verify(scores: Scores) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Recompute every published aggregate that has its inputs and every rank of a complete year.

    Values: each aggregate is recomputed from the leaves alone where they are all published (so a published
    intermediate such as a derived nen_tang cannot vouch for itself), else from its children as shown.
    """
    value_recs, rank_recs = [], []
    years_all = scores.rows["year"].to_numpy()
    units_all = scores.rows["unit"].to_numpy()
    for year in scores.years:
        method = scores.methods[year]
        m = years_all == year
        cols = [scores.col(n) for n in method.nodes]
        vals = scores.value[m][:, cols]
        nl = len(method.leaves)
        from_leaves = vals.copy()
        from_leaves[:, nl:] = np.nan
        none = np.full_like(vals, np.nan)
        _, leaves_only = aggregate(from_leaves, none, list(method.nodes), method)
        shown_aggs = vals.copy()
        shown_aggs[:, :nl] = np.nan
        _, children = aggregate(vals, shown_aggs, list(method.nodes), method)
        raw = scores.raw[m][:, cols]
        prov = np.asarray(scores.labels, dtype=object)[scores.prov[m][:, cols]]
        for jj, node in enumerate(method.nodes[nl:], start=nl):
            pub = raw[:, jj]
            for basis, comp in (("leaves", leaves_only[:, jj]), ("children", children[:, jj])):
                ok = ~np.isnan(pub) & ~np.isnan(comp)
                if basis == "children":
                    ok &= np.isnan(leaves_only[:, jj])
                for i in np.flatnonzero(ok):
                    tol = DERIVED_TOLERANCE if prov[i, jj] == "derived" else PUBLISHED_TOLERANCE
                    d = float(diff(comp[i], pub[i]))
                    value_recs.append({"year": year, scores.unit_kind: units_all[m][i], "indicator": node,
                                       "published": pub[i], "computed": comp[i], "difference": d,
                                       "tolerance": tol, "basis": basis, "provenance": prov[i, jj],
                                       "ok": abs(d) <= tol + 1e-12})
        for node in method.nodes:
            j = scores.col(node)
            pr, rk, rc = scores.pub_rank[m, j], scores.rank[m, j], scores.rank_computed[m, j]
            for i in np.flatnonzero(~np.isnan(pr) & rc):
                rank_recs.append({"year": year, scores.unit_kind: units_all[m][i], "indicator": node,
                                  "published_rank": pr[i], "computed_rank": rk[i], "ok": pr[i] == rk[i]})
    values = pd.DataFrame(value_recs, columns=["year", scores.unit_kind, "indicator", "published", "computed",
                                               "difference", "tolerance", "basis", "provenance", "ok"])
    ranks = pd.DataFrame(rank_recs, columns=["year", scores.unit_kind, "indicator", "published_rank",
                                             "computed_rank", "ok"])
    if len(values):
        values = values.reindex(values["difference"].abs().sort_values(ascending=False, kind="stable").index)
    return values.reset_index(drop=True), ranks
