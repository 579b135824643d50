"""Numbers stored as text, and how to read them.

``"3,750"``, ``"$12.50"``, ``"45%"`` (the text classes of the profile) are read with
:func:`~preflight.data.numbers.to_number`. A decimal comma (``"0,3047"`` in a semicolon
CSV) is told from a thousands separator by the digits after the comma: a thousands
group has exactly three; a column where some value has one, two or four or more reads
every comma as the decimal point.
"""

from __future__ import annotations

import re

import pandas as pd

from preflight.core.columns import Parsed
from preflight.data.numbers import to_number
from preflight.data.profile import ColumnProfile

_DECIMAL_COMMA = re.compile(r"^[+-]?\d+(,(\d+))?$")


def number_reading(col: ColumnProfile, markers: list[str]) -> Parsed | None:
    """How the present, non-marker cells of a text ``col`` read as numbers; None when
    some cell is text."""
    if col.kind not in ("string", "categorical"):
        return None
    classes = col.text_classes
    kinds = classes[[v not in markers for v in classes.index]]
    if kinds.empty:
        return None
    commas = [_DECIMAL_COMMA.match(str(v).strip()) for v in kinds.index]
    if all(commas) and any(m.group(2) is not None and len(m.group(2)) != 3 for m in commas if m):
        return "decimal-comma"
    if kinds.isin(["number", "formatted-number"]).all():
        return "numbers-as-text"
    return None


def parse_numbers(series: pd.Series, how: Parsed) -> pd.Series:
    """``series`` as float64; cells that are not numbers (markers) become NaN."""
    distinct = series.dropna().unique()
    if how == "decimal-comma":
        read = {v: _decimal_comma(v) for v in distinct}
    else:
        read = {v: to_number(v) for v in distinct}
    return series.map(read).astype("float64")


def _decimal_comma(value: object) -> float:
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        return float("nan")
