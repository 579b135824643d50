"""Scores and a permutation test shared by the capacity checks.

"Better than chance" is judged by shuffling the labels against fixed out-of-fold
predictions: no refitting, so it costs milliseconds, and it asks exactly whether
the predictions carry information about the labels.
"""

from __future__ import annotations

import numpy as np

# The permutation test looks at no more rows than this (a seeded subset): its
# p-value is already far below any threshold long before that many rows.
MAX_TEST_ROWS = 20_000


def balanced_accuracy(labels: np.ndarray, predicted: np.ndarray, n_classes: int) -> float:
    """Mean recall over the classes present in ``labels`` (int class indices)."""
    support = np.bincount(labels, minlength=n_classes)
    hits = np.bincount(labels[labels == predicted], minlength=n_classes)
    present = support > 0
    return float(np.mean(hits[present] / support[present]))


def correlation(y: np.ndarray, predicted: np.ndarray) -> float:
    """Pearson correlation; 0 when either side is constant."""
    ys = y - y.mean()
    ps = predicted - predicted.mean()
    denom = float(np.sqrt((ys * ys).sum() * (ps * ps).sum()))
    return float((ys * ps).sum() / denom) if denom > 0 else 0.0


def r2(y: np.ndarray, predicted: np.ndarray) -> float:
    """Coefficient of determination against the mean (0 for a constant target)."""
    total = float(((y - y.mean()) ** 2).sum())
    return 1.0 - float(((y - predicted) ** 2).sum()) / total if total > 0 else 0.0


def permutation_p_value(
    y: np.ndarray,
    predicted: np.ndarray,
    *,
    classification: bool,
    n_classes: int = 0,
    n_permutations: int = 1000,
    seed: int = 0,
) -> float:
    """One-sided p-value that ``predicted`` agrees with ``y`` better than chance.

    The statistic is balanced accuracy (classification) or Pearson correlation
    (regression); the null distribution comes from shuffling ``y``.
    """
    rng = np.random.default_rng(seed)
    if len(y) > MAX_TEST_ROWS:
        keep = rng.choice(len(y), size=MAX_TEST_ROWS, replace=False)
        y, predicted = y[keep], predicted[keep]

    def stat(values: np.ndarray) -> float:
        if classification:
            return balanced_accuracy(values, predicted, n_classes)
        return correlation(values, predicted)

    observed = stat(y)
    # A tiny tolerance so float ties with the observed value count as "as good".
    tol = 1e-12
    beaten = sum(stat(rng.permutation(y)) >= observed - tol for _ in range(n_permutations))
    return (1 + beaten) / (1 + n_permutations)
