"""Findings -> the suggested preprocessing: merged, ordered steps and their code.

Each finding's :class:`~preflight.core.findings.Fix` may name a plan ``step`` (impute,
drop-columns, scale, ...). :func:`merge_steps` merges the steps of all findings, one
entry per (step, transformer, params), in the order preprocessing must happen, and
gives each column at most one imputer, clip, transform, scaler and encoder (the
first step that claims it wins; a dropped column leaves every later step).
:func:`build_plan` adds the code (:func:`preflight.plan.code.render_code`) and gives
the report's ``preprocessing`` section.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from preflight.core.findings import Finding, jsonable
from preflight.data.dataset import Dataset
from preflight.plan.code import render_code
from preflight.plan.steps import PER_COLUMN, TARGET_STEPS, Step

log = logging.getLogger(__name__)


def build_plan(findings: Sequence[Finding], dataset: Dataset) -> dict[str, Any]:
    """``{"steps": [...], "code": ...}`` for the report's ``preprocessing`` section."""
    steps = merge_steps(findings, dataset)
    try:
        code: str | None = render_code(steps, dataset)
    except (TypeError, ValueError, KeyError) as exc:
        # A fix this generator cannot express must not cost the user the report.
        log.warning("no preprocessing code for this plan: %s", exc)
        code = None
    return {"steps": [s.to_dict() for s in steps], "code": code}


def merge_steps(findings: Sequence[Finding], dataset: Dataset) -> list[Step]:
    """The findings' fixes as ordered steps, with per-column conflicts resolved."""
    return _resolve(sorted(_merged(findings, dataset), key=lambda s: (s.rank, s.reason)))


def _merged(findings: Sequence[Finding], dataset: Dataset) -> list[Step]:
    """One step per (step, transformer, params): the columns and codes of its findings."""
    merged: dict[tuple[str, str | None, str], tuple[Step, list[str], set[str]]] = {}
    for f in findings:
        fix = f.fix
        if fix is None or fix.step is None:
            continue
        params = jsonable(fix.params)
        if fix.step == "drop-rows" and dataset.target is not None and dataset.target in f.columns:
            params = {**params, "missing_target": True}  # rows dropped for their label
        key = (fix.step, fix.transformer, json.dumps(params, sort_keys=True))
        _, columns, codes = merged.setdefault(
            key, (Step(fix.step, transformer=fix.transformer, params=params), [], set())
        )
        codes.add(f.code)
        for col in f.columns:
            keep = col != dataset.target or fix.step in TARGET_STEPS
            if keep and col not in columns:
                columns.append(col)
    return [
        replace(step, columns=tuple(columns), reason=",".join(sorted(codes)))
        for step, columns, codes in merged.values()
    ]


def _resolve(steps: Sequence[Step]) -> list[Step]:
    """Drop the columns an earlier step dropped or already treated the same way."""
    dropped: set[str] = set()
    claimed: dict[str, set[str]] = {s: set() for s in PER_COLUMN}
    out: list[Step] = []
    for step in steps:
        columns = [c for c in step.columns if c not in dropped]
        if step.step in claimed:
            taken = claimed[step.step]
            columns = [c for c in columns if c not in taken]
            taken.update(columns)
        if step.step == "drop-columns":
            dropped.update(columns)
        if columns or step.step not in (*PER_COLUMN, "drop-columns"):
            out.append(replace(step, columns=tuple(columns)))
    return out
