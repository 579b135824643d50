"""The vocabulary of column semantics and the record kept per column."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from preflight.core.columns import SEMANTICS, Semantic

# Where the answer came from: the data, the user's [tool.preflight.columns] or the
# column's role (the target, a declared --id-column).
Source = Literal["inferred", "config", "role"]

# How text cells were read as something else in the cleaned view.
Parsed = Literal["numbers-as-text", "decimal-comma", "dates-as-text"]


__all__ = ["SEMANTICS", "Censored", "ColumnSemantics", "Semantic"]


@dataclass(frozen=True)
class Censored:
    """A pile-up at a bound that continues the distribution: a top- or bottom-code
    (99 hours, a price capped at 50.0). The value is real but stands for "this or
    more"; it is never a missing marker."""

    side: Literal["upper", "lower"]
    value: float
    rows: int

    def to_dict(self) -> dict[str, Any]:
        return {"side": self.side, "value": self.value, "rows": self.rows}


@dataclass(frozen=True)
class ColumnSemantics:
    """What one column is, why preflight thinks so, and how its cells are read."""

    name: str
    semantic: Semantic
    evidence: str
    confidence: float
    source: Source = "inferred"
    # Cells that stand for "no value": strings as they appear, numbers as floats.
    missing_markers: tuple[str | float, ...] = ()
    censored: Censored | None = None
    parsed: Parsed | None = None
    # The column's 'None'/'none' is a real level ("no airbags"), never missing.
    none_is_value: bool = False
    # The one format a dates-as-text column is parsed with (see dates).
    date_format: str | None = None

    @property
    def is_feature_kind(self) -> bool:
        """True when the column can feed a model as it is (after encoding)."""
        return self.semantic in ("numeric", "categorical", "boolean", "datetime", "text")

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "semantic": self.semantic,
            "evidence": self.evidence,
            "confidence": round(self.confidence, 3),
            "source": self.source,
        }
        if self.missing_markers:
            out["missing_markers"] = list(self.missing_markers)
        if self.censored is not None:
            out["censored"] = self.censored.to_dict()
        if self.parsed is not None:
            out["parsed"] = self.parsed
        if self.date_format is not None:
            out["date_format"] = self.date_format
        if self.none_is_value:
            out["none_is_value"] = True
        return out
