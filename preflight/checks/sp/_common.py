"""Small helpers the SP checks share (evidence that says which file rows refer to)."""

from __future__ import annotations

from typing import Any

from preflight.analysis.split import HeldOut


def file_evidence(heldout: HeldOut, **extra: Any) -> dict[str, Any]:
    """Evidence every SP finding carries: which file its ``rows`` are positions in."""
    return {"rows_refer_to": heldout.role, "file": heldout.dataset.path, **extra}


def show_value(value: Any) -> Any:
    """A normalised value for messages and evidence: 3.0 -> 3, text unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if hasattr(value, "item"):
        return show_value(value.item())
    return value


def rows_of(count: int, role: str) -> str:
    """``1 test row`` / ``3 test rows`` for messages."""
    return f"{count} {role} row" + ("" if count == 1 else "s")
