"""Assigning roles to a table's columns: the target, the id columns, and the task.

The roles come from the user (``--target``, ``--id-column``, ``--task``); this module
checks they name real columns of a table that has rows, and infers the task from the
target's values when it is ``auto``. Every column that is neither target nor id is a
feature.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from preflight.core.errors import PreflightError, did_you_mean
from preflight.core.findings import Task

# Above this many distinct integer values a numeric target is taken as regression.
MAX_CLASSES_FOR_INTEGER_TARGET = 20


def resolve_roles(
    frame: pd.DataFrame, path: str, *, target: str | None, id_columns: Sequence[str], task: str
) -> tuple[str | None, tuple[str, ...], Task | None]:
    """(target, id columns, task) for ``frame`` read from ``path``.

    Raises PreflightError when the table has no columns or no rows, or a named column
    is missing. The target is never also an id column.
    """
    if frame.shape[1] == 0:
        raise PreflightError(f"{path}: no columns")
    if len(frame) == 0:
        raise PreflightError(f"{path}: no data rows (only a header or an empty table)")
    columns = list(frame.columns)
    if target is not None and target not in columns:
        raise PreflightError(
            f"{path}: target column {target!r} not found"
            + (did_you_mean(target, columns) or f"; columns are {_preview(columns)}")
        )
    for col in id_columns:
        if col not in columns:
            raise PreflightError(f"{path}: id column {col!r} not found" + did_you_mean(col, columns))
    ids = tuple(c for c in id_columns if c != target)
    return target, ids, infer_task(frame[target], task) if target is not None else None


def infer_task(y: pd.Series, task: str = "auto") -> Task | None:
    """Classification for text, booleans and small sets of integers; else regression."""
    if task == "regression":
        _refuse_non_numeric_regression(y)
    if task in ("classification", "regression"):
        return task  # type: ignore[return-value]
    if task != "auto":
        raise PreflightError(f"unknown task {task!r}; use auto, classification or regression")
    values = y.dropna()
    if values.empty:
        return None
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return "classification"
    arr = values.to_numpy(dtype=float, na_value=np.nan)
    arr = arr[np.isfinite(arr)]
    integral = arr.size > 0 and bool(np.all(arr == np.round(arr)))
    if integral and np.unique(arr).size <= MAX_CLASSES_FOR_INTEGER_TARGET:
        return "classification"
    return "regression"


def _refuse_non_numeric_regression(y: pd.Series) -> None:
    """A regression target must hold numbers (booleans count as 0/1)."""
    values = y.dropna()
    if values.empty or pd.api.types.is_numeric_dtype(values.dtype):
        return
    try:
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            raise TypeError("dates are not numbers to regress on")
        numbers = pd.to_numeric(values, errors="coerce")
    except (TypeError, ValueError):
        numbers = pd.Series(np.nan, index=values.index)
    bad = values[numbers.isna()]
    if bad.empty:
        return
    example = bad.iloc[0]
    shown = repr(example) if len(repr(example)) <= 40 else repr(example)[:37] + "..."
    raise PreflightError(
        f"--task regression needs a numeric target, but {str(y.name)!r} holds "
        f"{'dates' if pd.api.types.is_datetime64_any_dtype(values.dtype) else 'text'} "
        f"(e.g. {shown} in row {bad.index[0]}); use --task classification, or convert the column to numbers"
    )


def _preview(columns: list[str], n: int = 8) -> str:
    """The first ``n`` column names for an error message, with the count when there are more."""
    shown = ", ".join(repr(c) for c in columns[:n])
    return shown + (f", ... ({len(columns)} in all)" if len(columns) > n else "")
