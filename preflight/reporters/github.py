"""GitHub Actions workflow annotations: one ``::error`` / ``::warning`` / ``::notice`` per finding.

GitHub reads these lines from a step's log and shows them on the run's summary
page (and on the pull request's diff when the file is part of it). Everything from
the data is escaped with the workflow-command rules of ``@actions/core``: ``%``,
``\\r`` and ``\\n`` in the message, and also ``:`` and ``,`` in properties, so a
column name can neither end the command nor start a new one.
"""

from __future__ import annotations

from typing import Any

from preflight.core.escape import safe
from preflight.core.findings import Report, Severity
from preflight.reporters.common import tally, verdict

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
# A log line's annotation text is shown whole; the first rows say where to look.
_ROWS_SHOWN = 10


def escape_data(text: str) -> str:
    # Then the other control characters, made visible as in the terminal report.
    return safe(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, properties: dict[str, str], message: str) -> str:
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{kind} {props}::{escape_data(message)}"


def render(report: Report, **_: Any) -> str:
    path = report.dataset.path
    lines: list[str] = []
    for f in report.findings:
        text = f.message
        if f.rows:
            shown = ", ".join(str(r) for r in f.rows[:_ROWS_SHOWN])
            more = f" … ({f.flagged_rows:,} in all)" if f.flagged_rows > _ROWS_SHOWN else ""
            text += f"\nrows {shown}{more}"
        if f.fix is not None:
            text += f"\nfix: {f.fix.summary}"
        # An accepted finding is a notice: the baseline holds it, it fails nothing.
        kind = "notice" if f.accepted else _COMMAND[f.severity]
        title = f"preflight {f.code} {f.name}" + (" (accepted)" if f.accepted else "")
        lines.append(_command(kind, {"file": path, "title": title}, text))
    for e in report.errors:
        lines.append(_command("error", {"file": path, "title": f"preflight {e.code} crashed"}, e.error))
    # A plain log line; escaped too, so a hostile path cannot start a command on a new line.
    lines.append(escape_data(f"preflight {path}: {verdict(report).upper()} · {tally(report)}"))
    return "\n".join(lines) + "\n"
