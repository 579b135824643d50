"""What makes two findings "the same finding" across runs: the fingerprint, and when a
matched finding has got worse.

A baseline (``check --baseline``) and a report diff (``preflight diff``) both match the
findings of one run against another's by this module, so they always agree.

**The fingerprint** is built from what stays put when rows are inserted, deleted or
shuffled: the check's ``code``, the finding's ``columns`` (sorted) and the *kind* of
problem, read from a few evidence keys per check (:data:`KIND_VALUES`,
:data:`KIND_PRESENT`) plus, for the split checks, the held-out file the finding is about
(``rows_refer_to``). Row positions, counts, shares and messages are never part of it:
they move with the rows. Findings of one run that share a fingerprint are matched in
report order.

**Worse** (:func:`worse`): a matched finding whose severity went up, or whose flagged
rows grew beyond the tolerance: more than :data:`ROW_SHARE` (10%) and more than
:data:`ROW_SLACK` (2) rows above what the baseline's count gives at the new file's size
(a file that doubles may flag twice the rows and be no worse; the split checks' rows
count the held-out file, whose size the report does not record, so theirs are compared
as they are). A worse finding counts as new.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from preflight.core.findings import Finding, Severity, jsonable

# code -> the evidence key whose value names the kind of problem: one check may report
# several problems of one column (DQ004: which markers disguise its nulls; DQ010: a
# top- or bottom-code; LB003: what leaks, the target itself or a transform of it;
# SC003: which contract check fails).
KIND_VALUES: dict[str, str] = {"DQ004": "markers", "DQ010": "side", "LB003": "reason", "SC003": "check"}
# code -> evidence keys whose presence tells the check's kinds of finding apart (DQ005:
# near-constant from constant; OL001: values a column cannot hold from heavy tails;
# SC001: Python types from numbers mixed with text; SP002: unseen from missing classes;
# SP007: missing, extra or retyped columns).
KIND_PRESENT: dict[str, tuple[str, ...]] = {
    "DQ005": ("share",),
    "OL001": ("min_gap",),
    "SC001": ("types",),
    "SP002": ("unseen_classes", "missing_classes"),
    "SP007": ("missing", "extra", "numbers_in"),
}
# A matched finding is worse when its rows grow by more than both of these.
ROW_SHARE = 0.10
ROW_SLACK = 2


def kind_of(code: str, evidence: Mapping[str, Any]) -> str:
    """The kind of problem a finding's evidence names, for its fingerprint ('' if none)."""
    parts: list[str] = []
    held_out = evidence.get("rows_refer_to")
    if isinstance(held_out, str):
        parts.append(f"file={held_out}")
    key = KIND_VALUES.get(code)
    if key is not None and key in evidence:
        value = jsonable(evidence[key])
        if isinstance(value, list):  # a set of markers, in whatever order the check found them
            value = sorted(value, key=lambda v: json.dumps(v, sort_keys=True))
        parts.append(f"{key}={json.dumps(value, ensure_ascii=False, sort_keys=True)}")
    parts.extend(key for key in KIND_PRESENT.get(code, ()) if key in evidence)
    return ";".join(parts)


def fingerprint(code: str, columns: Sequence[str], kind: str) -> str:
    """A short stable hash of the code, the sorted columns and the kind of problem."""
    key = json.dumps([code, sorted(columns), kind], ensure_ascii=False)
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(frozen=True)
class Entry:
    """One finding as matching sees it: from a live :class:`Finding`, a JSON report or a
    baseline file."""

    code: str
    name: str
    severity: Severity
    columns: tuple[str, ...]
    kind: str
    row_count: int
    message: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.code, self.columns, self.kind)

    @property
    def held_out(self) -> bool:
        """Its rows count a held-out (test or valid) file, not the checked one."""
        return self.kind.startswith("file=")

    def to_dict(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "columns": list(self.columns),
            "kind": self.kind,
            "row_count": self.row_count,
            "message": self.message,
        }


def entry_of(finding: Finding) -> Entry:
    return Entry(
        code=finding.code,
        name=finding.name,
        severity=finding.severity,
        columns=finding.columns,
        kind=kind_of(finding.code, finding.evidence),
        row_count=finding.flagged_rows,
        message=finding.message,
    )


def worse(old: Entry, new: Entry, old_rows: int | None = None, new_rows: int | None = None) -> bool:
    """True when ``new`` (matched to ``old``) is worse: a higher severity, or more flagged
    rows than the tolerance allows at the new file's size (``old_rows`` -> ``new_rows``)."""
    if new.severity > old.severity:
        return True
    expected = float(old.row_count)
    if old_rows and new_rows and not new.held_out:
        expected *= new_rows / old_rows
    return new.row_count > expected + max(ROW_SLACK, ROW_SHARE * expected)


def match(old: Sequence[Entry], new: Sequence[Entry]) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Pair ``new`` entries with ``old`` ones of the same fingerprint, in order.

    Returns ``(pairs, unmatched_new, unmatched_old)`` as indices: ``pairs`` holds
    ``(old_index, new_index)`` in new order; the other two lists are in their own order.
    """
    pool: dict[str, list[int]] = {}
    for i, entry in enumerate(old):
        pool.setdefault(entry.fingerprint, []).append(i)
    pairs: list[tuple[int, int]] = []
    fresh: list[int] = []
    for j, entry in enumerate(new):
        bucket = pool.get(entry.fingerprint)
        if bucket:
            pairs.append((bucket.pop(0), j))
        else:
            fresh.append(j)
    left = sorted(i for bucket in pool.values() for i in bucket)
    return pairs, fresh, left
