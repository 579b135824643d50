"""A flexible model's train and cross-validated scores at growing data fractions.

One artifact feeds three capacity checks, so the extra fits happen once per run
(``Artifacts.flexible_fit``):

- the generalisation gap reads the train and cross-validated score at 100%,
- the learning curve reads the cross-validated score at every fraction,
- learnability reads the 100% out-of-fold predictions to confirm, with a
  non-linear model, that the features really predict nothing before it calls
  the data unlearnable (a linear quick model misses interactions such as XOR).

The model is an extremely randomised forest: it fits non-linear structure with
no tuning, trains in well under a second on thousands of rows, and - like a large
network - it can memorise its training rows, which is what the gap measures.
It is fitted on a seeded (stratified) sample of at most ``--sample`` rows, else
:data:`DEFAULT_SAMPLE`; fractions of each training fold are stratified subsets.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from preflight.core.config import Config, worker_threads
from preflight.core.findings import Task
from preflight.data.dataset import Dataset
from preflight.data.text import as_text

N_FOLDS = 5
FRACTIONS: tuple[float, ...] = (0.1, 0.25, 0.5, 1.0)
# Forty trees on 5,000 rows cost about a second per fold on one core.
DEFAULT_SAMPLE = 5_000
N_TREES = 40
# Regression targets larger than this in magnitude are divided by their peak before
# fitting (see _regression); smaller ones are fitted as they are.
_RESCALE_ABOVE = 1e100
MIN_SAMPLES_LEAF = 1


@dataclass(frozen=True)
class CurvePoint:
    fraction: float  # share of each training fold used
    rows: int  # training rows at this fraction (mean over folds, rounded)
    train_score: float  # mean score on the rows the model was fitted on
    score: float  # mean cross-validated score (held-out fold)


@dataclass(frozen=True)
class FlexibleFit:
    task: Task
    metric: str  # "balanced accuracy" (classification) or "R²" (regression)
    points: tuple[CurvePoint, ...]  # one per fraction, ascending; the last is 100%
    positions: np.ndarray  # 0-based row positions used (the sample)
    y: np.ndarray  # class index (classification) or target value, aligned with positions
    predictions: np.ndarray  # out-of-fold prediction at 100%, aligned with positions
    n_classes: int  # 0 for regression
    folds: int
    method: str
    sampled_rows: int | None = None

    @property
    def full(self) -> CurvePoint:
        return self.points[-1]


def flexible_fit(
    dataset: Dataset, config: Config, rows_of: Callable[[np.ndarray], np.ndarray], width: int
) -> FlexibleFit | None:
    """The flexible model's scores; None when nothing can be fitted. ``rows_of`` gives
    the encoded matrix of frame rows (``width`` columns), asked for the sample only."""
    ds = dataset
    if ds.target is None or ds.task is None or width == 0:
        return None
    rng = np.random.default_rng(config.seed)
    cap = config.sample or DEFAULT_SAMPLE
    jobs = worker_threads(config)
    if ds.task == "classification":
        return _classification(ds, config.seed, rows_of, rng, cap, jobs)
    return _regression(ds, config.seed, rows_of, rng, cap, jobs)


def _classification(
    ds: Dataset,
    seed: int,
    rows_of: Callable[[np.ndarray], np.ndarray],
    rng: np.random.Generator,
    cap: int,
    jobs: int,
) -> FlexibleFit | None:
    from sklearn.ensemble import ExtraTreesClassifier
    from sklearn.metrics import balanced_accuracy_score
    from sklearn.model_selection import StratifiedKFold

    y_all = ds.y
    present = np.flatnonzero(~y_all.isna().to_numpy())
    _, labels = np.unique(as_text(y_all.iloc[present]).to_numpy(), return_inverse=True)
    counts = np.bincount(labels)
    # Classes too rare to appear in every fold cannot be cross-validated; CP002
    # reports them, and the scores here cover the other classes.
    keep = counts[labels] >= N_FOLDS
    positions, labels = present[keep], labels[keep]
    if len(np.unique(labels)) < 2:
        return None
    _, labels = np.unique(labels, return_inverse=True)
    sampled: int | None = None
    if len(positions) > cap:
        chosen = _stratified_subset(labels, cap / len(positions), rng)
        positions, labels = positions[chosen], labels[chosen]
        sampled = len(positions)
    x = rows_of(positions)
    splitter = StratifiedKFold(n_splits=N_FOLDS, shuffle=True, random_state=seed)

    def make() -> Any:
        return ExtraTreesClassifier(
            n_estimators=N_TREES, min_samples_leaf=MIN_SAMPLES_LEAF, random_state=seed, n_jobs=jobs
        )

    points, predictions = _curve(
        x, labels, list(splitter.split(x, labels)), make, balanced_accuracy_score, rng, stratify=True
    )
    return FlexibleFit(
        task="classification",
        metric="balanced accuracy",
        points=points,
        positions=positions,
        y=labels,
        predictions=predictions,
        n_classes=int(labels.max()) + 1,
        folds=N_FOLDS,
        method=_method(sampled),
        sampled_rows=sampled,
    )


def _regression(
    ds: Dataset,
    seed: int,
    rows_of: Callable[[np.ndarray], np.ndarray],
    rng: np.random.Generator,
    cap: int,
    jobs: int,
) -> FlexibleFit | None:
    from sklearn.ensemble import ExtraTreesRegressor
    from sklearn.metrics import r2_score
    from sklearn.model_selection import KFold

    y_full = ds.y.to_numpy(dtype=float, na_value=np.nan)
    positions = np.flatnonzero(np.isfinite(y_full))
    if len(positions) < 2 * N_FOLDS or np.ptp(y_full[positions]) == 0:
        return None
    sampled: int | None = None
    if len(positions) > cap:
        positions = np.sort(rng.choice(positions, size=cap, replace=False))
        sampled = cap
    y = y_full[positions]
    x = rows_of(positions)
    splitter = KFold(n_splits=N_FOLDS, shuffle=True, random_state=seed)

    def make() -> Any:
        # Half the features per split: as accurate here as all of them, at half the cost.
        return ExtraTreesRegressor(
            n_estimators=N_TREES,
            min_samples_leaf=MIN_SAMPLES_LEAF,
            max_features=0.5,
            random_state=seed,
            n_jobs=jobs,
        )

    # R² is scale-free, but its sums of squares overflow to inf for targets near the
    # float limit (1e308): fit and score on y / peak, then scale the predictions back.
    peak = float(np.max(np.abs(y)))
    unit = peak if peak > _RESCALE_ABOVE else 1.0
    points, predictions = _curve(x, y / unit, list(splitter.split(x)), make, r2_score, rng, stratify=False)
    predictions = predictions * unit
    return FlexibleFit(
        task="regression",
        metric="R²",
        points=points,
        positions=positions,
        y=y,
        predictions=predictions,
        n_classes=0,
        folds=N_FOLDS,
        method=_method(sampled),
        sampled_rows=sampled,
    )


def _curve(
    x: np.ndarray,
    y: np.ndarray,
    splits: list[tuple[np.ndarray, np.ndarray]],
    make: Callable[[], Any],
    score: Callable[[np.ndarray, np.ndarray], float],
    rng: np.random.Generator,
    *,
    stratify: bool,
) -> tuple[tuple[CurvePoint, ...], np.ndarray]:
    from threadpoolctl import threadpool_limits

    predictions = np.zeros(len(y), dtype=y.dtype)
    points: list[CurvePoint] = []
    with threadpool_limits(limits=1):
        for fraction in FRACTIONS:
            rows: list[int] = []
            train_scores: list[float] = []
            test_scores: list[float] = []
            for train, test in splits:
                if fraction < 1.0:
                    if stratify:
                        sub = train[_stratified_subset(y[train], fraction, rng)]
                    else:
                        size = max(2, math.ceil(fraction * len(train)))
                        sub = np.sort(rng.choice(train, size=size, replace=False))
                else:
                    sub = train
                model = make()
                model.fit(x[sub], y[sub])
                # Fitted on ``jobs`` threads (the same trees); predicted on one, since a
                # parallel predict sums the trees in the order threads finish.
                model.n_jobs = 1
                rows.append(len(sub))
                train_scores.append(float(score(y[sub], model.predict(x[sub]))))
                predicted = model.predict(x[test])
                test_scores.append(float(score(y[test], predicted)))
                if fraction == 1.0:
                    predictions[test] = predicted
            points.append(
                CurvePoint(
                    fraction=fraction,
                    rows=round(float(np.mean(rows))),
                    train_score=float(np.mean(train_scores)),
                    score=float(np.mean(test_scores)),
                )
            )
    return tuple(points), predictions


def _stratified_subset(labels: np.ndarray, fraction: float, rng: np.random.Generator) -> np.ndarray:
    """Sorted indices of a random subset keeping each class's share (at least one row each)."""
    chosen: list[np.ndarray] = []
    for cls in np.unique(labels):
        members = np.flatnonzero(labels == cls)
        take = max(1, math.ceil(fraction * len(members)))
        chosen.append(rng.choice(members, size=min(take, len(members)), replace=False))
    return np.sort(np.concatenate(chosen))


def _method(sampled: int | None) -> str:
    text = f"extremely randomised trees ({N_TREES} trees), {N_FOLDS}-fold cross-validation"
    if sampled is not None:
        text += f" on a sample of {sampled} rows"
    return text
