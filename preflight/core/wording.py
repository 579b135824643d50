"""Wording shared by check messages and reporters (no heavy imports)."""

from __future__ import annotations

from collections.abc import Iterable


def quote_list(names: Iterable[str], limit: int = 5) -> str:
    """``'a', 'b' and 3 more`` for messages."""
    items = [repr(n) for n in names]
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
