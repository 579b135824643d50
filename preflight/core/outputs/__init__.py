"""Every file preflight writes goes through this package. Three promises:

- **Inputs are never written.** :mod:`~preflight.core.outputs.guard` refuses, before any
  work, an output that is an input (same path once symlinks and ``..`` are followed,
  or the same inode: a hard link), lies inside a directory input, or would match a
  glob input (the next run would read it back as data).
- **A file is either absent or complete.** :mod:`~preflight.core.outputs.write` writes a
  regular file to a temporary beside it, flushes it to disk, gives it the user's umask
  (``0o666 & ~umask``) and renames it over. A device, FIFO or terminal (``/dev/null``,
  ``/dev/stdout``, a named pipe) is never renamed over: it is opened and written, so it
  stays what it is.
- **A write that fails is the user's problem, not a crash.** A read-only folder, a
  full disk, a directory given as a file name, a path under a regular file: an
  :class:`~preflight.core.outputs.write.OutputError` (exit 2) that names the path and the
  operating system's reason.

:class:`~preflight.core.outputs.fileset.FileSet` writes several files that belong together
(``preflight fix``): all appear, committed by a manifest written last, or none is
touched. The package imports only the standard library, so the command line can use it
before pandas is loaded.
"""
