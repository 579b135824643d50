"""Reading a table once, and assigning roles (target, id columns, features, task).

Every reader goes through pyarrow. Anything wrong with the input becomes a
:class:`~preflight.core.errors.PreflightError` with one clear sentence; nothing here
ever writes to the input path.
"""

from __future__ import annotations

import codecs
import csv
import glob
import logging
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from preflight.core.errors import PreflightError, did_you_mean
from preflight.core.findings import Task
from preflight.core.paths import is_pattern

if TYPE_CHECKING:
    import pyarrow as pa

    from preflight.data.engines.rows import RowBatches
    from preflight.data.engines.scan import FileScan

log = logging.getLogger(__name__)

Format = Literal["csv", "parquet", "jsonl", "feather", "dataframe"]

SUFFIXES: dict[str, Format] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".feather": "feather",
    ".arrow": "feather",
    ".ipc": "feather",
}

# The tokens pyarrow (and pandas.read_csv) already read as missing in CSV files.
# Checks treat these as real nulls; other null-like strings are "disguised".
CSV_NULL_TOKENS: frozenset[str] = frozenset(
    ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
     "1.#QNAN", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null"]
)  # fmt: skip

# Above this many distinct integer values a numeric target is taken as regression.
MAX_CLASSES_FOR_INTEGER_TARGET = 20

_LFS_POINTER = b"version https://git-lfs.github.com/spec/"


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

    @property
    def features(self) -> tuple[str, ...]:
        skip = set(self.id_columns)
        if self.target is not None:
            skip.add(self.target)
        return tuple(c for c in self.frame.columns if c not in skip)

    @property
    def n_rows(self) -> int:
        """Rows in ``frame`` (the sample, when streaming)."""
        return len(self.frame)

    @property
    def rows_in_file(self) -> int:
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
        frame, renamed = _normalise_columns(source.reset_index(drop=True))
        frame = _datetimes_in_range(frame)
        ds = Dataset(frame=frame, path="<dataframe>", source_format="dataframe")
        ds.renamed_columns = renamed
    else:
        ds = read_table(source)
    return assign_roles(ds, target=target, id_columns=id_columns, task=task)


def assign_roles(ds: Dataset, *, target: str | None, id_columns: Sequence[str], task: str) -> Dataset:
    """Check the table is not empty, the named columns exist, and set target/ids/task."""
    if ds.frame.shape[1] == 0:
        raise PreflightError(f"{ds.path}: no columns")
    if len(ds.frame) == 0:
        raise PreflightError(f"{ds.path}: no data rows (only a header or an empty table)")
    columns = list(ds.frame.columns)
    if target is not None and target not in columns:
        raise PreflightError(
            f"{ds.path}: target column {target!r} not found"
            + (did_you_mean(target, columns) or f"; columns are {_preview(columns)}")
        )
    for col in id_columns:
        if col not in columns:
            raise PreflightError(f"{ds.path}: id column {col!r} not found" + did_you_mean(col, columns))
    ds.target = target
    ds.id_columns = tuple(c for c in id_columns if c != target)
    ds.task = infer_task(ds.frame[target], task) if target is not None else None
    return ds


def infer_task(y: pd.Series, task: str = "auto") -> Task | None:
    """Classification for text, booleans and small sets of integers; else regression."""
    if task == "regression":
        _refuse_non_numeric_regression(y)
    if task in ("classification", "regression"):
        return task  # type: ignore[return-value]
    if task != "auto":
        raise PreflightError(f"unknown task {task!r}; use auto, classification or regression")
    values = y.dropna()
    if values.empty:
        return None
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return "classification"
    arr = values.to_numpy(dtype=float, na_value=np.nan)
    arr = arr[np.isfinite(arr)]
    integral = arr.size > 0 and bool(np.all(arr == np.round(arr)))
    if integral and np.unique(arr).size <= MAX_CLASSES_FOR_INTEGER_TARGET:
        return "classification"
    return "regression"


