"""The step model: one ordered preprocessing step of the plan.

A :class:`Step` is what the plan does (``step``: impute, drop-columns, scale, ...),
to which columns, with which scikit-learn ``transformer`` and ``params``, and the
finding codes it answers (``reason``). The report holds steps as plain dicts (the
JSON contract, ``report.preprocessing["steps"]``): :meth:`Step.to_dict` writes one,
:meth:`Step.from_dict` reads it back for the renderers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# Cleaning before imputation before transforms before scaling before encoding.
STEP_ORDER: tuple[str, ...] = (
    "drop-rows",
    "drop-columns",
    "keep-as-key",
    "replace-values",
    "parse-numbers",
    "replace-infinite",
    "date-features",
    "censor-indicator",
    "impute",
    "clip",
    "transform",
    "scale",
    "encode",
    "transform-target",
    "relabel",
)

# Steps that give one column at most one treatment of their kind.
PER_COLUMN: tuple[str, ...] = ("impute", "clip", "transform", "scale", "encode")
# Steps about the target, which keep the target column in their column list.
TARGET_STEPS: tuple[str, ...] = ("transform-target", "relabel")


@dataclass(frozen=True)
class Step:
    """One step of the plan. ``reason`` is the sorted finding codes, comma-joined."""

    step: str
    columns: tuple[str, ...] = ()
    transformer: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""

    @property
    def codes(self) -> list[str]:
        """The finding codes this step answers."""
        return self.reason.split(",") if self.reason else []

    @property
    def rank(self) -> int:
        """Its place in :data:`STEP_ORDER` (an unknown step goes last)."""
        return STEP_ORDER.index(self.step) if self.step in STEP_ORDER else len(STEP_ORDER)

    def to_dict(self) -> dict[str, Any]:
        """The step as the report's JSON holds it."""
        return {
            "step": self.step,
            "columns": list(self.columns),
            "transformer": self.transformer,
            "params": dict(self.params),
            "reason": self.reason,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Step:
        """A step back from its :meth:`to_dict` form (missing keys take their defaults)."""
        return cls(
            step=data["step"],
            columns=tuple(data.get("columns") or ()),
            transformer=data.get("transformer"),
            params=dict(data.get("params") or {}),
            reason=data.get("reason") or "",
        )

    def describe(self, limit: int = 6) -> str:
        """One line for people: ``scale (StandardScaler): a, b +3`` or ``drop-rows: rows without a label``."""
        via = f" ({self.transformer.rsplit('.', 1)[-1]})" if self.transformer else ""
        if self.step == "drop-rows":
            what = (
                "rows without a label" if self.params.get("missing_target")
                else "rows that repeat an earlier row" if self.params.get("duplicates")
                else "the flagged rows"
            )  # fmt: skip
        else:
            cols = self.columns
            what = ", ".join(cols[:limit]) + (f" +{len(cols) - limit}" if len(cols) > limit else "")
        return f"{self.step}{via}: {what}"


def report_steps(preprocessing: Mapping[str, Any] | None) -> list[Step]:
    """The steps of a report's ``preprocessing`` section (none without one)."""
    return [Step.from_dict(s) for s in (preprocessing or {}).get("steps") or []]
