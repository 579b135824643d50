"""The JSON report: exactly ``Report.to_dict()``, as documented in schemas/report.schema.json.

Non-ASCII text is written as is, except the characters a terminal would act on when
the report is printed (C1 and bidi controls, U+2028/U+2029): those are ``\\uXXXX``
escapes, the same JSON strings (:func:`preflight.core.escape.json_safe`)."""

from __future__ import annotations

import json
from typing import Any

from preflight.core.escape import json_safe
from preflight.core.findings import Report


def render(report: Report, *, compact: bool = False, **_: Any) -> str:
    if compact:
        return json_safe(json.dumps(report.to_dict(), ensure_ascii=False, separators=(",", ":")))
    return json_safe(json.dumps(report.to_dict(), ensure_ascii=False, indent=2)) + "\n"
