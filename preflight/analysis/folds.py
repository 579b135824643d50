"""The fold plan the classification models are fitted on: rows, labels, folds.

One plan per run (``Artifacts.folds``): every ensemble member and the linear model
learnability reads are fitted on the same folds. Above the fit-sample cap (``--sample N``, default
:data:`DEFAULT_SAMPLE`) the folds are built on a seeded, stratified sample; every
other row is dealt to a fold whose model never saw it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from preflight.core.config import Config
from preflight.data.text import as_text

N_FOLDS = 5
# Fit-sample cap: above this many labelled rows the models are fitted on a seeded
# stratified sample and the rest are scored by models that did not see them. 20,000
# rows keep 100k x 20 under a minute on 2 shared cores and cost little accuracy
# (benchmarks/README.md).
DEFAULT_SAMPLE = 20_000


def sample_cap(config: Config) -> int:
    return config.sample if config.sample is not None else DEFAULT_SAMPLE


def encode_labels(y: pd.Series) -> tuple[np.ndarray, np.ndarray, tuple[Any, ...]]:
    """(positions of present labels, class index per such row, class values).

    Classes are sorted as scikit-learn sorts them (numbers numerically, text
    alphabetically), so the columns of a user's ``predict_proba`` line up.
    """
    present = ~y.isna().to_numpy()
    positions = np.flatnonzero(present)
    values = y.iloc[positions]
    try:
        codes, uniques = pd.factorize(values, sort=True)
        classes = tuple(uniques.tolist())
    except TypeError:  # mixed types that cannot be ordered: order by their text
        text = as_text(values)
        codes, uniques_text = pd.factorize(text, sort=True)
        first = {t: v for t, v in zip(text.to_numpy(), values.to_numpy(), strict=True)}
        classes = tuple(first[t] for t in uniques_text)
    if classes and all(isinstance(c, float) and c.is_integer() for c in classes):
        # An integer label column read as float because of missing labels: show 3, not 3.0.
        classes = tuple(int(c) for c in classes)
    return positions, np.asarray(codes, dtype=np.int64), classes


@dataclass(frozen=True)
class Folds:
    """The one fold plan every member is fitted on (``Artifacts.folds``, once per run)."""

    positions: np.ndarray
    labels: np.ndarray
    classes: tuple[Any, ...]
    fit_x: np.ndarray  # the encoded rows of the fit sample, in the order of ``fit``
    rows_of: Callable[[np.ndarray], np.ndarray]  # the encoded matrix of any frame rows
    fit: np.ndarray
    sampled: bool
    folds: int  # 0: no model can be fitted (one class, no features, too few rows)
    plan: list[tuple[np.ndarray, np.ndarray]]

    def x(self, index: np.ndarray, dtype: type = np.float64) -> np.ndarray:
        """The encoded rows of labelled rows ``index`` (sorted indices into ``labels``),
        as ``dtype``: from the fit sample's matrix, or built for rows outside it (the
        models score those batch by batch; no matrix of every row is kept)."""
        slot = np.searchsorted(self.fit, index)
        if self.fit.size and np.array_equal(self.fit[np.minimum(slot, self.fit.size - 1)], index):
            return np.asarray(self.fit_x[slot], dtype=dtype)
        return np.asarray(self.rows_of(self.positions[index]), dtype=dtype)

    @property
    def fold_of(self) -> np.ndarray:
        """The fold whose model scores each labelled row (-1: none, no fold plan)."""
        owner = np.full(self.labels.size, -1, dtype=np.int64)
        for j, (_, score) in enumerate(self.plan):
            owner[score] = j
        return owner

    @property
    def in_fit(self) -> np.ndarray:
        """True for the labelled rows of the fit sample."""
        mask = np.zeros(self.labels.size, dtype=bool)
        mask[self.fit] = True
        return mask


def build_folds(
    y: pd.Series, rows_of: Callable[[np.ndarray], np.ndarray], width: int, cap: int, seed: int
) -> Folds:
    """The fold plan of the rows with a label (``rows_of`` gives the encoded matrix of
    frame rows, ``width`` its columns) and the fit-sample cap; ``folds`` is 0 when no
    model can be fitted."""
    positions, labels, classes = encode_labels(y)
    counts = np.bincount(labels, minlength=len(classes))
    nothing = np.zeros((0, width))
    empty = Folds(positions, labels, classes, nothing, rows_of, np.arange(0), False, 0, [])
    if len(classes) < 2 or width == 0 or counts.max(initial=0) < 2:
        return empty
    fit, sampled = fit_sample(labels, cap, seed)
    folds = int(min(N_FOLDS, fit.size // 2))
    if folds < 2:
        return empty
    plan = fold_plan(labels, fit, folds, seed)
    fit_x = rows_of(positions[fit])
    return Folds(positions, labels, classes, fit_x, rows_of, fit, sampled, folds, plan)


def fit_sample(labels: np.ndarray, cap: int, seed: int) -> tuple[np.ndarray, bool]:
    """Indices (into labels) of the fit sample: all rows, or a stratified sample of ``cap``."""
    n = labels.size
    if n <= cap:
        return np.arange(n), False
    rng = np.random.default_rng(seed)
    counts = np.bincount(labels)
    # Proportional allocation, but every class keeps enough rows to appear in each
    # fold (or all its rows when it has fewer).
    share = counts * cap / n
    quota = np.maximum(np.floor(share).astype(np.int64), np.minimum(counts, 2 * N_FOLDS))
    # Hand the rows floor() left over to the largest remainders, so the sample is cap rows.
    for c in np.argsort(-(share - np.floor(share)), kind="stable"):
        if quota.sum() >= cap:
            break
        if quota[c] < counts[c]:
            quota[c] += 1
    chosen = [rng.permutation(np.flatnonzero(labels == c))[: quota[c]] for c in range(counts.size)]
    return np.sort(np.concatenate(chosen)), True


def fold_plan(
    labels: np.ndarray, fit: np.ndarray, folds: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train indices, indices to score) per fold.

    Stratified by hand rather than with StratifiedKFold so that a class with fewer
    rows than folds does not stop the whole run: its rows are simply spread over
    fewer folds. Rows outside the fit sample are dealt round-robin to the folds.
    """
    rng = np.random.default_rng(seed)
    fold_of = np.full(labels.size, -1, dtype=np.int64)
    offset = 0
    for c in np.unique(labels[fit]):
        members = rng.permutation(fit[labels[fit] == c])
        fold_of[members] = (np.arange(members.size) + offset) % folds
        offset += members.size  # keep fold sizes even across classes
    rest = np.flatnonzero(fold_of < 0)
    if rest.size:
        fold_of[rng.permutation(rest)] = np.arange(rest.size) % folds
    in_fit = np.zeros(labels.size, dtype=bool)
    in_fit[fit] = True
    return [(np.flatnonzero(in_fit & (fold_of != f)), np.flatnonzero(fold_of == f)) for f in range(folds)]
