"""SP: the train/test split (beyond the article's four causes; needs ``--test``).

The ``rows`` of SP findings are positions in the held-out file named by the
finding's evidence ``rows_refer_to`` (``test`` or ``valid``), not in the train file.
"""

from __future__ import annotations

from preflight.checks.base import Check
from preflight.checks.sp.column_mismatch import ColumnMismatch
from preflight.checks.sp.feature_drift import FeatureDrift
from preflight.checks.sp.label_shift import LabelShift
from preflight.checks.sp.test_rows_in_train import LeakedRows
from preflight.checks.sp.train_test_separable import TrainTestSeparable
from preflight.checks.sp.unseen_categories import UnseenCategories
from preflight.checks.sp.unseen_labels import UnseenLabels

CHECKS: tuple[type[Check], ...] = (
    LeakedRows,
    UnseenLabels,
    UnseenCategories,
    FeatureDrift,
    LabelShift,
    TrainTestSeparable,
    ColumnMismatch,
)
