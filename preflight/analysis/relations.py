"""The row-outlier model's relations: each numeric column predicted linearly from
all the others, with the robust spread of its residual (OL002's second signal)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Robust scores are clipped to this for the covariance and the relations' inputs,
# so the gross errors being looked for cannot shape the metric that finds them.
COV_CLIP = 5.0
# Ridge added to the standardised correlation matrix: keeps the relations defined
# when columns are collinear (one-hot groups, a column that is a sum of others).
RIDGE = 1e-3
# Relations are fitted only with at least this many fit-sample rows per feature.
ROWS_PER_FEATURE = 5
MAX_LEVERAGE = 0.9
_Z75, _Z95 = 0.6745, 1.6449


@dataclass(frozen=True)
class Relations:
    """Each numeric column predicted linearly from all the others (ridge), with the
    robust spread of its residual: a row far off a relation the data obey (perimeter
    against radius, weight against height) breaks it even if each value is typical."""

    columns: np.ndarray  # matrix column indices that are predicted
    mean: np.ndarray  # per matrix column, of the clipped fit sample
    std: np.ndarray
    coef: np.ndarray  # (features, len(columns)): standardised coefficients, 0 on the own column
    center: np.ndarray  # median residual per predicted column
    upper: np.ndarray  # robust sd of the residual above / below the median
    lower: np.ndarray
    leverage: np.ndarray  # of each fit-sample row (in the order of the reference positions)

    def residual_scores(self, block: np.ndarray, leverage: np.ndarray | None = None) -> np.ndarray:
        """|robust z| of each predicted column's residual, rows of ``block``.

        ``leverage`` (fit-sample rows only) turns their in-sample residuals into
        leave-one-out ones, comparable with the residuals of every other row."""
        clipped = (np.clip(block, -COV_CLIP, COV_CLIP) - self.mean) / self.std
        # The predicted column itself is not clipped: a gross error in it must show.
        own = (block[:, self.columns] - self.mean[self.columns]) / self.std[self.columns]
        d = own - clipped @ self.coef
        if leverage is not None:
            d = d / (1.0 - leverage)[:, None]
        d = d - self.center
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(d >= 0, d / self.upper, -d / self.lower)
        return np.asarray(np.nan_to_num(z, nan=0.0, posinf=0.0), dtype=float)


def fit_relations(matrix: np.ndarray, numeric: np.ndarray, reference: np.ndarray) -> Relations | None:
    # Too few fit rows per feature and the regressions would fit noise.
    if numeric.size == 0 or matrix.shape[1] < 2 or reference.size < ROWS_PER_FEATURE * matrix.shape[1]:
        return None
    ref = np.clip(matrix[reference], -COV_CLIP, COV_CLIP)
    mean = ref.mean(axis=0)
    std = ref.std(axis=0)
    std[std == 0] = 1.0
    z = (ref - mean) / std
    # Ridge through the precision matrix of the standardised sample: column j's
    # regression on the others has coefficients -P[j, i] / P[j, j].
    corr = z.T @ z / len(z) + RIDGE * np.eye(z.shape[1])
    precision = np.linalg.inv(corr)
    coef = -precision[:, numeric] / np.diag(precision)[numeric]
    coef[numeric, np.arange(numeric.size)] = 0.0
    clipped = (np.clip(matrix[reference], -COV_CLIP, COV_CLIP) - mean) / std
    own = (matrix[reference][:, numeric] - mean[numeric]) / std[numeric]
    # Leave-one-out residuals (r / (1 - h), h from the full design): the spread the
    # rows outside the sample are judged against, not the in-sample one.
    leverage = np.minimum(np.einsum("ij,jk,ik->i", z, precision, z) / len(z), MAX_LEVERAGE)
    signed = (own - clipped @ coef) / (1.0 - leverage)[:, None]
    q05, q25, q50, q75, q95 = np.quantile(signed, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    upper = np.maximum((q75 - q50) / _Z75, (q95 - q50) / _Z95)
    lower = np.maximum((q50 - q25) / _Z75, (q50 - q05) / _Z95)
    # A column predicted exactly (a sum of others) has no spread: leave it out.
    keep = (upper > 0) & (lower > 0)
    if not keep.any():
        return None
    return Relations(numeric[keep], mean, std, coef[:, keep], q50[keep], upper[keep], lower[keep], leverage)
