"""Out-of-fold probabilities for a classification target: shared model artifacts.

Every probability row comes from a model that did not see that row
(out-of-sample), which confident learning and learnability both need. Two
artifacts, each built at most once per run (``ctx.shared``), same rows, labels and
class order:

- :func:`out_of_fold`: a K-fold logistic regression, the artifact the capacity
  checks (learnability) are built on — the ensemble's own logistic member, so a
  run that needs both fits it once (every member is memoised on one fold plan);
- :func:`label_out_of_fold`: the label checks' ensemble, chosen by measurement
  (``benchmarks/label_noise.py``, ``benchmarks/README.md``): the average of three
  K-fold models on the shared encoded matrix — a logistic regression (smooth, well
  calibrated where classes are linear), extremely randomised trees (100 trees, at
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
replaces the built-in models. The file is validated and never unpickled.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from preflight.check import Context
from preflight.errors import PreflightError
from preflight.features import encoded_features
from preflight.text import as_text

N_FOLDS = 5
# Fit-sample cap: above this many labelled rows the models are fitted on a seeded
# stratified sample and the rest are scored by models that did not see them. 20,000
# rows keep 100k x 20 under a minute on 2 shared cores and cost little accuracy
# (benchmarks/README.md).
DEFAULT_SAMPLE = 20_000
# Rows scored per predict call outside the fit sample (bounds memory on big files).
SCORE_BATCH = 20_000
# Row sums of user probabilities may be off by this much (float32 exports, rounding).
PROBABILITY_SUM_TOLERANCE = 0.01


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


def out_of_fold(ctx: Context) -> OutOfFold:
    """The run's shared out-of-fold probabilities for a classification target (built once).

    The K-fold logistic regression (the capacity checks judge learnability with it),
    or your model's probabilities when ``--pred-probs`` is given. It is the same
    fitted member the label checks' ensemble averages, so a run that needs both
    fits the logistic regression once.
    """
    if ctx.config.pred_probs is not None:
        return ctx.shared("out_of_fold_user", lambda: _user(ctx, *encode_labels(ctx.dataset.y)))
    return ctx.shared("out_of_fold", lambda: _combine(ctx, ("logistic",)))


def label_out_of_fold(ctx: Context) -> OutOfFold:
    """The out-of-fold probabilities the label checks judge labels by (built once).

    The measured ensemble (logistic regression + extra trees + k-nearest neighbours
    on the same folds), or your model's probabilities when ``--pred-probs`` is given.
    Same :class:`OutOfFold` shape, rows and class order as :func:`out_of_fold`.
    """
    if ctx.config.pred_probs is not None:
        return out_of_fold(ctx)
    return ctx.shared("out_of_fold_ensemble", lambda: _combine(ctx, MEMBERS))


def sample_cap(ctx: Context) -> int:
    return ctx.config.sample if ctx.config.sample is not None else DEFAULT_SAMPLE


def encode_labels(y: pd.Series) -> tuple[np.ndarray, np.ndarray, tuple[Any, ...]]:
    """(positions of present labels, class index per such row, class values).

    Classes are sorted as scikit-learn sorts them (numbers numerically, text
    alphabetically), so the columns of a user's ``predict_proba`` line up.
    """
    present = ~y.isna().to_numpy()
    positions = np.flatnonzero(present)
    values = y.iloc[positions]
    try:
        codes, uniques = pd.factorize(values, sort=True)
        classes = tuple(uniques.tolist())
    except TypeError:  # mixed types that cannot be ordered: order by their text
        text = as_text(values)
        codes, uniques_text = pd.factorize(text, sort=True)
        first = {t: v for t, v in zip(text.to_numpy(), values.to_numpy(), strict=True)}
        classes = tuple(first[t] for t in uniques_text)
    if classes and all(isinstance(c, float) and c.is_integer() for c in classes):
        # An integer label column read as float because of missing labels: show 3, not 3.0.
        classes = tuple(int(c) for c in classes)
    return positions, np.asarray(codes, dtype=np.int64), classes


def _user(ctx: Context, positions: np.ndarray, labels: np.ndarray, classes: tuple[Any, ...]) -> OutOfFold:
    assert ctx.config.pred_probs is not None
    probs = load_pred_probs(ctx.config.pred_probs, ctx.dataset.n_rows, classes)[positions]
    return OutOfFold(
        pred_probs=probs,
        labels=labels,
        classes=classes,
        positions=positions,
        method=f"your model's out-of-sample probabilities ({Path(ctx.config.pred_probs).name})",
        source="user",
    )


# ---- classification -----------------------------------------------------------

# The ensemble's members, in the order they are averaged.
MEMBERS: tuple[str, ...] = ("logistic", "trees", "neighbours")
_DESCRIPTION = {
    "logistic": "logistic regression",
    "trees": "extra trees",
    "neighbours": "k-nearest neighbours",
}


@dataclass(frozen=True)
class _Folds:
    """The one fold plan every member is fitted on (memoised per run)."""

    positions: np.ndarray
    labels: np.ndarray
    classes: tuple[Any, ...]
    x: np.ndarray
    fit: np.ndarray
    sampled: bool
    folds: int  # 0: no model can be fitted (one class, no features, too few rows)
    plan: list[tuple[np.ndarray, np.ndarray]]


def _shared_folds(ctx: Context) -> _Folds:
    def build() -> _Folds:
        positions, labels, classes = encode_labels(ctx.dataset.y)
        x = encoded_features(ctx).matrix[positions]
        counts = np.bincount(labels, minlength=len(classes))
        empty = _Folds(positions, labels, classes, x, np.arange(0), False, 0, [])
        if len(classes) < 2 or x.shape[1] == 0 or counts.max(initial=0) < 2:
            return empty
        fit, sampled = _fit_sample(labels, sample_cap(ctx), ctx.config.seed)
        folds = int(min(N_FOLDS, fit.size // 2))
        if folds < 2:
            return empty
        if sampled:
            ctx.publish("sampled_rows", int(fit.size))
        plan = _fold_plan(labels, fit, folds, ctx.config.seed)
        return _Folds(positions, labels, classes, x, fit, sampled, folds, plan)

    return ctx.shared("oof_folds", build)


def _member(ctx: Context, name: str) -> np.ndarray:
    """Out-of-fold probabilities of one ensemble member (memoised per member)."""

    def build() -> np.ndarray:
        f = _shared_folds(ctx)
        k = len(f.classes)
        probs = np.zeros((f.labels.size, k))
        # Trees compute in float32 anyway, and float32 halves the cost of the kNN
        # distance products, the largest cost on big files; the linear model keeps float64.
        data = f.x if name == "logistic" else f.x.astype(np.float32)
        with _quiet_fitting():
            for train, score in f.plan:
                probs[score] = _member_proba(name, data, f.labels, train, score, k, ctx.config.seed)
        return probs

    return ctx.shared(f"oof_member:{name}", build)


def _combine(ctx: Context, members: tuple[str, ...]) -> OutOfFold:
    f = _shared_folds(ctx)
    k = len(f.classes)
    if f.folds == 0:
        counts = np.bincount(f.labels, minlength=k)
        priors = np.tile(counts / max(f.labels.size, 1), (f.labels.size, 1))
        return OutOfFold(
            priors, f.labels, f.classes, f.positions, "class frequencies (no model could be fitted)"
        )
    probs = sum(_member(ctx, name) for name in members) / len(members)
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


def refit_without(ctx: Context, oof: OutOfFold, exclude: np.ndarray) -> OutOfFold:
    """A second round of the same folds with the ``exclude`` rows (indices into the
    rows of ``oof``) left out of every training set; every row is still scored.

    Models trained without the labels a first round of confident learning flagged
    learn the classes more cleanly, so a second round finds more of the wrong
    labels (benchmarks/README.md). Memoised: the label checks ask once per run.
    """

    def build() -> OutOfFold:
        f = _shared_folds(ctx)
        keep = np.ones(oof.labels.size, dtype=bool)
        keep[exclude] = False
        probs = oof.pred_probs.copy()
        k = len(oof.classes)
        x32 = f.x.astype(np.float32)
        with _quiet_fitting():
            for train, score in f.plan:
                used = train[keep[train]]
                probs[score] = sum(
                    _member_proba(
                        name, f.x if name == "logistic" else x32, oof.labels, used, score, k, ctx.config.seed
                    )
                    for name in MEMBERS
                ) / len(MEMBERS)
        method = f"{oof.method}, refitted without the {exclude.size:,} rows a first round flagged"
        return dataclasses.replace(oof, pred_probs=probs, method=method)

    return ctx.shared("out_of_fold_refit", build)


def _fit_sample(labels: np.ndarray, cap: int, seed: int) -> tuple[np.ndarray, bool]:
    """Indices (into labels) of the fit sample: all rows, or a stratified sample of ``cap``."""
    n = labels.size
    if n <= cap:
        return np.arange(n), False
    rng = np.random.default_rng(seed)
    counts = np.bincount(labels)
    # Proportional allocation, but every class keeps enough rows to appear in each
    # fold (or all its rows when it has fewer).
    share = counts * cap / n
    quota = np.maximum(np.floor(share).astype(np.int64), np.minimum(counts, 2 * N_FOLDS))
    # Hand the rows floor() left over to the largest remainders, so the sample is cap rows.
    for c in np.argsort(-(share - np.floor(share)), kind="stable"):
        if quota.sum() >= cap:
            break
        if quota[c] < counts[c]:
            quota[c] += 1
    chosen = [rng.permutation(np.flatnonzero(labels == c))[: quota[c]] for c in range(counts.size)]
    return np.sort(np.concatenate(chosen)), True


def _fold_plan(
    labels: np.ndarray, fit: np.ndarray, folds: int, seed: int
) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train indices, indices to score) per fold.

    Stratified by hand rather than with StratifiedKFold so that a class with fewer
    rows than folds does not stop the whole run: its rows are simply spread over
    fewer folds. Rows outside the fit sample are dealt round-robin to the folds.
    """
    rng = np.random.default_rng(seed)
    fold_of = np.full(labels.size, -1, dtype=np.int64)
    offset = 0
    for c in np.unique(labels[fit]):
        members = rng.permutation(fit[labels[fit] == c])
        fold_of[members] = (np.arange(members.size) + offset) % folds
        offset += members.size  # keep fold sizes even across classes
    rest = np.flatnonzero(fold_of < 0)
    if rest.size:
        fold_of[rng.permutation(rest)] = np.arange(rest.size) % folds
    in_fit = np.zeros(labels.size, dtype=bool)
    in_fit[fit] = True
    return [(np.flatnonzero(in_fit & (fold_of != f)), np.flatnonzero(fold_of == f)) for f in range(folds)]


