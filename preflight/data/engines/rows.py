"""Running a function over every row of the data, batch by batch.

Checks that score rows (outliers, say) fit on ``Dataset.frame`` and then score every
row through :class:`RowBatches`: in memory the one batch is the frame itself; when
streaming it is each record batch of the file in turn; on Dask each partition, as
a task. Every batch a function sees is a DataFrame whose index holds the rows' file
positions, so the function's results need no bookkeeping of offsets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

import pandas as pd

T = TypeVar("T")


class RowBatches(Protocol):
    # Told (rows done, total rows) as a pass goes; the CLI's progress line listens.
    progress: Callable[[int, int | None], None] | None

    def map(self, fn: Callable[[pd.DataFrame], T], columns: list[str] | None = None) -> list[T]:
        """``fn`` applied to every batch, results in row order. ``fn`` must be picklable
        (a module-level function or a dataclass instance) for the Dask engine. With
        ``columns``, the batches hold only those columns (fewer bytes read)."""
        ...

    def fold(
        self, fn: Callable[[pd.DataFrame], T], combine: Callable[[T, T], T], columns: list[str] | None = None
    ) -> T | None:
        """``fn`` applied to every batch and the results combined in row order
        (``combine(earlier, later)``, associative), as they come: a pass over a file
        holds the running result and one batch's, not every batch's. None: no batch."""
        ...


# Rows per batch: large enough that per-batch overhead is noise, small enough that
# what a batch function builds (an encoded matrix, say) stays small; a parquet batch
# of 20 float columns is ~10 MB (DESIGN.md §5 measured this setting).
BATCH_ROWS = 32_768


class InMemory:
    """The frame, in slices of :data:`BATCH_ROWS` rows (views, not copies)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.progress: Callable[[int, int | None], None] | None = None  # in memory: too quick to show

    def map(self, fn: Callable[[pd.DataFrame], T], columns: list[str] | None = None) -> list[T]:
        return list(self._results(fn, columns))

    def fold(
        self, fn: Callable[[pd.DataFrame], T], combine: Callable[[T, T], T], columns: list[str] | None = None
    ) -> T | None:
        return fold_results(self._results(fn, columns), combine)

    def _results(self, fn: Callable[[pd.DataFrame], T], columns: list[str] | None) -> Iterator[T]:
        frame = self.frame if columns is None else self.frame[columns]
        for start in range(0, max(len(frame), 1), BATCH_ROWS):
            yield fn(frame.iloc[start : start + BATCH_ROWS])


def fold_results(results: Iterable[T], combine: Callable[[T, T], T]) -> T | None:
    """The results combined in order as they come (None: there were none): what a
    ``fold`` holds is the running result, not every batch's."""
    result: T | None = None
    for part in results:
        result = part if result is None else combine(result, part)
    return result