def _refuse_non_numeric_regression(y: pd.Series) -> None:
    """A regression target must hold numbers (booleans count as 0/1)."""
    values = y.dropna()
    if values.empty or pd.api.types.is_numeric_dtype(values.dtype):
        return
    try:
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            raise TypeError("dates are not numbers to regress on")
        numbers = pd.to_numeric(values, errors="coerce")
    except (TypeError, ValueError):
        numbers = pd.Series(np.nan, index=values.index)
    bad = values[numbers.isna()]
    if bad.empty:
        return
    example = bad.iloc[0]
    shown = repr(example) if len(repr(example)) <= 40 else repr(example)[:37] + "..."
    raise PreflightError(
        f"--task regression needs a numeric target, but {str(y.name)!r} holds "
        f"{'dates' if pd.api.types.is_datetime64_any_dtype(values.dtype) else 'text'} "
        f"(e.g. {shown} in row {bad.index[0]}); use --task classification, or convert the column to numbers"
    )


def read_table(path: str | os.PathLike[str]) -> Dataset:
    """Read one file, a directory of parquet parts, or a glob of them."""
    spec = os.fspath(path)
    files = input_files(spec)
    fmt = _detect_format(files[0])
    try:
        if fmt == "parquet":
            table = _read_parquet(files)
        elif fmt == "csv":
            table = _read_csv(files)
        elif fmt == "jsonl":
            table = _concat([_read_jsonl(f) for f in files])
        else:
            table = _concat([_read_feather(f) for f in files])
    except PreflightError:
        raise
    except Exception as exc:  # pyarrow raises many types; all mean "cannot read"
        raise PreflightError(f"{spec}: cannot read as {fmt}: {_first_line(exc)}") from exc
    frame = to_pandas(table, spec)
    del table
    # The Arrow buffers are garbage now; without this the allocator keeps them and
    # the checks' first allocations add to the read's peak instead of reusing it.
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    frame, renamed = _normalise_columns(frame)
    return Dataset(frame=frame, path=spec, source_format=fmt, renamed_columns=renamed)


def _expand(spec: str) -> list[str]:
    """The files ``spec`` names: itself, the data files under a directory, or a glob's matches."""
    if is_pattern(spec):
        files = sorted(glob.glob(spec, recursive=True))
        files = [f for f in files if os.path.isfile(f)]
        if not files:
            raise PreflightError(f"{spec}: no files match this pattern")
        return files
    p = Path(spec)
    if p.is_dir():
        files = sorted(str(f) for f in p.rglob("*") if f.is_file() and f.suffix in SUFFIXES)
        if not files:
            raise PreflightError(f"{spec}: directory holds no data files")
        return files
    if not p.exists():
        raise PreflightError(f"{spec}: no such file")
    if not os.access(p, os.R_OK):
        raise PreflightError(f"{spec}: permission denied")
    return [spec]


def is_lfs_pointer(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a Git LFS pointer file: the data itself lives in LFS storage."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(_LFS_POINTER)) == _LFS_POINTER
    except OSError:
        return False


def input_files(spec: str) -> list[str]:
    """The files ``spec`` names (see :func:`_expand`), each checked to be a regular file."""
    files = _expand(spec)
    for f in files:
        refuse_special_file(f)
    return files


def refuse_special_file(path: str | os.PathLike[str], what: str = "") -> None:
    """Raise PreflightError unless ``path`` is a regular file (or a directory).

    Checked with ``os.stat`` before anything opens the path: opening a FIFO waits
    for a writer forever, and a character device such as ``/dev/zero`` or a
    terminal never ends (or blocks).
    """
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise PreflightError(f"{what}{os.fspath(path)}: cannot read: {exc.strerror or exc}") from None
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return
    kind = (
        "a named pipe (FIFO)" if stat.S_ISFIFO(mode)
        else "a character device" if stat.S_ISCHR(mode)
        else "a block device" if stat.S_ISBLK(mode)
        else "a socket" if stat.S_ISSOCK(mode)
        else "not a regular file"
    )  # fmt: skip
    raise PreflightError(
        f"{what}{os.fspath(path)}: is {kind}, not a regular file; preflight reads data files "
        "(save the stream to a file first)"
    )


def _detect_format(path: str) -> Format:
    refuse_special_file(path)
    size = os.path.getsize(path)
    if size == 0:
        raise PreflightError(f"{path}: file is empty")
    with open(path, "rb") as fh:
        head = fh.read(512)
    if head.startswith(_LFS_POINTER):
        raise PreflightError(f"{path}: this is a Git LFS pointer, not the data; run `git lfs pull` first")
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"ARROW1"):
        return "feather"
    suffix = Path(path).suffix.lower()
    if suffix == ".gz":
        suffix = Path(path[:-3]).suffix.lower()
    fmt = SUFFIXES.get(suffix)
    if fmt is None:
        if b"\x00" in head:
            raise PreflightError(
                f"{path}: unknown binary format; preflight reads parquet, csv, jsonl, feather/arrow"
            )
        return "csv"
    if fmt in ("parquet", "feather"):
        raise PreflightError(f"{path}: not a {fmt} file (its first bytes are not {fmt} magic)")
    return fmt


