"""What the diff's text and Markdown share: the counts line and the data-file label."""

from __future__ import annotations

from preflight.core.diff import Change, Listed, ReportDiff


def counts(result: ReportDiff) -> str:
    s = result.summary
    worse = f" ({s['worse']} worse)" if s["worse"] else ""
    changed = f"{s['changed']} changed{worse}"
    return f"{s['new']} new · {s['resolved']} resolved · {changed} · {s['unchanged']} unchanged"


def several_files(result: ReportDiff) -> bool:
    """True when the findings come from more than one data file (then each names its own)."""
    items: list[Listed | Change] = [*result.new, *result.resolved, *result.changed]
    files = {x.dataset for x in items}
    return len(files) > 1
