"""The order the evidence is weighed in: one :class:`ColumnSemantics` per column.

The user's ``[tool.preflight.columns]`` answer wins; then a column's role (a declared
``--id-column`` is an identifier); then the data, strongest evidence first: structure
(``other``), one value (``constant``), time (``datetime``, also dates stored as text),
two values meaning yes/no (``boolean``), keys and names (``identifier``), sentences
(``text``), numbers (also stored as text), levels (``categorical``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

import numpy as np

from preflight.core.columns import ColumnOverride, ColumnSemantics
from preflight.data.dataset import Dataset
from preflight.data.profile import ColumnProfile, Profile
from preflight.data.semantics.censoring import censoring
from preflight.data.semantics.dates import date_format, parse_dates
from preflight.data.semantics.free_text import text_evidence
from preflight.data.semantics.identifiers import identifier_evidence, named_like_id
from preflight.data.semantics.markers import numeric_sentinels, text_markers
from preflight.data.semantics.numbers_text import number_reading

_BOOLEAN_PAIRS = [{"yes", "no"}, {"true", "false"}, {"y", "n"}, {"t", "f"}]
# Integer codes with few levels named like a category are levels, not measurements.
_CODE_NAME = re.compile(
    r"(^|[_\s.-])(code|type|class|category|cat|group|origin|region|zone|status|kind)$", re.I
)
CODE_MAX_LEVELS = 20


def infer_semantics(
    dataset: Dataset, profile: Profile, overrides: Mapping[str, ColumnOverride] | None = None
) -> dict[str, ColumnSemantics]:
    """What every column of ``dataset`` is, in column order."""
    overrides = overrides or {}
    parsed = dataset.null_tokens_already_parsed
    out: dict[str, ColumnSemantics] = {}
    for col in profile:
        override = overrides.get(col.name, ColumnOverride())
        found = _infer(col, parsed, override.none_is_value)
        if col.name in dataset.id_columns:
            found = replace(
                found,
                semantic="identifier",
                evidence="declared with --id-column",
                confidence=1.0,
                source="role",
            )
        out[col.name] = _apply(found, override)
    return out


def _apply(found: ColumnSemantics, override: ColumnOverride) -> ColumnSemantics:
    if override.semantic is not None:
        found = replace(
            found,
            semantic=override.semantic,
            evidence="set in [tool.preflight.columns]",
            confidence=1.0,
            source="config",
        )
    if override.missing_markers is not None:
        found = replace(found, missing_markers=override.missing_markers, source="config")
    if override.none_is_value is not None:
        found = replace(found, none_is_value=override.none_is_value)
    return found


def _infer(col: ColumnProfile, parsed: frozenset[str], none_is_value: bool | None) -> ColumnSemantics:
    name = col.name
    if col.kind == "other":
        return ColumnSemantics(name, "other", "lists, structures or bytes", 1.0)
    markers: tuple[str | float, ...] = tuple(text_markers(col, parsed, none_is_value))
    if col.kind == "numeric":
        markers = tuple(numeric_sentinels(col))
    keeps_none = _keeps_none(col, markers)
    # Distinct values are counted only where cheap: a prefix of a continuous column
    # settles "more than one value" without counting a million floats.
    text_markers_n = sum(1 for m in markers if isinstance(m, str))
    if not col.distinct_exceeds(1 + text_markers_n):
        shown = "no values" if col.n_present == 0 else "one value in every present row"
        return ColumnSemantics(name, "constant", shown, 1.0, missing_markers=markers)
    if col.kind == "datetime":
        return ColumnSemantics(name, "datetime", "read as dates", 1.0)
    fmt = date_format(col)
    if fmt is not None and parse_dates(col.series.dropna(), fmt).notna().all():
        return ColumnSemantics(
            name, "datetime", f"every value is a date ({fmt})", 0.95, parsed="dates-as-text", date_format=fmt
        )
    boolean = _boolean(col)
    if boolean is not None:
        return ColumnSemantics(
            name, "boolean", boolean, 0.95, missing_markers=markers, none_is_value=keeps_none
        )
    # Numbers stored as text are numbers, unless the name says they are keys (zero-padded codes).
    reading = number_reading(col, [m for m in markers if isinstance(m, str)])
    if reading is not None and not named_like_id(name):
        return ColumnSemantics(
            name,
            "numeric",
            f"numbers stored as text ({reading})",
            0.9,
            missing_markers=markers,
            parsed=reading,
        )
    ident = identifier_evidence(col)
    if ident is not None:
        return ColumnSemantics(name, "identifier", ident[0], ident[1])
    text = text_evidence(col)
    if text is not None:
        return ColumnSemantics(name, "text", text[0], text[1], missing_markers=markers)
    if col.kind == "numeric":
        return _numeric(col, markers)
    return ColumnSemantics(
        name,
        "categorical",
        f"{col.n_unique - text_markers_n} levels",
        0.9,
        missing_markers=markers,
        none_is_value=keeps_none,
    )


def _keeps_none(col: ColumnProfile, markers: tuple[str | float, ...]) -> bool:
    """True when the column has a 'none' cell the markers leave as a level."""
    if col.kind not in ("string", "mixed", "categorical"):
        return False
    classes = col.text_classes
    nones = [v for v in classes.index[classes == "null-like"] if str(v).strip().lower() == "none"]
    return bool(nones) and not any(m in nones for m in markers)


def _boolean(col: ColumnProfile) -> str | None:
    if col.kind == "boolean":
        return "true/false values"
    if col.kind == "numeric":
        if col.distinct_exceeds(2) or col.n_unique != 2:
            return None
        levels = set(np.asarray(col.value_counts.index, dtype=float).tolist())
        return "only 0 and 1" if levels == {0.0, 1.0} else None
    if col.kind in ("string", "categorical") and not col.distinct_exceeds(2):
        lowered = {str(v).strip().lower() for v in col.value_counts.index}
        if lowered in _BOOLEAN_PAIRS:
            return f"two values: {' / '.join(sorted(lowered))}"
    return None


def _numeric(col: ColumnProfile, markers: tuple[str | float, ...]) -> ColumnSemantics:
    sentinels = tuple(float(m) for m in markers if not isinstance(m, str))
    censored = censoring(col, exclude=sentinels)
    if col.is_integral and _CODE_NAME.search(col.name.strip()) and not col.distinct_exceeds(CODE_MAX_LEVELS):
        return ColumnSemantics(
            col.name,
            "categorical",
            f"integer codes named like a category ({col.n_unique} levels)",
            0.7,
            missing_markers=markers,
        )
    return ColumnSemantics(col.name, "numeric", "numbers", 0.9, missing_markers=markers, censored=censored)
