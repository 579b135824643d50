"""A pile-up at the largest or smallest value that continues the distribution.

Top-codes (a house price capped at 50.0, 99 hours a week, capital gain 99999) and
bottom-codes are real values that stand for "this or beyond". They are found by their
count: the bound holds at least :data:`MIN_ROWS` rows and :data:`PILE_UP` times as many
as the values next to it. Zero is a natural floor (counts, amounts), never a bottom-code.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from preflight.data.profile import ColumnProfile
from preflight.data.semantics.types import Censored

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
    values = col.finite if not exclude else col.finite[~np.isin(col.finite, exclude)]
    sides: tuple[Literal["upper", "lower"], ...] = ("upper", "lower")
    for side in sides:
        found = _pile_up(values, side)
        if found is not None:
            return found
    return None


def _pile_up(values: np.ndarray, side: Literal["upper", "lower"]) -> Censored | None:
    if values.size == 0:
        return None
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
