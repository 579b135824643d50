"""What every reader and engine does to a table on its way to the pandas frame the checks read.

An Arrow table is refused when a text column holds bytes that are not UTF-8, and its
dates outside pandas' nanosecond range become text (:func:`to_pandas`); a DataFrame
given directly gets the same treatment of its dates (:func:`datetimes_in_range`).
Column names become unique strings (:func:`unique_names`), the same in memory, streamed
and on Dask, so a column is called alike whichever engine read it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from preflight.core.errors import PreflightError

if TYPE_CHECKING:
    import pyarrow as pa

log = logging.getLogger(__name__)


def to_pandas(table: pa.Table, path: str = "") -> pd.DataFrame:
    """An Arrow table as the pandas frame every reader and engine hands on."""
    # Dictionary-encoded columns become pandas categoricals; everything else keeps
    # its natural dtype. A RangeIndex keeps positions equal to file row numbers.
    _refuse_invalid_text(table, path)
    table = _dates_in_range(table)
    frame: pd.DataFrame = table.to_pandas()
    return frame.reset_index(drop=True)


def _refuse_invalid_text(table: pa.Table, path: str) -> None:
    """PreflightError naming the column and row when a text column holds bytes that
    are not UTF-8 (parquet and Arrow files do not check on write; CSV reading does)."""
    import pyarrow as pa

    for name, column in zip(table.column_names, table.columns, strict=True):
        t = column.type
        if pa.types.is_dictionary(t):
            t = t.value_type
        if not (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)):
            continue
        offset = 0
        for chunk in column.chunks:
            try:
                chunk.validate(full=True)
            except pa.ArrowInvalid as exc:
                found = re.search(r"index (\d+)", str(exc))
                row = f" (row {offset + int(found.group(1))})" if found else ""
                where = f"{path}: " if path else ""
                raise PreflightError(
                    f"{where}column {name!r} holds text that is not valid UTF-8{row}; "
                    "re-encode it as UTF-8 (or store it as binary)"
                ) from None
            offset += len(chunk)


def _dates_in_range(table: pa.Table) -> pa.Table:
    """Timestamp and date columns with a value pandas cannot hold as a nanosecond
    timestamp (before 1677 or after 2262, e.g. a 3000-01-01 "never" sentinel) as
    ISO text, so every check sees one consistent column instead of crashing on it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for i, column_field in enumerate(table.schema):
        t = column_field.type
        if not (pa.types.is_timestamp(t) or pa.types.is_date(t)):
            continue
        if pa.types.is_timestamp(t) and t.unit == "ns":
            continue  # always in range
        tz = t.tz if pa.types.is_timestamp(t) else None
        try:
            pc.cast(table.column(i), pa.timestamp("ns", tz=tz))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            name = column_field.name
            log.debug("column %r holds dates outside pandas' range; read as text", name)
            table = table.set_column(i, name, pc.cast(table.column(i), pa.string()))
    return table


def datetimes_in_range(frame: pd.DataFrame) -> pd.DataFrame:
    """The same for a DataFrame given directly: non-nanosecond datetime columns whose
    values overflow nanoseconds become ISO text."""
    out = frame
    for name in frame.columns:
        series = frame[name]
        if not isinstance(series, pd.Series) or not pd.api.types.is_datetime64_any_dtype(series.dtype):
            continue
        dtype = series.dtype
        unit: str
        if isinstance(dtype, pd.DatetimeTZDtype):
            unit = dtype.unit
        elif isinstance(dtype, np.dtype):
            unit = np.datetime_data(dtype)[0]  # type: ignore[arg-type]
        else:
            unit = getattr(dtype, "unit", "ns")
        if unit == "ns":
            continue
        try:
            series.dt.as_unit("ns")
        except (OverflowError, ValueError):
            if out is frame:
                out = frame.copy(deep=False)
            out[name] = series.astype("string").astype(object).where(series.notna(), None)
    return out


def unique_names(raw: Sequence[object]) -> tuple[list[str], dict[str, str]]:
    """Column names as strings, made unique (``a``, ``a.1``), and the renames done
    (new name → original), which the report lists."""
    names = [str(c) for c in raw]
    seen: dict[str, int] = {}
    out: list[str] = []
    renamed: dict[str, str] = {}
    taken = set(names)
    for name in names:
        if name in seen:
            k = seen[name]
            new = f"{name}.{k}"
            # Skip suffixes another column already carries: a, a, a.1 → a, a.2, a.1.
            while new in taken:
                k += 1
                new = f"{name}.{k}"
            seen[name] = k + 1
            taken.add(new)
            renamed[new] = name
            out.append(new)
        else:
            seen[name] = 1
            out.append(name)
    return out, renamed


def normalise_columns(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """``frame`` with :func:`unique_names` as its columns (a shallow copy only when a
    name changes), and the renames done."""
    out, renamed = unique_names(list(frame.columns))
    if out != list(frame.columns):
        frame = frame.copy(deep=False)
        frame.columns = out
    return frame, renamed
