"""The one escaping of strings from the data (and from paths, configs, error messages)
before they reach a terminal, a CI log or a text format.

A column name, a cell value or a file name is data: it must not move the cursor,
recolour the terminal (ESC sequences), reorder what is shown (bidi overrides, the
"Trojan Source" characters), or start a new line. A new line matters beyond looks: a
CI runner reads every line of a log, and GitHub Actions executes a line that starts
with ``::`` as a workflow command (``::error``, ``::add-mask::``, ``::stop-commands::``).

:func:`safe` writes every such character as a visible escape (``\\x1b``, ``\\x0a``,
``\\u202e``), so what is printed stays one line and shows what the data holds. It
imports nothing beyond the standard library, so the command line can use it before
pandas is loaded.
"""

from __future__ import annotations

import logging
import re

# C0 controls (newline and tab included), DEL, C1 controls (an 8-bit CSI is 0x9b), the
# bidi embeddings, overrides, isolates and marks, the Unicode line and paragraph
# separators, and lone surrogates (a file name that is not UTF-8, decoded by Python
# with surrogateescape: it cannot be encoded for output and would crash the print).
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\u2028\u2029\ud800-\udfff]")


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 256 else f"\\u{code:04x}"


def safe(text: object) -> str:
    """``text`` as one printable line: control, bidi and separator characters (newline,
    carriage return and tab too) become visible escapes such as ``\\x1b``."""
    return UNSAFE.sub(_visible, str(text))


def safe_lines(text: object) -> str:
    """:func:`safe` line by line, for text that is several lines on purpose (generated
    code, a list): the ``\\n`` between lines is kept, everything else is escaped."""
    return "\n".join(safe(line) for line in str(text).split("\n"))


def safe_path(path: object) -> str:
    """:func:`safe` for a path printed at the start of a line: a relative path that would
    begin the line with ``::`` (a workflow command to GitHub Actions, which ignores
    leading blanks) is written ``./::...``, the same file."""
    text = safe(path)
    return "./" + text if text.lstrip().startswith("::") else text


_JSON_UNSAFE = re.compile(f"[\x7f-\x9f{_BIDI}\u2028\u2029\ud800-\udfff]")


def json_safe(dumped: str) -> str:
    """A ``json.dumps(..., ensure_ascii=False)`` text with the characters JSON leaves
    raw but a terminal acts on (DEL, C1 controls, bidi controls, U+2028/U+2029, lone
    surrogates) written as ``\\uXXXX`` escapes: the same JSON value, safe to print.
    (JSON itself escapes the C0 controls; outside strings a dump is plain ASCII.)"""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


class SafeFormatter(logging.Formatter):
    """A log formatter that escapes each record like :func:`safe_lines`, and starts every
    line after the first (a traceback, a multi-line message) with ``  | ``: a line of a
    record can neither drive the terminal nor pass for a line of its own, such as a
    GitHub workflow command."""

    def format(self, record: logging.LogRecord) -> str:
        first, *rest = safe_lines(super().format(record)).split("\n")
        return "\n".join([first, *(f"  | {line}" for line in rest)])