def _read_parquet(files: list[str]) -> pa.Table:
    import pyarrow.parquet as pq

    return _concat([pq.read_table(f) for f in files])


def _read_feather(path: str) -> pa.Table:
    import pyarrow.feather as feather

    return feather.read_table(path)


def _read_jsonl(path: str) -> pa.Table:
    import pyarrow.json as pj

    return pj.read_json(path)


def _read_csv(files: list[str]) -> pa.Table:
    return _concat([_read_one_csv(f) for f in files])


def _read_one_csv(path: str) -> pa.Table:
    import pyarrow as pa
    import pyarrow.csv as pc

    with open(path, "rb") as fh:
        sample = fh.read(64 * 1024)
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise PreflightError(f"{path}: binary content, not a CSV text file")
    encoding = _sniff_encoding(path, sample)
    text = sample.decode(encoding, errors="replace")
    delimiter = _sniff_delimiter(text, path)
    parse = pc.ParseOptions(delimiter=delimiter, newlines_in_values=True)
    read = pc.ReadOptions(encoding=encoding, block_size=1 << 24)
    # Like pandas.read_csv: the standard null tokens are nulls in text columns too.
    convert = pc.ConvertOptions(strings_can_be_null=True, quoted_strings_can_be_null=False)
    try:
        return pc.read_csv(path, read_options=read, parse_options=parse, convert_options=convert)
    except pa.ArrowInvalid as exc:
        msg = _first_line(exc)
        if "CSV parse error" in msg or "Expected" in msg:
            raise PreflightError(f"{path}: malformed CSV: {msg}") from exc
        raise


