"""Validate a dataset against a loaded contract: what SC003 reports.

pandera validates lazily (every failure, not the first), and its failure-case table is
turned into a tidy list of :class:`Violation` objects, one per column and check, with
0-based row positions and a few example values, that SC003 turns into findings.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from preflight.core.errors import PreflightError, first_line
from preflight.data.numbers import plain


@dataclass(frozen=True)
class Violation:
    """All failures of one check on one column (or of one dataframe-level check).

    ``rows`` are 0-based row positions (empty for column-level failures such as a
    missing column or a wrong dtype); ``examples`` are a few failing values, in row
    order, without repeats.
    """

    kind: str  # nullable, isin, range, dtype, missing-column, extra-column, unique, check
    check: str  # pandera's name of the failing check, e.g. "isin(['Biscoe', 'Dream'])"
    column: str | None
    rows: tuple[int, ...] = ()
    count: int = 0
    examples: tuple[Any, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)


def validate_contract(frame: pd.DataFrame, schema: Any) -> list[Violation]:
    """Validate ``frame`` lazily against ``schema``; every failure, grouped per column and check.

    ``frame`` is never modified (pandera validates a copy when it coerces). Rows are
    0-based positions: ``frame`` must have a RangeIndex, as every Dataset frame does.
    """
    import pandera.errors

    try:
        _validate_quietly(schema, frame)
    except pandera.errors.SchemaErrors as exc:
        found = [_locate(v, frame) for v in violations_from_failure_cases(exc.failure_cases, schema)]
    except pandera.errors.SchemaDefinitionError as exc:
        raise PreflightError(f"schema cannot be applied to this data: {first_line(exc)}") from None
    else:
        return []
    for v in [v for v in found if v.kind == "dtype"]:
        found.extend(_value_checks_on_numbers(frame, schema, v.column))
    found.sort(key=lambda v: (v.column or "", v.kind, v.check))
    return found


def _validate_quietly(schema: Any, frame: pd.DataFrame) -> None:
    """``schema.validate(frame, lazy=True)``, raising pandera's errors but no warnings."""
    with warnings.catch_warnings():
        # pandas casting warnings from coercion: the failures are reported as findings.
        warnings.simplefilter("ignore")
        schema.validate(frame, lazy=True)


def _value_checks_on_numbers(frame: pd.DataFrame, schema: Any, column: str | None) -> list[Violation]:
    """The value checks of a numeric column that holds some text, run on its numbers.

    When a cell such as ``"heavy"`` stops a column from converting, pandera cannot run
    the column's range checks at all; a negative mass beside it would go unreported
    until the text is fixed. Here the text cells count as missing (they are reported
    already) and the column's own checks run on the numbers that remain.
    """
    import pandera.errors
    import pandera.pandas as pa

    spec = _column_spec(schema, column)
    if spec is None or not spec.checks or column not in frame.columns:
        return []
    series = frame[column]
    expected = str(spec.dtype or "").lower()
    if not expected.startswith(("int", "uint", "float")) or pd.api.types.is_numeric_dtype(series.dtype):
        return []
    numbers = pd.to_numeric(series, errors="coerce")
    sub = pa.DataFrameSchema({column: pa.Column(None, checks=spec.checks, nullable=True)})
    try:
        _validate_quietly(sub, pd.DataFrame({column: numbers}))
    except pandera.errors.SchemaErrors as exc:
        return [v for v in violations_from_failure_cases(exc.failure_cases, sub) if v.rows]
    except pandera.errors.SchemaDefinitionError:
        return []
    return []


def _locate(v: Violation, frame: pd.DataFrame) -> Violation:
    """The rows of an integer column that fail because some cells are not whole numbers.

    pandera reports a float -> integer coercion that fails on fractions for the column
    only (it does name the infinite cells); the rows a user must fix are all the cells
    holding non-whole numbers.
    """
    expected = str(v.details.get("expected") or "")
    if v.kind != "dtype" or v.column not in frame.columns or "int" not in expected.lower():
        return v
    series = frame[v.column]
    if not pd.api.types.is_float_dtype(series.dtype):
        return v
    values = series.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(values) & ~(np.isfinite(values) & (values == np.round(values)))
    rows = tuple(sorted(set(v.rows) | {int(i) for i in np.flatnonzero(bad)}))
    if rows == v.rows:
        return v
    examples = tuple(dict.fromkeys(float(x) for x in values[list(rows)]))[:5]
    details = {k: val for k, val in v.details.items() if k != "actual"}
    return Violation(v.kind, v.check, v.column, rows, len(rows), examples, details)


