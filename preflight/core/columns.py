"""What a column is: the plain data of the semantics stage, and the user's answer.

:class:`ColumnSemantics` is what ``preflight.data.semantics`` infers for a column and what the
report shows (``columns``); :class:`ColumnOverride` is the user's answer in
``[tool.preflight.columns]``:

.. code-block:: toml

    [tool.preflight.columns]
    "Individual ID" = "identifier"          # a semantic type, as a string
    notes = "text"
    sewer = { none-is-value = true }       # its 'none' is a level, never missing
    age = { missing-markers = [-1, 999] }  # these cells mean "no value"

The answer wins over what preflight infers from the data (``preflight.data.semantics``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from preflight.core.errors import PreflightError, did_you_mean

# What a column is, for training (the vocabulary of preflight.data.semantics):
# ``identifier`` names a row (keys, codes, names, counters) and is never a feature;
# ``text`` is free text, vectorised, never one-hot encoded; ``datetime`` a point in
# time; ``categorical`` a level of a small set (text or a numeric code); ``numeric`` a
# measurement or count; ``boolean`` two values meaning yes/no; ``constant`` one value;
# ``other`` lists, structures, bytes.
Semantic = Literal["identifier", "text", "datetime", "categorical", "numeric", "boolean", "constant", "other"]
SEMANTICS: tuple[Semantic, ...] = get_args(Semantic)

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
    def changes_cells(self) -> bool:
        """True when the cleaned view differs from the column as read."""
        return bool(self.missing_markers) or self.parsed is not None

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


_KEYS = ("semantic", "missing-markers", "none-is-value")


@dataclass(frozen=True)
class ColumnOverride:
    """A user's answer for one column; None leaves that part to the data."""

    semantic: Semantic | None = None
    missing_markers: tuple[str | float, ...] | None = None
    none_is_value: bool | None = None


def parse_columns(table: Mapping[str, Any], source: str) -> dict[str, ColumnOverride]:
    """``[tool.preflight.columns]`` as overrides; one clear error for a bad entry."""
    return {str(name): _override(str(name), value, source) for name, value in table.items()}


def _override(name: str, value: Any, source: str) -> ColumnOverride:
    where = f"{source}: columns.{name!r}"
    if isinstance(value, str):
        return ColumnOverride(semantic=_semantic(value, where))
    if not isinstance(value, Mapping):
        raise PreflightError(f"{where} must be a semantic type ({', '.join(SEMANTICS)}) or a table")
    for key in value:
        if key not in _KEYS:
            raise PreflightError(f"{where}: unknown key {key!r}" + did_you_mean(str(key), list(_KEYS)))
    semantic = value.get("semantic")
    none_is_value = value.get("none-is-value")
    if none_is_value is not None and not isinstance(none_is_value, bool):
        raise PreflightError(f"{where}: none-is-value must be true or false")
    markers = value.get("missing-markers")
    return ColumnOverride(
        semantic=None if semantic is None else _semantic(semantic, where),
        missing_markers=None if markers is None else _markers(markers, where),
        none_is_value=none_is_value,
    )


def _semantic(value: Any, where: str) -> Semantic:
    if value not in SEMANTICS:
        raise PreflightError(
            f"{where} must be one of {', '.join(SEMANTICS)}, not {value!r}"
            + did_you_mean(str(value), list(SEMANTICS))
        )
    found: Semantic = value
    return found


def _markers(value: Any, where: str) -> tuple[str | float, ...]:
    if not isinstance(value, list):
        raise PreflightError(f"{where}: missing-markers must be a list of strings or numbers")
    out: list[str | float] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise PreflightError(
                f"{where}: missing-markers must be a list of strings or numbers, not {item!r}"
            )
        if isinstance(item, float) and not math.isfinite(item):
            raise PreflightError(f"{where}: missing-markers must be finite numbers, not {item!r}")
        out.append(item if isinstance(item, str) else float(item))
    return tuple(out)
