"""How a path given on the command line is read: a path or a glob.

The reader (which files to load) and the output guard (which files must never be
written) have to agree on it, so the rule lives once, here.
"""

from __future__ import annotations

import os


def is_pattern(spec: str | os.PathLike[str]) -> bool:
    """True when ``spec`` is read as a glob: it has ``*``, ``?`` or ``[`` and names no
    existing path. An existing path is a path: ``a[1].csv`` is that file, never a pattern."""
    text = os.fspath(spec)
    return any(ch in text for ch in "*?[") and not os.path.lexists(text)
