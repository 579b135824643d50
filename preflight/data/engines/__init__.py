"""How the data is read and scanned: in memory, streamed in batches, or on Dask.

``load`` is the one entry point (the CLI and the Python API use it). The checks
never know which ran: they read a :class:`~preflight.data.dataset.Dataset` and its
profile either way. See docs/limits.md for what streaming computes exactly and
what it takes from the seeded sample.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import pandas as pd

from preflight.core.config import Config
from preflight.data.dataset import Dataset, load_dataset
from preflight.data.engines.polars_input import from_polars
from preflight.data.engines.stream import RowsHook

if TYPE_CHECKING:
    import polars as pl

Mode = Literal["memory", "stream"]

# The in-memory audit peaks at about this many times the table's uncompressed Arrow
# size (pandas objects, masks, copies); measured on benchmarks/speed.py data.
MEMORY_FACTOR = 5.0
# Plus the model-based checks' encoded matrix, built over every row in memory:
# 8 bytes per numeric feature (16 with a missing indicator) and up to 20 one-hot
# columns per text feature (preflight.analysis.features.MAX_CATEGORIES).
ENCODED_BYTES = {"numeric": 16, "text": 8 * 20}
# Stream when that estimate would take more than this share of the available memory.
MEMORY_SHARE = 0.5


def available_memory() -> int:
    """Bytes of memory available to a new allocation (Linux MemAvailable, else physical)."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))


def estimated_memory(files: Sequence[str]) -> int:
    """Estimated peak bytes of the in-memory audit of these parquet files."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    size = 0
    rows = 0
    for f in files:
        meta = pq.ParquetFile(f).metadata
        size += sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        rows += meta.num_rows
    per_row = 0
    for field in pq.ParquetFile(files[0]).schema_arrow:
        t = field.type
        numeric = (pa.types.is_integer, pa.types.is_floating, pa.types.is_boolean, pa.types.is_temporal)
        if any(is_kind(t) for is_kind in numeric):
            per_row += ENCODED_BYTES["numeric"]
        elif pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_dictionary(t):
            per_row += ENCODED_BYTES["text"]
    return int(size * MEMORY_FACTOR + rows * per_row)


def choose_mode(path: str, config: Config) -> Mode:
    """``config.mode`` unless it is auto: stream a parquet input too big to audit in memory."""
    if config.mode != "auto":
        return config.mode  # type: ignore[return-value]
    from preflight.data.inputs import input_files

    files = input_files(path)  # a FIFO or device is refused before anything opens it
    try:
        with open(files[0], "rb") as fh:
            if fh.read(4) != b"PAR1":
                return "memory"  # only parquet streams
        estimate = estimated_memory(files)
    except Exception:  # unreadable metadata: the reader will say why
        return "memory"
    return "stream" if estimate > MEMORY_SHARE * available_memory() else "memory"


def load(
    source: str | os.PathLike[str] | pd.DataFrame | pl.DataFrame,
    config: Config,
    *,
    target: str | None,
    progress: RowsHook | None = None,
) -> Dataset:
    """Read ``source`` the way ``config`` (engine, mode) says and assign roles.

    A polars DataFrame becomes the pandas frame through Arrow (:mod:`.polars_input`)."""
    if not isinstance(source, (str, os.PathLike, pd.DataFrame)):
        source = from_polars(source)  # anything else is refused there, in one line
    if isinstance(source, pd.DataFrame):
        return load_dataset(source, target=target, id_columns=config.id_columns, task=config.task)
    path = os.fspath(source)
    if config.engine == "dask":
        from preflight.data.engines.dask import load_on_dask

        return load_on_dask(path, config, target=target, progress=progress)
    if choose_mode(path, config) == "stream":
        from preflight.data.engines.stream import load_streamed

        return load_streamed(
            path,
            target=target,
            id_columns=config.id_columns,
            task=config.task,
            seed=config.seed,
            sample_rows=config.stream_sample,
            progress=progress,
        )
    return load_dataset(path, target=target, id_columns=config.id_columns, task=config.task)
