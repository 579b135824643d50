"""Bounds from a column's meaning: values no measurement of that kind can take.

A graduation rate of 118%, an age of 138, a negative duration or a zero diamond width is
wrong however common its neighbours are, and no distance from the median shows it: the
value sits inside the usual spread. The bound comes from what the column is:

- *percent*: named so (``pct``, ``percent``, ``perc``, ``%``), or a column on [0, 100]
  that fills up to 100 and stops there: the values just below 100 are dense enough that,
  were 100 not a bound, the empty stretch between 100 and the smallest value above it
  would hold at least :data:`BOUND_EVIDENCE` values (College's ``PhD``: 42 values on
  [95, 100], none from 100 to 103); likewise a *share* on [0, 1];
- *age* (a column named ``age``, in years): 0 to 120;
- *not negative*: counts, durations, amounts and prices (by name);
- *positive*: sizes of things that exist (length, height, weight, width, depth, area,
  size, carat, diameter, radius, perimeter, BMI, by name), where a rare exact zero is a
  placeholder. Zeros are not judged from the values alone: zero evening minutes on a
  phone bill is rare and real.

Only the bound is decided here, from the profile; the values beyond it are found in a
pass over every row (``preflight.analysis.tails``), and a bound is reported only when
they are rare (at most the check's row cap and 1% of the values): a column that breaks
its presumed bound often does not have it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from preflight.data.profile import ColumnProfile

# Expected values in the empty stretch beyond 100 (or 1) that make it a bound.
BOUND_EVIDENCE = 10.0
# Most of a column's values that may break its bound (beyond: it has no such bound).
MAX_BREAKING_SHARE = 0.01
# The window below the bound whose density predicts the values beyond it.
_WINDOW = 0.05

_PERCENT = {"pct", "percent", "percentage", "perc", "percents"}
_SHARE = {"share", "proportion", "prop", "fraction", "frac"}
_NOT_NEGATIVE = {
    "count", "counts", "num", "number", "time", "duration", "days", "hours", "hrs",
    "minutes", "mins", "seconds", "secs", "years", "months", "weeks", "price", "cost",
    "distance", "volume", "amount", "turnaround", "tenure",
}  # fmt: skip
# Sizes of things that exist: never negative, never exactly zero.
_SIZE = {
    "length", "height", "weight", "width", "depth", "area", "size", "carat", "carats",
    "diameter", "radius", "perimeter", "circumference", "bmi",
}  # fmt: skip
_TOKEN = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


@dataclass(frozen=True)
class Bound:
    """Values a column can take: ``lower <= x <= upper`` (``x > lower`` when strict)."""

    kind: str  # "percent", "share", "age", "not negative" or "positive"
    lower: float | None
    upper: float | None
    strict: bool = False
    inferred: bool = False  # from the values (a column that stops at 100), not its name

    def breaks(self, x: np.ndarray) -> np.ndarray:
        """Mask of finite values outside the bound."""
        out = np.zeros(x.shape, dtype=bool)
        with np.errstate(invalid="ignore"):
            if self.lower is not None:
                out |= (x <= self.lower) if self.strict else (x < self.lower)
            if self.upper is not None:
                out |= x > self.upper
        mask: np.ndarray = out & np.isfinite(x)
        return mask

    @property
    def describe(self) -> str:
        return {
            "percent": "a percentage (0 to 100)",
            "share": "a share (0 to 1)",
            "age": "an age in years (0 to 120)",
            "not negative": "a count, duration, size or amount (never negative)",
            "positive": "a size (never exactly 0)",
        }[self.kind]


def name_tokens(name: str) -> set[str]:
    """Lower-case words of a column name: ``Grad.Rate`` -> {grad, rate}, ``Top10perc`` ->
    {top, 10, perc}, ``n_children`` -> {n, children}."""
    return {t.lower() for t in _TOKEN.findall(name)}


def bound_for(col: ColumnProfile) -> Bound | None:
    """The bound ``col``'s meaning sets, decided from its name and profile (None: none).

    The profile's cached minimum and maximum settle most columns (nothing beyond 1 or
    100, nothing negative) without a pass over the values."""
    values = col.finite
    if values.size == 0 or col.min is None or col.max is None:
        return None
    low, high = col.min, col.max
    tokens = name_tokens(col.name)
    q = col.quantiles
    nonneg = 1.0 if low >= 0 else float(np.mean(values >= 0))
    mostly = 1 - MAX_BREAKING_SHARE

    def share_at_most(upper: float) -> float:
        return 1.0 if high <= upper else float(np.mean(values <= upper))

    named_percent = bool(tokens & _PERCENT) or "%" in col.name
    if named_percent and nonneg >= mostly and share_at_most(100) >= mostly:
        return Bound("percent", 0.0, 100.0)
    if tokens & _SHARE and nonneg >= mostly and share_at_most(1) >= mostly:
        return Bound("share", 0.0, 1.0)
    if "age" in tokens and q is not None and 1 <= q.q50 <= 100:
        return Bound("age", 0.0, 120.0)
    # Only a column on [0, upper] with values beyond ``upper`` can stop at it.
    if low >= 0 and high > 100.0 and _stops_at(values, 100.0):
        return Bound("percent", 0.0, 100.0, inferred=True)
    # A share is a fraction: a column of 0/1 with a few 2s and 6s counts something.
    if low >= 0 and high > 1.0 and not col.is_integral and _stops_at(values, 1.0):
        return Bound("share", 0.0, 1.0, inferred=True)
    if tokens & _SIZE and _positive_size(values):
        return Bound("positive", 0.0, None, strict=True)
    if tokens & (_NOT_NEGATIVE | _SIZE) and mostly <= nonneg < 1:
        return Bound("not negative", 0.0, None)
    return None


def _stops_at(values: np.ndarray, upper: float) -> bool:
    """A column on [0, upper] whose values crowd up to ``upper`` and stop there (a few
    beyond it, after an empty stretch that the density below predicts full)."""
    above = values[values > upper]
    if above.size == 0 or above.size > max(1.0, MAX_BREAKING_SHARE * values.size) or values.min() < 0:
        return False
    width = upper * _WINDOW
    near = np.count_nonzero((values >= upper - width) & (values <= upper))
    # The empty stretch counts up to one window: the density is only known that far.
    expected = near * min(float(above.min()) - upper, width) / width
    return bool(expected >= BOUND_EVIDENCE)


def _positive_size(values: np.ndarray) -> bool:
    """A few exact zeros in a size whose other values are all positive."""
    zeros = int(np.count_nonzero(values == 0))
    return 0 < zeros <= max(1.0, MAX_BREAKING_SHARE * values.size) and values.min() >= 0
