"""A pile-up at the largest or smallest value that continues the distribution.

Top-codes (a house price capped at 50.0, 99 hours a week, capital gain 99999) and
bottom-codes are real values that stand for "this or beyond". They are found by their
count: the bound holds at least :data:`MIN_ROWS` rows and :data:`PILE_UP` times as many
as the values next to it. Zero is a natural floor (counts, amounts), never a bottom-code.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from preflight.core.columns import Censored
from preflight.data.profile import ColumnProfile

MIN_ROWS = 5
PILE_UP = 3.0
# Neighbouring distinct values the bound's count is compared with.
NEIGHBOURS = 5
# A column needs this many distinct values to have a distribution to continue.
MIN_DISTINCT = 20


def censoring(col: ColumnProfile, exclude: tuple[float, ...] = ()) -> Censored | None:
    """The top- or bottom-code of a numeric ``col`` (markers in ``exclude`` left out)."""
    if col.kind != "numeric" or col.finite.size == 0 or not col.distinct_exceeds(MIN_DISTINCT - 1):
        return None
    counted = None if exclude else col.counted_values
    if counted is not None:  # a column of few distinct values: its counts are known
        return _pile_up_counted(*counted)
    values = col.finite if not exclude else col.finite[~np.isin(col.finite, exclude)]
    sides: tuple[Literal["upper", "lower"], ...] = ("upper", "lower")
    for side in sides:
        bound = col.max if side == "upper" else col.min  # cached; the markers change them
        found = _pile_up(values, side, None if exclude or bound is None else float(bound))
        if found is not None:
            return found
    return None


def _pile_up(values: np.ndarray, side: Literal["upper", "lower"], bound: float | None) -> Censored | None:
    if values.size == 0:
        return None
    if bound is None:
        bound = float(values.max() if side == "upper" else values.min())
    count = int(np.count_nonzero(values == bound))
    # Most columns stop here: a continuous column's bound is one row.
    if count < MIN_ROWS or (side == "lower" and bound == 0):
        return None
    # The next distinct values lie among the rows nearest the bound.
    k = min(values.size, max(count * 20, 2000))
    near = np.partition(values, -k)[-k:] if side == "upper" else np.partition(values, k - 1)[:k]
    _, counts = np.unique(near[near != bound], return_counts=True)
    neighbours = counts[-NEIGHBOURS:] if side == "upper" else counts[:NEIGHBOURS]
    if count < PILE_UP * max(float(neighbours.max()) if neighbours.size else 0.0, 1.0):
        return None
    return Censored(side=side, value=bound, rows=count)


def _pile_up_counted(levels: np.ndarray, counts: np.ndarray) -> Censored | None:
    """:func:`_pile_up` read off sorted distinct values and their counts."""
    if levels.size < MIN_DISTINCT:
        return None
    for side, i, near in (
        ("upper", -1, counts[-1 - NEIGHBOURS : -1]),
        ("lower", 0, counts[1 : 1 + NEIGHBOURS]),
    ):
        value, count = float(levels[i]), int(counts[i])
        if side == "lower" and value == 0:
            continue
        if count >= MIN_ROWS and count >= PILE_UP * max(float(near.max()), 1.0):
            return Censored(side="upper" if side == "upper" else "lower", value=value, rows=count)
    return None
