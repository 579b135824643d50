"""The exception types that mean "bad usage or bad input" (exit code 2), and the pieces
of their one-line messages."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class PreflightError(Exception):
    """A user-facing error: bad input file, bad option, bad config.

    The CLI prints ``str(error)`` as one line on stderr and exits with code 2.
    """


class OutputError(PreflightError):
    """An output cannot or must not be written (exit code 2): see :mod:`preflight.core.outputs`."""


def did_you_mean(word: str, choices: Iterable[str], n: int = 3) -> str:
    """A ``"; did you mean 'x'?"`` suffix for error messages, or ``""``."""
    pool = list(choices)
    matches = difflib.get_close_matches(word, pool, n=n, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in pool}
        matches = [lowered[m] for m in difflib.get_close_matches(word.lower(), list(lowered), n=n)]
    if not matches:
        return ""
    return "; did you mean " + " or ".join(repr(m) for m in matches) + "?"


def first_line(exc: BaseException) -> str:
    """The first line of ``str(exc)`` (its type's name when empty), at most 300 characters.

    The messages of pyarrow, Dask and the other libraries span many lines (a stack, a
    schema dump); a PreflightError quoting one stays one line on stderr.
    """
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
