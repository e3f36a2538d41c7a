"""The sentences a journalist prints: a unit's score, rank and their changes, and what drove the change, as
catalogue messages (numbers in the language's convention when they are rendered)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dti_cli.analysis.averages import diff
from dti_cli.analysis.explain import ROUNDING
from dti_cli.i18n import Msg, plural


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st… (English; Vietnamese writes "thứ 3/63")."""
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def _score_change(d: float) -> Msg:
    """"up 0.2052", "down 0.0113", or "unchanged" for a change that shows as 0.0000 at four decimals."""
    if abs(d) < 0.00005:
        return Msg("phrase.score_same")
    return Msg("phrase.score_up" if d > 0 else "phrase.score_down", d=abs(d))


def _rank_move(moved: int, *, to: bool) -> Msg:
    """A rank change: "rose 4 places to" (to: a rank follows) or "up 4 places" (none follows)."""
    if moved == 0:
        return Msg("phrase.rank_held" if to else "phrase.rank_same")
    if to:
        key = "phrase.rank_rose" if moved > 0 else "phrase.rank_fell"
    else:
        key = "phrase.rank_up" if moved > 0 else "phrase.rank_down"
    return Msg(plural(abs(moved), key), n=abs(moved))


def headline(name: str, year: int, score: float, rank: float, of: int, prev_score: float, prev_rank: float) -> Msg:
    """The sentence a journalist prints: the score, its change, the rank and its change."""
    has_d = not (np.isnan(score) or np.isnan(prev_score))
    has_r = not (np.isnan(rank) or np.isnan(prev_rank))
    moved = int(prev_rank - rank) if has_r else 0
    base = dict(year=year, prev=year - 1, name=name, of=of)
    if not np.isnan(rank):
        base.update(rank=int(rank), ord=ordinal(int(rank)))
    if np.isnan(score):  # a published rank without its score (2020, 2021)
        if np.isnan(rank):
            return Msg("sentence.nothing", **base)
        if has_r:
            return Msg("sentence.unscored_moved", r=_rank_move(moved, to=False), **base)
        return Msg("sentence.unscored", **base)
    base["score"] = float(score)
    d = _score_change(float(diff(score, prev_score))) if has_d else None
    if np.isnan(rank):
        return Msg("sentence.scored_d_unranked", d=d, **base) if has_d else Msg("sentence.scored_unranked", **base)
    if has_d and has_r:
        return Msg("sentence.scored_dr", d=d, r=_rank_move(moved, to=True), **base)
    if has_d:
        return Msg("sentence.scored_d", d=d, **base)
    if has_r:
        return Msg("sentence.scored_r", r=_rank_move(moved, to=True), **base)
    return Msg("sentence.scored", **base)


class _Driver:
    """One child's contribution as a sentence names it: "nền tảng chung (+0,0129)"."""

    def __init__(self, name: str, contribution: float):
        self.name, self.contribution = name, contribution

    def text(self, lang: str = "en") -> str:
        name = self.name.lower() if lang == "vi" else self.name[:1].lower() + self.name[1:]
        sign = "+" if self.contribution > 0 else "−"
        return Msg("phrase.driver", name=name, sign=sign, value=abs(self.contribution)).text(lang)


class _Both:
    """Two or more items joined by the language's "and"."""

    def __init__(self, items: list):
        self.items = items

    def text(self, lang: str = "en") -> str:
        return Msg("word.and").text(lang).join(x.text(lang) for x in self.items)


def drivers(frame: pd.DataFrame, root: str, n: int = 2) -> Msg | None:
    """A second sentence: the children of the index that moved it most, with their contributions."""
    if not len(frame):
        return None
    kids = frame[(frame["parent"] == root) & (frame["node"] != ROUNDING)].dropna(subset=["contribution"])
    if kids.empty:
        return None
    total = float(kids["contribution"].sum())
    same = kids[np.sign(kids["contribution"]) == np.sign(total)] if total else kids
    top = same.reindex(same["contribution"].abs().sort_values(ascending=False).index).head(n)
    if top.empty or (top["contribution"] == 0).all():
        return None
    items = [_Driver(str(row["name"]), float(row["contribution"])) for _, row in top.iterrows()]
    return Msg("sentence.drivers_rise" if total > 0 else "sentence.drivers_fall", items=_Both(items))