def _model(name: str, n_train: int, seed: int) -> Any:
    from sklearn.ensemble import ExtraTreesClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier

    if name == "logistic":
        return LogisticRegression(max_iter=500)
    if name == "trees":
        return ExtraTreesClassifier(n_estimators=100, min_samples_leaf=5, random_state=seed, n_jobs=1)
    return KNeighborsClassifier(n_neighbors=min(15, n_train), weights="distance")


def _member_proba(
    name: str,
    data: np.ndarray,
    labels: np.ndarray,
    train: np.ndarray,
    score: np.ndarray,
    k: int,
    seed: int,
) -> np.ndarray:
    """One member's probabilities for the ``score`` rows, fitted on the ``train`` rows."""
    out = np.zeros((score.size, k))
    y_train = labels[train]
    if y_train.size == 0:
        return np.full((score.size, k), 1.0 / k)
    if np.unique(y_train).size < 2:  # a fold with one class: predict it
        out[:, y_train[0]] = 1.0
        return out
    model = _model(name, train.size, seed)
    model.fit(data[train], y_train)
    cols = np.asarray(model.classes_, dtype=np.int64)
    for start, part in _batches(score):
        out[start : start + part.size, cols] = model.predict_proba(data[part])
    return out


@contextmanager
def _quiet_fitting() -> Iterator[None]:
    """One thread for BLAS/OpenMP (oversubscription on shared cores is the biggest
    slowdown) and no convergence chatter from the linear model."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# ---- user probabilities -------------------------------------------------------


def load_pred_probs(path: str, n_rows: int, classes: tuple[Any, ...]) -> np.ndarray:
    """Read and validate ``--pred-probs``: (n_rows, n_classes), finite, rows summing to 1."""
    file = Path(path)
    if not file.is_file():
        raise PreflightError(f"--pred-probs: {path}: no such file")
    k = len(classes)
    if file.suffix.lower() == ".npy":
        try:
            raw = np.load(file, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise PreflightError(f"--pred-probs: {path}: not a numeric .npy array ({exc})") from exc
        names: list[str] | None = None
    else:
        from preflight.dataset import read_table

        table = read_table(file).frame
        names = [str(c) for c in table.columns]
        try:
            raw = table.to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise PreflightError(f"--pred-probs: {path}: every column must be numeric") from exc
    arr = np.asarray(raw)
    if arr.dtype.kind not in "fiub":
        raise PreflightError(f"--pred-probs: {path}: holds {arr.dtype} values, not probabilities")
    arr = arr.astype(np.float64)
    if arr.ndim == 1 and k == 2:
        arr = np.column_stack([1.0 - arr, arr])  # one column: P(second class), as for binary models
    if arr.ndim == 2 and arr.shape[1] == 1 and k == 2:
        arr = np.column_stack([1.0 - arr[:, 0], arr[:, 0]])
        names = None
    if arr.ndim != 2:
        raise PreflightError(f"--pred-probs: {path}: expected a 2-D table, got shape {arr.shape}")
    if arr.shape[0] != n_rows:
        hint = " (a CSV or parquet file needs a header row)" if arr.shape[0] == n_rows - 1 else ""
        raise PreflightError(
            f"--pred-probs: {path}: has {arr.shape[0]} rows but the data has {n_rows}{hint}; "
            "give one probability row per data row, in the same order"
        )
    if arr.shape[1] != k:
        raise PreflightError(
            f"--pred-probs: {path}: has {arr.shape[1]} columns but the target has {k} classes "
            f"({', '.join(str(c) for c in classes[:10])}{', ...' if k > 10 else ''})"
        )
    if names is not None:
        wanted = [str(c) for c in classes]
        if sorted(names) == sorted(wanted) and names != wanted:
            arr = arr[:, [names.index(w) for w in wanted]]  # columns named after the classes
    if not np.isfinite(arr).all():
        bad = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        raise PreflightError(f"--pred-probs: {path}: row {bad} has a missing or infinite value")
    if arr.min() < -1e-9 or arr.max() > 1 + 1e-9:
        raise PreflightError(
            f"--pred-probs: {path}: values must lie in [0, 1] (got {arr.min():g}..{arr.max():g})"
        )
    sums = arr.sum(axis=1)
    off = np.abs(sums - 1.0) > PROBABILITY_SUM_TOLERANCE
    if off.any():
        bad = int(np.flatnonzero(off)[0])
        raise PreflightError(
            f"--pred-probs: {path}: row {bad} sums to {sums[bad]:.4g}, not 1; "
            "pass predict_proba output, not scores or logits"
        )
    out: np.ndarray = np.clip(arr, 0.0, 1.0) / sums[:, None]
    return out


def _batches(idx: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    for start in range(0, idx.size, SCORE_BATCH):
        yield start, idx[start : start + SCORE_BATCH]
