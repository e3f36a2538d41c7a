"""dti's own long output read back as data: the columns of `dti scores` (csv, tsv or json) as a long file's."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from dti_cli.errors import DataError, where

DATA = ("year", "province", "unit", "indicator", "value", "rank", "provenance", "source")


def as_data(header: list[str], attributes: set[str]) -> tuple[list[str], list[str]] | None:
    """(the header as a long file's, the columns to read) when it is `dti scores` output (year, a unit column, node,
    score): node is the indicator; value is the figure where the output has one (a method that normalises writes
    the figure as `value` and its normalised `score`), else score. dti's other output columns (RESERVED_IDS) are
    not read; any other column is kept, so that the reader refuses it as it would in a user's file. None: not dti's."""
    from dti_cli.model.method_file import RESERVED_IDS

    cols = set(header)
    if not {"year", "node", "score"} <= cols or "indicator" in cols or not cols & {"province", "unit"}:
        return None
    rename = {"node": "indicator"} if "value" in cols else {"node": "indicator", "score": "value"}
    named = [rename.get(c, c) for c in header]
    keep = [c for c in named if c in DATA or c in attributes or c not in RESERVED_IDS]
    return named, keep


def _start(raw: bytes) -> bytes:
    return raw[:4096].lstrip(b"\xef\xbb\xbf").lstrip()


def is_json(raw: bytes) -> bool:
    """Whether the bytes look like a json array (dti's json output is an array of records)."""
    return _start(raw).startswith(b"[")


def is_json_file(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            return is_json(fh.read(4096))
    except OSError:
        return False  # the reader names the problem


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    return str(v)


def json_as_csv(raw: bytes, label: str) -> bytes:
    """An array of flat json records as the csv the reader reads (line n + 1: record n); anything else is an error."""
    try:
        records = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise DataError("own.json_bad", where=where(label), detail=str(exc).splitlines()[0][:200]) from None
    if not isinstance(records, list) or not records:
        raise DataError("own.json_records", where=where(label))
    header: dict[str, None] = {}
    for i, rec in enumerate(records, start=2):
        if not isinstance(rec, dict) or any(isinstance(v, (dict, list)) for v in rec.values()):
            raise DataError("own.json_records", where=where(label, i))
        header.update(dict.fromkeys(rec))
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(list(header))
    out.writerows([_cell(rec.get(k)) for k in header] for rec in records)
    return buf.getvalue().encode("utf-8")
