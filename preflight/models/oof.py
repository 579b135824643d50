"""Out-of-fold predicted probabilities: the one shared model artifact of a run.

Label noise (LB), learnability and fit ceiling (CP) all read these probabilities,
so the cross-validated models are fitted once. Every probability row comes from a
model that did not see that row (out-of-sample), which confident learning needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from preflight.check import Context
from preflight.features import encoded_features

N_FOLDS = 5


@dataclass(frozen=True)
class OutOfFold:
    pred_probs: np.ndarray  # (len(positions), len(classes)); row i is for positions[i]
    labels: np.ndarray  # int class index (into `classes`) of each row in positions
    classes: tuple[Any, ...]  # class values; column j of pred_probs is classes[j]
    positions: np.ndarray  # 0-based row positions (rows whose target is not missing)
    method: str  # how the probabilities were made, for the report
    sampled_rows: int | None = None  # the fit sample size when the data was sampled


def out_of_fold(ctx: Context) -> OutOfFold:
    """The run's out-of-fold probabilities for a classification target (built once)."""
    return ctx.shared("out_of_fold", lambda: _compute(ctx))


def _compute(ctx: Context) -> OutOfFold:
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold
    from threadpoolctl import threadpool_limits

    ds = ctx.dataset
    y_all = ds.y
    present = ~y_all.isna().to_numpy()
    positions = np.flatnonzero(present)
    classes_arr, labels = np.unique(y_all[present].astype(str).to_numpy(), return_inverse=True)
    # Keep the original class values (not their text) for the report.
    first_of_class = {c: y_all[present].to_numpy()[labels == i][0] for i, c in enumerate(classes_arr)}
    classes = tuple(first_of_class[c] for c in classes_arr)
    x = encoded_features(ctx).matrix[positions]
    k = len(classes)
    probs = np.tile(np.bincount(labels, minlength=k) / len(labels), (len(labels), 1))
    counts = np.bincount(labels, minlength=k)
    folds = int(min(N_FOLDS, counts[counts > 0].min())) if k > 1 else 0
    if folds >= 2 and x.shape[1] > 0:
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=ctx.config.seed)
        with threadpool_limits(limits=1):
            for train, test in splitter.split(x, labels):
                model = LogisticRegression(max_iter=1000)
                model.fit(x[train], labels[train])
                probs[np.ix_(test, model.classes_)] = model.predict_proba(x[test])
                missing = np.setdiff1d(np.arange(k), model.classes_)
                probs[np.ix_(test, missing)] = 0.0
    return OutOfFold(
        pred_probs=probs,
        labels=labels,
        classes=classes,
        positions=positions,
        method=f"logistic regression, {folds}-fold out-of-fold probabilities",
    )
