"""The Dask engine: the streaming scan and the row scoring as tasks over parquet row groups.

Each row group of the input is one partition. A task scans it
(:func:`preflight.data.engines.scan.scan_batch`, the same code the local streaming engine
runs per record batch); adjacent scans are merged pairwise on the workers, so only
the merged scan (bitmaps, hashes, the seeded sample) reaches this process. Row
scoring (:class:`DaskBatches`) sends a check's picklable function to every
partition. Merging is independent of where the boundaries fall, so the report is
the local engine's, with moments equal to floating-point tolerance.

Dask is an optional extra (``pip install 'preflight[dask]'``); nothing else in
preflight imports it.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from preflight.core.config import Config
from preflight.core.errors import PreflightError, first_line
from preflight.data.dataset import Dataset
from preflight.data.engines.rows import fold_results
from preflight.data.engines.scan import FileScan, merge, sample_threshold, scan_batch
from preflight.data.engines.stream import (
    RowsHook,
    batch_frame,
    dataset_from_scan,
    parquet_files,
    renamed_columns,
)
from preflight.data.frames import unique_names

if TYPE_CHECKING:
    from distributed import Client

T = TypeVar("T")

# Workers of the local cluster started when no --scheduler is given: one
# single-threaded process per core (DESIGN.md §5: parallelise at one level only).
MAX_LOCAL_WORKERS = 4

_clients: dict[str | None, Client] = {}


@dataclass(frozen=True)
class Partition:
    """One parquet row group and the file position of its first row."""

    path: str
    row_group: int
    start: int
    rows: int

    def read(self, columns: list[str] | None = None) -> tuple[Any, pd.DataFrame]:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(self.path)
        names, _ = unique_names(pf.schema_arrow.names)
        if columns is None:
            table = pf.read_row_group(self.row_group).rename_columns(names)
        else:
            raw = [pf.schema_arrow.names[names.index(c)] for c in columns]
            table = pf.read_row_group(self.row_group, columns=raw).rename_columns(columns)
        return table, batch_frame(table, self.start)


def partitions(files: list[str]) -> list[Partition]:
    import pyarrow.parquet as pq

    parts: list[Partition] = []
    start = 0
    for f in files:
        meta = pq.ParquetFile(f).metadata
        for i in range(meta.num_row_groups):
            rows = meta.row_group(i).num_rows
            if rows:
                parts.append(Partition(f, i, start, rows))
                start += rows
    return parts


def client_for(scheduler: str | None) -> Client:
    """A client of ``scheduler``, or of a local cluster started once per process."""
    if scheduler in _clients:
        return _clients[scheduler]
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise PreflightError("--engine dask needs Dask: pip install 'preflight[dask]'") from None
    try:
        if scheduler is None:
            workers = max(1, min(MAX_LOCAL_WORKERS, os.cpu_count() or 1))
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
            client = Client(cluster)
            atexit.register(cluster.close)
        else:
            client = Client(scheduler, timeout="20s")
    except OSError as exc:
        raise PreflightError(f"cannot reach the Dask scheduler {scheduler!r}: {first_line(exc)}") from None
    atexit.register(client.close)
    _clients[scheduler] = client
    return client


def _scan_partition(part: Partition, seed: int, k: int, threshold: np.uint64) -> FileScan:
    table, frame = part.read()
    return scan_batch(table, frame, part.start, seed=seed, k=k, threshold=threshold)


def _apply(part: Partition, fn: Callable[[pd.DataFrame], T], columns: list[str] | None) -> T:
    _, frame = part.read(columns)
    return fn(frame)


class DaskBatches:
    """:class:`~preflight.data.engines.rows.RowBatches` over the partitions, as Dask tasks."""

    def __init__(self, client: Client, parts: list[Partition]) -> None:
        self.client = client
        self.parts = parts
        self.progress: RowsHook | None = None

    def map(self, fn: Callable[[pd.DataFrame], T], columns: list[str] | None = None) -> list[T]:
        futures = self.client.map(_apply, self.parts, fn=fn, columns=columns, pure=False)
        if self.progress is not None:
            _report_progress(futures, self.parts, self.progress)
        results: list[T] = self.client.gather(futures)
        return results

    def fold(
        self, fn: Callable[[pd.DataFrame], T], combine: Callable[[T, T], T], columns: list[str] | None = None
    ) -> T | None:
        # The partitions are few and large: their results are gathered, then combined.
        return fold_results(self.map(fn, columns), combine)


def _report_progress(futures: list[Any], parts: list[Partition], progress: RowsHook) -> None:
    """Call ``progress`` as partitions finish (rows done so far, total rows)."""
    from distributed import as_completed

    rows = {f.key: p.rows for f, p in zip(futures, parts, strict=True)}
    total, done = sum(rows.values()), 0
    for future in as_completed(futures):
        done += rows[future.key]
        progress(done, total)


def scan_on_dask(
    client: Client, parts: list[Partition], *, seed: int, k: int, progress: RowsHook | None
) -> FileScan:
    threshold = sample_threshold(k, sum(p.rows for p in parts))
    leaves = client.map(_scan_partition, parts, seed=seed, k=k, threshold=threshold, pure=False)
    if progress is not None:
        _report_progress(leaves, parts, progress)
    # Pairwise merges of neighbours on the workers: the client receives one scan.
    level = leaves
    while len(level) > 1:
        nxt = [client.submit(merge, a, b, pure=False) for a, b in zip(level[::2], level[1::2], strict=False)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    # Settled on a worker: the row hashes never travel to this process.
    scan: FileScan = client.submit(FileScan.finish, level[0], pure=False).result()
    return scan


def load_on_dask(
    path: str, config: Config, *, target: str | None, progress: RowsHook | None = None
) -> Dataset:
    files = parquet_files(path)
    parts = partitions(files)
    if not parts:
        raise PreflightError(f"{path}: no data rows (only a header or an empty table)")
    client = client_for(config.scheduler)
    try:
        scan = scan_on_dask(client, parts, seed=config.seed, k=config.stream_sample, progress=progress)
    except PreflightError:
        raise
    except Exception as exc:  # a worker could not read or scan a partition
        raise PreflightError(f"{path}: the Dask scan failed: {first_line(exc)}") from exc
    return dataset_from_scan(
        path,
        scan,
        renamed=renamed_columns(files),
        target=target,
        id_columns=config.id_columns,
        task=config.task,
        batches=DaskBatches(client, parts),
    )
