"""The local streaming engine: a parquet file read once in record batches.

Peak memory does not grow with the number of rows: each batch is scanned
(:mod:`preflight.data.engines.scan`) and dropped; what is kept is the mergeable scan
(bitmaps, hashes, exact frequencies of low-cardinality columns) and the seeded
sample the checks read as ``Dataset.frame``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, TypeVar

import pandas as pd

from preflight.core.errors import PreflightError, first_line
from preflight.data.dataset import Dataset, assign_roles
from preflight.data.engines.rows import BATCH_ROWS, fold_results
from preflight.data.engines.scan import FileScan, merge, sample_threshold, scan_batch
from preflight.data.frames import to_pandas, unique_names
from preflight.data.inputs import input_files

if TYPE_CHECKING:
    import pyarrow as pa

T = TypeVar("T")


# Called with the rows read so far and the total (None when unknown).
RowsHook = Callable[[int, int | None], None]


def parquet_files(spec: str) -> list[str]:
    files = input_files(spec)
    for f in files:
        with open(f, "rb") as fh:
            if fh.read(4) != b"PAR1":
                raise PreflightError(
                    f"{f}: streaming and the Dask engine read parquet only; "
                    "convert the file (pyarrow.csv + pyarrow.parquet) or use --mode memory"
                )
    return files


def total_rows(files: list[str]) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


def iter_batches(files: list[str], columns: list[str] | None = None) -> Iterator[tuple[int, pa.Table]]:
    """(file position of the first row, batch as a table with normalised names)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    start = 0
    for f in files:
        # A 1 MB read buffer without pre-buffering keeps whole column chunks out of memory.
        pf = pq.ParquetFile(f, buffer_size=1 << 20, pre_buffer=False)
        names, _ = unique_names(pf.schema_arrow.names)
        wanted = None if columns is None else [pf.schema_arrow.names[names.index(c)] for c in columns]
        try:
            for batch in pf.iter_batches(batch_size=BATCH_ROWS, columns=wanted, use_threads=False):
                table = pa.Table.from_batches([batch])
                table = table.rename_columns(names if columns is None else columns)
                yield start, table
                start += table.num_rows
        except PreflightError:
            raise
        except Exception as exc:  # pyarrow raises many types; all mean "cannot read"
            raise PreflightError(f"{f}: cannot read as parquet: {first_line(exc)}") from exc


def batch_frame(table: pa.Table, start: int) -> pd.DataFrame:
    frame = to_pandas(table)
    frame.index = pd.RangeIndex(start, start + len(frame))
    return frame


class ParquetBatches:
    """:class:`~preflight.data.engines.rows.RowBatches` over the file's record batches."""

    def __init__(self, files: list[str]) -> None:
        self.files = files
        self.total = total_rows(files)
        self.progress: RowsHook | None = None

    def map(self, fn: Callable[[pd.DataFrame], T], columns: list[str] | None = None) -> list[T]:
        return list(self._results(fn, columns))

    def fold(
        self, fn: Callable[[pd.DataFrame], T], combine: Callable[[T, T], T], columns: list[str] | None = None
    ) -> T | None:
        return fold_results(self._results(fn, columns), combine)

    def _results(self, fn: Callable[[pd.DataFrame], T], columns: list[str] | None) -> Iterator[T]:
        """``fn`` of each record batch in turn, progress told as the pass goes; the freed
        memory handed back once the pass is over."""
        for start, table in iter_batches(self.files, columns):
            yield fn(batch_frame(table, start))
            if self.progress is not None:
                self.progress(start + table.num_rows, self.total)
        release_memory()


def release_memory() -> None:
    """Hand the batches' freed buffers back to the system: the allocators keep them
    for reuse otherwise, and a streamed pass would hold its peak for the whole run."""
    import contextlib
    import ctypes
    import sys

    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    if sys.platform.startswith("linux"):  # glibc's heap (numpy, pandas): trimmed on request only
        with contextlib.suppress(OSError, AttributeError):  # another C library (musl): nothing to trim
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def scan_file(files: list[str], *, seed: int, k: int, progress: RowsHook | None = None) -> FileScan:
    total = total_rows(files)
    threshold = sample_threshold(k, total)
    scan: FileScan | None = None
    for start, table in iter_batches(files):
        # Columns past the distinct cap stay past it: no need to count their values again.
        uncounted = (
            frozenset() if scan is None else frozenset(n for n, c in scan.columns.items() if c.counts is None)
        )
        part = scan_batch(
            table, batch_frame(table, start), start, seed=seed, k=k, threshold=threshold, uncounted=uncounted
        )
        scan = part if scan is None else merge(scan, part)
        if progress is not None:
            progress(start + table.num_rows, total)
    if scan is None:
        raise PreflightError(f"{files[0]}: no data rows (only a header or an empty table)")
    scan.finish()
    release_memory()
    return scan


def renamed_columns(files: list[str]) -> dict[str, str]:
    """The renames the in-memory reader would report (duplicate names made unique)."""
    import pyarrow.parquet as pq

    _, renamed = unique_names(pq.ParquetFile(files[0]).schema_arrow.names)
    return renamed


def dataset_from_scan(
    path: str,
    scan: FileScan,
    *,
    renamed: dict[str, str],
    target: str | None,
    id_columns: tuple[str, ...],
    task: str,
    batches: object,
) -> Dataset:
    """The Dataset the checks read: the sample as ``frame``, the scan beside it."""
    frame, positions = scan.sample_frame()
    ds = Dataset(frame=frame, path=path, source_format="parquet", renamed_columns=renamed)
    ds.file_rows = scan.n_rows
    ds.sample_positions = None if len(frame) == scan.n_rows else positions
    ds.scan = scan
    ds.batches = batches  # type: ignore[assignment]
    assign_roles(ds, target=target, id_columns=id_columns, task=task)
    return ds


def load_streamed(
    path: str,
    *,
    target: str | None,
    id_columns: tuple[str, ...],
    task: str,
    seed: int,
    sample_rows: int,
    progress: RowsHook | None = None,
) -> Dataset:
    files = parquet_files(path)
    scan = scan_file(files, seed=seed, k=sample_rows, progress=progress)
    return dataset_from_scan(
        path,
        scan,
        renamed=renamed_columns(files),
        target=target,
        id_columns=id_columns,
        task=task,
        batches=ParquetBatches(files),
    )
