"""The terminal diff: new, resolved and changed findings, then the verdict."""

from __future__ import annotations

from typing import Any

import click

from preflight.core.diff import Change, Listed, ReportDiff
from preflight.core.escape import safe
from preflight.core.findings import Severity
from preflight.core.fingerprint import Entry
from preflight.reporters.diff.common import counts, several_files

_MARK = {Severity.ERROR: "✖", Severity.WARNING: "▲", Severity.INFO: "•"}
_COLOR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def render(result: ReportDiff, *, color: bool = False, **_: Any) -> str:
    def style(text: str, **kw: Any) -> str:
        return click.style(text, **kw) if color else text

    def line(e: Entry, where: str) -> str:
        mark = style(f"{_MARK[e.severity]} {e.code}", fg=_COLOR[e.severity], bold=True)
        return f"  {mark} {style(f'{e.severity.value:<7}', fg=_COLOR[e.severity])} {where}{safe(e.message)}"

    files = several_files(result)

    def where(item: Listed | Change) -> str:
        return f"{safe(item.dataset)}: " if files else ""

    out = [style(f"preflight diff · {safe(result.old_file)} → {safe(result.new_file)}", bold=True), ""]
    for title, items in (("new", result.new), ("resolved", result.resolved)):
        if not items:
            continue
        out.append(style(title, bold=True, underline=True))
        for x in items:
            fails = title == "new" and result.failing(x)  # a resolved finding fails nothing
            out.append(line(x.entry, where(x)) + (style("  (fails)", fg="red") if fails else ""))
        out.append("")
    if result.changed:
        out.append(style("changed", bold=True, underline=True))
        for c in result.changed:
            tag = style("  (worse, fails)", fg="red") if result.failing(c) else "  (worse)" if c.worse else ""
            out.append(line(c.new, where(c)) + tag)
            was = f"was {c.old.severity.value}, {c.old.row_count:,} rows: {safe(c.old.message)}"
            out.append(style(f"      {was}", dim=True))
        out.append("")
    if not (result.new or result.resolved or result.changed):
        out += ["no finding changed", ""]
    fail_on = result.fail_on.value if result.fail_on else "never"
    verdict = (
        style("✖ FAIL", fg="red", bold=True) if result.failed else style("✔ PASS", fg="green", bold=True)
    )
    out.append(f"{verdict}  {counts(result)}  (fail-on: {fail_on})")
    return "\n".join(out) + "\n"
