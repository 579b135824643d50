"""What several reporters share: rule metadata, grouping by cause, the verdict.

Rule metadata (name, summary, documentation) comes from the check registry by
default. Reporters accept a ``rules=`` mapping instead, so that golden-file tests
render one fixed report with fixed documentation while the checks evolve.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from preflight.findings import CAUSES, Finding, Report, Severity

# Severity -> the level name of SARIF, GitHub annotations and the like.
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


@dataclass(frozen=True)
class RuleInfo:
    """What a reporter may say about a check: its identity and its documentation."""

    code: str
    name: str
    category: str
    cause: int | None
    severity: str
    summary: str
    doc: str


def rule_infos(report: Report, rules: Mapping[str, RuleInfo] | None = None) -> dict[str, RuleInfo]:
    """Metadata for every check the report mentions (ran, skipped, crashed or found), by code.

    A code missing from ``rules`` (and from the registry) is described from its
    findings, so a reporter never fails on a check it does not know.
    """
    if rules is None:
        rules = registry_rules()
    codes = set(report.checks_run) | {s.code for s in report.skipped} | {e.code for e in report.errors}
    codes |= {f.code for f in report.findings}
    out: dict[str, RuleInfo] = {}
    for code in sorted(codes):
        info = rules.get(code)
        if info is None:
            first = next((f for f in report.findings if f.code == code), None)
            info = RuleInfo(
                code=code,
                name=first.name if first else code,
                category=first.category if first else "",
                cause=first.cause if first else None,
                severity=first.severity.value if first else "warning",
                summary=first.name if first else code,
                doc="",
            )
        out[code] = info
    return out


def registry_rules() -> dict[str, RuleInfo]:
    from preflight.checks import REGISTRY

    return {
        code: RuleInfo(
            code=code,
            name=c.name,
            category=c.category,
            cause=c.cause,
            severity=c.severity.value,
            summary=c.summary(),
            doc=inspect.cleandoc(c.__doc__ or ""),
        )
        for code, c in REGISTRY.items()
    }


def cause_title(cause: int | None) -> str:
    return f"{cause} · {CAUSES[cause]}" if cause is not None else "beyond the four causes"


def by_cause(findings: Iterable[Finding]) -> list[tuple[int | None, list[Finding]]]:
    """Findings grouped by the article's cause (1-4, then the rest), each group in report order."""
    groups: dict[int | None, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.cause, []).append(f)
    return [
        (cause, sorted(groups[cause], key=Finding.sort_key))
        for cause in sorted(groups, key=lambda c: c if c is not None else 99)
    ]


def verdict(report: Report) -> str:
    """``crashed``, ``fail`` or ``pass``: what the exit code says."""
    if report.errors:
        return "crashed"
    return report.status


def tally(report: Report) -> str:
    counts = report.summary
    return f"{counts['error']} errors · {counts['warning']} warnings · {counts['info']} info"


def failing(report: Report, finding: Finding) -> bool:
    """True when this finding, on its own, fails the run under ``--fail-on``."""
    return report.fail_on is not None and finding.severity >= report.fail_on
