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


def clean_cells(df: pd.DataFrame, spec: dict[str, Any]) -> pd.DataFrame:
    """Cell fixes that hold for training and new data alike; returns a new frame."""
    df = df.drop(columns=[c for c in spec.get("drop_columns", []) if c in df.columns])
    for col, values in spec.get("to_missing", {}).items():
        if col in df.columns:
            df[col] = df[col].mask(df[col].isin(values))
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
            df[f"{col} (capped)"] = (pd.to_numeric(df[col], errors="coerce") == value).astype("float64")
    for col, fmt in spec.get("date_features", {}).items():
        if col in df.columns:  # a date as numbers: days since 1970 (the trend), the month (the season)
            when = pd.to_datetime(df[col], format=fmt, errors="coerce", utc=True)
            df[f"{col} (days)"] = (when - pd.Timestamp("1970-01-01", tz="UTC")).dt.total_seconds() / 86400
            df[f"{col} (month)"] = when.dt.month.astype("float64")
            df = df.drop(columns=[col])
    return df


# The name pickles record (see the module docstring); `import preflight.plan.clean` works too.
clean_cells.__module__ = "preflight.plan"
