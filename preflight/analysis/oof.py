"""Out-of-fold probabilities for a classification target: shared model artifacts.

Every probability row comes from a model that did not see that row
(out-of-sample), which confident learning and learnability both need. Two
artifacts, each built at most once per run (``Artifacts.out_of_fold`` and
``Artifacts.label_out_of_fold``), same rows, labels and class order:

- the linear out-of-fold probabilities: a K-fold logistic regression, the artifact the capacity
  checks (learnability) are built on — the ensemble's own logistic member, so a
  run that needs both fits it once (every member is memoised on one fold plan);
- the label checks' ensemble, chosen by measurement
  (``benchmarks/label_noise.py``, ``benchmarks/README.md``): the average of three
  K-fold models on the shared encoded matrix — a logistic regression (smooth, well
  calibrated where classes are linear), extremely randomised trees (50 trees, at
  least 5 rows a leaf: non-linear, and averaging many random trees keeps them from
  memorising a flipped label) and distance-weighted 15-nearest neighbours (local
  structure). On the real datasets of the benchmark the average found more
  planted label errors than any one of them or any pair; gradient boosting
  memorised the noise and did worst of all. (Averaged probabilities rank a rare
  class well but seldom make it the plain argmax, which is why learnability keeps
  the linear model.)

**Large data.** When more rows carry a target than the fit-sample cap
(``--sample N``, default :data:`DEFAULT_SAMPLE`), the folds are built on a seeded,
stratified sample of that size (``sampled_rows`` in the report). Every other row is
scored in batches by a fold model that never saw it (rows are dealt round-robin
to the folds), so every row still gets an out-of-sample probability and the label
checks cover the whole file.

**Your own model.** ``--pred-probs FILE`` (npy, parquet or csv; one row per data
row, one column per class in sorted class order or named after the classes)
replaces the built-in models (:mod:`preflight.analysis.pred_probs`).

The fold plan every model is fitted on is :mod:`preflight.analysis.folds`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from preflight.analysis.folds import Folds

# Rows scored per predict call outside the fit sample (bounds memory on big files).
SCORE_BATCH = 20_000


@dataclass(frozen=True)
class OutOfFold:
    pred_probs: np.ndarray  # (len(positions), len(classes)); row i is for positions[i]
    labels: np.ndarray  # int class index (into `classes`) of each row in positions
    classes: tuple[Any, ...]  # class values; column j of pred_probs is classes[j]
    positions: np.ndarray  # 0-based row positions (rows whose target is not missing)
    method: str  # how the probabilities were made, for the report
    sampled_rows: int | None = None  # the fit sample size when the data was sampled
    source: str = "preflight"  # "preflight" (built-in models) or "user" (--pred-probs)
    folds: int = 0  # K of the K-fold models (0: no model could be fitted; priors only)


# Trees of the extra-trees member. 50 find the planted label errors of the benchmark as
# well as 100 did (synth_100k sym10 F1 0.919 vs 0.920, synth_20k asym20 0.943 vs
# 0.947, digits 0.955 vs 0.960) at half the cost of fitting and of scoring every row.
N_TREES = 50
# The ensemble's members, in the order they are averaged.
MEMBERS: tuple[str, ...] = ("logistic", "trees", "neighbours")
# The neighbour member measures a row's distance to every row of its fold's training
# set: scoring a million rows against 16,000 takes minutes (250 of the 280 CPU seconds
# LB001 took on 1M x 50, benchmarks/README.md). Files with more labelled rows than this
# are judged by the logistic and tree members, which score a row in microseconds.
NEIGHBOURS_MAX_ROWS = 100_000


def label_members(f: Folds) -> tuple[str, ...]:
    """The ensemble members the label check weighs on this fold plan."""
    if f.labels.size > NEIGHBOURS_MAX_ROWS:
        return tuple(name for name in MEMBERS if name != "neighbours")
    return MEMBERS


# The linear model alone: what learnability judges by.
LINEAR: tuple[str, ...] = ("logistic",)
_DESCRIPTION = {
    "logistic": "logistic regression",
    "trees": "extra trees",
    "neighbours": "k-nearest neighbours",
}


class Member:
    """One ensemble member on the fold plan: fitted once per fold, it gives the fit
    sample's out-of-fold probabilities at once and scores the other rows (each by the
    fold model it was dealt to) only when :meth:`complete` is asked, since a member
    the label check weighs 0 need not score them at all (``Artifacts`` memoises each)."""

    def __init__(self, f: Folds, name: str, seed: int, jobs: int = 1) -> None:
        self.folds = f
        self.name = name
        self.jobs = jobs
        k = len(f.classes)
        # Rows outside the fit sample stay 0 until complete() scores them.
        self.probs = np.zeros((f.labels.size, k))
        self.models: list[Any] = []
        in_fit = f.in_fit
        with _quiet_fitting(jobs):
            for train, score in f.plan:
                model = _fit_member(name, f, train, k, seed, jobs)
                self.models.append(model)
                mine = score[in_fit[score]]
                self.probs[mine] = _predict(model, f, mine, name, k)
        self.complete_ = not f.sampled

    def complete(self) -> np.ndarray:
        """Every labelled row's out-of-sample probabilities (scores the rest once).

        The rest is scored in batches of consecutive rows, each encoded once and every
        row predicted by the fold model it was dealt to; the batches run on ``jobs``
        threads (tree and linear predictions release the GIL), each row's probabilities
        the same whichever thread computes them. The neighbour member keeps one thread
        of batches: its queries already run on ``jobs`` OpenMP threads."""
        if self.complete_:
            return self.probs
        f = self.folds
        rest = np.flatnonzero(~f.in_fit)
        fold_of = f.fold_of
        batches = [rest[start : start + SCORE_BATCH] for start in range(0, rest.size, SCORE_BATCH)]
        k = len(f.classes)

        def score(batch: np.ndarray) -> None:
            x = f.x(batch, _dtype(self.name))
            owner = fold_of[batch]
            for j, model in enumerate(self.models):
                mine = np.flatnonzero(owner == j)
                if mine.size:
                    self.probs[batch[mine]] = _probabilities(model, x[mine], k)

        threads = 1 if self.name == "neighbours" else min(self.jobs, len(batches))
        with _quiet_fitting(self.jobs if threads == 1 else 1):
            if threads <= 1:
                for batch in batches:
                    score(batch)
            else:
                from concurrent.futures import ThreadPoolExecutor

                with ThreadPoolExecutor(threads) as pool:
                    list(pool.map(score, batches))
        self.complete_ = True
        return self.probs


def combine(f: Folds, members: tuple[str, ...], member: Callable[[str], np.ndarray]) -> OutOfFold:
    """The average of ``members``' probabilities (``member(name)`` gives one's), or the
    class frequencies when no model could be fitted."""
    k = len(f.classes)
    if f.folds == 0:
        counts = np.bincount(f.labels, minlength=k)
        priors = np.tile(counts / max(f.labels.size, 1), (f.labels.size, 1))
        return OutOfFold(
            priors, f.labels, f.classes, f.positions, "class frequencies (no model could be fitted)"
        )
    probs = sum(member(name) for name in members) / len(members)
    models = [_DESCRIPTION[name] for name in members]
    what = models[0] if len(models) == 1 else "average of " + ", ".join(models[:-1]) + " and " + models[-1]
    where = f"{f.folds}-fold out-of-fold probabilities"
    if f.sampled:
        where += (
            f" (fitted on a stratified sample of {f.fit.size:,} rows; the other rows scored by fold models)"
        )
    return OutOfFold(
        pred_probs=np.asarray(probs, dtype=np.float64),
        labels=f.labels,
        classes=f.classes,
        positions=f.positions,
        method=f"{what}, {where}",
        sampled_rows=int(f.fit.size) if f.sampled else None,
        folds=f.folds,
    )


def _model(name: str, n_train: int, seed: int, jobs: int) -> Any:
    from sklearn.ensemble import ExtraTreesClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier

    if name == "logistic":
        return LogisticRegression(max_iter=500)
    if name == "trees":
        return ExtraTreesClassifier(n_estimators=N_TREES, min_samples_leaf=5, random_state=seed, n_jobs=jobs)
    return KNeighborsClassifier(n_neighbors=min(15, n_train), weights="distance")


def _dtype(name: str) -> type:
    # Trees compute in float32 anyway, and float32 halves the cost of the kNN
    # distance products, the largest cost on big files; the linear model keeps float64.
    return np.float64 if name == "logistic" else np.float32


def _fit_member(name: str, f: Folds, train: np.ndarray, k: int, seed: int, jobs: int) -> Any:
    """One member fitted on the ``train`` rows, or the constant probability row of a
    fold it cannot be fitted on (no rows: uniform; one class: that class)."""
    y_train = f.labels[train]
    if y_train.size == 0:
        return np.full(k, 1.0 / k)
    if np.unique(y_train).size < 2:  # a fold with one class: predict it
        constant = np.zeros(k)
        constant[y_train[0]] = 1.0
        return constant
    model = _model(name, train.size, seed, jobs)
    model.fit(f.x(train, _dtype(name)), y_train)
    if hasattr(model, "estimators_"):
        # Trees are fitted in parallel (each from its own seed: the same trees), but a
        # forest's parallel predict adds the trees' votes in the order threads finish,
        # which can move the last bit of a probability: it predicts on one thread.
        model.n_jobs = 1
    return model


def _predict(model: Any, f: Folds, rows: np.ndarray, name: str, k: int) -> np.ndarray:
    """Probabilities of labelled rows ``rows`` (indices into ``f.labels``), in batches."""
    out = np.zeros((rows.size, k))
    for start, part in _batches(rows):
        out[start : start + part.size] = _probabilities(model, f.x(part, _dtype(name)), k)
    return out


def _probabilities(model: Any, x: np.ndarray, k: int) -> np.ndarray:
    """A fitted member's probabilities of the encoded rows ``x``, one column per class
    (a fold that lacked a class gives it 0; a constant member its constant row)."""
    if isinstance(model, np.ndarray):
        return np.tile(model, (x.shape[0], 1))
    out = np.zeros((x.shape[0], k))
    out[:, np.asarray(model.classes_, dtype=np.int64)] = model.predict_proba(x)
    return out


@contextmanager
def _quiet_fitting(jobs: int) -> Iterator[None]:
    """One BLAS thread (a multi-threaded GEMM inside already parallel work oversubscribes
    shared cores), ``jobs`` OpenMP threads (the neighbour queries: each query row on one
    thread, the same result for any count), and no convergence chatter from the linear
    model."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits={"blas": 1, "openmp": jobs}), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _batches(idx: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    for start in range(0, idx.size, SCORE_BATCH):
        yield start, idx[start : start + SCORE_BATCH]
