"""Conflicting labels: groups of identical feature rows whose labels disagree.

Shared by the fit-ceiling check (CP) and the conflicting-labels check (LB), so the
grouping is done once per run (``Artifacts.conflict_groups``).

"Identical" means equal in every feature column as read (id columns and the
target left out), with missing cells equal to each other. Rows whose target is
missing take no part: they have no label to disagree with.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from preflight.data.dataset import Dataset
from preflight.data.hashing import repeat_candidates, row_hashes
from preflight.data.text import as_text


def find_conflict_groups(dataset: Dataset) -> list[np.ndarray]:
    """Every group of identical feature rows with more than one distinct label.

    Each array holds the sorted 0-based row positions of one group; the groups are
    ordered by their first position. Empty without a target or without features.
    Not memoised (``Artifacts.conflict_groups`` is).
    """
    if dataset.target is None or not dataset.features:
        return []
    y = dataset.y
    labelled = ~y.isna().to_numpy()
    features = dataset.frame.loc[labelled, list(dataset.features)]
    if len(features) < 2:
        return []
    # Rows that repeat no other row on some feature cannot be in a group: hash whole
    # rows only for the rest (the same candidates as hashing every row).
    rows = repeat_candidates(features)
    if rows.size < 2:
        return []
    features = features.iloc[rows] if rows.size < len(features) else features
    hashes = row_hashes(features)
    # Equal 64-bit hashes are only candidates; the groupby below confirms equality
    # on the values themselves, so a hash collision can never make a false group.
    candidate = hashes.duplicated(keep=False).to_numpy()
    if not candidate.any():
        return []
    sub = features.loc[candidate]
    group_ids = _equal_row_ids(sub)
    labels = y.loc[sub.index]
    # Vectorised over groups (there may be hundreds of thousands): a group conflicts
    # when it holds more than one distinct label.
    pairs = pd.DataFrame({"group": group_ids, "label": _label_codes(labels)})
    distinct = pairs.drop_duplicates().groupby("group").size()
    conflicting = distinct.index[distinct.to_numpy() > 1].to_numpy()
    if conflicting.size == 0:
        return []
    in_conflict = np.isin(group_ids, conflicting)
    rows = sub.index.to_numpy()[in_conflict]
    ids = group_ids[in_conflict]
    order = np.lexsort((rows, ids))
    rows, ids = rows[order], ids[order]
    bounds = np.flatnonzero(np.diff(ids)) + 1
    out = [np.asarray(g, dtype=np.int64) for g in np.split(rows, bounds)]
    out.sort(key=lambda g: int(g[0]))
    return out


def _equal_row_ids(frame: pd.DataFrame) -> np.ndarray:
    """A group number for each row; rows get the same number only when exactly equal."""
    try:
        grouped = frame.groupby(list(frame.columns), dropna=False, sort=False, observed=True)
        return np.asarray(grouped.ngroup().to_numpy(), dtype=np.int64)
    except TypeError:  # unhashable cells: compare their text form
        text = as_text(frame)
        return np.asarray(text.groupby(list(text.columns), dropna=False, sort=False).ngroup().to_numpy())


def _label_codes(labels: pd.Series) -> np.ndarray:
    try:
        codes, _ = pd.factorize(labels)
    except TypeError:  # unhashable labels
        codes, _ = pd.factorize(labels.map(repr))
    return np.asarray(codes, dtype=np.int64)
