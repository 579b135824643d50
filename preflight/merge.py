"""One finding per root problem: findings of two checks that say the same thing about
the same columns become one, with both evidences.

Checks judge independently (none sees another's findings), so the run merges after
them. A rule names the finding that stays (``keep``) and the one folded into it
(``fold``): the folded finding's columns that the kept one already names leave it, its
evidence for them goes into the kept finding's ``evidence["also"][CODE]``, and a folded
finding with no column left is gone. A row rule does the same with rows: OL002's rows
that an OL001 finding already names (one broken record, seen in a column and in a
relation) leave OL002, whose check restates what is left (``RowOutliers.restate``).
Only findings of the same severity merge (a difference in severity is a difference in
what the user must do).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from preflight.core.findings import Finding

# (kept, folded): SN002 "far from zero" is answered by SN001's StandardScaler; SN004
# "spans orders of magnitude" on a column SN003 finds skewed is one skew, and the plan
# applies SN003's transform to it either way (the first transform claims a column).
RULES: tuple[tuple[str, str], ...] = (("SN001", "SN002"), ("SN003", "SN004"))
# (kept, folded) by rows: a row OL001 reports for its values is not reported again by OL002.
ROW_RULES: tuple[tuple[str, str], ...] = (("OL001", "OL002"),)


def merge_findings(findings: Sequence[Finding]) -> list[Finding]:
    out = list(findings)
    for keep_code, fold_code in RULES:
        out = _merge(out, keep_code, fold_code)
    for keep_code, fold_code in ROW_RULES:
        out = _merge_rows(out, keep_code, fold_code)
    return out


def _merge_rows(findings: list[Finding], keep_code: str, fold_code: str) -> list[Finding]:
    from preflight.checks import REGISTRY

    restate = REGISTRY[fold_code].restate  # type: ignore[attr-defined]
    out: list[Finding | None] = list(findings)
    for at, f in enumerate(findings):
        if f.code != fold_code:
            continue
        folded: Finding | None = f
        for i, k in enumerate(out):
            if folded is None:
                break
            if k is None or k.code != keep_code or k.severity != folded.severity:
                continue
            shared = set(folded.rows) & set(k.rows)
            if shared:
                out[i] = _with_rows(k, folded, sorted(shared))
                folded = restate(folded, [r for r in folded.rows if r not in shared])
        out[at] = folded
    return [f for f in out if f is not None]


def _with_rows(kept: Finding, folded: Finding, rows: list[int]) -> Finding:
    also: dict[str, Any] = dict(kept.evidence.get("also", {}))
    per_row = {
        key: {r: v for r, v in value.items() if r in rows}
        for key, value in folded.evidence.items()
        if isinstance(value, dict) and any(r in value for r in rows)
    }
    also[folded.code] = {"message": folded.message, "rows": rows, **per_row}
    return replace(kept, evidence={**kept.evidence, "also": also})


def _merge(findings: list[Finding], keep_code: str, fold_code: str) -> list[Finding]:
    kept = [f for f in findings if f.code == keep_code]
    if not kept:
        return findings
    out: list[Finding] = []
    for f in findings:
        if f.code != fold_code:
            out.append(f)
            continue
        for i, k in enumerate(out):
            if k.code != keep_code or k.severity != f.severity:
                continue
            shared = [c for c in f.columns if c in k.columns]
            if not shared:
                continue
            out[i] = _with_evidence(k, f, shared)
            f = _without(f, shared)
        if f.columns:
            out.append(f)
    return out


def _with_evidence(kept: Finding, folded: Finding, columns: list[str]) -> Finding:
    also: dict[str, Any] = dict(kept.evidence.get("also", {}))
    also[folded.code] = {"message": folded.message, "columns": columns, **_for(folded.evidence, columns)}
    message = f"{kept.message}; also {folded.code}: {folded.message}"
    return replace(kept, message=message, evidence={**kept.evidence, "also": also})


def _without(folded: Finding, columns: list[str]) -> Finding:
    rest = tuple(c for c in folded.columns if c not in columns)
    return replace(
        folded, columns=rest, evidence=_for(folded.evidence, list(rest)) | _scalars(folded.evidence)
    )


def _for(evidence: dict[str, Any], columns: list[str]) -> dict[str, Any]:
    """The per-column parts of ``evidence`` (dicts keyed by column), cut to ``columns``."""
    return {
        key: {c: v for c, v in value.items() if c in columns}
        for key, value in evidence.items()
        if isinstance(value, dict) and key != "also"
    }


def _scalars(evidence: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in evidence.items() if not isinstance(value, dict)}
