"""LB: label checks (the article's cause 4, labels set wrongly)."""

from __future__ import annotations

from preflight.checks.base import Check
from preflight.checks.lb.conflicting_labels import ConflictingLabels
from preflight.checks.lb.label_issues import LabelIssues
from preflight.checks.lb.label_leakage import LabelLeakage
from preflight.checks.lb.regression_label_issues import RegressionLabelIssues

CHECKS: tuple[type[Check], ...] = (LabelIssues, ConflictingLabels, LabelLeakage, RegressionLabelIssues)
