"""Dates stored as text, parsed the same way whether the CLI or the API read the file.

A column is dates-as-text when every present value has a date's shape (ISO
``2012-01-31``, with or without a time; ``31/01/2012`` or ``01/31/2012``; ``2012/01/31``)
and parses. Day-first or month-first is read off the values (a first field above 12),
never guessed per cell, so one column gets one format.
"""

from __future__ import annotations

import re

import pandas as pd

from preflight.data.profile import ColumnProfile

_ISO = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")
_YMD_SLASH = re.compile(r"^\d{4}/\d{1,2}/\d{1,2}$")
_DMY = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def date_format(col: ColumnProfile) -> str | None:
    """The strptime format (or ``"ISO8601"``) every present value of ``col`` parses
    with; None when the column is not dates-as-text."""
    if col.kind not in ("string", "categorical") or col.n_present == 0:
        return None
    strings = [v.strip() for v in col.value_counts.index if isinstance(v, str)]
    if not strings or len(strings) < col.n_unique:
        return None
    if all(_ISO.match(s) for s in strings):
        return "ISO8601"
    if all(_YMD_SLASH.match(s) for s in strings):
        return "%Y/%m/%d"
    parts = [_DMY.match(s) for s in strings]
    if not all(parts):
        return None
    first = max(int(m.group(1)) for m in parts if m)
    second = max(int(m.group(2)) for m in parts if m)
    sep = "/" if "/" in strings[0] else "."
    if first > 12 >= second:
        return f"%d{sep}%m{sep}%Y"
    if second > 12 >= first:
        return f"%m{sep}%d{sep}%Y"
    return None  # ambiguous (both fields ≤ 12) or not dates


def parse_dates(series: pd.Series, fmt: str) -> pd.Series:
    """``series`` as nanosecond datetimes with one format; cells that do not parse become
    NaT. All NaT when a date lies outside pandas' nanosecond range (year 3000): the
    reader keeps those columns as ISO text on purpose, and so does the stage."""
    parsed = pd.to_datetime(series.astype("string").str.strip(), format=fmt, errors="coerce")
    try:
        return parsed if parsed.dt.unit == "ns" else parsed.dt.as_unit("ns")
    except (pd.errors.OutOfBoundsDatetime, OverflowError, ValueError):
        return pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
