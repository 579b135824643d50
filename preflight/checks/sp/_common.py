"""Small helpers the SP checks share: the evidence that says which file rows refer to,
and the options of the two population-stability (PSI) checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from preflight.analysis.split import HeldOut
from preflight.checks.options import NoOptions, option


@dataclass(frozen=True)
class DriftOptions(NoOptions):
    """The options of SP004 (feature drift) and SP005 (label shift): both judge a
    population stability index, binned the same way, against the same noise floor."""

    warn_psi: float = 0.25
    info_psi: float = 0.1
    max_bins: int = option(10, minimum=2)
    min_per_bin: int = option(20, minimum=1)
    min_rows: int = 50
    noise_z: float = 4.0


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
