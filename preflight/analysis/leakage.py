"""Statistics of the label-leakage check (LB003): one feature against the target.

The one-feature models: each feature binned (quantile bins, categories, missing as
its own code) and the majority label (or mean) of each bin scored out of fold, with
a seeded screen on large files. The copy-and-recoding tests are
:mod:`preflight.analysis.leakage_copies`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from preflight.data.profile import ColumnProfile
from preflight.data.text import as_text

N_FOLDS = 5
# Screening of the one-feature models on large files (docs/limits.md). With more
# than SCREEN_ROWS labelled rows, each feature is first scored on a seeded uniform
# sample of SCREEN_ROWS of them; only a feature scoring within SCREEN_MARGIN of the
# lowest threshold (id-score or max-single-score) is scored again on every row, and
# that full score decides, so every reported score is computed on all rows. A leak
# is missed only if its sample score falls SCREEN_MARGIN below its full score. The
# screen is used only when each class has at least SCREEN_MIN_CLASS sampled rows
# (a class recall's sampling standard deviation is then at most 0.5/sqrt(2000) =
# 0.011, so the margin is 9 of them), and for a regression target only when the
# sample's target variance is within a factor 2 of the full one (heavy tails that
# the sample misses would make its R² incomparable).
SCREEN_ROWS = 100_000
SCREEN_MARGIN = 0.1
SCREEN_MIN_CLASS = 2_000


@dataclass(frozen=True)
class Target:
    codes: np.ndarray  # class index per row (classification); -1 where missing
    values: np.ndarray  # float target per row (regression); NaN where missing
    k: int
    classification: bool
    present: np.ndarray  # rows with a target

    @cached_property
    def n_present(self) -> int:
        return int(self.present.sum())

    @cached_property
    def ranks(self) -> np.ndarray:
        """Average ranks of the regression target over the rows that have one."""
        return average_ranks(self.values[self.present])


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks (ties share their mean rank), as ``Series.rank()`` gives them."""
    out: np.ndarray = pd.Series(values).rank().to_numpy()
    return out


def hashable(s: pd.Series) -> pd.Series:
    if s.dtype != object:
        return s  # typed columns (numbers, strings, categories) hold hashable values
    try:
        s.map(hash)
        return s
    except TypeError:
        return as_text(s)


@dataclass(frozen=True)
class Screen:
    rows: np.ndarray  # sorted sampled row positions, each with a target
    target: Target  # the target restricted to those rows
    folds: np.ndarray  # their folds (the full run's fold of each row)


