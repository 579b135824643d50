"""Running a function over every row of the data, batch by batch.

Checks that score rows (outliers, say) fit on ``Dataset.frame`` and then score every
row through :class:`RowBatches`: in memory the one batch is the frame itself; when
streaming it is each record batch of the file in turn; on Dask each partition, as
a task. Every batch a function sees is a DataFrame whose index holds the rows' file
positions, so the function's results need no bookkeeping of offsets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

import pandas as pd

T = TypeVar("T")


class RowBatches(Protocol):
    def map(self, fn: Callable[[pd.DataFrame], T], columns: list[str] | None = None) -> list[T]:
        """``fn`` applied to every batch, results in row order. ``fn`` must be picklable
        (a module-level function or a dataclass instance) for the Dask engine. With
        ``columns``, the batches hold only those columns (fewer bytes read)."""
        ...


class InMemory:
    """The whole frame is the one batch."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame

    def map(self, fn: Callable[[pd.DataFrame], T], columns: list[str] | None = None) -> list[T]:
        return [fn(self.frame)]
