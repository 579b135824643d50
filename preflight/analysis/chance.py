"""How many repeats chance alone explains.

A table of coarse answers (three ticket classes, two sexes, ages in years) repeats rows
honestly: two passengers can share every feature, and if their outcomes differ that is a
hard outcome, not a wrong label. A re-sent file or an appended copy repeats rows that
chance could not: rows with a continuous measurement, a price to the cent, a key.

Chance is measured as if the columns were independent, from each column's own value
counts (missing counted as a value). Real columns are correlated, which makes real
chance repeats more common than this estimate (one-hot columns most of all: each
sibling is a function of the others), so conflicting groups also read the table's
own coarseness, :func:`pattern_matches`, which no encoding changes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from preflight.data.hashing import repeat_candidates, row_hashes
from preflight.data.profile import ColumnProfile, Profile


def _counts(col: ColumnProfile) -> tuple[pd.Series, int]:
    """Rows holding each value, and the missing ones."""
    return col.value_counts, col.n_missing


def expected_repeats(profile: Profile, columns: Sequence[str], n_rows: int) -> float:
    """Rows expected to repeat an earlier row by chance: the pairs of rows that agree on
    every column, ``C(n, 2) * prod_j q_j``, at most ``n - 1``. ``q_j``, the chance that
    two rows agree on column j, is estimated without the plug-in bias (``sum c(c - 1) /
    (n (n - 1))``: a column of distinct values never agrees)."""
    log_collision = 0.0
    for name in columns:
        counts, missing = _counts(profile[name])
        c = np.append(counts.to_numpy(dtype=float), float(missing))
        n = float(c.sum())
        collision = float(np.sum(c * (c - 1.0))) / (n * (n - 1.0)) if n > 1 else 0.0
        if collision <= 0.0:
            return 0.0
        log_collision += float(np.log(collision))
    pairs = n_rows * (n_rows - 1) / 2.0 * float(np.exp(log_collision))
    return float(min(pairs, max(n_rows - 1, 0)))


def chance_matches(profile: Profile, columns: Sequence[str], row: pd.Series, n_rows: int) -> float:
    """Other rows expected to share ``row``'s values in every one of ``columns`` by
    chance: ``(n - 1) * prod_j p_j(x_j)``, with ``p_j`` the share of the *other* rows
    holding the row's value (``(c - 1) / (n - 1)``: a value no other row holds, 0)."""
    log_share = 0.0
    for name in columns:
        counts, missing = _counts(profile[name])
        n = int(counts.sum()) + missing
        value = row[name]
        if pd.isna(value):
            count = float(missing)
        else:
            try:
                count = float(counts.get(value, 0.0))
            except TypeError:  # an unhashable cell: counted by its text
                count = float(counts.get(repr(value), 0.0))
        share = (count - 1.0) / (n - 1.0) if n > 1 else 0.0
        if share <= 0.0:
            return 0.0
        log_share += float(np.log(share))
    return float((n_rows - 1) * np.exp(log_share))


def pattern_matches(frame: pd.DataFrame) -> float:
    """Other rows that share a row's values in every column, on average over the rows
    (``sum_p c_p (c_p - 1) / n`` over the distinct rows ``p``): 0 when every row is
    distinct, large for a table of a few coarse columns (titanic's sex, age and class:
    24; OJ's 17 features: 0.08)."""
    n = len(frame)
    if n < 2 or frame.shape[1] == 0:
        return 0.0
    # A row that repeats no other adds c (c - 1) = 0: hash only the rows that may repeat.
    rows = repeat_candidates(frame)
    if rows.size < 2:
        return 0.0
    counts = row_hashes(frame.iloc[rows] if rows.size < n else frame).value_counts().to_numpy(dtype=float)
    return float(np.sum(counts * (counts - 1.0)) / n)
