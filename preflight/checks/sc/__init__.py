"""SC: schema (cause 1): types and contracts."""

from __future__ import annotations

from preflight.checks.base import Check
from preflight.checks.sc.contract import SchemaContract
from preflight.checks.sc.duplicate_column_names import DuplicateColumnNames
from preflight.checks.sc.mixed_types import MixedTypes
from preflight.checks.sc.numbers_as_text import NumbersAsText

CHECKS: tuple[type[Check], ...] = (MixedTypes, NumbersAsText, DuplicateColumnNames, SchemaContract)
