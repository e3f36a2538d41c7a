"""dti from Python: one function per command, taking the command's options as keyword arguments and returning a
pandas DataFrame with exactly the columns and values of the command's ``--format csv`` output.

What the command line prints on stderr (notes: which ranks are published, what could not be computed) is in the
frame's ``attrs["notes"]``, in the language asked for; nothing is printed. ``data=`` and ``method=`` take what
:func:`load_data` and :func:`load_method` return, or a path (a shipped edition by id too: ``method="922"``).
A mistake raises :class:`dti_cli.errors.DTIError` (``UsageError`` or ``DataError``), worded in the call's ``lang``.
"""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd

from dti_cli.app import analyses, checks, profile, session, tables
from dti_cli.errors import DTIError, UsageError
from dti_cli.i18n import render
from dti_cli.model.dataset import Dataset, NumberFormat
from dti_cli.model.method import Method


def _lang(lang: str) -> str:
    """The language asked for: "vi" or "en", in any case (anything else is refused, not guessed)."""
    value = str(getattr(lang, "value", lang)).strip().lower()
    if value not in ("vi", "en"):
        raise UsageError("lang.unknown", option="lang", value=str(lang))
    return value


def _speaks(fn):
    """The call's `lang` checked once (a wrong one is an error in English), and any error of the call worded in
    that language."""
    @functools.wraps(fn)
    def call(*args, **kwargs):
        if "lang" in kwargs:
            kwargs["lang"] = _lang(kwargs["lang"])
        try:
            return fn(*args, **kwargs)
        except DTIError as exc:
            exc.lang = kwargs.get("lang", "vi")
            raise

    return call


def _source(data, method, decimal: str | None, thousands, na) -> session.Source:
    if data is not None and not isinstance(data, (str, Path, Dataset)):
        raise UsageError("api.data_type", option="data", type=type(data).__name__)
    if method is not None and not isinstance(method, (str, int, Path, Method)):
        raise UsageError("api.method_type", option="method", type=type(method).__name__)
    method = str(method) if isinstance(method, int) else method
    return session.Source(data=data, method=method,
                          fmt=NumberFormat.given(decimal, thousands, na))


def _frame(result, lang: str) -> pd.DataFrame:
    """The result's machine table, with the notes (and a command's own extras) in attrs."""
    frame = result.machine.frame.copy()
    frame.attrs = {"notes": [render(n, lang) for n in result.notes], **result.attrs}
    if result.empty is not None:  # why there is nothing (the command line refuses such a result)
        frame.attrs["empty"] = render(result.empty, lang)
    if result.status is not None:
        frame.attrs["status"] = render(result.status, lang)
        frame.attrs["failed"] = result.failed
    return frame


@_speaks
def load_data(path: str | Path | None = None, *, decimal: str | None = None, thousands: str | None = None, na=(),
              method: Method | str | None = None, attributes=(), workers: int = 1, lang: str = "vi") -> Dataset:
    """Read and check an indicator CSV (long or wide; None: the bundled DTI publication), as every command does.

    Text columns other than name, name_en, region and code (a district's ``kind``, say) are read as text when
    ``attributes`` or the ``method`` names them. The data's rows are in ``.frame``. ``workers=2`` lets a file of
    16 MB or more be parsed by two processes (this one and a forked child), as the command line does on a machine
    with several CPUs; by default nothing is forked. ``lang`` is the language of an error's message.

    >>> import dti_cli as dti
    >>> data = dti.load_data()
    >>> data.years
    [2020, 2021, 2022, 2023, 2024]
    """
    meth = session.load_method(method)
    fmt = NumberFormat.given(decimal, thousands, na)
    return session.load_data(path, fmt=fmt, method=meth, attributes=tuple(attributes), workers=workers)


@_speaks
def load_method(edition_or_path: str | int | Path | None = None, *, lang: str = "vi") -> Method:
    """A methodology: a shipped edition by id or year ("922", 2022), or a method file (None: the latest edition);
    ``lang`` is the language of an error's message.

    >>> import dti_cli as dti
    >>> dti.load_method(2022).root
    'dti'
    """
    from dti_cli.model import editions

    if edition_or_path is None:
        return editions.editions()[-1]
    return session.load_method(str(edition_or_path))


