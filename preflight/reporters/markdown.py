"""Markdown for a CI job summary (``$GITHUB_STEP_SUMMARY``) or a pull-request comment.

GitHub-flavoured: a verdict line, a count table, the findings grouped by the
article's four causes in tables (severity, code, what, rows, fix), the suggested
preprocessing, and skipped/crashed checks in a collapsed block. Every string from
the data goes through :func:`md`: table pipes, backticks, emphasis and link
characters are backslash-escaped, HTML is entity-escaped (GitHub renders inline
HTML), ``@`` is escaped so a column named ``@org/team`` pings nobody, and control
characters are made visible as in the terminal report.
"""

from __future__ import annotations

import re
from typing import Any

from preflight.core.escape import safe, safe_lines
from preflight.core.findings import Report, Severity
from preflight.core.wording import percent, plural, quote_list
from preflight.plan.steps import report_steps
from preflight.reporters.common import by_cause, cause_title, shape, tally, verdict

_ICON = {Severity.ERROR: "🔴", Severity.WARNING: "🟠", Severity.INFO: "🔵"}
_VERDICT = {"pass": "✅ **PASS**", "fail": "❌ **FAIL**", "crashed": "💥 **CRASHED**"}
_ROWS_SHOWN = 10
# A pull-request comment holds at most 65,536 characters; a long tail of similar
# findings (one per column of a wide file) is summarised instead of listed.
MAX_FINDINGS_PER_CAUSE = 50
_SPECIAL = re.compile(r"([\\`*_{}\[\]|~$])")


def md(text: object) -> str:
    """Escape a string from the data for a Markdown table cell or paragraph."""
    s = safe(str(text))
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("@", "&#64;")
    s = s.replace('"', "&quot;")
    s = _SPECIAL.sub(r"\\\1", s)
    # A table row is one line; a paragraph must not open a new block.
    return re.sub(r"[\r\n\u2028\u2029]+", " ", s)


def code_block(text: str, lang: str = "") -> str:
    """A fenced block longer than any backtick run inside, so the code cannot close it."""
    run = max((len(m) for m in re.findall(r"`{3,}", text)), default=0)
    fence = "`" * max(3, run + 1)
    return f"{fence}{lang}\n{text.rstrip()}\n{fence}"


