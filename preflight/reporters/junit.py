"""JUnit XML for CI test tabs: one test case per check.

A check that ran is a test case that *fails* when it has a finding at or above
``--fail-on`` (so the test tab agrees with the exit code), *errors* when it crashed,
and *passes* otherwise; findings below the threshold are listed in its
``system-out``. A skipped check is a ``<skipped>`` test case with the reason.
The XML is written by ElementTree (which escapes markup). Control and bidi characters
(which XML 1.0 mostly cannot hold at all) are written as visible escapes (``\\x1b``) by
:func:`preflight.core.escape.safe`; attribute values are one line, element text keeps its
line breaks.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from preflight.core.escape import safe, safe_lines
from preflight.core.findings import Finding, Report
from preflight.reporters.common import RuleInfo, failing, rule_infos

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except
# surrogates and U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ROWS_SHOWN = 20


def xml_text(text: object, *, lines: bool = False) -> str:
    """Text XML 1.0 can hold and a reader's terminal cannot act on: one line, or
    ``lines`` kept (element text)."""
    escaped = safe_lines(text) if lines else safe(text)
    # U+FFFE and U+FFFF are left by safe(); XML forbids them.
    return _NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", escaped)


def _describe(f: Finding) -> str:
    lines = [f"[{f.severity.value}] {safe(f.message)}"]
    if f.columns:
        lines.append("  columns: " + ", ".join(safe(c) for c in f.columns))
    if f.rows:
        shown = ", ".join(str(r) for r in f.rows[:_ROWS_SHOWN])
        more = f" … ({f.flagged_rows:,} in all)" if f.flagged_rows > _ROWS_SHOWN else ""
        lines.append(f"  rows: {shown}{more}")
    if f.fix is not None:
        lines.append(f"  fix: {safe(f.fix.summary)}")
    return "\n".join(lines)  # the data is escaped line by line: only these breaks remain


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        el.text = xml_text(text, lines=True)
    return el


def render(report: Report, *, rules: Mapping[str, RuleInfo] | None = None, **_: Any) -> str:
    from preflight.core.version import __version__

    infos = rule_infos(report, rules)
    ds = report.dataset
    by_code: dict[str, list[Finding]] = {}
    for f in report.findings:
        by_code.setdefault(f.code, []).append(f)
    crashed = {e.code: e.error for e in report.errors}
    skipped = {s.code: s.reason for s in report.skipped}
    codes = sorted(set(report.checks_run) | set(skipped) | set(crashed) | set(by_code))

    root = ET.Element("testsuites", {"name": "preflight"})
    suite = _el(root, "testsuite", name=f"preflight: {ds.path}")
    props = _el(suite, "properties")
    for key, value in (
        ("preflight_version", __version__),
        ("path", ds.path),
        ("rows", str(ds.rows)),
        ("columns", str(ds.columns)),
        ("target", ds.target or ""),
        ("task", ds.task or ""),
        ("fail_on", report.fail_on.value if report.fail_on else "never"),
    ):
        _el(props, "property", name=key, value=value)

    n_fail = n_error = n_skip = 0
    for code in codes:
        info = infos[code]
        case = _el(
            suite, "testcase", classname=f"preflight.{info.category or 'checks'}", name=f"{code} {info.name}"
        )
        findings = by_code.get(code, [])
        failed = [f for f in findings if failing(report, f)]
        if code in crashed:
            n_error += 1
            _el(case, "error", crashed[code], type="crash", message=f"{code} crashed: {crashed[code]}")
        elif code in skipped:
            n_skip += 1
            _el(case, "skipped", message=skipped[code])
        elif failed:
            n_fail += 1
            worst = failed[0].severity.value
            message = (
                failed[0].message
                if len(failed) == 1
                else f"{len(failed)} findings; first: {failed[0].message}"
            )
            _el(case, "failure", "\n".join(_describe(f) for f in failed), type=worst, message=message)
        rest = [f for f in findings if f not in failed]
        if rest:
            _el(case, "system-out", "\n".join(_describe(f) for f in rest))

    counts = {
        "tests": str(len(codes)),
        "failures": str(n_fail),
        "errors": str(n_error),
        "skipped": str(n_skip),
    }
    for el in (root, suite):
        for key, value in counts.items():
            el.set(key, value)
    # Attribute order as CI tools print it: name first, then the counts.
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
