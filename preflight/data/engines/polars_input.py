"""A Polars DataFrame as input: detected without importing polars, read through Arrow.

Polars is optional: a user who passes a polars frame has it installed, everyone else
never pays its import. ``DataFrame.to_arrow()`` hands over polars' own buffers (no copy
for numbers, booleans, dates and most strings); the pandas frame the checks read is then
built from that Arrow table by :func:`~preflight.data.frames.to_pandas`, the one
conversion every file reader makes, so a polars frame and the same table read from a
file reach the checks with the same dtypes (and a date beyond pandas' range or a bad
UTF-8 string is handled the same way).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from preflight.core.errors import PreflightError, first_line
from preflight.data.frames import to_pandas

if TYPE_CHECKING:
    import pandas as pd


def _polars_class(obj: object) -> str | None:
    """``DataFrame``/``LazyFrame`` when ``obj`` is one of polars' frames, else None.

    Judged by the class's module, so nothing imports polars to ask."""
    for cls in type(obj).__mro__:
        if cls.__module__.split(".")[0] == "polars" and cls.__name__ in ("DataFrame", "LazyFrame"):
            return cls.__name__
    return None


def from_polars(frame: object) -> pd.DataFrame:
    """The pandas frame the checks read, from a polars DataFrame, through Arrow.

    Anything that is not a polars DataFrame (a LazyFrame, a numpy array) is a
    PreflightError saying what the API takes."""
    kind = _polars_class(frame)
    if kind is None:
        raise PreflightError(
            f"cannot check a {type(frame).__name__}: pass a path, a pandas DataFrame or a polars DataFrame"
        )
    if kind == "LazyFrame":
        # Collecting is the user's decision: the query may be far larger than memory.
        raise PreflightError("a polars LazyFrame is a query, not data: pass frame.collect()")
    try:
        table = frame.to_arrow()  # type: ignore[attr-defined]
    except Exception as exc:  # e.g. an Object column, which Arrow cannot hold
        raise PreflightError(f"cannot read the polars DataFrame through Arrow: {first_line(exc)}") from exc
    return to_pandas(table, "<polars DataFrame>")
