"""Out-of-fold predictions for a regression target: the shared regression artifact.

The regression counterpart of :mod:`preflight.analysis.oof`: learnability (CP) and
implausible-target checks (LB) read these predictions, so the cross-validated
models are fitted once per run (``Artifacts.out_of_fold_regression``).

The model is a ridge regression on the shared encoded matrix with its penalty
chosen by efficient leave-one-out inside each training fold: quick, deterministic,
stable when features outnumber rows. On large data the folds are fitted on a
seeded random sample (``--sample``, else :data:`DEFAULT_SAMPLE` rows); every row
outside the sample is predicted by the average of the fold models, none of which
saw it, so every prediction is out-of-sample.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from preflight.core.config import Config
from preflight.data.dataset import Dataset

N_FOLDS = 5
# Ridge is cheap (one SVD per fold), so the default fit sample is large.
DEFAULT_SAMPLE = 200_000
# Targets larger than this in magnitude are fitted as y / peak (see _compute).
RESCALE_ABOVE = 1e100
ALPHAS = tuple(float(a) for a in np.logspace(-3, 4, 15))


@dataclass(frozen=True)
class OutOfFoldRegression:
    predictions: np.ndarray  # float, prediction for each row in positions, never from a model that saw it
    targets: np.ndarray  # float, the target value of each row in positions
    positions: np.ndarray  # 0-based row positions (rows whose target is a finite number)
    method: str  # how the predictions were made, for the report
    sampled_rows: int | None = None  # the fit sample size when the data was sampled
    scale: str = "identity"  # "log": fitted on log(target); predictions are on the target's scale
    folds: int = 0  # K of the K-fold models (0: no model could be fitted)


# A positive target whose bulk (the central 90%) is skewed beyond this, and whose log
# is less skewed, is fitted and judged on the log scale (prices, salaries). The bulk,
# so that the wrong values looked for (a few targets x10) cannot make the choice:
# measured on the corpus, house prices and salaries 0.66-0.76 (log: -0.3 to 0.13),
# diamonds 1.23, ISLR Wage 0.46, the diabetes score 0.36 (0.42 with 5% of it x10).
LOG_SKEW = 0.5
_BULK = (0.05, 0.95)


def log_scale(y: np.ndarray) -> bool:
    """Whether a positive target's bulk is right-skewed on its own scale and less so on the log scale."""
    from scipy.stats import skew

    if y.size < 20 or float(np.min(y)) <= 0 or np.ptp(y) == 0:
        return False
    lo, hi = np.quantile(y, _BULK)
    bulk = y[(y >= lo) & (y <= hi)]
    if np.ptp(bulk) == 0:
        return False
    raw = float(skew(bulk))
    return raw > LOG_SKEW and abs(float(skew(np.log(bulk)))) < raw


def label_out_of_fold_regression(dataset: Dataset, config: Config, matrix: np.ndarray) -> OutOfFoldRegression:
    """The implausible-target check's predictions: fitted on log(target) when the target is
    positive and right-skewed (residuals then judge ratios, not dollars), else as is; the
    predictions are returned on the target's own scale, ``scale`` says which was fitted."""
    y_all = dataset.y.to_numpy(dtype=float, na_value=np.nan)
    finite = y_all[np.isfinite(y_all)]
    if not log_scale(finite):
        return out_of_fold_regression(dataset, config, matrix)
    logged = np.full(y_all.size, np.nan)
    ok = np.isfinite(y_all)
    logged[ok] = np.log(y_all[ok])
    fit = _fit(logged, config, matrix)
    return OutOfFoldRegression(
        predictions=np.exp(fit.predictions),
        targets=y_all[fit.positions],
        positions=fit.positions,
        method=fit.method.replace("ridge regression", "ridge regression on log(target)", 1),
        sampled_rows=fit.sampled_rows,
        scale="log",
        folds=fit.folds,
    )


def out_of_fold_regression(dataset: Dataset, config: Config, matrix: np.ndarray) -> OutOfFoldRegression:
    """Out-of-fold predictions of a regression target from the encoded ``matrix``."""
    return _fit(dataset.y.to_numpy(dtype=float, na_value=np.nan), config, matrix)


def _fit(y_all: np.ndarray, config: Config, matrix: np.ndarray) -> OutOfFoldRegression:
    from sklearn.linear_model import RidgeCV
    from sklearn.model_selection import KFold
    from threadpoolctl import threadpool_limits

    positions = np.flatnonzero(np.isfinite(y_all))
    y = y_all[positions]
    # Targets near the float limit (1e308) overflow the ridge's sums of squares: fit on
    # y / peak and scale the predictions back (ridge predictions are equivariant).
    peak = float(np.max(np.abs(y))) if len(y) else 0.0
    unit = peak if peak > RESCALE_ABOVE else 1.0
    y_fit = y / unit
    x = matrix[positions]
    n = len(positions)
    cap = config.sample or DEFAULT_SAMPLE
    rng = np.random.default_rng(config.seed)
    if n > cap:
        fit_idx = np.sort(rng.choice(n, size=cap, replace=False))
        sampled: int | None = cap
    else:
        fit_idx = np.arange(n)
        sampled = None
    predictions = np.full(n, float(y_fit[fit_idx].mean()) if n else np.nan)
    folds = min(N_FOLDS, len(fit_idx))
    if folds >= 2 and x.shape[1] > 0:
        rest = np.setdiff1d(np.arange(n), fit_idx)
        rest_sum = np.zeros(len(rest))
        splitter = KFold(n_splits=folds, shuffle=True, random_state=config.seed)
        with threadpool_limits(limits=1):
            for train, test in splitter.split(fit_idx):
                model = RidgeCV(alphas=ALPHAS)
                model.fit(x[fit_idx[train]], y_fit[fit_idx[train]])
                predictions[fit_idx[test]] = model.predict(x[fit_idx[test]])
                if len(rest):
                    rest_sum += model.predict(x[rest])
        if len(rest):
            predictions[rest] = rest_sum / folds
    else:
        folds = 0
    predictions = predictions * unit
    method = f"ridge regression, {folds}-fold out-of-fold predictions"
    if sampled is not None:
        method += f" (fitted on a sample of {sampled} rows)"
    return OutOfFoldRegression(
        predictions=predictions,
        targets=y,
        positions=positions,
        method=method,
        sampled_rows=sampled,
        folds=folds,
    )