def _sniff_encoding(path: str, sample: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 by BOM, else Windows-1252; else fail clearly."""
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for encoding in ("utf-8", "cp1252"):
        if _decodes(path, encoding):
            return encoding
    raise PreflightError(f"{path}: cannot decode the file as UTF-8 or Windows-1252 text")


def _decodes(path: str, encoding: str) -> bool:
    # Decode in chunks so a large file is checked without holding it in memory.
    dec = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 22):
                dec.decode(chunk)
            dec.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _sniff_delimiter(text: str, path: str) -> str:
    if path.lower().endswith(".tsv"):
        return "\t"
    lines = text.splitlines()
    if len(lines) > 1 and not text.endswith("\n"):
        lines = lines[:-1]  # the sample may cut the last line in half
    chunk = "\n".join(lines[:200])
    try:
        return csv.Sniffer().sniff(chunk, delimiters=",;\t|").delimiter
    except csv.Error:
        header = lines[0] if lines else ""
        counts = {d: header.count(d) for d in ",;\t|"}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] > 0 else ","


def _concat(tables: list[pa.Table]) -> pa.Table:
    import pyarrow as pa

    if len(tables) == 1:
        return tables[0]
    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except pa.ArrowInvalid as exc:
        raise PreflightError(f"the parts do not share one schema: {_first_line(exc)}") from exc


def to_pandas(table: pa.Table, path: str = "") -> pd.DataFrame:
    """An Arrow table as the pandas frame every reader and engine hands on."""
    # Dictionary-encoded columns become pandas categoricals; everything else keeps
    # its natural dtype. A RangeIndex keeps positions equal to file row numbers.
    _refuse_invalid_text(table, path)
    table = _dates_in_range(table)
    frame: pd.DataFrame = table.to_pandas()
    return frame.reset_index(drop=True)


def _refuse_invalid_text(table: pa.Table, path: str) -> None:
    """PreflightError naming the column and row when a text column holds bytes that
    are not UTF-8 (parquet and Arrow files do not check on write; CSV reading does)."""
    import pyarrow as pa

    for name, column in zip(table.column_names, table.columns, strict=True):
        t = column.type
        if pa.types.is_dictionary(t):
            t = t.value_type
        if not (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t)):
            continue
        offset = 0
        for chunk in column.chunks:
            try:
                chunk.validate(full=True)
            except pa.ArrowInvalid as exc:
                found = re.search(r"index (\d+)", str(exc))
                row = f" (row {offset + int(found.group(1))})" if found else ""
                where = f"{path}: " if path else ""
                raise PreflightError(
                    f"{where}column {name!r} holds text that is not valid UTF-8{row}; "
                    "re-encode it as UTF-8 (or store it as binary)"
                ) from None
            offset += len(chunk)


def _dates_in_range(table: pa.Table) -> pa.Table:
    """Timestamp and date columns with a value pandas cannot hold as a nanosecond
    timestamp (before 1677 or after 2262, e.g. a 3000-01-01 "never" sentinel) as
    ISO text, so every check sees one consistent column instead of crashing on it."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for i, column_field in enumerate(table.schema):
        t = column_field.type
        if not (pa.types.is_timestamp(t) or pa.types.is_date(t)):
            continue
        if pa.types.is_timestamp(t) and t.unit == "ns":
            continue  # always in range
        tz = t.tz if pa.types.is_timestamp(t) else None
        try:
            pc.cast(table.column(i), pa.timestamp("ns", tz=tz))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            name = column_field.name
            log.debug("column %r holds dates outside pandas' range; read as text", name)
            table = table.set_column(i, name, pc.cast(table.column(i), pa.string()))
    return table


def _datetimes_in_range(frame: pd.DataFrame) -> pd.DataFrame:
    """The same for a DataFrame given directly: non-nanosecond datetime columns whose
    values overflow nanoseconds become ISO text."""
    out = frame
    for name in frame.columns:
        series = frame[name]
        if not isinstance(series, pd.Series) or not pd.api.types.is_datetime64_any_dtype(series.dtype):
            continue
        dtype = series.dtype
        unit: str
        if isinstance(dtype, pd.DatetimeTZDtype):
            unit = dtype.unit
        elif isinstance(dtype, np.dtype):
            unit = np.datetime_data(dtype)[0]  # type: ignore[arg-type]
        else:
            unit = getattr(dtype, "unit", "ns")
        if unit == "ns":
            continue
        try:
            series.dt.as_unit("ns")
        except (OverflowError, ValueError):
            if out is frame:
                out = frame.copy(deep=False)
            out[name] = series.astype("string").astype(object).where(series.notna(), None)
    return out


def _normalise_columns(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """String column names, made unique (``a``, ``a.1``); returns the renames done."""
    names = [str(c) for c in frame.columns]
    seen: dict[str, int] = {}
    out: list[str] = []
    renamed: dict[str, str] = {}
    taken = set(names)
    for name in names:
        if name in seen:
            k = seen[name]
            new = f"{name}.{k}"
            while new in taken:
                k += 1
                new = f"{name}.{k}"
            seen[name] = k + 1
            taken.add(new)
            renamed[new] = name
            out.append(new)
        else:
            seen[name] = 1
            out.append(name)
    if out != list(frame.columns):
        frame = frame.copy(deep=False)
        frame.columns = out
    return frame, renamed


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def _preview(columns: list[str], n: int = 8) -> str:
    shown = ", ".join(repr(c) for c in columns[:n])
    return shown + (f", ... ({len(columns)} in all)" if len(columns) > n else "")
