"""Infer a pandera contract from data: the job of ``preflight infer-schema``.

Statistics of a :class:`~preflight.data.dataset.Dataset` (its
:class:`~preflight.data.profile.Profile`) become a strict ``pandera.pandas.DataFrameSchema``:
a dtype per column, ``nullable`` where there are nulls, widened ranges for numbers,
allowed values for low-cardinality text and for a class target. :mod:`.dump` writes it
as YAML.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from preflight.core.columns import ColumnSemantics
from preflight.core.errors import PreflightError
from preflight.data.dataset import Dataset
from preflight.data.numbers import plain
from preflight.data.profile import ColumnProfile, Profile

# Defaults of the inference, documented in docs/schema.md and `infer-schema --help`.
MAX_CATEGORIES = 20
MAX_UNIQUE_SHARE = 0.5
RANGE_MARGIN = 0.1

# The outermost bounds a range can have: where widening would overflow a float, and the
# int64 limits an integer column's bounds are clamped to.
_FLOAT_MAX = float(np.finfo(np.float64).max)
_INT64_MIN, _INT64_MAX = int(np.iinfo(np.int64).min), int(np.iinfo(np.int64).max)


def infer_contract(
    dataset: Dataset,
    *,
    max_categories: int = MAX_CATEGORIES,
    max_unique_share: float = MAX_UNIQUE_SHARE,
    range_margin: float = RANGE_MARGIN,
    semantics: Mapping[str, ColumnSemantics] | None = None,
) -> Any:
    """A strict ``DataFrameSchema`` describing ``dataset`` (target and id columns included).

    Per column: the dtype (numbers, booleans, dates and text are coerced on
    validation, so ``3`` and ``3.0`` or a parquet categorical and CSV text match);
    ``nullable`` only if the data has nulls; for numeric columns the observed
    ``in_range``, widened on each side by ``range_margin`` times the observed range
    (never across zero, rounded outward); for text columns with at most
    ``max_categories`` distinct values, which also make up at most
    ``max_unique_share`` of the non-null cells, an ``isin`` of the observed values;
    for a classification target, an ``isin`` of its classes; ``unique`` (and no
    value checks) for id columns. The contract is ``strict``: extra columns fail.
    """
    import pandera.pandas as pa

    if max_categories < 0 or not 0.0 <= max_unique_share <= 1.0 or range_margin < 0:
        raise PreflightError("max-categories and range-margin must be >= 0, max-unique-share in [0, 1]")
    profile = Profile(dataset)
    columns: dict[str, Any] = {}
    for name in dataset.frame.columns:
        col = profile[name]
        is_target = name == dataset.target
        classes = is_target and dataset.task == "classification"
        dtype, coerce = _contract_dtype(col)
        checks: list[Any] = []
        sem = (semantics or {}).get(name)
        key = sem is not None and sem.semantic == "identifier" and not is_target
        # An id column is only unique: the next batch's ids lie outside today's range.
        if name not in dataset.id_columns and not key:
            categories = _categories(col, max_categories, max_unique_share, force=classes)
            if categories is not None:
                checks.append(pa.Check.isin(categories))
            elif col.kind == "numeric":
                checks.extend(_range_checks(pa, col, range_margin))
        columns[name] = pa.Column(
            dtype,
            checks=checks or None,
            nullable=col.n_missing > 0,
            unique=name in dataset.id_columns,
            coerce=coerce,
            description=None if sem is None else f"semantic: {sem.semantic}",
        )
    return pa.DataFrameSchema(columns, strict=True)


def _contract_dtype(col: ColumnProfile) -> tuple[str | None, bool]:
    """The dtype to write for a column, and whether to coerce to it on validation."""
    s = col.series
    if isinstance(s.dtype, pd.CategoricalDtype):
        inner = s.dtype.categories.dtype
        if pd.api.types.is_numeric_dtype(inner) and not pd.api.types.is_bool_dtype(inner):
            return ("Int64" if pd.api.types.is_integer_dtype(inner) else "float64"), True
        return "str", True
    if col.kind == "numeric":
        # The nullable Int64 keeps a whole-number column an integer column in a file
        # where a null turns it into floats (CSV and parquet readers do that).
        return ("Int64" if pd.api.types.is_integer_dtype(s.dtype) else "float64"), True
    if col.kind == "boolean":
        return "boolean", True
    if col.kind == "datetime" and pd.api.types.is_datetime64_any_dtype(s.dtype):
        return str(s.dtype), True
    if col.kind in ("string", "categorical"):
        return "str", True
    return None, False  # mixed or unusual cells: the contract only asks for the column


def _categories(
    col: ColumnProfile, max_categories: int, max_unique_share: float, *, force: bool
) -> list[Any] | None:
    """Sorted allowed values for a low-cardinality text column (or a class target)."""
    if col.n_present == 0:
        return None
    text = col.kind in ("string", "categorical")
    if not (force or text):
        return None
    if not force and (col.n_unique > max_categories or col.n_unique > max_unique_share * col.n_present):
        return None
    values = [plain(v) for v in col.value_counts.index]
    try:
        return sorted(values)
    except TypeError:  # values of several types: keep a stable order anyway
        return sorted(values, key=repr)


def _range_checks(pa: Any, col: ColumnProfile, margin: float) -> list[Any]:
    """The widened range of a numeric column's finite values, as one or two bounds."""
    finite = col.finite
    if finite.size == 0:
        return []
    low, high = float(finite.min()), float(finite.max())
    integral = pd.api.types.is_integer_dtype(col.series.dtype)
    lower: float | None = _widen(low, high, margin, down=True, integral=integral)
    upper: float | None = _widen(low, high, margin, down=False, integral=integral)
    values = col.values
    # A column that holds infinities keeps them legal: bounding it would make the
    # contract fail the very data it was inferred from (DQ flags the infinities).
    if np.isneginf(values).any():
        lower = None
    if np.isposinf(values).any():
        upper = None
    if lower is not None and upper is not None:
        return [pa.Check.in_range(lower, upper)]
    if lower is not None:
        return [pa.Check.greater_than_or_equal_to(lower)]
    if upper is not None:
        return [pa.Check.less_than_or_equal_to(upper)]
    return []


def _widen(low: float, high: float, margin: float, *, down: bool, integral: bool) -> float:
    """Move one bound out by ``margin`` x range, rounded outward to a readable step.

    A bound never crosses zero: a column observed non-negative stays non-negative
    (a negative mass or count is a real error, not drift).
    """
    value = low if down else high
    # Scaled before subtracting: (high - low) overflows to inf for +-1e308.
    pad = high * margin - low * margin
    if not math.isfinite(pad) or not math.isfinite(value + pad) or not math.isfinite(value - pad):
        # No room to widen within floats: the bound is the largest float on that side.
        pad = 0.0
        value = -_FLOAT_MAX if down else _FLOAT_MAX
    if pad > 0:
        step = 10.0 ** math.floor(math.log10(pad))
        moved = value - pad if down else value + pad
        moved = math.floor(moved / step) * step if down else math.ceil(moved / step) * step
        if step < 1:
            moved = round(moved, -math.floor(math.log10(step)))
        if down and low >= 0 > moved:
            moved = 0.0
        if not down and high <= 0 < moved:
            moved = 0.0
        value = moved
    if integral:
        value = float(math.floor(value) if down else math.ceil(value))
        # An int64 column's bound stays an int64 (pandera compares in the column's dtype).
        if value >= 2.0**63:
            return _INT64_MAX
        if value <= -(2.0**63):
            return _INT64_MIN
        return int(value)
    return value
