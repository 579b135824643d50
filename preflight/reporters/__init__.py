"""Reporters render a finished Report; they never compute.

``FORMATS`` maps a ``--format`` name to a module path and function name, imported
only when that format is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from preflight.findings import Report

Renderer = Callable[..., str]

FORMATS: dict[str, str] = {
    "text": "preflight.reporters.text:render",
    "json": "preflight.reporters.json:render",
}


def renderer(fmt: str) -> Renderer:
    module, func = FORMATS[fmt].split(":")
    fn: Renderer = getattr(importlib.import_module(module), func)
    return fn


def render(report: Report, fmt: str, **options: Any) -> str:
    return renderer(fmt)(report, **options)
