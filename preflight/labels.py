"""Conflicting labels: identical feature rows that carry different labels.

Shared by the label checks (LB002 lists the groups) and the capacity checks (the
fit ceiling: no model can fit every row of a group whose labels disagree), so the
grouping is computed once per run through :meth:`Context.shared`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from preflight.check import Context


@dataclass(frozen=True)
class LabelConflicts:
    """Groups of rows with identical features and more than one distinct label.

    ``groups`` holds the 0-based row positions of each group (sorted), largest group
    first; only rows with a present target take part. ``unavoidable_errors`` is how
    many rows any model must get wrong on the training data: in each group, every
    row outside its most common label.
    """

    groups: tuple[np.ndarray, ...]
    labels: tuple[tuple[object, ...], ...]  # the distinct labels of each group, most common first
    unavoidable_errors: int
    rows_considered: int  # rows with a present target (the denominator of shares)

    @property
    def rows_in_conflict(self) -> int:
        return int(sum(len(g) for g in self.groups))

    @property
    def fit_ceiling(self) -> float:
        """The best training accuracy any model can reach on these rows."""
        if self.rows_considered == 0:
            return 1.0
        return 1.0 - self.unavoidable_errors / self.rows_considered


def label_conflicts(ctx: Context) -> LabelConflicts:
    """The run's conflicting-label groups (computed once; needs a target)."""
    ds = ctx.dataset

    def build() -> LabelConflicts:
        assert ds.target is not None
        return find_label_conflicts(ds.frame, ds.features, ds.target)

    return ctx.shared("label_conflicts", build)


def _row_hashes(frame: pd.DataFrame) -> np.ndarray:
    # The same hashing as the duplicate-row check: equal rows (NaN included) hash equal.
    try:
        hashes = pd.util.hash_pandas_object(frame, index=False)
    except TypeError:  # unhashable cells (lists, dicts): hash their text form
        hashes = pd.util.hash_pandas_object(frame.astype(str), index=False)
    return np.asarray(hashes.to_numpy(), dtype=np.uint64)


def find_label_conflicts(frame: pd.DataFrame, features: Sequence[str], target: str) -> LabelConflicts:
    """Group rows of ``frame`` whose ``features`` are identical but whose ``target`` differs."""
    y = frame[target]
    present = np.flatnonzero(~y.isna().to_numpy())
    if not features or present.size < 2:
        return LabelConflicts((), (), 0, int(present.size))
    feats = frame[list(features)].iloc[present]
    hashes = _row_hashes(feats)
    label_text = y.iloc[present].astype(str).to_numpy()
    # Candidates: hash groups with more than one row and more than one label.
    table = pd.DataFrame({"h": hashes, "y": label_text})
    n_labels = table.groupby("h", sort=False)["y"].transform("nunique").to_numpy()
    candidate = np.flatnonzero(n_labels > 1)
    if candidate.size == 0:
        return LabelConflicts((), (), 0, int(present.size))
    # Confirm on the values themselves, so a 64-bit hash collision never joins rows.
    sub = feats.iloc[candidate]
    try:
        keys = sub.groupby(list(sub.columns), dropna=False, sort=False).ngroup().to_numpy()
    except TypeError:
        text = sub.astype(str)
        keys = text.groupby(list(text.columns), dropna=False, sort=False).ngroup().to_numpy()
    groups: list[np.ndarray] = []
    labels: list[tuple[object, ...]] = []
    unavoidable = 0
    y_values = y.to_numpy()
    order = np.argsort(keys, kind="stable")
    bounds = np.flatnonzero(np.diff(keys[order])) + 1
    for members in np.split(order, bounds):
        rows = present[candidate[members]]
        counts = pd.Series(label_text[candidate[members]]).value_counts(sort=True)
        if len(counts) < 2:
            continue
        rows = np.sort(rows)
        groups.append(rows)
        # The original label values, most common first.
        first = {t: y_values[r] for r, t in zip(rows, y.iloc[rows].astype(str).to_numpy(), strict=True)}
        labels.append(tuple(first[t] for t in counts.index))
        unavoidable += int(len(rows) - counts.iloc[0])
    ranked = sorted(range(len(groups)), key=lambda i: (-len(groups[i]), int(groups[i][0])))
    return LabelConflicts(
        groups=tuple(groups[i] for i in ranked),
        labels=tuple(labels[i] for i in ranked),
        unavoidable_errors=unavoidable,
        rows_considered=int(present.size),
    )
