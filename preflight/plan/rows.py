"""The rows ``preflight fix`` removes, and the removed-rows frame it writes.

Rows are removed when their label is missing (always: nothing can be learnt from
them), when they repeat an earlier row (with ``--drop-duplicates``) and when a
check listed in ``drop_codes`` flagged them. Each removed row keeps its 0-based
input position (:data:`ROW_COLUMN`) and the codes that removed it
(:data:`REASON_COLUMN`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from preflight.core.findings import Finding, Report
from preflight.data.dataset import Dataset

ROW_COLUMN = "preflight_row"
REASON_COLUMN = "preflight_reason"


def rows_to_remove(
    report: Report, dataset: Dataset, drop_duplicates: bool, drop_codes: Sequence[str]
) -> dict[int, set[str]]:
    """Row position -> the codes that remove it."""
    selected = tuple(c.upper() for c in drop_codes)
    reasons: dict[int, set[str]] = {}
    for f in report.findings:
        step = f.fix.step if f.fix else None
        params = f.fix.params if f.fix else {}
        label_missing = step == "drop-rows" and dataset.target is not None and dataset.target in f.columns
        duplicate = step == "drop-rows" and bool(params.get("duplicates"))
        chosen = any(sel == "ALL" or f.code.startswith(sel) for sel in selected)
        if label_missing or (duplicate and drop_duplicates) or chosen:
            for row in f.rows:
                reasons.setdefault(int(row), set()).add(f.code)
    return reasons


def applied_findings(report: Report, reasons: dict[int, set[str]]) -> list[Finding]:
    """The findings whose fixes ``fix`` carries out: a row removal only when it removed
    rows (the label-less rows, --drop-duplicates, --drop-rows CODES), and never a
    relabelling (labels are the user's to review)."""
    removing = {code for codes in reasons.values() for code in codes}
    out = []
    for f in report.findings:
        step = f.fix.step if f.fix else None
        if step == "relabel" or (step == "drop-rows" and f.code not in removing):
            continue
        out.append(f)
    return out


def removed_rows(rows: pd.DataFrame, positions: np.ndarray, reasons: str | list[str]) -> pd.DataFrame:
    """``rows`` (a copy) with their input positions and removal reasons in front."""
    out = rows.copy()
    out.insert(0, REASON_COLUMN, reasons)
    out.insert(0, ROW_COLUMN, positions)
    return out


def split_rows(frame: pd.DataFrame, reasons: dict[int, set[str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(kept rows, renumbered; removed rows as :func:`removed_rows` writes them)."""
    positions = np.array(sorted(reasons), dtype=np.int64)
    removed = removed_rows(
        frame.iloc[positions], positions, [";".join(sorted(reasons[int(p)])) for p in positions]
    )
    kept = frame.drop(index=frame.index[positions]).reset_index(drop=True)
    return kept, removed


def removal_counts(reasons: dict[int, set[str]]) -> dict[str, int]:
    """Code -> the rows it removed, by code."""
    counts: dict[str, int] = {}
    for codes in reasons.values():
        for c in codes:
            counts[c] = counts.get(c, 0) + 1
    return dict(sorted(counts.items()))
