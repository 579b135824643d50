"""Which files an input names, and what format each is in, before anything reads them.

An input is one file, a directory of data files, or a glob of them. Every path is
checked to be a regular file before anything opens it, and a file's format comes
from its magic bytes first, its suffix second. Nothing here reads more than a
file's first bytes, and nothing ever writes to an input path.
"""

from __future__ import annotations

import glob
import os
import stat
from pathlib import Path
from typing import Literal

from preflight.core.errors import PreflightError
from preflight.core.paths import is_pattern

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

_LFS_POINTER = b"version https://git-lfs.github.com/spec/"


def expand(spec: str) -> list[str]:
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


def input_files(spec: str) -> list[str]:
    """The files ``spec`` names (see :func:`expand`), each checked to be a regular file."""
    files = expand(spec)
    for f in files:
        refuse_special_file(f)
    return files


def is_lfs_pointer(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a Git LFS pointer file: the data itself lives in LFS storage."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(_LFS_POINTER)) == _LFS_POINTER
    except OSError:
        return False


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


def detect_format(path: str) -> Format:
    """The format of one file: parquet and feather by their magic bytes, the text formats
    by suffix (``.gz`` looks through to the suffix before it), anything else as CSV text."""
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
