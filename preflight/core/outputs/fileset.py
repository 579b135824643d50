"""Several files that belong together (``preflight fix``): all appear, committed by a
manifest written last, or none is touched; :func:`verify_manifest` is the reader's side.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from preflight.core.errors import OutputError
from preflight.core.outputs.write import (
    StrPath,
    Target,
    Writer,
    fsync_directory,
    os_reason,
    regular_target,
    target_of,
    write_temporary,
)

MANIFEST_FORMAT = "preflight-fix-manifest"
MANIFEST_VERSION = 1


def sha256_file(path: StrPath) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class _Staged:
    target: Target
    name: str
    role: str
    tmp: Path
    sha256: str
    size: int


class FileSet:
    """Files that appear together or not at all, committed by a manifest written last.

    Every file is first written to a temporary beside its destination (:meth:`stage`);
    nothing the user can see changes until :meth:`commit`, which removes the previous
    manifest, removes ``siblings`` this run does not write (stale outputs of an earlier
    run), renames the temporaries into place and then writes the manifest atomically.
    The manifest names every file with its sha256 and size, so a reader verifies the
    set: no manifest, or a file that does not match it, means no usable set. Leaving
    the ``with`` block without a commit removes every temporary.
    """

    def __init__(
        self, manifest: StrPath, *, siblings: Sequence[StrPath] = (), meta: dict[str, Any] | None = None
    ) -> None:
        self.manifest = target_of(manifest)
        if self.manifest.direct:
            raise OutputError(f"cannot write {self.manifest.shown!r}: it is {self.manifest.kind}")
        self.siblings = [Path(s) for s in siblings]
        self.meta = dict(meta or {})
        self.staged: list[_Staged] = []
        self._remove_stale_temporaries()

    def __enter__(self) -> FileSet:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.discard()

    def _remove_stale_temporaries(self) -> None:
        """Temporaries of a run that was killed (``kill -9``, power loss) before its commit."""
        names = {Path(self.manifest.shown).name, *(s.name for s in self.siblings)}
        folder = self.manifest.final.parent
        for name in names:
            for old in glob.glob(os.path.join(glob.escape(str(folder)), f".{glob.escape(name)}.*.tmp")):
                Path(old).unlink(missing_ok=True)

    def stage(self, destination: StrPath, write: Writer, role: str) -> Path:
        """Write ``destination``'s content to a temporary now; it appears at :meth:`commit`."""
        target = regular_target(destination)
        tmp = write_temporary(target, write)
        size = tmp.stat().st_size
        self.staged.append(_Staged(target, Path(target.shown).name, role, tmp, sha256_file(tmp), size))
        return Path(target.shown)

    def commit(self) -> None:
        """Make the staged files the current set: see the class docstring for the order."""
        manifest = self.manifest
        text = json.dumps(
            {
                "format": MANIFEST_FORMAT,
                "version": MANIFEST_VERSION,
                **self.meta,
                "files": [
                    {"name": s.name, "role": s.role, "sha256": s.sha256, "size": s.size} for s in self.staged
                ],
            },
            indent=2,
        )
        manifest_tmp = write_temporary(manifest, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))
        staged = {s.target.final for s in self.staged}
        try:
            # 1. The old set stops being a set: its manifest goes first.
            Path(manifest.final).unlink(missing_ok=True)
            # 2. Outputs of an earlier run that this run does not write.
            for sibling in self.siblings:
                final = Path(os.path.realpath(sibling))
                if final in staged or final == manifest.final:
                    continue
                if sibling.is_symlink() or (final.exists() and final.is_file()):
                    sibling.unlink()
            # 3. The new files, then 4. the manifest that vouches for them.
            for s in self.staged:
                os.replace(s.tmp, s.target.final)
            folders = {s.target.final.parent for s in self.staged}
            for folder in folders:
                fsync_directory(folder)
            os.replace(manifest_tmp, manifest.final)
            fsync_directory(manifest.final.parent)
        except OSError as exc:
            manifest_tmp.unlink(missing_ok=True)
            raise OutputError(f"cannot write {manifest.shown!r}: {os_reason(exc)}") from None
        self.staged = []

    def discard(self) -> None:
        for s in self.staged:
            s.tmp.unlink(missing_ok=True)
        self.staged = []


def verify_manifest(manifest: StrPath) -> list[Path]:
    """The files a manifest vouches for, after checking each one's size and sha256.

    Raises :class:`OutputError` if the manifest is missing or unreadable, or a file is
    missing or differs: then the set is not usable.
    """
    path = Path(manifest)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutputError(f"{str(path)!r}: no usable manifest: {os_reason(exc)}") from None
    if data.get("format") != MANIFEST_FORMAT:
        raise OutputError(f"{str(path)!r}: not a preflight fix manifest")
    files = []
    for entry in data["files"]:
        file = path.parent / entry["name"]
        if not file.is_file() or file.stat().st_size != entry["size"] or sha256_file(file) != entry["sha256"]:
            raise OutputError(f"{str(file)!r} does not match the manifest {str(path)!r}")
        files.append(file)
    return files
