"""Row hashing: one 64-bit hash per row, and the rows that may repeat another.

Shared by the duplicate-rows check (DQ003), the conflict groups (CP, LB), the split's
row overlap (SP001, ``fix --test``) and the streaming scan. Equal rows hash alike;
equal hashes are only candidates, so every caller confirms on the values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from preflight.data.text import as_text


def row_hashes(frame: pd.DataFrame) -> pd.Series:
    """One 64-bit hash per row over all columns (the index is not hashed).

    Equal rows get equal hashes; equal hashes are only candidates, so callers confirm
    on the values (the split checks reuse this to find test rows that repeat train rows).
    """
    try:
        return pd.util.hash_pandas_object(frame, index=False)
    except (TypeError, UnicodeDecodeError):  # unhashable cells, or raw bytes: hash their text form
        return pd.util.hash_pandas_object(as_text(frame), index=False)


# Below this many candidate rows, repeats are found with an exact hash table; above,
# first with bucket counts (see _repeated).
_EXACT_REPEATS = 50_000
# A column pass that removes less than this share of the candidates ends the narrowing.
_MIN_NARROWING = 0.1
_MIX = np.uint64(0x100000001B3)  # FNV prime: mixes a column's hash into the row's


def repeat_candidates(frame: pd.DataFrame) -> np.ndarray:
    """Sorted positions of the rows that may repeat another row of ``frame``: every row
    that does, and usually few others.

    Column by column, most varied first (counted in a prefix), a row stays only
    while its hash over the columns seen so far is shared by another remaining row:
    a row with a value no other row holds in some column repeats no row. On a table
    with one continuous column that is one column's hash, not every column's. Equal
    cells hash alike (pandas' own hashing), so no repeated row is ever dropped.
    """
    n = len(frame)
    rows = np.arange(n)
    if n < 2 or frame.shape[1] == 0:
        return rows
    combined: np.ndarray = np.zeros(n, dtype=np.uint64)
    for position in _by_variety(frame):
        column = frame.iloc[:, position] if rows.size == n else frame.iloc[rows, position]
        try:
            hashed = pd.util.hash_pandas_object(column, index=False).to_numpy(dtype=np.uint64)
        except (TypeError, UnicodeDecodeError):  # unhashable cells: the caller's full pass decides
            return rows
        with np.errstate(over="ignore"):
            combined = np.asarray((combined * _MIX) ^ hashed, dtype=np.uint64)
        keep = _repeated(combined)
        before = rows.size
        rows, combined = rows[keep], combined[keep]
        if rows.size < 2:
            none: np.ndarray = rows[:0]
            return none
        if rows.size > (1.0 - _MIN_NARROWING) * before:
            break  # rows repeat on the columns left: hashing them whole is as cheap
    return rows


def _by_variety(frame: pd.DataFrame) -> list[int]:
    """Column positions, most distinct values in the first rows first (ties: numbers first)."""
    head = frame.iloc[:2000]
    keys: list[tuple[int, int, int]] = []
    for position in range(frame.shape[1]):
        cells = head.iloc[:, position]
        try:
            distinct = int(cells.nunique(dropna=False))
        except TypeError:
            distinct = 0
        numeric = pd.api.types.is_numeric_dtype(cells.dtype)
        keys.append((-distinct, 0 if numeric else 1, position))
    return [position for *_, position in sorted(keys)]


def _repeated(hashes: np.ndarray) -> np.ndarray:
    """Mask of the entries whose value occurs more than once in ``hashes`` (exact).

    Counting buckets of hash bits first drops most unique values at a fraction of a
    hash table's cost on a million rows; the few left are settled exactly.
    """
    index = np.arange(hashes.size)
    for shift in (0, 21, 42):
        if index.size <= _EXACT_REPEATS:
            break
        size = 1 << min(24, max(16, int(4 * index.size).bit_length()))
        buckets = ((hashes[index] >> np.uint64(shift)) & np.uint64(size - 1)).astype(np.intp)
        counts = np.bincount(buckets, minlength=size)
        index = index[counts[buckets] > 1]  # alone in its bucket: a value seen once
    mask = np.zeros(hashes.size, dtype=bool)
    mask[index[pd.Series(hashes[index]).duplicated(keep=False).to_numpy()]] = True
    return mask


def duplicate_mask(frame: pd.DataFrame) -> np.ndarray:
    """True for every row that repeats an earlier row exactly (all columns)."""
    mask = np.zeros(len(frame), dtype=bool)
    # Only rows that may repeat another are hashed whole; the result is the same as
    # hashing every row, since the narrowing keeps every row that repeats.
    rows = repeat_candidates(frame)
    if rows.size < 2:
        return mask
    frame = frame.iloc[rows] if rows.size < len(mask) else frame
    hashes = row_hashes(frame)
    # Equal 64-bit hashes are a candidate; confirm on the rows themselves so a hash
    # collision can never report a false duplicate.
    candidate = hashes.duplicated(keep=False).to_numpy()
    if candidate.any():
        sub = frame.loc[candidate]
        try:
            dup = sub.duplicated(keep="first")
        except TypeError:
            dup = as_text(sub).duplicated(keep="first")
        mask[rows[np.flatnonzero(candidate)[dup.to_numpy()]]] = True
    return mask
