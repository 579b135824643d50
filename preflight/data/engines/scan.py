"""One pass over row batches: mergeable per-column statistics, row hashes and a seeded sample.

A :class:`FileScan` summarises a run of consecutive rows. Scans of adjacent runs
merge (:func:`merge`) into the scan of the whole file, whatever the batch or
partition boundaries were, so the local streaming engine (pyarrow record batches)
and the Dask engine (one task per parquet fragment) compute the same thing:

- exact per column: rows, missing cells (a packed bitmap, so the rows are known),
  infinities (bitmap), finite min/max, mean, standard deviation and skewness
  (moments merged with Pébay's pairwise formulas), and value frequencies while a
  column has at most :data:`~preflight.data.engines.column_scan.DISTINCT_CAP` distinct
  values (:mod:`~preflight.data.engines.column_scan`);
- exact per row: a 64-bit hash of the whole row, for duplicate detection;
- a seeded uniform sample of ``k`` rows: the rows whose hashed position is among the
  ``k`` smallest, which depends only on the seed and the row's position, never on
  how the rows were batched.

Memory stays bounded: bitmaps cost 1 bit per cell, hashes 8 bytes per row, the
sample ``k`` rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from preflight.data.engines.column_scan import ColumnScan, scan_column

if TYPE_CHECKING:
    import pyarrow as pa

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


def position_hash(positions: np.ndarray, seed: int) -> np.ndarray:
    """splitmix64 of each row position mixed with the seed: a fixed pseudo-random key per row."""
    with np.errstate(over="ignore"):
        salt = np.uint64(seed & 0xFFFFFFFF) * np.uint64(0xD1B54A32D192ED03)
        z = positions.astype(np.uint64) * _GOLDEN + salt
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


@dataclass
class FileScan:
    """Everything one pass learns about a run of rows (see the module docstring)."""

    start: int
    n_rows: int
    columns: dict[str, ColumnScan]
    hashes: list[np.ndarray]
    sample: pa.Table | None  # the run's candidate sample rows, with a "__pos" column
    sample_keys: np.ndarray  # their position hashes, in the same order
    k: int
    # Packed repeated-row bits, set by finish() (the hashes are dropped then).
    duplicates: np.ndarray | None = None

    def trim_sample(self) -> None:
        """Keep the ``k`` candidates with the smallest keys."""
        import pyarrow as pa

        if self.sample is not None and len(self.sample_keys) > self.k:
            keep = np.argsort(self.sample_keys, kind="stable")[: self.k]
            self.sample, self.sample_keys = self.sample.take(pa.array(keep)), self.sample_keys[keep]

    def finish(self) -> FileScan:
        """Settle the duplicate rows and drop the row hashes (8 bytes per row) once the
        whole file is scanned; what is kept is one bit per row."""
        self.trim_sample()
        if self.duplicates is None:
            self.duplicates = np.packbits(self._repeated_rows())
            self.hashes = []
        return self

    def duplicate_mask(self) -> np.ndarray:
        """True for every row whose whole-row hash repeats an earlier row's.

        Without the rows at hand a collision cannot be ruled out; with 64-bit hashes
        its chance is about rows² / 2⁶⁵ (3 in a million for 10 million rows).
        """
        self.finish()
        assert self.duplicates is not None
        return np.unpackbits(self.duplicates, count=self.n_rows).astype(bool)

    def _repeated_rows(self) -> np.ndarray:
        # Sorting finds the repeated values with no hash table over every row (which
        # would cost several times the hashes' own 8 bytes per row); sorting one
        # sixteenth of the hashes at a time (by their top bits) keeps the copy small.
        found: list[np.ndarray] = []
        for bucket in range(16):
            part = np.concatenate(
                [h[(h >> np.uint64(60)) == bucket] for h in self.hashes] or [np.zeros(0, np.uint64)]
            )
            part.sort()
            found.append(part[1:][part[1:] == part[:-1]])
        repeated = np.unique(np.concatenate(found))
        mask = np.zeros(self.n_rows, dtype=bool)
        if repeated.size == 0:
            return mask
        start = 0
        rows: list[np.ndarray] = []
        values: list[np.ndarray] = []
        for part in self.hashes:
            local = np.flatnonzero(np.isin(part, repeated))
            rows.append(start + local)
            values.append(part[local])
            start += part.size
        # Among rows sharing a hash, every one after the first is a repeat.
        later = pd.Series(np.concatenate(values)).duplicated().to_numpy()
        mask[np.concatenate(rows)[later]] = True
        return mask

    def sample_frame(self) -> tuple[pd.DataFrame, np.ndarray]:
        """The sample as a DataFrame in file order, and the file position of each row."""
        from preflight.data.frames import to_pandas

        assert self.sample is not None
        order = np.argsort(self.sample.column("__pos").to_numpy())
        table = self.sample.take(order)
        positions = table.column("__pos").to_numpy().astype(np.int64)
        frame = to_pandas(table.drop_columns(["__pos"]))
        return frame, positions


def sample_threshold(k: int, total_rows: int) -> np.uint64:
    """Keys below this are sample candidates: about ``k`` rows plus a margin of six
    standard deviations, so the ``k`` smallest keys are almost surely among them
    (and when not, the sample is a few rows short, never different between runs)."""
    expected = 1.02 * k + 6.0 * np.sqrt(k) + 100.0
    if expected >= total_rows:
        return np.uint64(np.iinfo(np.uint64).max)
    return np.uint64(int(expected / total_rows * float(np.iinfo(np.uint64).max)))


def scan_batch(
    batch: pa.Table,
    frame: pd.DataFrame,
    start: int,
    *,
    seed: int,
    k: int,
    threshold: np.uint64,
    uncounted: frozenset[str] = frozenset(),
) -> FileScan:
    """The scan of one batch of rows starting at file position ``start``.

    ``batch`` is the Arrow form (kept for the sample, so dictionary columns and types
    survive) and ``frame`` its pandas form with the run's column names. Rows whose
    position key is below ``threshold`` are sample candidates (:func:`sample_threshold`).
    Columns in ``uncounted`` already passed the distinct cap: their values are not counted.
    """
    import pyarrow as pa

    from preflight.data.hashing import row_hashes

    n = len(frame)
    columns = {name: scan_column(frame[name], count=name not in uncounted) for name in frame.columns}
    positions = np.arange(start, start + n, dtype=np.int64)
    keys = position_hash(positions, seed)
    take = np.flatnonzero(keys < threshold)
    sample = batch.take(pa.array(take)).append_column("__pos", pa.array(positions[take]))
    return FileScan(
        start=start,
        n_rows=n,
        columns=columns,
        hashes=[np.asarray(row_hashes(frame).to_numpy(), dtype=np.uint64)],
        sample=sample,
        sample_keys=keys[take],
        k=k,
    )


def merge(a: FileScan, b: FileScan) -> FileScan:
    """The scan of run ``a`` followed by run ``b`` (``a`` is reused)."""
    import pyarrow as pa

    if a.duplicates is not None or b.duplicates is not None:
        raise ValueError("a finished scan cannot be merged")
    if a.start + a.n_rows != b.start:
        raise ValueError(f"scans are not adjacent: {a.start}+{a.n_rows} then {b.start}")
    for name, col in b.columns.items():
        a.columns[name].merge(col)
    a.hashes.extend(b.hashes)
    a.n_rows += b.n_rows
    assert a.sample is not None and b.sample is not None
    a.sample = pa.concat_tables([a.sample, b.sample], promote_options="permissive")
    a.sample_keys = np.concatenate([a.sample_keys, b.sample_keys])
    a.trim_sample()
    return a
