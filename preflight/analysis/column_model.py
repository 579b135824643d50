"""A skew-aware robust model of one numeric column, shared by OL001 and OL002.

Each column is judged on the scale where its bulk is symmetric: a power
transform (Box-Cox for positive columns, a shifted log family for columns with
zeros) chosen from the column's cached quantiles, so a log-normal column is judged
on the log scale. On that scale a value's score is its distance from the median in
robust standard deviations, measured separately above and below the median from
the quartiles (a normal distribution has quartiles 0.6745 sigma from its median).

Everything is computed from the profile's cached quantiles (robust to a few
percent of gross errors, which move quantiles hardly at all) and is cheap to
apply to millions of rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from preflight.data.profile import ColumnProfile, Profile

# Quantile of the standard normal at 0.75 and 0.95: turns a quantile's
# distance from the median into one standard deviation of a normal bulk.
_Z75, _Z95 = 0.6745, 1.6449
# Power exponents tried, from linear (1) to log (0).
LAMBDAS: tuple[float, ...] = (1.0, 0.75, 0.5, 0.25, 0.0)
# Keep the raw scale when its 5%-50%-95% skewness is already this small.
SYMMETRIC_ENOUGH = 0.1
# Columns with fewer present values than this are not modelled (too few to judge).
MIN_VALUES = 20


@dataclass(frozen=True)
class ColumnModel:
    """How one column is scored: ``t = T(x)``, score = ``(t - center) / scale_side``."""

    name: str
    family: str  # "linear", "box-cox" (x > 0) or "log1p" (x >= 0 with zeros)
    lam: float  # power exponent; 0 means log
    shift: float  # x is divided by this before the transform (the median), 1 for linear
    center: float  # T(median)
    upper: float  # robust sd above the median on the transformed scale (0: not judged)
    lower: float  # robust sd below the median (0: not judged)

    @property
    def scale_name(self) -> str:
        if self.family == "linear":
            return "linear"
        if self.lam == 0.0:
            return "log" if self.family == "box-cox" else "log(1 + x)"
        return f"power {self.lam:g}"

    def transform(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.family == "linear":
                return np.asarray(x, dtype=float)
            base = x / self.shift if self.family == "box-cox" else 1.0 + x / self.shift
            if self.lam == 0.0:
                return np.asarray(np.log(base), dtype=float)
            return np.asarray((base**self.lam - 1.0) / self.lam, dtype=float)

    def inverse(self, t: float) -> float | None:
        """The raw value at transformed value ``t``; None if no raw value maps there."""
        if self.family == "linear":
            return t
        if self.lam == 0.0:
            base = float(np.exp(t))
        else:
            inner = 1.0 + self.lam * t
            if inner <= 0.0:
                return None
            base = inner ** (1.0 / self.lam)
        return base * self.shift if self.family == "box-cox" else (base - 1.0) * self.shift

    def scores(self, x: np.ndarray) -> np.ndarray:
        """Signed robust scores (positive above the median); NaN for missing/inf cells."""
        t = self.transform(np.where(np.isfinite(x), x, np.nan))
        d = t - self.center
        with np.errstate(invalid="ignore", divide="ignore"):
            up = d / self.upper if self.upper > 0 else np.zeros_like(d)
            lo = d / self.lower if self.lower > 0 else np.zeros_like(d)
        out = np.where(d >= 0, up, lo)
        return np.where(np.isnan(t), np.nan, out)

    def fences(self, threshold: float) -> tuple[float | None, float | None]:
        """Raw-unit (lower, upper) bounds ``threshold`` robust sds from the median.

        None on a side that is not judged or that no raw value can cross."""
        lower = self.inverse(self.center - threshold * self.lower) if self.lower > 0 else None
        upper = self.inverse(self.center + threshold * self.upper) if self.upper > 0 else None
        if lower is not None and self.family != "linear" and lower <= 0.0:
            lower = None  # a positive column cannot fall below zero on these scales
        return lower, upper


def _kelly(q05: float, q50: float, q95: float) -> float:
    """Quantile skewness of the 5-50-95% quantiles: 0 for a symmetric bulk."""
    width = q95 - q05
    return 0.0 if width <= 0 else (q95 + q05 - 2.0 * q50) / width


def _side_scale(center: float, quantiles: tuple[float, float]) -> float:
    """Robust sd on one side of the median: the larger of the quartile and the
    5%/95% estimates (the second keeps a heavier-than-normal bulk, or a discrete
    column whose quartiles sit on adjacent integers, from looking narrow). Each
    ignores up to 5% of contaminated values on that side.

    0 (the side is not judged) when the quartile equals the median: a quarter of
    the values or more sit on the median there, as in a zero-inflated column, whose
    rare non-zero values are its nature rather than errors."""
    quartile, outer = (abs(q - center) for q in quantiles[:2])
    if not (np.isfinite(quartile) and quartile > 0):
        return 0.0
    scale = max(quartile / _Z75, outer / _Z95)
    return float(scale) if np.isfinite(scale) else 0.0


def fit_column(col: ColumnProfile) -> ColumnModel | None:
    """The robust model of a numeric column, or None if it cannot be judged."""
    if col.kind != "numeric" or col.finite.size < MIN_VALUES or not col.distinct_exceeds(2):
        return None
    q = col.quantiles
    if q is None:
        return None
    raw = np.array([q.q01, q.q05, q.q25, q.q50, q.q75, q.q95, q.q99])
    best = ColumnModel(col.name, "linear", 1.0, 1.0, 0.0, 0.0, 0.0)
    best_skew = abs(_kelly(q.q05, q.q50, q.q95))
    minimum = col.min if col.min is not None else 0.0
    family = "box-cox" if minimum > 0 else "log1p" if minimum == 0 and q.q50 > 0 else None
    if family is not None and best_skew > SYMMETRIC_ENOUGH:
        for lam in LAMBDAS[1:]:
            candidate = ColumnModel(col.name, family, lam, q.q50, 0.0, 0.0, 0.0)
            t = candidate.transform(raw)
            skew = abs(_kelly(t[1], t[3], t[5]))
            # Strictly better only: ties keep the milder transform.
            if skew < best_skew - 1e-9:
                best, best_skew = candidate, skew
    t = best.transform(raw)
    center = float(t[3])
    upper = _side_scale(center, (t[4], t[5]))
    lower = _side_scale(center, (t[2], t[1]))
    if upper == 0.0 and lower == 0.0:
        return None
    return ColumnModel(best.name, best.family, best.lam, best.shift, center, upper, lower)


def fit_columns(profile: Profile) -> dict[str, ColumnModel]:
    """Robust models of every numeric feature column (``Artifacts.column_models``
    keeps them once per run)."""
    models: dict[str, ColumnModel] = {}
    for col in profile.features():
        model = fit_column(col)
        if model is not None:
            models[col.name] = model
    return models


def column_values(col: ColumnProfile) -> np.ndarray:
    """The full-length column as float64, NaN where missing."""
    return np.asarray(col.series.to_numpy(dtype=float, na_value=np.nan), dtype=float)


def column_scores(models: Mapping[str, ColumnModel], profile: Profile, name: str) -> np.ndarray:
    """Signed robust scores of every row of a modelled column.

    Not cached: recomputing is a few vectorised passes, while keeping every
    column's scores would hold a second copy of the numeric data in memory."""
    return models[name].scores(column_values(profile[name]))
