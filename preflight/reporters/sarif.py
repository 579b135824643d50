"""SARIF 2.1.0 for code-scanning views (GitHub code scanning, VS Code SARIF viewer, ...).

One run; the tool's driver lists one rule per check the report mentions, with the
check's documentation as help text; one result per finding, located in the data
file (line 1: a finding is about a column or a set of rows, not a text line; the
rows and columns are in the result's properties and logical locations). Crashed
checks become tool execution notifications. ``partialFingerprints`` carry the
finding's baseline fingerprint (code, columns and kind of problem:
:mod:`preflight.core.fingerprint`), so code scanning tracks it across runs as
``preflight check --baseline`` and ``preflight diff`` do (the file is the result's
location).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from preflight.core.escape import json_safe
from preflight.core.findings import Finding, Report, Severity, jsonable
from preflight.core.fingerprint import entry_of
from preflight.reporters.common import LEVEL, RuleInfo, rule_infos

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_ROWS_LISTED = 100


def _rule(info: RuleInfo) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "id": info.code,
        "name": info.name,
        "shortDescription": {"text": info.summary or info.name},
        "defaultConfiguration": {"level": LEVEL[Severity(info.severity)]},
        "properties": {
            "category": info.category,
            "cause": info.cause,
            "tags": ["data", info.category] + ([f"cause-{info.cause}"] if info.cause else []),
        },
    }
    # Code-scanning views show shortDescription and fullDescription on every alert and
    # the help on its page; GitHub wants both descriptions, so a check without a
    # docstring falls back to its name.
    doc = info.doc or info.summary or info.name
    rule["fullDescription"] = {"text": doc.split("\n\n", 1)[0]}
    rule["help"] = {"text": doc, "markdown": doc}
    return rule


def artifact_uri(path: str) -> str:
    """A valid URI reference for the data file: relative paths stay relative (code scanning
    resolves them against the repository root), absolute ones become ``file://`` URIs."""
    from pathlib import PurePath
    from urllib.parse import quote

    p = PurePath(path)
    if p.is_absolute():
        return "file://" + quote(p.as_posix(), safe="/")
    return quote(p.as_posix(), safe="/")


def _result(report: Report, f: Finding, index: int) -> dict[str, Any]:
    path = report.dataset.path
    text = f.message + (f" Fix: {f.fix.summary}" if f.fix else "")
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(path), "index": 0},
            "region": {"startLine": 1},
        },
    }
    if f.columns:
        location["logicalLocations"] = [{"name": c, "kind": "member"} for c in f.columns]
    result: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": index,
        "level": LEVEL[f.severity],
        "message": {"text": text},
        "locations": [location],
        "partialFingerprints": {"preflightFinding/v2": entry_of(f).fingerprint},
        "properties": {
            "columns": list(f.columns),
            "rows": list(f.rows[:_ROWS_LISTED]),
            "rowCount": f.flagged_rows,
            "evidence": jsonable(f.evidence),
        },
    }
    if f.fix is not None:
        result["properties"]["fix"] = f.fix.to_dict()
    if report.baseline is not None:
        # SARIF's own word for it: accepted findings are "unchanged" since the baseline.
        result["baselineState"] = "unchanged" if f.accepted else "new"
    return result


def render(report: Report, *, rules: Mapping[str, RuleInfo] | None = None, **_: Any) -> str:
    from preflight.core.version import __version__

    infos = rule_infos(report, rules)
    index = {code: i for i, code in enumerate(infos)}
    notifications = [
        {
            "level": "error",
            "message": {"text": f"{e.code} crashed: {e.error}"},
            "associatedRule": {"id": e.code, "index": index[e.code]},
        }
        for e in report.errors
    ]
    run = {
        "tool": {
            "driver": {
                "name": "preflight",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule(info) for info in infos.values()],
            }
        },
        "artifacts": [{"location": {"uri": artifact_uri(report.dataset.path)}, "roles": ["analysisTarget"]}],
        "invocations": [
            {
                "executionSuccessful": not report.errors,
                "toolExecutionNotifications": notifications,
                "properties": {
                    "status": report.status,
                    "failOn": report.fail_on.value if report.fail_on else "never",
                    "checksRun": list(report.checks_run),
                    "skipped": [{"code": s.code, "reason": s.reason} for s in report.skipped],
                },
            }
        ],
        "results": [_result(report, f, index[f.code]) for f in report.findings],
        "columnKind": "unicodeCodePoints",
        "properties": {"dataset": report.dataset.to_dict()},
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json_safe(json.dumps(log, ensure_ascii=False, indent=2)) + "\n"
