"""The JSON report: exactly ``Report.to_dict()``, as documented in schemas/report.schema.json."""

from __future__ import annotations

import json
from typing import Any

from preflight.findings import Report


def render(report: Report, *, compact: bool = False, **_: Any) -> str:
    if compact:
        return json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":"))
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
