from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from preflight.analysis.features import encode
from preflight.analysis.split import Aligned
from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions, option
from preflight.checks.sp._common import file_evidence
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import quote_list
from preflight.data.dataset import Dataset
from preflight.data.profile import Profile

N_FOLDS = 3


class TrainTestSeparable(Check):
    """A feature that tells training rows from test rows almost perfectly.

    **What it does.** A quick domain classifier: on a seeded sample of both files
    (at most ``max-rows`` rows of each), one small decision tree per feature learns
    to tell a training row from a test row (and from a ``--valid`` row), scored by
    the out-of-fold ROC AUC of a 3-fold cross-validation (0.5 = indistinguishable,
    1.0 = perfectly separated). A feature at or above ``auc-threshold`` is named. A
    small random forest on all features together gives the overall AUC (evidence
    ``all_features_auc``); when the files are that separable but no single feature
    is, one info finding says so.

    **Why it is bad.** If one column alone says which file a row came from, the
    split was made along it: usually a time stamp, a running id or a batch number.
    As a feature it lets the model learn the period or the batch, and the test loss
    measures extrapolation along that column, not generalisation.

    **Fix.** Drop the column from the features (or declare it ``--id-column``); if
    the split is meant to be by time, keep the split and drop the time column.

    **Options.** ``auc-threshold`` (0.95): the AUC from which a feature separates the
    files. ``max-rows`` (2000): the sample cap per file. ``min-rows`` (50): with fewer
    rows in either file the check does not judge.
    """

    code = "SP006"
    name = "split.train-test-separable"
    category = "split"
    cause = None
    severity = Severity.WARNING
    needs = frozenset({"test"})
    model_based = True

    @dataclass(frozen=True)
    class Options(NoOptions):
        auc_threshold: float = option(0.95, share=True)
        max_rows: int = 2000
        min_rows: int = 50

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        for heldout in ctx.artifacts.heldout_files():
            al = ctx.artifacts.aligned(heldout)
            if not al.columns or min(len(al.train), len(al.other)) < self.opts.min_rows:
                continue
            x, y, sources = _domain_matrix(al, self.opts.max_rows, ctx.config.seed)
            if x.shape[1] == 0:
                continue
            per_feature, overall = _domain_aucs(x, y, sources, ctx.config.seed)
            threshold = self.opts.auc_threshold
            separating = sorted((c for c, auc in per_feature.items() if auc >= threshold),
                                key=lambda c: (-per_feature[c], c))  # fmt: skip
            role = heldout.role
            common: dict[str, Any] = {"all_features_auc": overall, "sample_rows": len(y)}
            for column in separating:
                auc = per_feature[column]
                yield self.finding(
                    f"{column!r} alone tells train rows from {role} rows (AUC {auc:.2f}): the split follows "
                    "this column, often a time stamp or ID that should not be a feature",
                    columns=[column],
                    evidence=file_evidence(heldout, auc=auc, **common),
                    fix=Fix(
                        f"drop {column!r} from the features or pass --id-column {column}", step="drop-columns"
                    ),
                )
            if not separating and overall >= threshold:
                top = sorted(per_feature, key=lambda c: (-per_feature[c], c))[:5]
                yield self.finding(
                    f"train and {role} rows are easy to tell apart (AUC {overall:.2f}) from several features "
                    f"together, most of all {quote_list(top)}",
                    columns=top,
                    evidence=file_evidence(heldout, feature_aucs={c: per_feature[c] for c in top}, **common),
                    fix=Fix("split train and test at random from one pool"),
                    severity=Severity.INFO,
                )


def _domain_matrix(al: Aligned, max_rows: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Encoded features of a seeded sample of both files (encoded together, so one
    column means the same on both sides), labels 0 = train, 1 = held-out."""
    rng = np.random.default_rng(seed)

    def pick(n: int) -> np.ndarray:
        return np.sort(rng.choice(n, size=max_rows, replace=False)) if n > max_rows else np.arange(n)

    ia, ib = pick(len(al.train)), pick(len(al.other))
    frame = pd.concat([al.train.iloc[ia], al.other.iloc[ib]], ignore_index=True)
    both = Dataset(frame=frame, path="<train+held-out>", source_format="dataframe")
    enc = encode(both, Profile(both))
    y = np.r_[np.zeros(len(ia), dtype=np.int64), np.ones(len(ib), dtype=np.int64)]
    return enc.matrix, y, np.asarray(enc.sources, dtype=object)


def _domain_aucs(
    x: np.ndarray, y: np.ndarray, sources: np.ndarray, seed: int
) -> tuple[dict[str, float], float]:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.tree import DecisionTreeClassifier
    from threadpoolctl import threadpool_limits

    folds = list(StratifiedKFold(n_splits=N_FOLDS, shuffle=True, random_state=seed).split(x, y))
    leaf = max(5, len(y) // 200)

    def oof_auc(model: Any, cols: np.ndarray) -> float:
        proba = np.zeros(len(y))
        for train, test in folds:
            model.fit(x[np.ix_(train, cols)], y[train])
            proba[test] = model.predict_proba(x[np.ix_(test, cols)])[:, 1]
        return float(roc_auc_score(y, proba))

    per_feature: dict[str, float] = {}
    with threadpool_limits(limits=1):
        for source in dict.fromkeys(sources.tolist()):
            cols = np.flatnonzero(sources == source)
            tree = DecisionTreeClassifier(max_depth=4, min_samples_leaf=leaf, random_state=seed)
            per_feature[str(source)] = oof_auc(tree, cols)
        forest = RandomForestClassifier(
            n_estimators=30, max_depth=8, min_samples_leaf=leaf, n_jobs=1, random_state=seed
        )
        overall = oof_auc(forest, np.arange(x.shape[1]))
    return per_feature, overall
