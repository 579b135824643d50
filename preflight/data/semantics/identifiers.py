"""Evidence that a column names rows instead of describing them.

An identifier is never a feature: a model memorises it, and a counter encodes the order
rows were collected in. The evidence, strongest first: UUIDs; integers that count the
rows (in order, or a shuffled run of consecutive integers); a counter that restarts in
each group of rows (``Sample Number`` 1, 2, 3 per species); unique short codes; unique
or near-unique names (spaces allowed: passengers, districts, car models); and a name like
``id``/``key``/``number`` backed by values that are mostly distinct.
"""

from __future__ import annotations

import re

import numpy as np

from preflight.data.profile import ColumnProfile

_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_ID_NAME = re.compile(
    r"(^|[_\s.-])(id|uuid|guid|key|index|idx|number|no|pid)$|^(id|uuid|guid|index|rownames|unnamed: ?0)$"
    r"|(^|[_\s.-])id([_\s.-]|$)",
    re.I,
)

# Below these a column is too small to tell a key from chance.
MIN_ROWS = 20
# Distinct share among present values at which a column counts as unique per row
# (below 1 so that a few duplicated rows do not hide a key).
UNIQUE_SHARE = 0.98
# A name-hinted column is a key when at least this share of its values is distinct
# (``Individual ID`` in penguins-raw: each bird appears once or twice, 55%).
NAMED_SHARE = 0.5
# Near-unique names: multi-word strings, most distinct (car models 77%, districts 97%).
NAME_SHARE = 0.6
# Longer strings are free text or labels, not codes (see free_text).
MAX_CODE_LENGTH = 40
MAX_NAME_WORDS = 6
# Counters that restart but never pass 31 are calendar fields (day of month, hour).
CALENDAR_MAX = 31


def named_like_id(name: str) -> bool:
    return bool(_ID_NAME.search(name.strip()))


def identifier_evidence(col: ColumnProfile) -> tuple[str, float] | None:
    """Why ``col`` is an identifier, with a confidence; None when it is not one."""
    if col.n_present < MIN_ROWS:
        return None
    if col.kind == "numeric":
        return _numeric(col)
    if col.kind in ("string", "categorical"):
        return _strings(col)
    return None


def _numeric(col: ColumnProfile) -> tuple[str, float] | None:
    if not col.is_integral:
        return None  # measurements, not keys
    values = col.finite
    named = named_like_id(col.name)
    counter = _group_counter(values)
    if counter is not None:
        return counter
    if col.n_unique < UNIQUE_SHARE * col.n_present:
        if named and col.n_unique >= NAMED_SHARE * col.n_present:
            return f"named like an id, {col.n_unique} distinct values in {col.n_present} rows", 0.7
        return None
    diffs = np.diff(values)
    if not col.n_missing and diffs.size and (np.all(diffs > 0) or np.all(diffs < 0)):
        order = "increasing" if diffs[0] > 0 else "decreasing"
        return f"unique integers in {order} row order (a row counter)", 0.95
    if values.max() - values.min() + 1 == col.n_unique:
        return "unique consecutive integers (a shuffled row counter)", 0.9
    if named:
        return "unique integers, named like an id", 0.9
    return None


def _group_counter(values: np.ndarray) -> tuple[str, float] | None:
    """A counter that restarts in each group of rows: every step is +1 or a jump back
    to the start value, with at least two restarts and runs longer than a few rows."""
    if values.size < MIN_ROWS:
        return None
    start = values.min()
    diffs = np.diff(values)
    restarts = np.flatnonzero(diffs != 1)
    if restarts.size == 0 or restarts.size > values.size // 5:
        return None
    if not np.all(values[restarts + 1] == start) or values[0] != start:
        return None
    runs = restarts.size + 1
    lengths = np.diff(np.concatenate(([0], restarts + 1, [values.size])))
    if lengths.max() <= CALENDAR_MAX:
        return None  # day of month, hour, month: a time field that restarts, not a key
    return f"counts {start:g}, {start + 1:g}, {start + 2:g}, … again in each of {runs} runs of rows", 0.85


def _strings(col: ColumnProfile) -> tuple[str, float] | None:
    strings = [v for v in col.value_counts.index[:1000] if isinstance(v, str)]
    if not strings:
        return None
    share = col.n_unique / col.n_present
    named = named_like_id(col.name)
    if share >= UNIQUE_SHARE:
        if sum(bool(_UUID.match(s)) for s in strings) >= 0.9 * len(strings):
            return "unique UUIDs", 0.99
        if named:
            return "unique per row, named like an id", 0.95
        lengths = np.array([len(s) for s in strings])
        spaced = sum(" " in s.strip() for s in strings)
        if lengths.max() <= MAX_CODE_LENGTH and spaced <= 0.1 * len(strings):
            return "a unique short code in every row", 0.9
    if share >= NAME_SHARE and _name_like(strings):
        return (
            f"names: {col.n_unique} distinct in {col.n_present} rows",
            0.8 if share >= UNIQUE_SHARE else 0.7,
        )
    if named and share >= NAMED_SHARE:
        return f"named like an id, {col.n_unique} distinct values in {col.n_present} rows", 0.7
    return None


def _name_like(strings: list[str]) -> bool:
    """Short strings that are not sentences: names of people, places or models
    ("chevrolet chevelle malibu", "Westside Union Elementary", "Allen, Miss. Elisabeth
    Walton"). Up to three words whatever the case; up to six when capitalised (names
    are, sentences mostly are not); a single word only when capitalised (a surname)."""
    words = float(np.median([len(s.split()) for s in strings]))
    sentences = sum(s.rstrip().endswith((".", "!", "?")) for s in strings)
    if sentences > 0.2 * len(strings):
        return False
    capitalised = sum(s[:1].isupper() for s in strings) >= 0.8 * len(strings)
    if capitalised:
        return words <= MAX_NAME_WORDS
    return 2 <= words <= 3
