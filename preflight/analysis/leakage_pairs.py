"""Leaks no single column shows (LB003): the target rebuilt from two features, and a
value recorded only for one outcome.

- *two features*: a regression target that is an exact linear function of two
  features (a price that is the midpoint of the minimum and maximum price), or, for
  positive columns, of their logs (a ratio or a product: ``y = a * x1 / x2``). Least
  squares with an intercept, each of the :data:`TOP` features most correlated with
  the target paired with the feature that best explains what it leaves (on the log
  scale too): three parameters on at least 30 rows cannot reach an R² of 0.9999 by
  chance.
- *zero or not*: whether a numeric feature is zero, alone, predicting the class (a
  spend amount that exists only for card holders): scored like a missingness leak.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from preflight.data.profile import ColumnProfile

# Features (by |correlation| with the target) whose pairs are fitted.
TOP = 10


@dataclass(frozen=True)
class PairFit:
    """``target ~ a * x1 + b * x2 + c`` (``scale`` "linear") or the same on logs ("log")."""

    columns: tuple[str, str]
    scale: str
    r2: float
    coef: tuple[float, float, float]  # a, b, c


def _r2(design: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    resid = y - design @ coef
    total = float(np.sum((y - y.mean()) ** 2))
    return (1.0 - float(np.sum(resid**2)) / total if total > 0 else 0.0), coef


def _log(x: np.ndarray) -> np.ndarray:
    """log x where x > 0, NaN elsewhere."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out: np.ndarray = np.where(x > 0, np.log(np.where(x > 0, x, 1.0)), np.nan)
    return out


def best_pair(
    columns: list[ColumnProfile], target: np.ndarray, *, min_r2: float, min_rows: int, exclude: set[str]
) -> PairFit | None:
    """The pair of numeric features that rebuilds ``target`` best, if at or above ``min_r2``.

    The first feature is one of the :data:`TOP` most correlated with the target; its
    partner is the feature most correlated with what the first leaves unexplained (a
    divisor can be uncorrelated with the target on its own)."""
    best: PairFit | None = None
    for scale, transform in (("linear", _same), ("log", _log)):
        y = transform(target)
        names: list[str] = []
        values: list[np.ndarray] = []
        for col in columns:
            if col.kind != "numeric" or col.name in exclude or not col.distinct_exceeds(2):
                continue
            x = transform(col.series.to_numpy(dtype=float, na_value=np.nan))
            rows = np.isfinite(x) & np.isfinite(y)
            if rows.sum() >= min_rows and np.std(x[rows]) > 0:
                names.append(col.name)
                values.append(x)
        if len(names) < 2 or np.isfinite(y).sum() < min_rows or np.nanstd(y) == 0:
            continue
        # Screening on mean-filled copies (the fits below use exact rows only).
        keep = np.isfinite(y)
        yk = y[keep]
        matrix = np.column_stack(
            [np.where(np.isfinite(v[keep]), v[keep], np.nanmean(v[keep])) for v in values]
        )
        order = np.argsort(-np.abs(_correlations(matrix, yk)), kind="stable")[:TOP]
        for i in order.tolist():
            slope, intercept = np.polyfit(matrix[:, i], yk, 1)
            partner_scores = np.abs(_correlations(matrix, yk - (slope * matrix[:, i] + intercept)))
            partner_scores[i] = -1.0
            j = int(np.argmax(partner_scores))
            x1, x2 = values[i], values[j]
            rows = np.isfinite(x1) & np.isfinite(x2) & np.isfinite(y)
            if rows.sum() < min_rows:
                continue
            design = np.column_stack([x1[rows], x2[rows], np.ones(int(rows.sum()))])
            r2, coef = _r2(design, y[rows])
            if r2 >= min_r2 and (best is None or r2 > best.r2):
                best = PairFit(
                    (names[i], names[j]), scale, r2, (float(coef[0]), float(coef[1]), float(coef[2]))
                )
    return best


def _same(x: np.ndarray) -> np.ndarray:
    return x


def _correlations(matrix: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Pearson correlation of each column of ``matrix`` with ``y`` (0 for a constant)."""
    centred = matrix - matrix.mean(axis=0)
    yc = y - y.mean()
    with np.errstate(divide="ignore", invalid="ignore"):
        out = centred.T @ yc / (np.sqrt((centred**2).sum(axis=0)) * np.sqrt((yc**2).sum()))
    result: np.ndarray = np.nan_to_num(out, nan=0.0)
    return result


def zero_codes(col: ColumnProfile) -> np.ndarray | None:
    """1 where a numeric feature is exactly zero, 0 where it holds another value, 2 where
    missing; None when zeros are absent or almost everywhere (no split to test)."""
    if col.kind != "numeric" or col.min is None or col.max is None or col.min > 0 or col.max < 0:
        return None  # no zero: the cached range says so without a pass
    x = col.series.to_numpy(dtype=float, na_value=np.nan)
    zero = x == 0
    share = float(zero.mean()) if x.size else 0.0
    if not 0.01 <= share <= 0.99:
        return None
    codes: np.ndarray = zero.astype(np.int64)
    codes[np.isnan(x)] = 2
    return codes
