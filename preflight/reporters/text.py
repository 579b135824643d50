"""The terminal report: grouped by the article's causes, the fix under each finding."""

from __future__ import annotations

from typing import Any

import click

from preflight.core.escape import safe, safe_lines
from preflight.core.findings import CAUSES, Finding, Report, Severity
from preflight.core.wording import agree, number, plural, quote_list
from preflight.plan.steps import report_steps
from preflight.reporters.common import shape, tally

__all__ = ["render", "safe"]  # safe: the one escaping, kept importable from here

_MARK = {Severity.ERROR: "✖", Severity.WARNING: "▲", Severity.INFO: "•"}
_COLOR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def _not_examined(report: Report) -> list[str]:
    """One line per check: the features whose kind it does not examine, names capped."""
    lines = ["columns a check did not examine (not a kind it reads):"]
    for skip in report.skipped_columns:
        columns = skip.columns
        lines.append(
            f"  {skip.code} · {plural(len(columns), 'column')} ({', '.join(skip.kinds)}): "
            + safe(quote_list(columns))
        )
    return lines


def _column_lines(report: Report) -> list[str]:
    """-v: what every column is, with the evidence and how its odd cells are read."""
    lines = ["columns (what preflight reads each one as):"]
    for c in report.columns:
        extra = []
        if c.missing_markers:
            extra.append("missing: " + quote_list([str(m) for m in c.missing_markers], 5))
        if c.censored is not None:
            extra.append(
                f"censored: {plural(c.censored.rows, 'row')} at the {c.censored.side} bound "
                f"{number(c.censored.value, 6)}"
            )
        if c.parsed is not None:
            extra.append(f"parsed: {c.parsed}")
        if c.none_is_value:
            extra.append("'none' is a level")
        origin = "" if c.source == "inferred" else f", {c.source}"
        tail = f"; {'; '.join(extra)}" if extra else ""
        lines.append(f"  {safe(c.name)} · {c.semantic} ({safe(c.evidence)}{origin}){safe(tail)}")
    return lines


def render(report: Report, *, color: bool = False, verbose: bool = False, **_: Any) -> str:
    def style(text: str, **kw: Any) -> str:
        return click.style(text, **kw) if color else text

    ds = report.dataset
    out: list[str] = []
    target = f" · target {ds.target!r} ({ds.task})" if ds.target else " · no target"
    out.append(
        style(f"preflight · {safe(ds.path)}", bold=True) + f" · {shape(ds.rows, ds.columns)}{safe(target)}"
    )
    if ds.profiled_rows:
        out.append(
            f"  streamed: counts, missing cells, duplicates and outliers cover every row; "
            f"quantiles and text checks a seeded sample of {plural(ds.profiled_rows, 'row')}"
        )
    if ds.sampled_rows:
        out.append(f"  model-based checks fitted on a sample of {plural(ds.sampled_rows, 'row')}")
    out.append("")

    groups: dict[int | None, list[Finding]] = {}
    for f in report.findings:
        groups.setdefault(f.cause, []).append(f)
    for cause in sorted(groups, key=lambda c: c if c is not None else 99):
        title = f"{cause} · {CAUSES[cause]}" if cause is not None else "beyond the four causes"
        out.append(style(title, bold=True, underline=True))
        for f in sorted(groups[cause], key=Finding.sort_key):
            mark = style(f"{_MARK[f.severity]} {f.code}", fg=_COLOR[f.severity], bold=True)
            # Accepted by the baseline: still shown, marked, never failing.
            accepted = style("  (accepted)", dim=True) if f.accepted else ""
            severity = style(f"{f.severity.value:<7}", fg=_COLOR[f.severity])
            out.append(f"  {mark} {severity} {safe(f.message)}{accepted}")
            if f.rows:
                shown = ", ".join(str(r) for r in f.rows[:10])
                more = f" … ({f.flagged_rows:,} in all)" if f.flagged_rows > 10 else ""
                # Split checks list positions in the test (or valid) file, not in train.
                file = f.evidence.get("rows_refer_to")
                label = f"{file} rows" if isinstance(file, str) else "rows"
                out.append(style(f"      {safe(label)} {shown}{more}", dim=True))
            if f.fix is not None:
                out.append(f"      {style('fix:', fg='green')} {safe(f.fix.summary)}")
        out.append("")

    steps = report_steps(report.preprocessing)
    if steps:
        out.append(style("suggested preprocessing", bold=True, underline=True))
        for i, step in enumerate(steps, 1):
            out.append(f"  {i}. {safe(step.describe())}  [{safe(step.reason)}]")
        code = (report.preprocessing or {}).get("code")
        if code and verbose:
            out.extend(["", *safe_lines(code).splitlines()])
        elif code:
            out.append(style("  (-v prints the scikit-learn code; `preflight fix` applies it)", dim=True))
        out.append("")

    if report.errors:
        for e in report.errors:
            out.append(style(f"  ! {safe(e.code)} crashed: {safe(e.error)}", fg="magenta", bold=True))
        out.append("")
    if report.skipped and verbose:
        listed = ", ".join(f"{s.code} ({s.reason})" for s in report.skipped)
        out.append(style(f"skipped: {safe(listed)}", dim=True))
    elif report.skipped:
        reasons: dict[str, list[str]] = {}
        for s in report.skipped:
            reasons.setdefault(s.reason, []).append(s.code)
        text = "; ".join(f"{len(codes)} {agree(len(codes), r)}" for r, codes in reasons.items())
        skipped = plural(len(report.skipped), "check")
        out.append(style(f"skipped {skipped}: {safe(text)} (-v lists them)", dim=True))
    if report.skipped_columns and verbose:
        out.extend(style(line, dim=True) for line in _not_examined(report))
    if report.columns and verbose:
        out.extend(style(line, dim=True) for line in _column_lines(report))

    fail_on = report.fail_on.value if report.fail_on else "never"
    if report.errors:
        verdict = style("✖ CRASHED", fg="magenta", bold=True)
    elif report.failed:
        verdict = style("✖ FAIL", fg="red", bold=True)
    else:
        verdict = style("✔ PASS", fg="green", bold=True)
    ran = plural(len(report.checks_run), "check")
    accepted = f"; {report.accepted} accepted by baseline {safe(report.baseline)}" if report.baseline else ""
    out.append(f"{verdict}  {tally(report)}  (fail-on: {fail_on}; {ran} ran{accepted})")
    return "\n".join(out) + "\n"
