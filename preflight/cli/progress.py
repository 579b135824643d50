"""The progress line of ``preflight check``: what is being read or checked, on stderr."""

from __future__ import annotations

import sys

from preflight.core.escape import safe


class ProgressLine:
    """One self-erasing status line on stderr, shown only when ``enabled`` (the caller
    enables it when stderr is a terminal)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.shown = False
        self.current = "reading"  # what the rows counted belong to: the read, or a check

    def show(self, text: str) -> None:
        if self.enabled:
            # The path and the names in the text are data: escaped, then cut to the line.
            sys.stderr.write("\r\x1b[K" + safe(text)[:100])
            sys.stderr.flush()
            self.shown = True

    def rows(self, done: int, total: int | None) -> None:
        of = f" of {total:,}" if total else ""
        self.show(f"{self.current}: {done:,}{of} rows")

    def check(self, code: str, index: int, total: int) -> None:
        from preflight.checks import REGISTRY

        name = REGISTRY[code].name if code in REGISTRY else ""
        self.current = f"[{index + 1}/{total}] {code} {name}"
        self.show(self.current)

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.shown = False
