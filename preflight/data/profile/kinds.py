"""What a column holds, read off its dtype and, for object columns, its cells' Python types."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype

# ``text`` is never read off the cells: the semantics stage gives it to free-text columns
# (preflight.data.semantics.free_text), which would otherwise be ``string``.
Kind = Literal["numeric", "boolean", "datetime", "categorical", "string", "text", "mixed", "other"]
ALL_KINDS: frozenset[Kind] = frozenset(get_args(Kind))

# Python types of cells that hold a structure or raw bytes, not a value: parquet
# list/struct/map/binary columns arrive as these. A column of only these is "other".
_CONTAINER_TYPES = frozenset({"list", "tuple", "dict", "set", "ndarray", "bytes", "bytearray", "memoryview"})

# Python number types, all reported as "number".
_NUMBER_TYPES = frozenset({"int", "float", "int64", "float64", "int32", "float32", "Decimal"})


def kind_of(dtype: np.dtype[Any] | ExtensionDtype, python_types: Callable[[], set[str]]) -> Kind:
    """The kind of a column of ``dtype``; ``python_types`` is asked (it scans the
    cells) only for a string or object column."""
    if isinstance(dtype, pd.CategoricalDtype):
        return "categorical"
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_numeric_dtype(dtype):
        return "numeric"
    if pd.api.types.is_datetime64_any_dtype(dtype) or isinstance(dtype, pd.PeriodDtype):
        return "datetime"
    if pd.api.types.is_string_dtype(dtype):
        types = python_types()
        if types and types <= _CONTAINER_TYPES:
            return "other"  # lists, structs, raw bytes: no check models these cells
        if not types or types == {"str"}:
            return "string"
        if types <= {"bool"}:
            return "boolean"
        if types <= {"number"}:
            return "numeric"
        if types <= {"date", "datetime", "Timestamp"}:
            return "datetime"
        return "mixed"
    return "other"


def python_types_of(series: pd.Series) -> set[str]:
    """Distinct Python type names among non-null cells of an object column."""
    values = series.dropna()
    if values.dtype != object:
        return {"str"} if pd.api.types.is_string_dtype(values.dtype) else set()
    names: set[str] = set()
    for t in values.map(type).unique():
        name = t.__name__
        if name in _NUMBER_TYPES:
            name = "number"
        names.add(name)
    return names
