"""Findings -> suggested preprocessing: the ordered steps a user should apply.

Each finding's :class:`~preflight.findings.Fix` may name a plan ``step`` (impute,
drop-columns, scale, ...). The plan merges the steps of all findings, one entry
per (step, transformer, params), in the order preprocessing must happen.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from preflight.dataset import Dataset
from preflight.findings import Finding, jsonable

# Cleaning before imputation before transforms before scaling before encoding.
STEP_ORDER: tuple[str, ...] = (
    "drop-rows",
    "drop-columns",
    "replace-values",
    "parse-numbers",
    "replace-infinite",
    "impute",
    "clip",
    "transform",
    "scale",
    "encode",
    "relabel",
)


def build_plan(findings: Sequence[Finding], dataset: Dataset) -> dict[str, Any]:
    """``{"steps": [...], "code": ...}`` for the report's ``preprocessing`` section."""
    merged: dict[tuple[str, str | None, str, str], dict[str, Any]] = {}
    for f in findings:
        fix = f.fix
        if fix is None or fix.step is None:
            continue
        params_key = json.dumps(jsonable(fix.params), sort_keys=True)
        key = (fix.step, fix.transformer, params_key, f.code)
        entry = merged.setdefault(
            key,
            {"step": fix.step, "columns": [], "transformer": fix.transformer,
             "params": jsonable(fix.params), "reason": f.code},
        )  # fmt: skip
        for col in f.columns:
            if col not in entry["columns"] and col != dataset.target:
                entry["columns"].append(col)
    order = {s: i for i, s in enumerate(STEP_ORDER)}
    steps = sorted(merged.values(), key=lambda e: (order.get(e["step"], len(order)), e["reason"]))
    return {"steps": steps, "code": None}
