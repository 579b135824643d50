"""Runtime helpers of the plan: cell fixes executed inside the fitted pipeline.

Their source (and that of :func:`~preflight.data.numbers.to_number`, which the data layer
shares) is copied verbatim into the generated code, so they must stay
self-contained: ``re``, ``numpy as np`` and ``pandas as pd`` only.

``preflight fix`` saves pipelines that pickle :func:`clean_cells` by reference. That
reference is a contract with every pipeline saved so far: it is
``preflight.plan.clean_cells`` (the package resolves it lazily), whatever module
holds the function, so moving it again breaks no saved pipeline.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from preflight.data.numbers import to_number


def equals_any(column: pd.Series, values: list[Any]) -> pd.Series:
    """Cells equal to one of ``values``; numbers within a relative 2e-6 (the report
    keeps 6 significant digits, so a value read back from it is that close)."""
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    hit = column.isin(values)
    if numbers and pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        x = column.to_numpy(dtype=float, na_value=np.nan)
        close = np.zeros(x.size, dtype=bool)
        for v in numbers:
            close |= np.isclose(x, float(v), rtol=2e-6, atol=0.0)
        hit = hit | pd.Series(close, index=column.index)
    return hit


def clean_cells(df: pd.DataFrame, spec: dict[str, Any]) -> pd.DataFrame:
    """Cell fixes that hold for training and new data alike; returns a new frame."""
    df = df.drop(columns=[c for c in spec.get("drop_columns", []) if c in df.columns])
    for col, values in spec.get("to_missing", {}).items():
        if col in df.columns:
            df[col] = df[col].mask(equals_any(df[col], values))
    for col, (low, high) in spec.get("outside_to_missing", {}).items():
        if col in df.columns:  # values the column cannot hold (below low or above high)
            x = pd.to_numeric(df[col], errors="coerce")
            wrong = (x < low if low is not None else False) | (x > high if high is not None else False)
            df[col] = df[col].mask(wrong)
    for col, mapping in spec.get("replace", {}).items():
        if col in df.columns:
            df[col] = df[col].replace(mapping)
    for col in spec.get("decimal_comma", []):
        if col in df.columns:  # "0,3047" -> "0.3047" before the number is read
            df[col] = df[col].map(lambda v: str(v).replace(",", "."), na_action="ignore")
    for col in spec.get("parse_numbers", []):
        if col in df.columns:
            df[col] = pd.to_numeric(df[col].map(to_number, na_action="ignore"), errors="coerce")
    for col in spec.get("infinite_to_missing", []):
        if col in df.columns:
            df[col] = df[col].replace([np.inf, -np.inf], np.nan)
    for col, value in spec.get("censor_indicators", {}).items():
        if col in df.columns:  # a top- or bottom-code: the value stays, an indicator says so
            df[f"{col} (capped)"] = equals_any(df[col], [value]).astype("float64")
    for col, how in spec.get("date_features", {}).items():
        if col in df.columns:  # a date as numbers: days since 1970 (the trend), the month (the season)
            fmt, month = (
                (how, True) if not isinstance(how, dict) else (how.get("format"), how.get("month", True))
            )
            when = pd.to_datetime(df[col], format=fmt, errors="coerce", utc=True)
            df[f"{col} (days)"] = (when - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds() / 86400
            if month:  # left out when every date falls in one month (years written as dates)
                df[f"{col} (month)"] = when.dt.month.astype("float64")
            df = df.drop(columns=[col])
    return df


# The name pickles record (see the module docstring); `import preflight.plan.clean` works too.
clean_cells.__module__ = "preflight.plan"
