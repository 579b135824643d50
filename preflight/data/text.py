"""Text form of cells, safe for every cell type a real table holds.

pandas' ``astype(str)`` decodes ``bytes`` cells as UTF-8 and raises
``UnicodeDecodeError`` on raw binary (a parquet binary column, a hash digest in an
object column). Checks fall back to the text form of cells exactly when the cells are
awkward (unhashable, unorderable), so that fallback must never raise itself.
"""

from __future__ import annotations

from typing import Any, TypeVar

import pandas as pd

T = TypeVar("T", pd.Series, pd.DataFrame)


def _cell(value: Any) -> Any:
    return repr(value) if isinstance(value, (bytes, bytearray, memoryview)) else value


def as_text(data: T) -> T:
    """``data.astype(str)``, with raw-bytes cells written as their ``repr`` (``b'\\xff'``)."""
    try:
        return data.astype(str)
    except UnicodeDecodeError:
        cleaned = data.map(_cell)
        return cleaned.astype(str)
