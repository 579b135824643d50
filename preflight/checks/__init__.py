"""The explicit registry of checks: code -> class. One family per package.

Adding a check: write its module, list it in its family's ``CHECKS``. Importing
this module must stay cheap (no sklearn, no cleanlab at import time).
"""

from __future__ import annotations

from preflight.checks import cp, dq, lb, ol, sc, sn, sp
from preflight.checks.base import Check

FAMILIES: dict[str, str] = {
    "DQ": "data quality",
    "SC": "schema",
    "SN": "scale and normalization",
    "OL": "outliers",
    "CP": "capacity",
    "LB": "labels",
    "SP": "train/test split",
}

FAMILY_MODULES = (dq, sc, sn, ol, cp, lb, sp)
REGISTRY: dict[str, type[Check]] = {c.code: c for family in FAMILY_MODULES for c in family.CHECKS}
