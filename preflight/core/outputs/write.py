"""Writing one file: either absent or complete, and every failure an exit-2 error.

A regular file is written to a temporary beside it, flushed to disk, given the user's
umask (``0o666 & ~umask``) and renamed over it. A device, FIFO or terminal
(``/dev/null``, ``/dev/stdout``, a named pipe) is never renamed over: it is opened and
written, so it stays what it is. A read-only folder, a full disk, a directory given as
a file name, a path under a regular file: an :class:`OutputError` that names the path
and the operating system's reason.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from preflight.core.errors import OutputError

Writer = Callable[[Path], object]
StrPath = str | os.PathLike[str]


@dataclass(frozen=True)
class Target:
    """Where a write lands, found before writing: :func:`target_of`."""

    shown: str  # the path as given, for messages
    final: Path  # where the rename lands: symlinks followed
    direct: bool  # a device, FIFO or /proc file descriptor: open and write, no rename
    kind: str = "file"


def os_reason(exc: BaseException) -> str:
    """The operating system's reason for a failure (``Permission denied``), for messages."""
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


def target_of(destination: StrPath) -> Target:
    """Where writing ``destination`` lands, and whether it is written in place (a device,
    FIFO or file descriptor); :class:`OutputError` for a directory or an unreachable path."""
    shown = os.fspath(destination)
    try:
        st: os.stat_result | None = os.stat(shown)
    except FileNotFoundError:
        st = None
    except OSError as exc:  # a path under a regular file, a symlink loop, ...
        raise OutputError(f"cannot write {shown!r}: {os_reason(exc)}") from None
    real = os.path.realpath(shown)
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise OutputError(f"cannot write {shown!r}: it is a directory; give a file name")
        if not stat.S_ISREG(st.st_mode):
            return Target(shown, Path(real), True, _kind(st.st_mode))
        # /dev/stdout -> /proc/self/fd/1 -> a regular file the shell opened: write into
        # it, as the shell would; renaming would leave the shell's file descriptor behind.
        if real.startswith("/proc/") or os.path.abspath(shown).startswith(("/dev/", "/proc/")):
            return Target(shown, Path(real), True, "a file descriptor")
    return Target(shown, Path(real), False)


def regular_target(destination: StrPath) -> Target:
    """:func:`target_of` for a file of a set, which must be a regular file (or absent)."""
    target = target_of(destination)
    if target.direct:
        raise OutputError(
            f"cannot write {target.shown!r}: it is {target.kind}; this command writes a set of "
            "regular files beside each other, so give a file path"
        )
    return target


def refuse_special_files(destinations: Iterable[StrPath]) -> None:
    """Raise :class:`OutputError` unless every destination can be a regular file (absent,
    or a regular file): for a set of outputs, checked before the work that fills them."""
    for destination in destinations:
        regular_target(destination)


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
        raise OutputError(f"cannot write {shown!r}: {os_reason(exc)}") from None
    os.close(fd)
    return Path(name)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_directory(folder: Path) -> None:
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


def write_temporary(target: Target, write: Writer) -> Path:
    """``write`` a complete, flushed temporary beside ``target.final``, with the umask's mode."""
    tmp = _temporary(target.final, target.shown)
    try:
        write(tmp)
        _fsync(tmp)
        os.chmod(tmp, file_mode())
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {target.shown!r}: {os_reason(exc)}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _write_direct(target: Target, write: Writer) -> None:
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
        raise OutputError(f"cannot write {target.shown!r}: {os_reason(exc)}") from None
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(destination: StrPath, write: Writer) -> None:
    """Call ``write(tmp)`` on a temporary beside ``destination``, then rename it over.

    A destination that is a device, FIFO or file descriptor is written directly
    instead (never replaced). Raises :class:`OutputError` on any failure, leaving
    ``destination`` as it was and no temporary behind.
    """
    target = target_of(destination)
    if target.direct:
        _write_direct(target, write)
        return
    tmp = write_temporary(target, write)
    try:
        os.replace(tmp, target.final)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {target.shown!r}: {os_reason(exc)}") from None


def write_text_atomic(destination: StrPath, text: str) -> None:
    def write(tmp: Path) -> None:
        tmp.write_text(text, encoding="utf-8")

    write_atomic(destination, write)
