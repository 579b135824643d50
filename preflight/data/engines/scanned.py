"""Column profiles of a streamed file: exact counts from the scan, the rest from the sample.

In streaming mode ``Dataset.frame`` holds a seeded sample of the file's rows. The
checks still read a :class:`~preflight.data.profile.ColumnProfile` per column; this
subclass answers from the full-file :class:`~preflight.data.engines.column_scan.ColumnScan`
where the scan is exact (row and missing counts, min/max, moments, and value
frequencies of columns with at most ``DISTINCT_CAP`` distinct values) and from the
sample otherwise (quantiles, text classes, value frequencies of high-cardinality
columns, scaled to the file). Row masks (``missing_mask``, ``values``...) stay
aligned with the sample frame, so checks that combine columns keep working; the
``file_*_mask`` properties are the exact full-file masks.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from preflight.data.dataset import Dataset
from preflight.data.engines.column_scan import DISTINCT_CAP, ColumnScan
from preflight.data.engines.rows import RowBatches
from preflight.data.engines.scan import FileScan
from preflight.data.profile import ColumnProfile, Profile


class ScannedColumnProfile(ColumnProfile):
    def __init__(self, name: str, series: pd.Series, scan: ColumnScan) -> None:
        super().__init__(name, series)
        self.scan = scan

    @cached_property
    def n(self) -> int:
        return self.scan.n

    @cached_property
    def n_missing(self) -> int:
        return self.scan.n_missing

    @property
    def file_missing_mask(self) -> np.ndarray:
        # Unpacked on demand and not kept: 1 byte per row per column adds up.
        return self.scan.missing_mask()

    @property
    def file_inf_mask(self) -> np.ndarray:
        return self.scan.inf_mask()

    @cached_property
    def min(self) -> float | None:
        return self.scan.min

    @cached_property
    def max(self) -> float | None:
        return self.scan.max

    @cached_property
    def moments(self) -> tuple[float, float, float] | None:
        return self.scan.moments() if self.kind == "numeric" else super().moments

    @cached_property
    def value_counts(self) -> pd.Series:
        """Exact frequencies when the scan kept them; else the sample's, scaled to the file."""
        counts = self.scan.counts
        if counts is not None:
            keys = list(counts)
            if isinstance(self.series.dtype, pd.CategoricalDtype):
                # In memory, ties keep the categories' order; elsewhere first appearance.
                rank = {v: i for i, v in enumerate(self.series.cat.categories)}
                keys.sort(key=lambda v: rank.get(v, len(rank)))
            index = pd.Index(keys)
            if not isinstance(self.series.dtype, pd.CategoricalDtype):
                # Keep the sample's dtype when an index can hold it (not float16, say).
                with contextlib.suppress(TypeError, ValueError, NotImplementedError):
                    index = index.astype(self.series.dtype)
            series = pd.Series([counts[k] for k in keys], index=index, dtype="int64", name="count")
            # The sort pandas' value_counts does (stable, from first appearance or the
            # categories' order), so ties come out in the in-memory order.
            return series.sort_values(ascending=False, kind="stable")
        sample = self.sample_value_counts
        present = max(int(sample.sum()), 1)
        scaled = np.maximum(np.rint(sample.to_numpy() * (self.n_present / present)), 1).astype("int64")
        return pd.Series(scaled, index=sample.index, name="count")

    @cached_property
    def sample_value_counts(self) -> pd.Series:
        """The in-memory :attr:`value_counts`, over the sampled frame."""
        return ColumnProfile.value_counts.func(self)  # type: ignore[attr-defined,no-any-return]

    @cached_property
    def n_unique(self) -> int:
        """Exact while the scan counted. Above the cap, from the sample: every value once
        in the sample reads as unique per row (an id column); otherwise the GEE estimate
        (Charikar et al. 2000: sqrt(N/n)·f1 + Σ f_j for j ≥ 2, within a factor sqrt(N/n)),
        at least the cap."""
        if self.scan.counts is not None:
            return len(self.scan.counts)
        sample = self.sample_value_counts
        seen = int(sample.sum())
        if seen == 0:
            return DISTINCT_CAP + 1
        singles = int((sample == 1).sum())
        if singles == seen:
            return self.n_present
        estimate = np.sqrt(self.n_present / seen) * singles + (len(sample) - singles)
        return int(min(self.n_present, max(DISTINCT_CAP + 1, round(estimate))))

    @cached_property
    def dominant(self) -> tuple[object, int] | None:
        counts = self.value_counts
        if self.n_present == 0 or counts.empty:
            return None
        value, count = counts.index[0], int(counts.iloc[0])
        if isinstance(value, np.generic):  # a plain number in messages, as in memory
            value = value.item()
        return (value, count) if 2 * count > self.n_present else None

    def distinct_exceeds(self, m: int) -> bool:
        return self.n_unique > m


class ScannedProfile(Profile):
    """A :class:`Profile` whose columns know the full-file scan."""

    def __init__(self, dataset: Dataset, scan: FileScan, inherit: Profile | None = None) -> None:
        super().__init__(dataset, inherit)
        self.scan = scan

    def _make(self, name: str) -> ColumnProfile:
        sem = self.dataset.semantics.get(name)
        if sem is not None and sem.changes_cells and self.dataset.batches is not None:
            # The scan counted the cells as read; the stage cleaned this column (markers
            # missing, text parsed): its counts come from one pass over the cleaned cells.
            return CleanedStreamedColumn(name, self.dataset.frame[name], self.dataset.batches)
        return ScannedColumnProfile(name, self.dataset.frame[name], self.scan.columns[name])


@dataclass(frozen=True)
class _Missing:
    """Missing cells of one column of a batch (a dataclass, so the Dask engine can ship
    it to its workers); the batches are the cleaned view's (CleanedBatches)."""

    name: str

    def __call__(self, batch: pd.DataFrame) -> np.ndarray:
        return np.asarray(batch[self.name].isna().to_numpy(), dtype=bool)


class CleanedStreamedColumn(ColumnProfile):
    """A streamed column the semantics stage cleans: values and distributions from the
    cleaned sample, row and missing counts and the file mask exact over every row."""

    def __init__(self, name: str, series: pd.Series, batches: RowBatches) -> None:
        super().__init__(name, series)
        self._batches = batches

    @cached_property
    def _file_missing(self) -> np.ndarray:
        parts = self._batches.map(_Missing(self.name), columns=[self.name])
        return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)

    @cached_property
    def n(self) -> int:
        return int(self._file_missing.size)

    @cached_property
    def n_missing(self) -> int:
        return int(self._file_missing.sum())

    @property
    def file_missing_mask(self) -> np.ndarray:
        return self._file_missing
