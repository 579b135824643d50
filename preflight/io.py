"""Every file preflight writes goes through here. Three promises:

- **Inputs are never written.** :func:`refuse_overwriting_inputs` refuses, before any
  work, an output that is an input (same path once symlinks and ``..`` are followed,
  or the same inode: a hard link), lies inside a directory input, or would match a
  glob input (the next run would read it back as data).
- **A file is either absent or complete.** A regular file is written to a temporary
  beside it, flushed to disk, given the user's umask (``0o666 & ~umask``) and renamed
  over it. A device, FIFO or terminal (``/dev/null``, ``/dev/stdout``, a named pipe)
  is never renamed over: it is opened and written, so it stays what it is.
- **A write that fails is the user's problem, not a crash.** A read-only folder, a
  full disk, a directory given as a file name, a path under a regular file: an
  :class:`OutputError` (exit 2) that names the path and the operating system's reason.

:class:`FileSet` writes several files that belong together (``preflight fix``): all
appear, committed by a manifest written last, or none is touched.
"""

from __future__ import annotations

import fnmatch
import glob
import hashlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from preflight.errors import PreflightError

Writer = Callable[[Path], object]
StrPath = str | os.PathLike[str]

MANIFEST_FORMAT = "preflight-fix-manifest"
MANIFEST_VERSION = 1


class OutputError(PreflightError):
    """An output cannot or must not be written (exit code 2)."""


# -- the input guard ----------------------------------------------------------------


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
    from preflight.dataset import is_pattern

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


# -- where a write lands ------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    shown: str  # the path as given, for messages
    final: Path  # where the rename lands: symlinks followed
    direct: bool  # a device, FIFO or /proc file descriptor: open and write, no rename
    kind: str = "file"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def _target(destination: StrPath) -> _Target:
    shown = os.fspath(destination)
    try:
        st: os.stat_result | None = os.stat(shown)
    except FileNotFoundError:
        st = None
    except OSError as exc:  # a path under a regular file, a symlink loop, ...
        raise OutputError(f"cannot write {shown!r}: {_reason(exc)}") from None
    real = os.path.realpath(shown)
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(f"cannot write {shown!r}: it is a directory; give a file name")
        if not stat.S_ISREG(st.st_mode):
            return _Target(shown, Path(real), True, _kind(st.st_mode))
        # /dev/stdout -> /proc/self/fd/1 -> a regular file the shell opened: write into
        # it, as the shell would; renaming would leave the shell's file descriptor behind.
        if real.startswith("/proc/") or os.path.abspath(shown).startswith(("/dev/", "/proc/")):
            return _Target(shown, Path(real), True, "a file descriptor")
    return _Target(shown, Path(real), False)


def refuse_special_files(destinations: Iterable[StrPath]) -> None:
    """Raise :class:`OutputError` unless every destination can be a regular file (absent,
    or a regular file): for a set of outputs, checked before the work that fills them."""
    for destination in destinations:
        target = _target(destination)
        if target.direct:
            raise OutputError(
                f"cannot write {target.shown!r}: it is {target.kind}; this command writes a set of "
                "regular files beside each other, so give a file path"
            )


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)  # the portable way to read it: set, then restore at once
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode a new file gets under the current umask (``0o644`` under ``022``)."""
    return 0o666 & ~_umask()


def _temporary(final: Path, shown: str) -> Path:
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    except FileExistsError:  # mkdir: a parent of the output is a regular file
        raise OutputError(f"cannot write {shown!r}: {os.strerror(20)}") from None  # ENOTDIR
    except OSError as exc:
        raise OutputError(f"cannot write {shown!r}: {_reason(exc)}") from None
    os.close(fd)
    return Path(name)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - a platform without directory descriptors
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some filesystems refuse fsync on directories
        pass
    finally:
        os.close(fd)


def _write_temporary(target: _Target, write: Writer) -> Path:
    """``write`` a complete, flushed temporary beside ``target.final``, with the umask's mode."""
    tmp = _temporary(target.final, target.shown)
    try:
        write(tmp)
        _fsync(tmp)
        os.chmod(tmp, file_mode())
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {target.shown!r}: {_reason(exc)}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _write_direct(target: _Target, write: Writer) -> None:
    """Write into a device, FIFO or file descriptor: the content is made complete in a
    private temporary first, then copied in, so the special file itself is never replaced."""
    fd, name = tempfile.mkstemp(prefix=".preflight.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with open(tmp, "rb") as src, open(target.shown, "wb") as dst:
            shutil.copyfileobj(src, dst)
    except OSError as exc:
        raise OutputError(f"cannot write {target.shown!r}: {_reason(exc)}") from None
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(destination: StrPath, write: Writer) -> None:
    """Call ``write(tmp)`` on a temporary beside ``destination``, then rename it over.

    A destination that is a device, FIFO or file descriptor is written directly
    instead (never replaced). Raises :class:`OutputError` on any failure, leaving
    ``destination`` as it was and no temporary behind.
    """
    target = _target(destination)
    if target.direct:
        _write_direct(target, write)
        return
    tmp = _write_temporary(target, write)
    try:
        os.replace(tmp, target.final)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {target.shown!r}: {_reason(exc)}") from None


def write_text_atomic(destination: StrPath, text: str) -> None:
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    write_atomic(destination, write)


# -- several files that belong together ---------------------------------------------


def sha256_file(path: StrPath) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class _Staged:
    target: _Target
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
        self.manifest = _target(manifest)
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
        refuse_special_files([destination])
        target = _target(destination)
        tmp = _write_temporary(target, write)
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
        manifest_tmp = _write_temporary(manifest, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))
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
                _fsync_directory(folder)
            os.replace(manifest_tmp, manifest.final)
            _fsync_directory(manifest.final.parent)
        except OSError as exc:
            manifest_tmp.unlink(missing_ok=True)
            raise OutputError(f"cannot write {manifest.shown!r}: {_reason(exc)}") from None
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
        raise OutputError(f"{str(path)!r}: no usable manifest: {_reason(exc)}") from None
    if data.get("format") != MANIFEST_FORMAT:
        raise OutputError(f"{str(path)!r}: not a preflight fix manifest")
    files = []
    for entry in data["files"]:
        file = path.parent / entry["name"]
        if not file.is_file() or file.stat().st_size != entry["size"] or sha256_file(file) != entry["sha256"]:
            raise OutputError(f"{str(file)!r} does not match the manifest {str(path)!r}")
        files.append(file)
    return files
