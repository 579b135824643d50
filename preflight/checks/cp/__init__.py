"""CP: capacity (cause 3, the sample space is too big for the data)."""

from __future__ import annotations

from preflight.checks.base import Check
from preflight.checks.cp.class_imbalance import ClassImbalance
from preflight.checks.cp.fit_ceiling import FitCeiling
from preflight.checks.cp.generalisation_gap import GeneralisationGap
from preflight.checks.cp.learnability import Learnability
from preflight.checks.cp.learning_curve import LearningCurve
from preflight.checks.cp.rare_classes import RareClasses
from preflight.checks.cp.rows_per_feature import RowsPerFeature

CHECKS: tuple[type[Check], ...] = (
    RowsPerFeature,
    RareClasses,
    ClassImbalance,
    Learnability,
    FitCeiling,
    GeneralisationGap,
    LearningCurve,
)
