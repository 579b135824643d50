"""What several reporters share: rule metadata, grouping by cause, the verdict.

Rule metadata (name, summary, documentation) comes with the report (``Report.rules``,
filled by the run from the checks it selected), so reporters never import the checks.
Reporters accept a ``rules=`` mapping instead, so that golden-file tests render one
fixed report with fixed documentation while the checks evolve.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from preflight.core.findings import CAUSES, Finding, Report, Severity
from preflight.core.findings import RuleInfo as RuleInfo  # re-exported: reporters import it from here
from preflight.core.wording import plural

# Severity -> the level name of SARIF, GitHub annotations and the like.
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def rule_infos(report: Report, rules: Mapping[str, RuleInfo] | None = None) -> dict[str, RuleInfo]:
    """Metadata for every check the report mentions (ran, skipped, crashed or found), by code.

    A code missing from ``rules`` (and from the registry) is described from its
    findings, so a reporter never fails on a check it does not know.
    """
    if rules is None:
        rules = report.rules
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


def tally(report: Report, sep: str = " · ") -> str:
    """``1 error · 2 warnings · 0 info``."""
    counts = report.summary
    return sep.join(
        (
            plural(counts["error"], "error"),
            plural(counts["warning"], "warning"),
            plural(counts["info"], "info", "info"),
        )
    )


def shape(rows: int, columns: int) -> str:
    """``344 rows × 1 column``."""
    return f"{plural(rows, 'row')} × {plural(columns, 'column')}"


def failing(report: Report, finding: Finding) -> bool:
    """True when this finding, on its own, fails the run under ``--fail-on`` (a finding
    the baseline accepted never does)."""
    return report.fail_on is not None and finding.severity >= report.fail_on and not finding.accepted