def violations_from_failure_cases(cases: pd.DataFrame, schema: Any) -> list[Violation]:
    """pandera's failure-case table -> one :class:`Violation` per (column, check kind).

    In table order; :func:`validate_contract` sorts the violations it returns.
    """
    # (check, column) -> its failures as (failure case, row index) pairs
    groups: dict[tuple[str, str | None], list[tuple[Any, Any]]] = {}
    for check, column, failure, index in zip(
        cases["check"].astype(str), cases["column"], cases["failure_case"], cases["index"], strict=True
    ):
        kind = _kind(check)
        if kind in ("missing-column", "extra-column"):
            column = failure  # pandera names the column in the failure case
        col = None if _is_missing(column) else str(column)
        # A failed dtype check and the failed coercion to that dtype are one problem.
        groups.setdefault(("dtype" if kind == "dtype" else check, col), []).append((failure, index))
    wrong_type = {col for (name, col) in groups if name == "dtype"}
    out: list[Violation] = []
    for (name, col), items in groups.items():
        rows = sorted({int(i) for _, i in items if not _is_missing(i)})
        kind = _kind(name) if name != "dtype" else "dtype"
        if not rows and col in wrong_type and kind not in ("dtype", "missing-column", "extra-column"):
            continue  # a value check that could not run because the column has the wrong type
        examples = _examples(items)
        details: dict[str, Any] = {}
        if kind == "dtype":
            expected = _expected_dtype(schema, col)
            details["expected"] = expected
            if not rows:
                details["actual"] = str(items[0][0])
            check = f"dtype({expected!r})"
        else:
            check = name
        count = len(rows) if rows else len(items)
        out.append(Violation(kind, check, col, tuple(rows), count, tuple(examples), details))
    return out


def _kind(check: str) -> str:
    """The kind of a pandera check name (see :attr:`Violation.kind`), which SC003 words."""
    if check.startswith(("dtype(", "coerce_dtype(")):
        return "dtype"
    if check == "not_nullable":
        return "nullable"
    if check == "column_in_dataframe":
        return "missing-column"
    if check == "column_in_schema":
        return "extra-column"
    if check.startswith("isin("):
        return "isin"
    if check.startswith(("in_range(", "greater_than", "less_than", "between(")):
        return "range"
    if check in ("field_uniqueness", "multiple_fields_uniqueness"):
        return "unique"
    return "check"


def _examples(items: Sequence[tuple[Any, Any]], limit: int = 5) -> list[Any]:
    """Up to ``limit`` distinct failure cases, in row order (failures without a row last)."""
    ordered = sorted(items, key=lambda it: (_is_missing(it[1]), int(it[1]) if not _is_missing(it[1]) else 0))
    seen: list[Any] = []
    for failure, _ in ordered:
        value = None if _is_missing(failure) else plain(failure)
        if value not in seen:
            seen.append(value)
        if len(seen) >= limit:
            break
    return seen


def _column_spec(schema: Any, column: str | None) -> Any:
    """The schema's ``Column`` for ``column``, or None (dataframe-level or not in the schema)."""
    return schema.columns.get(column) if column is not None else None


def _expected_dtype(schema: Any, column: str | None) -> str | None:
    """The dtype the contract asks of ``column``, as pandera names it (None if it asks none)."""
    spec = _column_spec(schema, column)
    return str(spec.dtype) if spec is not None and spec.dtype is not None else None


def _is_missing(value: Any) -> bool:
    """Whether a cell of pandera's failure-case table is empty (None or NaN; a list is a value)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists, arrays
        return False
