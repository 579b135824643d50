"""Inputs are never written: every output is checked against every input before any
work, so that a refused run writes nothing.

An output is refused when it is an input (the same path once symlinks and ``..`` are
followed, or the same inode: a hard link), lies inside a directory input, or would
match a glob input (the next run would read it back as data); and when two outputs
are one file under two names, or two inputs of one run would write the same file.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from preflight.core.errors import OutputError
from preflight.core.outputs.write import StrPath
from preflight.core.paths import is_pattern


def output_for(template: str, path: str) -> Path:
    """The file an output template names for one input: ``{stem}`` is the input's stem."""
    return Path(template.replace("{stem}", Path(path).stem))


@dataclass(frozen=True)
class _Inputs:
    files: tuple[tuple[str, str], ...]  # (as given, realpath)
    ids: dict[tuple[int, int], str]  # (st_dev, st_ino) -> as given
    directories: tuple[tuple[str, str, tuple[int, int] | None], ...]  # (as given, realpath, id)
    patterns: tuple[tuple[str, str], ...]  # (as given, absolute pattern)


def _file_id(path: StrPath) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def _collect_inputs(specs: Iterable[StrPath | None]) -> _Inputs:
    files: list[tuple[str, str]] = []
    ids: dict[tuple[int, int], str] = {}
    directories: list[tuple[str, str, tuple[int, int] | None]] = []
    patterns: list[tuple[str, str]] = []

    def add_file(shown: str, path: str) -> None:
        files.append((shown, os.path.realpath(path)))
        key = _file_id(path)
        if key is not None:
            ids.setdefault(key, shown)

    for raw in specs:
        if raw is None:
            continue
        spec = os.fspath(raw)
        if is_pattern(spec):
            patterns.append((spec, os.path.abspath(spec)))
            for match in glob.glob(spec, recursive=True):
                if os.path.isdir(match):
                    directories.append((match, os.path.realpath(match), _file_id(match)))
                else:
                    add_file(match, match)
        elif os.path.isdir(spec):
            directories.append((spec, os.path.realpath(spec), _file_id(spec)))
        else:
            add_file(spec, spec)
    return _Inputs(tuple(files), ids, tuple(directories), tuple(patterns))


def refuse_overwriting_inputs(outputs: Iterable[StrPath], inputs: Iterable[StrPath | None]) -> None:
    """Raise :class:`OutputError` if an output would replace or sit among the inputs.

    ``inputs`` are paths as the user gave them (a file, a directory of parts, a glob;
    ``None`` entries are skipped). Call this before reading anything, so that a
    refused run writes nothing.
    """
    known = _collect_inputs(inputs)
    seen: dict[str, str] = {}
    for raw in outputs:
        out = os.fspath(raw)
        real = os.path.realpath(out)
        if real in seen and seen[real] != out:
            raise OutputError(f"{out!r} and {seen[real]!r} are the same file; give each output its own path")
        seen.setdefault(real, out)
        key = _file_id(out)
        for shown, source in known.files:
            if real == source:
                raise OutputError(
                    f"refusing to overwrite the input {shown!r} with {out!r}; choose another path"
                )
        if key is not None and key in known.ids:
            raise OutputError(
                f"refusing to overwrite the input {known.ids[key]!r} with {out!r} (a link to it); "
                "choose another path"
            )
        parents = {_file_id(p) for p in Path(real).parents} - {None}
        for shown, folder, folder_id in known.directories:
            if Path(real).is_relative_to(folder) or (folder_id is not None and folder_id in parents):
                raise OutputError(
                    f"refusing to write {out!r}: it is inside the input directory {shown!r}, "
                    "where the next run would read it as data; choose a path outside it"
                )
        for shown, pattern in known.patterns:
            if fnmatch.fnmatchcase(os.path.abspath(out), pattern) or fnmatch.fnmatchcase(real, pattern):
                raise OutputError(
                    f"refusing to write {out!r}: it matches the input pattern {shown!r}, "
                    "so the next run would read it as data; choose another path"
                )


def refuse_shared_outputs(templates: Iterable[str], paths: Sequence[str]) -> None:
    """Raise :class:`OutputError` if two inputs would write the same file through one
    template (``reports/{stem}.json`` for ``a/x.csv`` and ``b/x.csv``)."""
    for template in templates:
        owners: dict[str, str] = {}
        for path in paths:
            destination = output_for(template, path)
            owner = owners.setdefault(str(destination.resolve()), path)
            if owner != path:
                raise OutputError(
                    f"{str(destination)!r} would hold the reports of both {owner!r} and {path!r}; "
                    "put {stem} (or another folder) in the output name"
                )
