"""Statistics and column roles shared by the SN (scale and normalization) checks.

Everything here reads the cached :class:`~preflight.data.profile.ColumnProfile`
quantiles, so the checks add no pass over the data of their own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import numpy as np

from preflight.checks.base import Context
from preflight.core.findings import Severity
from preflight.data.profile import ColumnProfile

NumericRole = Literal["constant", "binary", "ordinal", "continuous"]

# Normal-distribution widths of the central ranges used as robust spreads:
# q95 - q05 = 3.29 sigma, q99 - q01 = 4.65 sigma.
_WIDTH_90 = 3.29
_WIDTH_98 = 4.65


def numeric_role(col: ColumnProfile, ordinal_max_levels: int) -> NumericRole | None:
    """How a numeric feature should be scaled; None for non-numeric columns.

    ``binary``: two distinct values. ``ordinal``: integers with 3 to
    ``ordinal_max_levels`` levels (counts, ratings, years), or as many equally spaced
    levels (an ordinal already scaled). ``continuous``: the rest.
    """
    if col.kind != "numeric":
        return None
    # More distinct values than any ordinal has (+2 for the infinities, which are not
    # levels) is continuous, settled from a prefix without counting every value.
    if col.distinct_exceeds(max(ordinal_max_levels, 2) + 2):
        return "continuous"
    # value_counts is cached and shared with other checks; infinities are not levels.
    index = col.value_counts.index.to_numpy(dtype=float, na_value=np.nan)
    distinct = int(np.isfinite(index).sum())
    if distinct <= 1:
        return "constant"
    if distinct == 2:
        return "binary"
    if distinct <= ordinal_max_levels and (col.is_integral or _on_a_grid(index[np.isfinite(index)])):
        return "ordinal"
    return "continuous"


def _on_a_grid(levels: np.ndarray) -> bool:
    """Levels equally spaced up to whole steps (0, 0.25, 0.5, 1: an ordinal scaled to [0, 1])."""
    ordered = np.sort(levels)
    step = float(np.min(np.diff(ordered)))
    if step <= 0:
        return False
    k = (ordered - ordered[0]) / step
    return bool(np.allclose(k, np.round(k), atol=1e-6) and k[-1] <= 1000)


def within_unit_range(col: ColumnProfile) -> bool:
    """All finite values in [-1, 1]: already min-max scaled or a natural fraction."""
    return col.min is not None and col.max is not None and col.min >= -1.0 and col.max <= 1.0


@dataclass(frozen=True)
class Spread:
    """A robust width of a column: its central 90% range (98% if that is zero)."""

    width: float
    sigma: float  # the normal-consistent standard deviation this width implies
    centre: float  # the median


def robust_spread(col: ColumnProfile) -> Spread | None:
    """None when the central 98% of the column is a single value (near-constant)."""
    q = col.quantiles
    if q is None:
        return None
    width, factor = q.q95 - q.q05, _WIDTH_90
    if width <= 0:
        # Sparse columns (mostly one value) have a zero 90% range; the 98% range
        # still measures the scale of their other values.
        width, factor = q.q99 - q.q01, _WIDTH_98
    if not np.isfinite(width) or width <= 0:
        return None
    return Spread(width=float(width), sigma=float(width / factor), centre=q.q50)


def numeric_view(ctx: Context, col: ColumnProfile) -> ColumnProfile:
    """``col`` itself, or for numbers stored as text (``"3,750"``: SC001/SC002) a profile
    of the parsed numbers, which is what the plan's parse-numbers step will feed on."""
    if col.kind not in ("string", "categorical"):
        return col
    counts = col.text_class_counts()
    numbers = counts.get("number", 0) + counts.get("formatted-number", 0)
    text = counts.get("text", 0)
    if numbers == 0 or numbers < TEXT_NUMBER_SHARE * (numbers + text):
        return col
    return ctx.artifacts.parsed_numbers(col.name)


# The share of numeric cells at which a text column is read as numbers stored as
# text (SC001's ``min-numeric-share`` default).
TEXT_NUMBER_SHARE = 0.8


def continuous_features(ctx: Context, ordinal_max_levels: int) -> Iterator[ColumnProfile]:
    """Continuous numeric features, numbers stored as text included (parsed)."""
    for col in ctx.profile.features():
        view = numeric_view(ctx, col)
        if numeric_role(view, ordinal_max_levels) == "continuous":
            yield view


def family_severity(ctx: Context, sensitive: frozenset[str], severity: Severity) -> Severity:
    """``severity`` for model families that the problem hurts, info for the rest."""
    return severity if ctx.config.model_family in sensitive else Severity.INFO


# Model families whose training depends on the scale of the inputs. Tree ensembles
# split on thresholds and are unaffected by any monotone rescaling.
SCALE_SENSITIVE: frozenset[str] = frozenset({"nn", "linear", "knn", "svm"})
# Families hurt by features far from zero (gradient-based fits and kernels that are
# not translation-invariant); k-NN distances and tree splits are unaffected.
CENTRE_SENSITIVE: frozenset[str] = frozenset({"nn", "linear", "svm"})

FAMILY_NAMES: dict[str, str] = {
    "nn": "neural networks",
    "linear": "linear models",
    "knn": "k-nearest neighbours",
    "svm": "SVMs",
    "tree": "tree ensembles",
}


def fmt_number(value: float) -> str:
    """A short human form: 1,031 · 0.0021 · 3.2e+06."""
    a = abs(value)
    if a == 0:
        return "0"
    if a >= 1e6 or a < 1e-3:
        return f"{value:.2g}"
    if a >= 100:
        return f"{value:,.0f}"
    if a >= 1:
        return f"{value:.3g}"
    return f"{value:.2g}"