def encode_target(
    y: pd.Series, classification: bool, labels: tuple[np.ndarray, pd.Index] | None = None
) -> Target:
    present = ~y.isna().to_numpy()
    codes = np.full(len(y), -1, dtype=np.int64)
    values = np.full(len(y), np.nan)
    k = 0
    if classification and labels is not None:
        # A typed target's factorization (the profile's) numbers the classes the same
        # way, in order of first appearance, with -1 where missing.
        codes, uniques = np.asarray(labels[0], dtype=np.int64), labels[1]
        k = len(uniques)
    elif classification:
        c, uniques = pd.factorize(hashable(y[present]))
        codes[present] = c
        k = len(uniques)
    else:
        values = pd.to_numeric(y, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        present &= np.isfinite(values)
    return Target(codes, values, k, classification, present)


def screen_sample(target: Target, folds: np.ndarray, seed: int) -> Screen | None:
    """The seeded row sample the one-feature models are screened on, or None when
    every row is scored directly (small files, rare classes, heavy-tailed targets)."""
    labelled = np.flatnonzero(target.present)
    if labelled.size <= SCREEN_ROWS:
        return None
    rng = np.random.default_rng([seed, 3])  # a stream of its own, apart from the folds
    rows = np.sort(rng.choice(labelled, SCREEN_ROWS, replace=False))
    sub = Target(
        codes=target.codes[rows],
        values=target.values[rows],
        k=target.k,
        classification=target.classification,
        present=np.ones(rows.size, dtype=bool),
    )
    if target.classification:
        if np.bincount(sub.codes, minlength=target.k).min() < SCREEN_MIN_CLASS:
            return None
    else:
        full, part = float(np.var(target.values[labelled])), float(np.var(sub.values))
        if not (full > 0 and 0.5 <= part / full <= 2.0):
            return None
    return Screen(rows=rows, target=sub, folds=folds[rows])


def bin_codes(col: ColumnProfile, bins: int, rows: np.ndarray | None = None) -> np.ndarray | None:
    """One small integer per row (of ``rows``, or every row): a quantile bin or a
    category; missing is its own code. Bin edges are the column's (all rows')."""

    def cells() -> pd.Series:
        return col.series if rows is None else col.series.iloc[rows]

    if col.kind in ("numeric", "boolean"):
        if col.n_missing == 0:  # the profile's float copy, shared
            values = col.values if rows is None else col.values[rows]
        else:
            values = cells().to_numpy(dtype=float, na_value=np.nan)
        few = not col.distinct_exceeds(bins)
        if few and rows is not None:
            # A value per code; which code a value gets does not change the score
            # (bins are only grouped), so a hash pass replaces np.unique's sort.
            codes: np.ndarray = np.asarray(pd.factorize(values, use_na_sentinel=True)[0], dtype=np.int64)
            codes[~np.isfinite(values)] = -1
            codes[codes < 0] = codes.max(initial=0) + 1
            return codes
        # The finite values are the profile's: its quantile grid holds the default edges.
        edges = col.quantiles_at(np.linspace(0, 1, bins + 1)[1:-1])
        return quantile_codes(values, bins, few=few, edges=edges)
    if col.kind == "datetime":
        stamps = pd.to_datetime(cells(), errors="coerce", utc=True)
        seconds = (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
        few = not col.distinct_exceeds(bins)
        return quantile_codes(seconds.to_numpy(dtype=float, na_value=np.nan), bins, few=few)
    if col.kind in ("string", "categorical", "mixed"):
        missing = col.missing_mask if rows is None else col.missing_mask[rows]
        if col.n_unique > bins and col.n_unique > 0.5 * max(col.n_present, 1):
            # Mostly unique text (codes, ids): its sort order is what can leak (a file
            # sorted by label with ids counting up), so bin the rank, not the values.
            text = as_text(cells()).where(~missing)
            return quantile_codes(text.rank(method="dense").to_numpy(dtype=float, na_value=np.nan), bins)
        if rows is not None and isinstance(col.series.dtype, pd.StringDtype):
            # Typed text is its own text form: the profile's codes, cut to the rows,
            # name the same categories (codes of unsampled values go unused).
            cut: np.ndarray = col.factorized[0][rows].astype(np.int64)
            cut[cut < 0] = cut.max(initial=0) + 1
            return cut
        text = as_text(cells()).where(~missing)
        c, _ = pd.factorize(text, use_na_sentinel=True)
        c = np.asarray(c, dtype=np.int64)
        c[c < 0] = c.max(initial=0) + 1
        return c
    return None


def quantile_codes(
    values: np.ndarray, bins: int, few: bool = False, edges: np.ndarray | None = None
) -> np.ndarray:
    """Bin codes of ``values`` at its ``bins`` quantiles (``edges``: those quantiles, if known)."""
    codes = np.zeros(values.size, dtype=np.int64)
    finite = np.isfinite(values)
    if few:
        _, inv = np.unique(values[finite], return_inverse=True)
        codes[finite] = inv
    elif finite.any():
        # values[finite] is a temporary: let np.quantile partition it in place (no copy).
        if edges is None:
            probabilities = np.linspace(0, 1, bins + 1)[1:-1]
            edges = np.quantile(values[finite], probabilities, overwrite_input=True)
        edges = np.unique(edges)
        codes[finite] = edges_at_or_below(edges, values[finite])
    codes[~finite] = codes.max(initial=0) + 1
    return codes


def edges_at_or_below(edges: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``np.searchsorted(edges, values, side="right")`` for a few sorted edges.

    One vectorised comparison per edge, block by block so each block stays in
    cache: several times faster than a binary search per value, whose branches the
    processor cannot predict on shuffled data. The same integers.
    """
    out = np.empty(values.size, dtype=np.int64)
    block = 1 << 16
    count = np.empty(min(block, values.size), dtype=np.int32)
    above = np.empty(min(block, values.size), dtype=bool)
    for start in range(0, values.size, block):
        chunk = values[start : start + block]
        c, a = count[: chunk.size], above[: chunk.size]
        c[:] = 0
        for edge in edges:
            np.greater_equal(chunk, edge, out=a)
            c += a
        out[start : start + chunk.size] = c
    return out


def one_feature_score(codes: np.ndarray, target: Target, folds: np.ndarray) -> float:
    """Out-of-fold score of predicting the target from ``codes`` alone (bin majority or mean)."""
    rows = np.flatnonzero(target.present)
    if rows.size < codes.size:  # every row has a target: no copies needed
        codes, f = codes[rows], folds[rows]
    else:
        f = folds
    nb = int(codes.max(initial=0)) + 1
    if target.classification:
        y = target.codes[rows] if rows.size < target.codes.size else target.codes
        k = target.k
        # One contingency table per fold in a single bincount; a fold's training table
        # is the total minus its own (integer counts: exact, and one pass, not five).
        index = codes * (N_FOLDS * k) + (f * k + y)
        per_fold = np.bincount(index, minlength=nb * N_FOLDS * k).reshape(nb, N_FOLDS, k).transpose(1, 0, 2)
        total = per_fold.sum(axis=0)
        labels_total = total.sum(axis=0)
        fold_rows = per_fold.sum(axis=(1, 2))
        best_per_fold = np.zeros((N_FOLDS, nb), dtype=np.int64)
        for fold in range(N_FOLDS):
            if fold_rows[fold] == 0 or fold_rows[fold] == rows.size:
                continue  # no test rows, or no training rows
            table = total - per_fold[fold]
            majority = int((labels_total - per_fold[fold].sum(axis=0)).argmax())
            best = table.argmax(axis=1)
            best[table.sum(axis=1) == 0] = majority
            best_per_fold[fold] = best
        # Correct predictions per class, read off the tables: a test row of bin b in
        # a fold is right when its label is that fold's best label for b.
        hits = np.take_along_axis(per_fold, best_per_fold[:, :, None], axis=2)[:, :, 0]
        correct = np.bincount(best_per_fold.ravel(), weights=hits.ravel(), minlength=k)
        recalls = [float(correct[c] / labels_total[c]) for c in range(k) if labels_total[c]]
        return float(np.mean(recalls))
    yv = target.values[rows] if rows.size < target.values.size else target.values
    # Every fold's training sums and counts per bin from one pair of bincounts: the
    # training table is the total minus the fold's own (as for classification).
    index = codes * N_FOLDS + f
    sums = np.bincount(index, weights=yv, minlength=nb * N_FOLDS).reshape(nb, N_FOLDS)
    counts = np.bincount(index, minlength=nb * N_FOLDS).reshape(nb, N_FOLDS)
    train_sums = sums.sum(axis=1, keepdims=True) - sums
    train_counts = counts.sum(axis=1, keepdims=True) - counts
    fold_rows = counts.sum(axis=0)
    # A bin no training row fell in predicts the fold's training mean.
    fallback = (yv.sum() - sums.sum(axis=0)) / np.maximum(rows.size - fold_rows, 1)
    means = np.where(train_counts > 0, train_sums / np.maximum(train_counts, 1), fallback)
    predv = means[codes, f]
    sst = float(np.sum((yv - yv.mean()) ** 2))
    return 1.0 - float(np.sum((yv - predv) ** 2)) / sst if sst > 0 else 0.0
