"""Reading the files of an input into one pandas frame, through pyarrow.

Parquet, feather/Arrow and JSON lines are read as they are; CSV text has its
encoding and delimiter sniffed first. The parts of a directory or glob become one
table (their schemas promoted to a common one). Anything that cannot be read
becomes a :class:`~preflight.core.errors.PreflightError` with one clear sentence.
"""

from __future__ import annotations

import codecs
import csv
from typing import TYPE_CHECKING

from preflight.core.errors import PreflightError, first_line
from preflight.data.frames import to_pandas
from preflight.data.inputs import Format, detect_format, input_files

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

# The tokens pyarrow (and pandas.read_csv) already read as missing in CSV files.
# Checks treat these as real nulls; other null-like strings are "disguised".
CSV_NULL_TOKENS: frozenset[str] = frozenset(
    ["", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
     "1.#QNAN", "N/A", "NA", "NULL", "NaN", "n/a", "nan", "null"]
)  # fmt: skip


def read_frame(spec: str) -> tuple[pd.DataFrame, Format]:
    """The table ``spec`` names (one file, a directory of parts, or a glob of them) as a
    pandas frame with a RangeIndex, and the format it was read as. Column names are
    as in the file: :func:`~preflight.data.frames.normalise_columns` makes them unique."""
    files = input_files(spec)
    fmt = detect_format(files[0])
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
        raise PreflightError(f"{spec}: cannot read as {fmt}: {first_line(exc)}") from exc
    frame = to_pandas(table, spec)
    del table
    # The Arrow buffers are garbage now; without this the allocator keeps them and
    # the checks' first allocations add to the read's peak instead of reusing it.
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    return frame, fmt


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
        msg = first_line(exc)
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
    """The delimiter of a CSV sample: tab for ``.tsv``, else what csv.Sniffer finds among
    ``, ; tab |``, else the one the header line holds most of (a comma when none)."""
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
        raise PreflightError(f"the parts do not share one schema: {first_line(exc)}") from exc
