"""preflight: a linter for training data.

>>> import preflight
>>> report = preflight.check("train.parquet", target="label")   # doctest: +SKIP
>>> report.status, report.summary                                # doctest: +SKIP

The package root is lazy: ``check`` (which needs pandas) is imported on first use, so
``preflight --help``, ``preflight rules`` and small pre-commit runs start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from preflight.core.errors import PreflightError
from preflight.core.findings import Finding, Fix, Report, Severity
from preflight.core.version import __version__

if TYPE_CHECKING:
    from preflight.api import check


__all__ = ["Finding", "Fix", "PreflightError", "Report", "Severity", "__version__", "check"]


def __getattr__(name: str) -> Any:
    if name == "check":
        from preflight.api import check

        return check
    raise AttributeError(f"module 'preflight' has no attribute {name!r}")
