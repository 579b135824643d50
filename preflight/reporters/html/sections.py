"""What each part of the HTML page shows, as plain values (pixel positions included)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from preflight.core.findings import CAUSES, Finding, Report, jsonable
from preflight.core.wording import quote_list
from preflight.reporters.common import RuleInfo, by_cause, cause_title, failing, rule_infos, tally, verdict
from preflight.reporters.html.label_health import label_health
from preflight.reporters.html.plots import (
    balance_plot,
    learning_curve,
    missing_plot,
    outlier_plots,
    scale_plot,
)

# The reporter's logger (its name appears in --verbose output).
log = logging.getLogger("preflight.reporters.html")

# Rows of a finding listed by number.
ROWS_SHOWN = 20


class Lines(str):
    """A string whose line breaks are meant (the generated code): kept in the HTML."""


def context(report: Report, rules: Mapping[str, RuleInfo] | None = None) -> dict[str, Any]:
    """Everything the template shows, as plain values (pixel positions included)."""
    infos = rule_infos(report, rules)
    profile = report.profile or {}
    flagged_scale = _columns_of(report.findings, "scale")
    groups = []
    for cause, findings in by_cause(report.findings):
        groups.append(
            {
                "title": cause_title(cause),
                "cause": cause,
                "findings": [_finding(report, f, infos) for f in findings],
            }
        )
    preprocessing = report.preprocessing or {}
    return {
        "ds": report.dataset.to_dict(),
        "verdict": verdict(report),
        "tally": tally(report),
        "summary": report.summary,
        "fail_on": report.fail_on.value if report.fail_on else "never",
        "checks_run": len(report.checks_run),
        "causes": CAUSES,
        "groups": groups,
        "scale": scale_plot(profile, flagged_scale),
        "missing": missing_plot(
            profile, report.dataset.rows, _columns_of(report.findings, code_prefix="DQ001")
        ),
        "balance": balance_plot(profile),
        "label_health": _optional("label health", label_health, report.label_health),
        "outliers": _optional("outlier scores", outlier_plots, report.findings) or [],
        "curve": _optional("learning curve", learning_curve, report.findings),
        "columns": profile.get("columns") or [],
        "semantics": {c.name: c.to_dict() for c in report.columns},
        "columns_total": profile.get("columns_total"),
        "steps": preprocessing.get("steps") or [],
        "code": Lines(preprocessing["code"]) if preprocessing.get("code") else None,
        "skipped": [{"code": s.code, "reason": s.reason, "name": infos[s.code].name} for s in report.skipped],
        "not_examined": [
            {"code": s.code, "kinds": ", ".join(s.kinds), "columns": quote_list(s.columns, 10)}
            for s in report.skipped_columns
        ],
        "errors": [{"code": e.code, "error": e.error} for e in report.errors],
    }


def _optional(section: str, build: Callable[[Any], Any], data: Any) -> Any:
    """Lay out a section another check family publishes; a shape we cannot read omits the
    section (with a warning) instead of losing the whole report."""
    try:
        return build(data)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        log.warning("html report: %s section left out (%s: %s)", section, type(exc).__name__, exc)
        return None


def _finding(report: Report, f: Finding, infos: Mapping[str, RuleInfo]) -> dict[str, Any]:
    evidence = []
    for key, value in f.evidence.items():
        if isinstance(value, str):
            text = value
        else:
            text = json.dumps(jsonable(value), ensure_ascii=False, default=str)
        evidence.append((str(key), text if len(text) <= 300 else text[:300] + " …"))
    return {
        "code": f.code,
        "name": f.name,
        "severity": f.severity.value,
        "failing": failing(report, f),
        "message": f.message,
        "columns": list(f.columns),
        "rows": list(f.rows[:ROWS_SHOWN]),
        "row_count": f.flagged_rows,
        "more_rows": max(0, f.flagged_rows - ROWS_SHOWN),
        "evidence": evidence,
        "fix": f.fix.summary if f.fix else None,
        "transformer": f.fix.transformer if f.fix else None,
        "summary": infos[f.code].summary if f.code in infos else "",
    }


def _columns_of(
    findings: Iterable[Finding], category: str | None = None, code_prefix: str | None = None
) -> set[str]:
    out: set[str] = set()
    for f in findings:
        if (category is None or f.category == category) and (
            code_prefix is None or f.code.startswith(code_prefix)
        ):
            out.update(f.columns)
    return out
