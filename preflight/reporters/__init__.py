"""Reporters render a finished Report; they never compute.

``FORMATS`` maps a ``--format`` name to a module path and function name, imported
only when that format is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from preflight.core.findings import Report

Renderer = Callable[..., str]

FORMATS: dict[str, str] = {
    "text": "preflight.reporters.text:render",
    "json": "preflight.reporters.json:render",
    "html": "preflight.reporters.html:render",
    "markdown": "preflight.reporters.markdown:render",
    "junit": "preflight.reporters.junit:render",
    "sarif": "preflight.reporters.sarif:render",
    "github": "preflight.reporters.github:render",
}


def renderer(fmt: str) -> Renderer:
    module, func = FORMATS[fmt].split(":")
    fn: Renderer = getattr(importlib.import_module(module), func)
    return fn


def render(report: Report, fmt: str, **options: Any) -> str:
    return renderer(fmt)(report, **options)
