"""The diff in Markdown, for a pull-request comment: a summary line and one table.

Every string from the data goes through :func:`preflight.reporters.markdown.md` (pipes,
backticks, HTML, ``@`` mentions, control characters), as in the Markdown report.
"""

from __future__ import annotations

from typing import Any

from preflight.core.diff import Change, Listed, ReportDiff
from preflight.core.findings import Severity
from preflight.core.fingerprint import Entry
from preflight.reporters.diff.common import counts, several_files
from preflight.reporters.markdown import md

_ICON = {Severity.ERROR: "🔴", Severity.WARNING: "🟠", Severity.INFO: "🔵"}
# A pull-request comment holds at most 65,536 characters.
MAX_ROWS = 100


def render(result: ReportDiff, **_: Any) -> str:
    verdict = "❌ **FAIL**" if result.failed else "✅ **PASS**"
    fail_on = result.fail_on.value if result.fail_on else "never"
    out = [
        f"## preflight diff · {md(result.old_file)} → {md(result.new_file)}",
        "",
        f"{verdict} · {counts(result)} · <sub>fail-on: {fail_on}</sub>",
        "",
    ]
    files = several_files(result)
    rows: list[str] = []

    def row(change: str, e: Entry, item: Listed | Change, text: str, count: str) -> None:
        where = f"{md(item.dataset)}: " if files else ""
        columns = ", ".join(md(c) for c in e.columns)
        rows.append(
            f"| {change} | {_ICON[e.severity]} {e.severity.value} | `{md(e.code)}` {md(e.name)} | {columns} "
            f"| {where}{text} | {count} |"
        )

    for x in result.new:
        row(
            "🆕 new" + (" (fails)" if result.failing(x) else ""),
            x.entry,
            x,
            md(x.entry.message),
            f"{x.entry.row_count:,}",
        )
    for c in result.changed:
        change = "⬆️ worse" + (" (fails)" if result.failing(c) else "") if c.worse else "✏️ changed"
        severity = f" ({c.old.severity.value} before)" if c.old.severity != c.new.severity else ""
        text = f"{md(c.new.message)}<br><sub>was: {md(c.old.message)}{severity}</sub>"
        row(change, c.new, c, text, f"{c.old.row_count:,} → {c.new.row_count:,}")
    for x in result.resolved:
        row("✅ resolved", x.entry, x, md(x.entry.message), f"{x.entry.row_count:,}")
    if not rows:
        out.append("No finding changed.")
        return "\n".join(out) + "\n"
    out.append("| change | severity | check | columns | finding | rows |")
    out.append("| --- | --- | --- | --- | --- | ---: |")
    out += rows[:MAX_ROWS]
    if len(rows) > MAX_ROWS:
        out += ["", f"… and {len(rows) - MAX_ROWS} more; `preflight diff --format json` lists them all."]
    return "\n".join(out) + "\n"
