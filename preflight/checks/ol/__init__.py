"""OL: outliers (cause 1, data never cleaned): per column and per row."""

from __future__ import annotations

from preflight.checks.base import Check
from preflight.checks.ol.column_outliers import ColumnOutliers
from preflight.checks.ol.row_outliers import RowOutliers

CHECKS: tuple[type[Check], ...] = (ColumnOutliers, RowOutliers)