def render(report: Report, **_: Any) -> str:
    ds = report.dataset
    out: list[str] = []
    out.append(f"## preflight · {md(ds.path)}")
    out.append("")
    target = f"target **{md(ds.target)}** ({ds.task})" if ds.target else "no target"
    out.append(f"{_VERDICT[verdict(report)]} · {tally(report)} · {shape(ds.rows, ds.columns)} · {target}")
    if ds.profiled_rows:
        out.append("")
        out.append(
            f"Streamed: counts, missing cells, duplicates and outliers cover every row; quantiles and "
            f"text checks read a seeded sample of {plural(ds.profiled_rows, 'row')}."
        )
    if ds.sampled_rows:
        out.append("")
        out.append(f"Model-based checks were fitted on a sample of {plural(ds.sampled_rows, 'row')}.")
    out.append("")
    fail_on = report.fail_on.value if report.fail_on else "never"
    out.append(f"<sub>fail-on: {fail_on} · {plural(len(report.checks_run), 'check')} ran</sub>")
    out.append("")

    if not report.findings:
        out.append("No findings.")
        out.append("")
    for cause, findings in by_cause(report.findings):
        out.append(f"### {md(cause_title(cause))}")
        out.append("")
        out.append("| | code | finding | rows | fix |")
        out.append("| --- | --- | --- | --- | --- |")
        for f in findings[:MAX_FINDINGS_PER_CAUSE]:
            rows = ""
            if f.rows:
                rows = ", ".join(str(r) for r in f.rows[:_ROWS_SHOWN])
                if f.flagged_rows > _ROWS_SHOWN:
                    rows += f" … ({f.flagged_rows:,} in all)"
            elif f.flagged_rows:
                rows = f"{f.flagged_rows:,}"
            fix = md(f.fix.summary) if f.fix else ""
            check = f"`{f.code}` {md(f.name)}"
            what = md(f.message) + (" <sub>(accepted)</sub>" if f.accepted else "")  # the baseline holds it
            out.append(f"| {_ICON[f.severity]} {f.severity.value} | {check} | {what} | {rows} | {fix} |")
        if len(findings) > MAX_FINDINGS_PER_CAUSE:
            hidden = findings[MAX_FINDINGS_PER_CAUSE:]
            worst = max(f.severity for f in hidden).value
            out.append("")
            out.append(
                f"… and {len(hidden)} more ({worst} at worst); the json or html report lists them all."
            )
        out.append("")

    out += _label_health(report.label_health)

    steps = report_steps(report.preprocessing)
    if steps:
        out.append("### Suggested preprocessing")
        out.append("")
        for i, step in enumerate(steps, 1):
            cols = ", ".join(md(c) for c in step.columns[:12])
            more = f" and {len(step.columns) - 12} more" if len(step.columns) > 12 else ""
            via = f" ({md(step.transformer.rsplit('.', 1)[-1])})" if step.transformer else ""
            out.append(
                f"{i}. **{md(step.step)}**{via}: {cols or 'the flagged rows'}{more} — {md(step.reason)}"
            )
        out.append("")
        code = (report.preprocessing or {}).get("code")
        if code:
            out.append("<details><summary>scikit-learn code</summary>")
            out.append("")
            out.append(code_block(safe_lines(code), "python"))
            out.append("")
            out.append("</details>")
            out.append("")

    if report.errors:
        out.append("### Crashed checks")
        out.append("")
        for e in report.errors:
            out.append(f"- `{e.code}`: {md(e.error)}")
        out.append("")
    if report.skipped:
        out.append(f"<details><summary>{plural(len(report.skipped), 'check')} skipped</summary>")
        out.append("")
        for s in report.skipped:
            out.append(f"- `{s.code}`: {md(s.reason)}")
        out.append("")
        out.append("</details>")
        out.append("")
    if report.skipped_columns:
        did = plural(len(report.skipped_columns), "check")
        out.append(f"<details><summary>{did} did not examine some columns (not a kind they read)</summary>")
        out.append("")
        for skip in report.skipped_columns:
            out.append(f"- `{skip.code}` ({', '.join(skip.kinds)}): {md(quote_list(skip.columns))}")
        out.append("")
        out.append("</details>")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _label_health(health: Any) -> list[str]:
    """The label checks' summary: the noise estimate and the most suspicious rows."""
    if not isinstance(health, dict):
        return []
    rate = health.get("estimated_noise_rate")
    rows = health.get("issue_rows")
    if not isinstance(rows, list) or not rows:
        return []
    out = ["### Label health", ""]
    if isinstance(rate, (int, float)) and not isinstance(rate, bool):
        out.append(
            f"About {percent(rate)} of labels look wrong ({plural(len(rows), 'row')}). "
            f"{md(health.get('method') or '')}"
        )
    else:
        out.append(f"{plural(len(rows), 'row')} whose label looks wrong.")
    out.append("")
    given = {str(k): v for k, v in (health.get("given_labels") or {}).items()}
    likely = {str(k): v for k, v in (health.get("suggested_labels") or {}).items()}
    out.append("| row | given label | likely label |")
    out.append("| ---: | --- | --- |")
    for r in rows[:_ROWS_SHOWN]:
        out.append(f"| {md(r)} | {md(given.get(str(r), '–'))} | {md(likely.get(str(r), '–'))} |")
    if len(rows) > _ROWS_SHOWN:
        out.append("")
        out.append(f"… and {len(rows) - _ROWS_SHOWN:,} more (`--rows-out` writes them all).")
    out.append("")
    return out