@_speaks
def rank(*, year: int | None = None, by: str | None = None, top: int | None = None, region: str | None = None,
         boundaries: int | None = None, level: str | None = None, data=None, method=None, lang: str = "vi",
         decimal: str | None = None, thousands: str | None = None, na=()) -> pd.DataFrame:
    """The league table of a year (default: the latest) on the index or any node, as ``dti rank``;
    ``level="ministries"``: the ministries' DTI as the press printed it (partial).

    >>> import dti_cli as dti
    >>> dti.rank(year=2022, top=3)[["rank", "province", "score"]].values.tolist()
    [[1, 'da-nang', 0.8002], [2, 'ho-chi-minh', 0.7163], [3, 'quang-ninh', 0.7024]]
    """
    src = _source(data, method, decimal, thousands, na)
    return _frame(tables.rank(src, year=year, by=by, top=top, region=region, boundaries=boundaries,
                              level=level, lang=lang), lang)


@_speaks
def compare(*provinces: str, national: bool = False, region: bool = False, year: int | None = None,
            boundaries: int | None = None, data=None, method=None, lang: str = "vi", decimal: str | None = None,
            thousands: str | None = None, na=()) -> pd.DataFrame:
    """Provinces side by side on every node, with ranks, changes and averages, as ``dti compare``.

    >>> import dti_cli as dti
    >>> qn = dti.compare("quang-ninh", national=True, year=2022)
    >>> qn.loc[qn["indicator"] == "dti", ["value", "rank", "national_n"]].values.tolist()
    [[0.7024, 3, 63]]
    """
    src = _source(data, method, decimal, thousands, na)
    names = [p for item in provinces for p in ([item] if isinstance(item, str) else list(item))]
    return _frame(tables.compare(src, provinces_=names, national=national, region=region, year=year,
                                 boundaries=boundaries, lang=lang), lang)


@_speaks
def show(province: str, *, year: int | None = None, boundaries: int | None = None, level: str | None = None,
         data=None, method=None, lang: str = "vi", decimal: str | None = None, thousands: str | None = None,
         na=()) -> pd.DataFrame:
    """A province's profile, as ``dti show``: its years (``section == "history"``) and its main indices in a year
    (``section == "components"``); ``attrs`` names its strongest and weakest indices. ``"viet-nam"``: the national
    DTI and the published means by year; ``level="ministries"``: a ministry's published DTI.

    >>> import dti_cli as dti
    >>> qn = dti.show("quang-ninh")
    >>> qn[qn["section"] == "history"]["year"].tolist()
    [2020, 2021, 2022, 2023, 2024]
    """
    src = _source(data, method, decimal, thousands, na)
    return _frame(profile.show(src, province=province, year=year, boundaries=boundaries, level=level, lang=lang),
                  lang)


@_speaks
def scores(*, year: int | None = None, boundaries: int | None = None, data=None, method=None, lang: str = "vi",
           decimal: str | None = None, thousands: str | None = None, na=()) -> pd.DataFrame:
    """Every node's score, rank and provenance for every unit and year, long, as ``dti scores``.

    >>> import dti_cli as dti
    >>> s = dti.scores(year=2022)
    >>> s[(s["province"] == "quang-ninh") & (s["node"] == "dti")][["score", "rank"]].values.tolist()
    [[0.7024, 3]]
    """
    src = _source(data, method, decimal, thousands, na)
    return _frame(profile.scores(src, year=year, boundaries=boundaries, lang=lang), lang)


@_speaks
def movers(*, year: int | None = None, by: str | None = None, top: int = 5, region: str | None = None,
           boundaries: int | None = None, data=None, method=None, lang: str = "vi", decimal: str | None = None,
           thousands: str | None = None, na=()) -> pd.DataFrame:
    """The biggest risers and fallers of a year, by rank and by score, as ``dti movers``.

    >>> import dti_cli as dti
    >>> m = dti.movers(year=2023, top=1)
    >>> up = m[(m["measure"] == "rank") & (m["direction"] == "up")]
    >>> up["province"].item(), int(up["change"].item())
    ('ca-mau', 23)
    """
    src = _source(data, method, decimal, thousands, na)
    return _frame(tables.movers(src, year=year, by=by, top=top, region=region, boundaries=boundaries,
                                lang=lang), lang)


