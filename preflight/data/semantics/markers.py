"""Cells that stand for a missing value: text markers and numeric sentinels.

Text: a null-like string (``"?"``, ``" ?"``, ``"unknown"``, ``"n/a"``, …) the reader did
not already turn into a null. ``'none'`` is the exception that needs care: in a column
of a few levels it is usually a level ("no airbags", "no sewer", "no number"), so there
it is a value unless the user says otherwise.

Numbers: an all-nines sentinel (``-9``, ``-99``, ``999``, ``9999``, …) that repeats
and sits far outside the rest of the column: a negative one below a non-negative
column, or a positive one at least :data:`SENTINEL_RATIO` times the rest's largest
value. A pile-up just above the rest (99 hours next to 98, 99999 capital gain next to
41310) continues the distribution: that is a top-code (see censoring), never missing.
"""

from __future__ import annotations

import numpy as np

from preflight.data.profile import ColumnProfile

# All-nines numbers are the classic numeric stand-ins for "missing".
SENTINELS = np.array([s * (10**k - 1) for k in range(1, 10) for s in (1, -1)], dtype=float)
_SENTINEL_SET = frozenset(SENTINELS.tolist())
# A sentinel repeats at least this often (one odd value is an outlier, not a code).
MIN_COUNT = 2
# A positive sentinel is at least this many times the largest other value.
SENTINEL_RATIO = 5.0
# A negative sentinel below a column with negatives must lie this many IQRs below Q1.
FENCE = 3.0
# 'none' is a level, not a marker, in a column with at most this many distinct values.
NONE_LEVEL_MAX_LEVELS = 20
NONE_TOKENS = frozenset({"none"})


def text_markers(col: ColumnProfile, already_parsed: frozenset[str], none_is_value: bool | None) -> list[str]:
    """The null-like strings of ``col`` that stand for missing values.

    ``none_is_value``: the user's answer for 'none' (None: decide from the column)."""
    if col.kind not in ("string", "mixed", "categorical"):
        return []
    classes = col.text_classes
    markers = [str(v) for v in classes.index[classes == "null-like"] if v not in already_parsed]
    if not markers:
        return []
    keep_none = none_is_value if none_is_value is not None else _none_is_a_level(col, markers)
    if keep_none:
        markers = [m for m in markers if m.strip().lower() not in NONE_TOKENS]
    return markers


def _none_is_a_level(col: ColumnProfile, markers: list[str]) -> bool:
    others = col.n_unique - len(markers)
    return 2 <= others + 1 <= NONE_LEVEL_MAX_LEVELS and any(m.strip().lower() in NONE_TOKENS for m in markers)


def numeric_sentinels(col: ColumnProfile, min_count: int = MIN_COUNT) -> list[float]:
    """All-nines values of a numeric ``col`` that are missing-value codes."""
    if col.kind != "numeric" or col.min is None or col.max is None:
        return []
    # A positive code lies above every other value: only the maximum can be one. A
    # negative code lies below the bulk: only candidates under the lower fence. So a
    # column costs a comparison or two, not one per all-nines number in its range.
    candidates = [float(col.max)] if float(col.max) in _SENTINEL_SET else []
    low = SENTINELS[(SENTINELS < 0) & (col.min <= SENTINELS)]
    if low.size:
        q1, q3 = np.quantile(col.quantile_sample, [0.25, 0.75])
        below = low if q1 >= 0 else low[low < q1 - FENCE * max(q3 - q1, 1e-12)]
        candidates.extend(float(v) for v in below)
    found: list[float] = []
    for number in candidates:
        if int(np.count_nonzero(col.finite == number)) < min_count:
            continue
        others = col.finite[col.finite != number]
        if others.size < 10:
            continue
        if number < 0:
            q1, q3 = np.quantile(others, [0.25, 0.75])
            if others.min() >= 0 or number < q1 - FENCE * max(q3 - q1, 1e-12):
                found.append(number)
        elif number >= SENTINEL_RATIO * max(abs(others.max()), 1.0):
            found.append(number)
    return found
