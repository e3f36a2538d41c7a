"""`dti check`: an audit of a data set against a method before anyone trusts a ranking (JRC/COINr checks)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from dti_cli.i18n import Msg
from dti_cli.model.dataset import Dataset
from dti_cli.model.method import Aggregation, Method, Normalise
from dti_cli.model.scores import Scores
from dti_cli.pipeline.treat import KURT_THRESHOLD, SKEW_THRESHOLD, kurt, skew

COVERAGE_THRESHOLD = 0.65  # JRC rule of thumb: flag an indicator or unit with less than 65% of its data
WEAK_CORRELATION = 0.1  # |r| below this with the parent or the index: the indicator barely counts
ALPHA_THRESHOLD = 0.7  # Cronbach's alpha below this: the children do not measure one thing

ERROR, WARNING, INFO = "error", "warning", "info"
COLUMNS = ["level", "check", "year", "subject", "value", "threshold", "message"]


def _row(level, check, year, subject, value, threshold, message) -> dict:
    return dict(level=level, check=check, year=year, subject=subject, value=value, threshold=threshold,
                message=message)


def audit(dataset: Dataset, method: Method, scores: Scores) -> pd.DataFrame:
    """Every finding, errors first: missing and unused data, coverage, outliers, spread, correlations, alpha."""
    rows: list[dict] = []
    rows += _columns(dataset, method)
    present = set(dataset.indicators)
    for year in scores.years:
        m = scores.year_mask(year)
        units = scores.rows["unit"].to_numpy()[m]
        # a leaf with no column at all is reported once, as a missing indicator
        leaves = [lf for lf in method.leaves.values() if lf.id in scores.nodes and lf.id in present]
        raw = np.column_stack([scores.raw[m, scores.col(lf.id)] for lf in leaves]) if leaves else np.empty((m.sum(), 0))
        published = {a for a in method.aggregates if a in scores.nodes
                     and not np.isnan(scores.raw[m, scores.col(a)]).all()}
        rows += _coverage(year, units, leaves, raw, method, published)
        rows += _distribution(year, leaves, raw)
        rows += _positivity(year, method, scores, m, units)
        rows += _correlations(year, method, scores, m)
        rows += _alpha(year, method, scores, m)
    out = pd.DataFrame(rows, columns=COLUMNS)
    order = {ERROR: 0, WARNING: 1, INFO: 2}
    return out.sort_values(by=["level", "check", "year"], key=lambda s: s.map(order) if s.name == "level" else s,
                           kind="stable").reset_index(drop=True)


def _columns(dataset: Dataset, method: Method) -> list[dict]:
    present = set(dataset.indicators)
    rows = []
    for lf in method.leaves:
        if lf not in present:
            rows.append(_row(ERROR, "missing indicator", None, lf, None, None, Msg("audit.missing", id=lf)))
    for col in sorted(present - set(method.nodes)):
        rows.append(_row(WARNING, "unused column", None, col, None, None, Msg("audit.unused", id=col)))
    return rows


def _coverage(year: int, units: np.ndarray, leaves, raw: np.ndarray, method: Method, published: set) -> list[dict]:
    rows = []
    if raw.size == 0:
        return rows
    have = ~np.isnan(raw)
    for j, lf in enumerate(leaves):
        share = float(have[:, j].mean())
        if share == 0:
            # no data at all is an error, unless a published figure above it stands in (e.g. a published index)
            above = sorted(p for p in published if lf.id in method.descendants(p))
            msg = Msg("audit.no_data_above", id=lf.id, year=year, above=", ".join(above)) if above else \
                Msg("audit.no_data", id=lf.id, year=year)
            rows.append(_row(INFO if above else ERROR, "indicator coverage", year, lf.id, 0.0, COVERAGE_THRESHOLD, msg))
        elif share < 1:
            # every indicator with a gap is listed; below 65% it is a warning unless the method imputes it
            lvl = WARNING if share < COVERAGE_THRESHOLD and lf.impute.value == "none" else INFO
            key = "audit.partial_imputed" if lf.impute.value != "none" else "audit.partial"
            rows.append(_row(lvl, "indicator coverage", year, lf.id, share, COVERAGE_THRESHOLD,
                             Msg(key, id=lf.id, have=int(have[:, j].sum()), n=len(units), share=share,
                                 how=lf.impute.value)))
    unit_share = have.mean(axis=1)
    for i in np.flatnonzero(unit_share < 1):
        gone = [lf.id for lf, h in zip(leaves, have[i]) if not h]
        lvl = WARNING if unit_share[i] < COVERAGE_THRESHOLD else INFO
        missing = ", ".join(gone[:4]) + (", …" if len(gone) > 4 else "")
        rows.append(_row(lvl, "unit coverage", year, str(units[i]), float(unit_share[i]), COVERAGE_THRESHOLD,
                         Msg("audit.unit_partial", unit=str(units[i]), have=int(have[i].sum()), n=have.shape[1],
                             share=float(unit_share[i]), missing=missing)))
    return rows


def _distribution(year: int, leaves, raw: np.ndarray) -> list[dict]:
    rows = []
    for j, lf in enumerate(leaves):
        x = raw[:, j]
        x = x[~np.isnan(x)]
        if len(x) == 0:
            continue
        if len(x) >= 2 and np.ptp(x) == 0:
            needs = lf.normalise not in (Normalise.none, Normalise.goalposts)
            rows.append(_row(ERROR if needs else WARNING, "no spread", year, lf.id, 0.0, None,
                             Msg("audit.no_spread_missing" if needs else "audit.no_spread", id=lf.id,
                                 value=float(x[0]), year=year)))
            continue
        s, k = skew(x), kurt(x)
        if abs(s) > SKEW_THRESHOLD and k > KURT_THRESHOLD:
            treated = lf.treat.value != "none"
            rows.append(_row(INFO if treated else WARNING, "outliers", year, lf.id, round(s, 3),
                             Msg("audit.skew_threshold", skew=SKEW_THRESHOLD, kurt=KURT_THRESHOLD),
                             Msg("audit.outliers_treated" if treated else "audit.outliers", id=lf.id, skew=s,
                                 kurt=k, how=lf.treat.value)))
    return rows


def _positivity(year, method, scores, m, units) -> list[dict]:
    rows = []
    for agg in method.aggregates.values():
        if agg.aggregate is Aggregation.arithmetic or not agg.computable:
            continue
        for child in agg.children:
            if child not in scores.nodes:
                continue
            x = scores.computed[m, scores.col(child)] if child in method.leaves else scores.value[m, scores.col(child)]
            bad = ~np.isnan(x) & (x <= 0)
            if bad.any():
                i = int(np.argmax(bad))
                rows.append(_row(ERROR, "non-positive input", year, f"{agg.id}/{child}", float(x[i]), "> 0",
                                 Msg("audit.not_positive", id=agg.id, kind=Msg(f"mean.{agg.aggregate.value}"),
                                     child=child, value=float(x[i]), unit=str(units[i]), year=year,
                                     n=int(bad.sum()))))
    return rows


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    ok = ~np.isnan(a) & ~np.isnan(b)
    if ok.sum() < 3 or np.std(a[ok]) == 0 or np.std(b[ok]) == 0:
        return float("nan")
    return float(np.corrcoef(a[ok], b[ok])[0, 1])


def _correlations(year, method, scores, m) -> list[dict]:
    rows = []
    if method.root not in scores.nodes:
        return rows
    index = scores.value[m, scores.col(method.root)]
    for lf in method.leaves:
        if lf not in scores.nodes:
            continue
        x = scores.value[m, scores.col(lf)]
        for parent in method.parents(lf):
            for target, label in ((parent, "parent"), (method.root, "index")):
                if label == "index" and parent == method.root:
                    continue
                r = _corr(x, scores.value[m, scores.col(target)] if target != method.root else index)
                if np.isnan(r):
                    continue
                if r < 0:
                    level, msg = WARNING, "negative"
                elif abs(r) < WEAK_CORRELATION:
                    level, msg = WARNING, "near_zero"
                else:
                    level, msg = INFO, "ok"
                rows.append(_row(level, f"correlation ({label})", year, f"{lf}~{target}", round(r, 4),
                                 f">= {WEAK_CORRELATION:g}",
                                 Msg("audit.correlation", a=lf, b=target, r=r, verdict=Msg(f"audit.r_{msg}"))))
    return rows


def cronbach_alpha(X: np.ndarray) -> float:
    """Cronbach's alpha of the columns of X over the rows with every column present."""
    X = X[~np.isnan(X).any(axis=1)]
    k = X.shape[1]
    if k < 2 or len(X) < 3:
        return float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        item_var = X.var(axis=0, ddof=1).sum()
        total_var = X.sum(axis=1).var(ddof=1)
    if total_var == 0:
        return float("nan")
    return float(k / (k - 1) * (1 - item_var / total_var))


def _alpha(year, method, scores, m) -> list[dict]:
    rows = []
    for agg in method.aggregates.values():
        cols = [scores.col(c) for c in agg.children if c in scores.nodes]
        if len(cols) < 2:
            continue
        a = cronbach_alpha(scores.value[m][:, cols])
        if np.isnan(a):
            continue
        level = INFO if a >= ALPHA_THRESHOLD else WARNING
        rows.append(_row(level, "Cronbach's alpha", year, agg.id, round(a, 4), f">= {ALPHA_THRESHOLD:g}",
                         Msg("audit.alpha" if a >= ALPHA_THRESHOLD else "audit.alpha_low", id=agg.id, alpha=a,
                             n=len(cols))))
    return rows