@_speaks
def explain(province: str, *, year: int | None = None, boundaries: int | None = None, data=None, method=None,
            lang: str = "vi", decimal: str | None = None, thousands: str | None = None, na=()) -> pd.DataFrame:
    """Why it moved: the change since the previous year split into its children's contributions, as
    ``dti explain``; the sentence a newspaper prints is ``attrs["sentence"]``.

    >>> import dti_cli as dti
    >>> dti.explain("quang-ninh", year=2022, lang="en").attrs["sentence"]
    'In 2022 Quảng Ninh scored 0.7024, up 0.2052 on 2021, and rose 4 places to 3rd of 63.'
    """
    src = _source(data, method, decimal, thousands, na)
    return _frame(analyses.explain(src, province=province, year=year, boundaries=boundaries, lang=lang),
                  lang)


@_speaks
def whatif(province: str | None = None, *, set=None, weights=None, year: int | None = None,
           boundaries: int | None = None, data=None, method=None, lang: str = "vi", decimal: str | None = None, thousands: str | None = None,
           na=()) -> pd.DataFrame:
    """Recompute with changed values (``set={"hd_kts": 0.7}``, with a province) or weights
    (``weights={"hd_cqs": 300}``), as ``dti whatif``.

    >>> import dti_cli as dti
    >>> w = dti.whatif("quang-ninh", set={"hd_kts": 0.70}, year=2022)
    >>> int(w.loc[w["node"] == "dti", "new_rank"].item())
    2
    """
    src = _source(data, method, decimal, thousands, na)
    return _frame(analyses.whatif(src, province=province, set_=set, weights=weights, year=year,
                                  boundaries=boundaries, lang=lang), lang)


@_speaks
def gap(province: str, *, target_rank: int, year: int | None = None, boundaries: int | None = None, data=None,
        method=None, lang: str = "vi", decimal: str | None = None, thousands: str | None = None, na=()) -> pd.DataFrame:
    """What it would take to reach a rank: for each lowest indicator, the value that alone gets there, as
    ``dti gap``; ``attrs`` has the score needed (``needed_score``) and the gap.

    >>> import dti_cli as dti
    >>> g = dti.gap("bac-ninh", target_rank=3, year=2022)
    >>> g.attrs["needed_score"]
    0.7024
    """
    src = _source(data, method, decimal, thousands, na)
    return _frame(analyses.gap(src, province=province, target_rank=target_rank, year=year,
                               boundaries=boundaries, lang=lang), lang)


@_speaks
def uncertainty(*, year: int | None = None, samples: int = 10_000, weight_noise: float = 0.25, seed: int = 0,
                alternatives: str | None = None, boundaries: int | None = None, data=None, method=None,
                lang: str = "vi", decimal: str | None = None, thousands: str | None = None, na=()) -> pd.DataFrame:
    """Monte Carlo ranks under random weights: median rank and 5–95% band of every unit, as ``dti uncertainty``
    (seeded: the same seed gives the same frame).

    >>> import dti_cli as dti
    >>> u = dti.uncertainty(year=2022, samples=1000)
    >>> u.loc[u["province"] == "da-nang", ["rank", "q5", "q95"]].values.tolist()
    [[1, 1, 1]]
    """
    src = _source(data, method, decimal, thousands, na)
    return _frame(analyses.uncertainty(src, year=year, samples=samples, weight_noise=weight_noise, seed=seed,
                                       alternatives=alternatives, boundaries=boundaries, lang=lang), lang)


@_speaks
def verify(*, data=None, method=None, lang: str = "vi", decimal: str | None = None, thousands: str | None = None,
           na=()) -> pd.DataFrame:
    """Every published aggregate recomputed from its inputs and every published rank, as ``dti verify``;
    ``attrs["failed"]`` is True when one is outside the rounding tolerance.

    >>> import dti_cli as dti
    >>> v = dti.verify()
    >>> bool(v["ok"].all()), v.attrs["failed"]
    (True, False)
    """
    src = _source(data, method, decimal, thousands, na)
    return _frame(checks.verify(src, lang=lang), lang)


