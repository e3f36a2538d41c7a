"""Every node's value, rank and provenance for every (year, unit): what all analysis and output reads."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dti_cli.errors import UsageError
from dti_cli.i18n import Msg
from dti_cli.model.method import Method
from dti_cli.model.result import PROVENANCE_VALUES, Column

COMPUTED = "computed"


@dataclass(frozen=True)
class Scores:
    """Every node's value and rank for every (year, unit): what all analysis and output reads."""

    rows: pd.DataFrame  # year (int64), unit (str); row i of every matrix
    nodes: tuple[str, ...]
    value: np.ndarray  # shown and ranked: published where the data has it, else computed
    computed: np.ndarray  # the engine's own value (aggregates from children; leaves normalised)
    raw: np.ndarray  # the data's value before imputation, treatment and normalisation
    prov: np.ndarray  # int codes into labels
    labels: tuple[str, ...]
    source: np.ndarray  # int codes into sources
    sources: tuple[str, ...]
    pub_rank: np.ndarray  # the data's published rank (NaN: none)
    rank: np.ndarray  # the rank shown (NaN: none)
    rank_computed: np.ndarray  # bool: rank computed from a complete set of scores (else published)
    universe: dict  # year -> number of units ranked that year
    methods: dict  # year -> Method
    unit_kind: str
    treated: pd.DataFrame = field(default_factory=pd.DataFrame)  # year, unit, indicator, raw, treated, how
    notes: tuple[str, ...] = ()
    # a normalised leaf's figure in its own unit: the data's value or its imputed value, before treatment and
    # normalisation (NaN elsewhere); None when no leaf is normalised
    figure: np.ndarray | None = None

    # ---- lookups

    def col(self, node: str) -> int:
        try:
            return self.nodes.index(node)
        except ValueError:
            raise UsageError("scores.unknown_node", node=node, known=", ".join(self.nodes)) from None

    @property
    def years(self) -> list[int]:
        return sorted(self.methods)

    def year_mask(self, year: int) -> np.ndarray:
        return self.rows["year"].to_numpy() == year

    def frame(self, year: int, nodes: list[str] | tuple[str, ...] | None = None) -> pd.DataFrame:
        """One year as a frame indexed by unit, columns `node` (value) and `node:rank` for each node."""
        m = self.year_mask(year)
        units = self.rows["unit"].to_numpy()[m]
        out = {}
        for node in nodes or self.nodes:
            if node not in self.nodes:
                out[node] = np.full(m.sum(), np.nan)
                out[node + ":rank"] = np.full(m.sum(), np.nan)
                continue
            j = self.nodes.index(node)
            out[node] = self.value[m, j]
            out[node + ":rank"] = self.rank[m, j]
        return pd.DataFrame(out, index=pd.Index(units, name="unit"))

    def cell(self, year: int, unit: str, node: str) -> dict:
        """Everything known about one figure."""
        m = self.year_mask(year) & (self.rows["unit"].to_numpy() == unit)
        if node not in self.nodes or not m.any():
            return {"value": np.nan, "rank": np.nan, "provenance": "", "source": "", "computed": np.nan,
                    "pub_rank": np.nan, "raw": np.nan}
        i, j = int(np.flatnonzero(m)[0]), self.nodes.index(node)
        return {"value": self.value[i, j], "rank": self.rank[i, j], "computed": self.computed[i, j],
                "raw": self.raw[i, j], "pub_rank": self.pub_rank[i, j],
                "provenance": self.labels[self.prov[i, j]], "source": self.sources[self.source[i, j]]}

    def figures(self, year: int, units, nodes) -> np.ndarray:
        """Each (unit, node)'s figure in its own unit in a year (see `figure`; NaN where there is none)."""
        units, nodes = np.asarray(units, dtype=object), np.asarray(nodes, dtype=object)
        out = np.full(len(units), np.nan)
        if self.figure is None:
            return out
        m = self.year_mask(year)
        where_ = pd.Index(self.rows["unit"].to_numpy()[m]).get_indexer(units)
        col = pd.Index(self.nodes).get_indexer(nodes)
        ok = (where_ >= 0) & (col >= 0)
        out[ok] = self.figure[np.flatnonzero(m)[where_[ok]], col[ok]]
        return out

    def only(self, method: Method) -> "Scores":
        """These scores restricted to the years one method computes."""
        years = [y for y, m in self.methods.items() if m is method]
        mask = self.rows["year"].isin(years).to_numpy()
        cut = {f.name: getattr(self, f.name)[mask] for f in dataclasses.fields(self)
               if isinstance(getattr(self, f.name), np.ndarray)}
        return dataclasses.replace(self, rows=self.rows[mask].reset_index(drop=True),
                                   methods={y: method for y in years}, **cut)

    def provenance(self, mask: np.ndarray, node: str) -> np.ndarray:
        j = self.nodes.index(node)
        return np.asarray(self.labels, dtype=object)[self.prov[mask, j]]


def long_columns(unit_kind: str, figures: bool = False) -> tuple[Column, ...]:
    """The columns of the long table of scores (`dti scores`); `figures`: a normalised leaf's figure as `value`."""
    return (Column("year", Msg("col.year"), "int"), Column(unit_kind, Msg("col.unit"), "text"),
            Column("node", Msg("col.node"), "text"),
            *((Column("value", Msg("own.figure"), "num"),) if figures else ()),
            Column("score", Msg("col.score"), "score", prov="provenance"),
            Column("rank", Msg("col.rank"), "rank"),
            Column("provenance", Msg("col.provenance"), "text", values=PROVENANCE_VALUES),
            Column("source", Msg("col.source"), "text", table=False))


def long_frame(scores: Scores, years: list[int]) -> pd.DataFrame:
    """year, unit, node, [value,] score, rank, provenance, source: one row per figure that exists (value: a normalised
    leaf's figure, where the scores have them)."""
    m = np.isin(scores.rows["year"].to_numpy(), years)
    n, k = int(m.sum()), len(scores.nodes)
    value = scores.value[m]
    rank = scores.rank[m]
    keep = (~np.isnan(value) | ~np.isnan(rank)).ravel()
    frame = pd.DataFrame({
        "year": np.repeat(scores.rows["year"].to_numpy()[m], k),
        scores.unit_kind: np.repeat(scores.rows["unit"].to_numpy()[m], k),
        "node": np.tile(np.array(scores.nodes, dtype=object), n),
        **({"value": scores.figure[m].ravel()} if scores.figure is not None else {}),
        "score": value.ravel(),
        "rank": rank.ravel(),
        "provenance": np.asarray(scores.labels, dtype=object)[scores.prov[m].ravel()],
        "source": np.asarray(scores.sources, dtype=object)[scores.source[m].ravel()],
    })
    return frame[keep].reset_index(drop=True)
