"""The cleaned view: the table as the semantics read it.

Markers become missing, numbers and dates stored as text become numbers and dates.
Every check but the ones that own those problems (DQ004 the markers, SC002 the
numbers-as-text) reads this view, so a ``-999`` found once no longer drives the skew,
the scale, the outliers, the plots and the models. Columns that need no cleaning are
the raw frame's own series, not copies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import pandas as pd

from preflight.core.columns import ColumnSemantics
from preflight.data.engines.rows import RowBatches
from preflight.data.semantics.dates import parse_dates
from preflight.data.semantics.numbers_text import parse_numbers

T = TypeVar("T")


def cleaned_column(series: pd.Series, sem: ColumnSemantics) -> pd.Series:
    """``series`` with its markers missing and its text read as numbers or dates."""
    out = series
    if sem.missing_markers:
        out = out.mask(marker_mask(out, sem.missing_markers))
    if sem.parsed == "dates-as-text" and sem.date_format is not None:
        out = parse_dates(out, sem.date_format)
    elif sem.parsed is not None and sem.parsed != "dates-as-text":
        out = parse_numbers(out, sem.parsed)
    return out


def marker_mask(series: pd.Series, markers: tuple[str | float, ...]) -> np.ndarray:
    """True where a cell of ``series`` is one of ``markers`` (text exactly, numbers by value)."""
    texts = [m for m in markers if isinstance(m, str)]
    numbers = [m for m in markers if not isinstance(m, str)]
    mask = np.zeros(len(series), dtype=bool)
    if texts:
        mask |= series.isin(texts).to_numpy(dtype=bool, na_value=False)
    if numbers and pd.api.types.is_numeric_dtype(series.dtype):
        mask |= series.isin(numbers).to_numpy(dtype=bool, na_value=False)
    return mask


def cleaned_frame(frame: pd.DataFrame, semantics: Mapping[str, ColumnSemantics]) -> pd.DataFrame:
    """``frame`` with every column that needs it cleaned; the others are shared."""
    changed = {
        name: cleaned_column(frame[name], sem)
        for name, sem in semantics.items()
        if name in frame.columns and sem.changes_cells
    }
    if not changed:
        return frame
    out = frame.copy(deep=False)
    for name, series in changed.items():
        out[name] = series
    return out


@dataclass(frozen=True)
class _Cleaned(Generic[T]):
    """``fn`` of the cleaned batch (a dataclass, so Dask can ship it to a worker)."""

    fn: Callable[[pd.DataFrame], T]
    semantics: Mapping[str, ColumnSemantics]

    def __call__(self, batch: pd.DataFrame) -> T:
        return self.fn(cleaned_frame(batch, self.semantics))


class CleanedBatches:
    """A streamed file's row batches as the cleaned view reads them, so a pass over
    every row (outlier scores, missing counts) sees what the checks on the sample see."""

    def __init__(self, batches: RowBatches, semantics: Mapping[str, ColumnSemantics]) -> None:
        self._batches = batches
        self._semantics = {n: s for n, s in semantics.items() if s.changes_cells}

    @property
    def progress(self) -> Callable[[int, int | None], None] | None:
        return self._batches.progress

    @progress.setter
    def progress(self, hook: Callable[[int, int | None], None] | None) -> None:
        self._batches.progress = hook

    def map(self, fn: Callable[[pd.DataFrame], T], columns: list[str] | None = None) -> list[T]:
        return self._batches.map(self._cleaning(fn, columns), columns)

    def fold(
        self, fn: Callable[[pd.DataFrame], T], combine: Callable[[T, T], T], columns: list[str] | None = None
    ) -> T | None:
        return self._batches.fold(self._cleaning(fn, columns), combine, columns)

    def _cleaning(
        self, fn: Callable[[pd.DataFrame], T], columns: list[str] | None
    ) -> Callable[[pd.DataFrame], T]:
        """``fn`` on the batch as the cleaned view reads it (the columns read, cleaned)."""
        wanted = (
            self._semantics if columns is None else {n: s for n, s in self._semantics.items() if n in columns}
        )
        return _Cleaned(fn, wanted) if wanted else fn
