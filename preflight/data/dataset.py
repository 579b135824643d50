"""The :class:`Dataset` the checks read, and loading one: read the table, then assign roles.

The stages live beside this module: which files an input names
(:mod:`preflight.data.inputs`), reading them into a pandas frame
(:mod:`preflight.data.read`, :mod:`preflight.data.frames`) and the roles of its
columns (:mod:`preflight.data.roles`). The engines (:mod:`preflight.data.engines`)
build the same Dataset from a streamed scan.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from preflight.core.columns import ColumnSemantics
from preflight.core.errors import PreflightError
from preflight.core.findings import Task
from preflight.data.frames import datetimes_in_range, normalise_columns
from preflight.data.inputs import Format
from preflight.data.read import CSV_NULL_TOKENS, read_frame
from preflight.data.roles import resolve_roles

if TYPE_CHECKING:
    from preflight.data.engines.rows import RowBatches
    from preflight.data.engines.scan import FileScan


@dataclass
class Dataset:
    """A table read once, with roles.

    ``frame`` has a RangeIndex, so a row's index label *is* its 0-based position
    in the input file; checks report positions from it.
    """

    frame: pd.DataFrame
    path: str
    source_format: Format
    target: str | None = None
    id_columns: tuple[str, ...] = ()
    task: Task | None = None
    renamed_columns: dict[str, str] = field(default_factory=dict)
    # Streaming mode (preflight.data.engines): ``frame`` is a seeded sample of the file's
    # rows, ``sample_positions`` their file positions, ``scan`` the full-file
    # statistics and ``batches`` a way to run a function over every row batch.
    file_rows: int | None = None
    sample_positions: np.ndarray | None = None
    scan: FileScan | None = None
    batches: RowBatches | None = None
    # The semantics stage (preflight.data.semantics): what every column is, and the
    # frame as read before its markers became missing and its text numbers and dates
    # were parsed (``frame`` is then the cleaned view). Empty / None before the stage.
    semantics: Mapping[str, ColumnSemantics] = field(default_factory=dict)
    raw_frame: pd.DataFrame | None = None

    @property
    def features(self) -> tuple[str, ...]:
        """The columns a model may learn from, in table order: not the target, not a
        declared id column, not a column the semantics stage found to be an identifier."""
        skip = set(self.id_columns) | set(self.keys)
        if self.target is not None:
            skip.add(self.target)
        return tuple(c for c in self.frame.columns if c not in skip)

    @property
    def frame_as_read(self) -> pd.DataFrame:
        """The cells as the file holds them: what a contract, a duplicate row or a
        marker is about (``frame`` is the cleaned view once the stage has run)."""
        return self.raw_frame if self.raw_frame is not None else self.frame

    @property
    def keys(self) -> tuple[str, ...]:
        """Columns the semantics stage found to identify rows (besides --id-column):
        kept out of the features, passed through by ``fix`` unchanged."""
        return tuple(
            name
            for name, sem in self.semantics.items()
            if sem.semantic == "identifier" and name != self.target and name not in self.id_columns
        )

    @property
    def n_rows(self) -> int:
        """Rows in ``frame`` (the sample, when streaming)."""
        return len(self.frame)

    @property
    def rows_in_file(self) -> int:
        """Rows in the whole input (``n_rows`` unless streaming)."""
        return self.file_rows if self.file_rows is not None else len(self.frame)

    @property
    def y(self) -> pd.Series:
        if self.target is None:
            raise PreflightError("this check needs a target column (--target)")
        return self.frame[self.target]

    @property
    def null_tokens_already_parsed(self) -> frozenset[str]:
        """Null-like strings the reader already turned into real nulls."""
        return CSV_NULL_TOKENS if self.source_format == "csv" else frozenset()


def load_dataset(
    source: str | os.PathLike[str] | pd.DataFrame,
    *,
    target: str | None = None,
    id_columns: Sequence[str] = (),
    task: str = "auto",
) -> Dataset:
    """Read ``source`` and assign roles. Raises PreflightError on bad input."""
    if isinstance(source, pd.DataFrame):
        frame, renamed = normalise_columns(source.reset_index(drop=True))
        frame = datetimes_in_range(frame)
        ds = Dataset(frame=frame, path="<dataframe>", source_format="dataframe", renamed_columns=renamed)
    else:
        ds = read_table(source)
    return assign_roles(ds, target=target, id_columns=id_columns, task=task)


def read_table(path: str | os.PathLike[str]) -> Dataset:
    """Read one file, a directory of data files, or a glob of them (no roles yet)."""
    spec = os.fspath(path)
    frame, fmt = read_frame(spec)
    frame, renamed = normalise_columns(frame)
    return Dataset(frame=frame, path=spec, source_format=fmt, renamed_columns=renamed)


def assign_roles(ds: Dataset, *, target: str | None, id_columns: Sequence[str], task: str) -> Dataset:
    """Check the table is not empty, the named columns exist, and set target/ids/task."""
    ds.target, ds.id_columns, ds.task = resolve_roles(
        ds.frame, ds.path, target=target, id_columns=id_columns, task=task
    )
    return ds
