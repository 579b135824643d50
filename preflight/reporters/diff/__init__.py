"""Renderers of a :class:`~preflight.core.diff.ReportDiff` (``preflight diff``); render only.

``DIFF_FORMATS`` maps a ``--format`` name to a module path and function name, imported
only when that format is asked for, as :data:`preflight.reporters.FORMATS` does.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from preflight.core.diff import ReportDiff

DIFF_FORMATS: dict[str, str] = {
    "text": "preflight.reporters.diff.text:render",
    "markdown": "preflight.reporters.diff.markdown:render",
    "json": "preflight.reporters.diff.json:render",
}


def render_diff(result: ReportDiff, fmt: str, **options: Any) -> str:
    module, func = DIFF_FORMATS[fmt].split(":")
    fn: Callable[..., str] = getattr(importlib.import_module(module), func)
    return fn(result, **options)
