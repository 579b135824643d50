"""DQ: data quality (cause 1, data never cleaned)."""

from __future__ import annotations

from preflight.checks.base import Check
from preflight.checks.dq.category_variants import CategoryVariants
from preflight.checks.dq.censored_values import CensoredValues
from preflight.checks.dq.constant_columns import ConstantColumns
from preflight.checks.dq.disguised_nulls import DisguisedNulls
from preflight.checks.dq.duplicate_rows import DuplicateRows
from preflight.checks.dq.id_like_columns import IdLikeColumns
from preflight.checks.dq.infinite_values import InfiniteValues
from preflight.checks.dq.missing_target import MissingTarget
from preflight.checks.dq.missing_values import MissingValues
from preflight.checks.dq.single_class_target import SingleClassTarget

CHECKS: tuple[type[Check], ...] = (
    MissingValues,
    MissingTarget,
    DuplicateRows,
    DisguisedNulls,
    ConstantColumns,
    IdLikeColumns,
    InfiniteValues,
    CategoryVariants,
    SingleClassTarget,
    CensoredValues,
)