@_speaks
def check(*, year: int | None = None, data=None, method=None, lang: str = "vi", decimal: str | None = None,
          thousands: str | None = None, na=()) -> pd.DataFrame:
    """The audit of a data set against its method (coverage, outliers, spread, correlations, alpha), as
    ``dti check``; ``attrs["failed"]`` is True when a finding is an error.

    >>> import dti_cli as dti
    >>> c = dti.check(data="examples/districts/data.csv", method="examples/districts/method.toml")
    >>> c.attrs["failed"]
    False
    """
    src = _source(data, method, decimal, thousands, na)
    return _frame(checks.check(src, year=year, lang=lang), lang)


@_speaks
def method(edition: str | int | None = None, *, method=None, lang: str = "vi") -> pd.DataFrame:
    """The methodology tree with weights and each node's share in the index, as ``dti method``.

    >>> import dti_cli as dti
    >>> m = dti.method("922")
    >>> m.loc[(m["node"] == "hd_cqs") & (m["parent"] == "dti"), "share_in_index"].item()
    0.2
    """
    src = session.Source(method=method)
    return _frame(checks.method(src, edition=None if edition is None else str(edition), lang=lang),
                  lang)


@_speaks
def list_(what: str, *, method=None, boundaries: int | None = None, region: str | None = None,
          lang: str = "vi") -> pd.DataFrame:
    """What the other functions take by name, as ``dti list``: "provinces" (or the 34 units with
    ``boundaries=2025``), "regions" (both keys ``region=`` takes), "nodes" (of every edition, or of ``method``) or
    "editions".

    >>> import dti_cli as dti
    >>> list(dti.list_("regions", lang="en")["region_key_en"])[-1]
    'mekong'
    """
    from dti_cli.app import lists

    return _frame(lists.listing(what, src=session.Source(method=method), boundaries=boundaries, region=region,
                                lang=lang), lang)


@_speaks
def import_table(path: str | Path, *, year: int, map=(), boundaries: int | None = None, source: str | None = None,
                 replace: bool = False, partial: bool = False, lang: str = "vi") -> pd.DataFrame:
    """Check a published results table (CSV or XLSX) and add it to the store as ``dti import`` does; every call
    then reads it beside the bundled years. ``map``: ``["Điểm tổng=dti", "Ghi chú="]``; ``boundaries``: 63 or 34
    (default: the set the names belong to). The frame is what was stored; ``attrs["status"]`` says where.

    >>> import dti_cli as dti
    >>> t = dti.import_table("examples/import/synthetic_2025.csv", year=2025, lang="en")  # invented figures
    >>> t.attrs["status"].split(";")[0]
    'imported 2025: 34 of the 34 units, 136 rows (dti, cqs, kts, xhs)'
    >>> dti.rank(year=2025, top=2, lang="en")[["rank", "province", "score", "delta", "rank_change"]]
       rank province   score   delta  rank_change
    0     1   ha-noi  0.8838  0.0597            0
    1     2      hue  0.8536  0.0585            0
    >>> dti.imported(remove=2025, lang="en").attrs["status"].split(" (")[0]
    'removed 2025'
    """
    from dti_cli.app import importing

    return _frame(importing.import_table(path, year=year, mapping=map, boundaries=boundaries, source=source,
                                         replace=replace, partial=partial), lang)


@_speaks
def imported(*, remove: int | None = None, lang: str = "vi") -> pd.DataFrame:
    """The years in the store (``dti import --list``); ``remove=YEAR`` removes one first (``--remove``).

    >>> import dti_cli as dti
    >>> dti.imported().attrs["status"].startswith("chưa nhập năm nào")
    True
    """
    from dti_cli.app import importing

    return _frame(importing.remove(remove) if remove is not None else importing.listing(), lang)


__all__ = ["load_data", "load_method", "rank", "compare", "show", "scores", "explain", "movers", "whatif", "gap",
           "uncertainty", "verify", "check", "method", "import_table", "imported"]
