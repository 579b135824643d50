"""The JSON diff: exactly ``ReportDiff.to_dict()``, as documented in schemas/diff.schema.json."""

from __future__ import annotations

import json
from typing import Any

from preflight.core.diff import ReportDiff
from preflight.core.escape import json_safe


def render(result: ReportDiff, **_: Any) -> str:
    return json_safe(json.dumps(result.to_dict(), ensure_ascii=False, indent=2)) + "\n"
