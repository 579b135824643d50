"""preflight: a linter for training data.

>>> import preflight
>>> report = preflight.check("train.parquet", target="label")   # doctest: +SKIP
>>> report.status, report.summary                                # doctest: +SKIP
"""

from __future__ import annotations

__version__ = "0.1.0"

from preflight.api import check
from preflight.errors import PreflightError
from preflight.findings import Finding, Fix, Report, Severity

__all__ = ["Finding", "Fix", "PreflightError", "Report", "Severity", "__version__", "check"]
