from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from preflight.analysis.oof_regression import RESCALE_ABOVE
from preflight.checks.base import Check, Context, severity_at
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.sections import LabelHealth, Section
from preflight.core.wording import percent

# 1.4826 * MAD estimates the standard deviation of normal residuals, unmoved by the
# very targets we are looking for.
_MAD_TO_SD = 1.4826
_FLOAT_MAX = float(np.finfo(float).max)


class RegressionLabelIssues(Check):
    """Regression targets that are implausible given the features.

    **What it does.** Fits a cross-validated ridge regression on the encoded
    features, so every row gets a prediction from a model that never saw it, and
    judges each row's residual:

    - *on the scale where the target is symmetric*: a positive target skewed to the
      right (skewness above 1, its log less skewed: prices, wages, incomes) is
      fitted and judged on the log scale, so a residual is a ratio, not dollars;
    - *against a spread that may vary with the prediction*: the rows are cut into up
      to ``bins`` bins of the prediction (at least ``bin-rows`` rows each) and each
      residual is scaled by its bin's robust spread (1.4826 x the median absolute
      deviation), floored at half the spread of all residuals;
    - *without the target's copies*: numeric features that are the target, or a
      linear or monotone transform of it (what LB003 reports as errors, e.g. a
      ``logwage`` beside ``wage``), are left out of the model; a model reading them
      calls every row the copy does not fit implausible;
    - *not at a censoring bound*: rows of a target the semantics stage found top- or
      bottom-coded (DQ010: "50 or more") are not judged; their value is a bound. A
      pile-up further from the other values than their interquartile range is no cap
      (it does not continue the distribution) and is judged.

    Rows whose robust residual is at least ``max-z`` are flagged, ranked by label
    quality (the two-sided normal tail probability of the residual: 0 = surely
    wrong). The report has the same shape as LB001: estimated rate, ranked rows with
    the given and the predicted value (``label_health`` in the JSON report).

    **Why it is bad.** A target typed with the wrong unit, sign or decimal point
    dominates a squared loss: the network chases a few impossible values instead
    of the pattern, and the loss plateaus high.

    **Fix.** Review the flagged rows, worst first; correct or drop them.

    **Options.** ``max-z`` (5.0): normal residuals pass 5 robust standard
    deviations about once in 1.7 million rows. ``error-rate`` (0.05) and
    ``warn-rate`` (0.01): the flagged share that makes an error or a warning
    (below: info); a warning needs at least ``warn-rows`` (3) flagged rows, or one
    flagged value at least ``warn-ratio`` (10.0) times or a tenth of its prediction
    (log scale: a unit or decimal slip, e.g. ISLR Hitters row 217, 2 years and 9
    career hits at $2.1M, 19x its prediction). ``bins`` (10) and ``bin-rows`` (50): the prediction bins of the
    residual spread. ``min-rows`` (50). ``show`` (20).
    """

    code = "LB004"
    name = "labels.regression-label-issues"
    category = "labels"
    cause = 4
    severity = Severity.ERROR
    needs = frozenset({"target", "regression"})
    model_based = True

    @dataclass(frozen=True)
    class Options(NoOptions):
        max_z: float = 5.0
        error_rate: float = option(0.05, share=True)
        warn_rate: float = option(0.01, share=True)
        warn_rows: int = option(3, minimum=1)
        warn_ratio: float = 10.0
        bins: int = option(10, minimum=1)
        bin_rows: int = option(50, minimum=2)
        min_rows: int = 50
        show: int = 20

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding | Section]:
        oof = ctx.artifacts.label_out_of_fold_regression
        # Constant predictions mean no model could be fitted (too few rows, no features).
        if oof.targets.size < self.opts.min_rows or np.ptp(oof.predictions) == 0:
            return
        target = ctx.dataset.target
        assert target is not None
        if oof.scale == "log":
            residual = np.log(oof.targets) - np.log(oof.predictions)
            fitted = np.log(oof.predictions)
            unit = 1.0
        else:
            # In units of the largest target when it is near the float limit, so that the
            # difference cannot overflow to inf; robust z is scale-free.
            peak = float(np.max(np.abs(oof.targets)))
            unit = peak if peak > RESCALE_ABOVE else 1.0
            residual = oof.targets / unit - oof.predictions / unit
            fitted = oof.predictions / unit
        z = binned_z(residual, fitted, bins=self.opts.bins, bin_rows=self.opts.bin_rows)
        censored = _censored(ctx, oof.targets)
        quality = _tail_probability(z)
        flagged = np.flatnonzero((np.abs(z) >= self.opts.max_z) & ~censored)
        flagged = flagged[np.lexsort((flagged, quality[flagged]))]
        judged = int((~censored).sum())
        rate = flagged.size / max(judged, 1)
        rows = oof.positions[flagged]
        scale_text = "log residuals" if oof.scale == "log" else "residuals"
        how = f"robust {scale_text} (|z| >= {self.opts.max_z:g}, spread per prediction bin) of {oof.method}"
        copies = ctx.artifacts.target_copies
        if copies:
            how += f"; left out as copies of the target: {', '.join(copies)}"
        ranked = [
            {
                "row": ctx.file_row(oof.positions[i]),
                "given": float(oof.targets[i]),
                "suggested": float(oof.predictions[i]),
                "z": float(z[i]),
                "quality": float(quality[i]),
            }
            for i in flagged
        ]
        listed = ranked[: ctx.config.max_rows]  # the report's cap; --rows-out has them all
        spread = float(_scale(residual))
        yield LabelHealth(
            {
                "method": how,
                "estimated_noise_rate": rate,
                "rows_judged": judged,
                "sampled_rows": oof.sampled_rows,
                "issue_rows": [r["row"] for r in listed],
                "issue_count": len(ranked),
                "given_labels": {str(r["row"]): r["given"] for r in listed},
                "suggested_labels": {str(r["row"]): r["suggested"] for r in listed},
                "label_quality": {str(r["row"]): r["quality"] for r in listed},
                "noise_matrix": None,
                "residual_scale": spread if oof.scale == "log" else min(spread * unit, _FLOAT_MAX),
            },
        )
        if flagged.size == 0:
            return
        severity = severity_at(rate, error_at=self.opts.error_rate, warn_at=self.opts.warn_rate)
        if severity is Severity.WARNING and flagged.size < self.opts.warn_rows:
            severity = Severity.INFO  # one or two rows of a small file: a share says little
        # A value an order of magnitude from its prediction is a unit or decimal slip.
        ratio = float(np.max(np.abs(residual[flagged]))) if oof.scale == "log" else 0.0
        if severity is Severity.INFO and ratio >= np.log(self.opts.warn_ratio):
            severity = Severity.WARNING
        yield self.finding(
            f"{flagged.size} target values ({percent(rate)}) are implausible given the features "
            f"({scale_text} beyond {self.opts.max_z:g} robust standard deviations)",
            columns=[target],
            rows=rows,
            evidence={
                "estimated_noise_rate": rate,
                "method": how,
                "flagged": int(flagged.size),
                "scale": oof.scale,
                "largest_ratio": float(np.exp(ratio)) if oof.scale == "log" else None,
                "censored_rows": int(censored.sum()),
                "left_out_copies": list(copies),
                "worst": ranked[: self.opts.show],
            },
            fix=Fix(
                "review the flagged target values (worst first); correct or drop them",
                step="relabel",
                params={"rows": int(flagged.size)},
            ),
            severity=severity,
        )


def _censored(ctx: Context, targets: np.ndarray) -> np.ndarray:
    """Rows at the target's censoring bound (a top- or bottom-code), never judged."""
    target = ctx.dataset.target
    sem = ctx.dataset.semantics.get(target) if target is not None else None
    if sem is None or sem.censored is None:
        return np.zeros(targets.size, dtype=bool)
    at: np.ndarray = np.isclose(targets, sem.censored.value, rtol=1e-9, atol=0.0)
    rest = targets[~at]
    if rest.size < 2:
        return at
    # A bound continues the distribution (medv 50.0 after 48.8); a pile-up far beyond the
    # other values (five rows typed as 2500 in a column of 25-346) is not a cap but a slip.
    q1, q3 = np.quantile(rest, [0.25, 0.75])
    nearest = float(np.max(rest)) if sem.censored.side == "upper" else float(np.min(rest))
    if abs(sem.censored.value - nearest) > q3 - q1:
        return np.zeros(targets.size, dtype=bool)
    return at


def binned_z(residual: np.ndarray, fitted: np.ndarray, *, bins: int, bin_rows: int) -> np.ndarray:
    """Robust z of each residual against the spread of its prediction bin.

    Up to ``bins`` quantile bins of ``fitted`` with at least ``bin_rows`` rows each;
    each bin's residuals are centred on their median and divided by 1.4826 x their
    MAD, floored at half the spread of all residuals (a bin of near-equal residuals
    must not make a small one look huge).
    """
    overall = _scale(residual)
    if overall == 0:
        return np.zeros_like(residual)
    n_bins = int(max(1, min(bins, residual.size // bin_rows)))
    if n_bins == 1:
        return robust_z(residual)
    order = np.argsort(fitted, kind="stable")
    out = np.zeros_like(residual)
    for part in np.array_split(order, n_bins):
        r = residual[part]
        centre = float(np.median(r))
        spread = max(float(np.median(np.abs(r - centre))) * _MAD_TO_SD, 0.5 * overall)
        out[part] = (r - centre) / spread
    return out


def _tail_probability(z: np.ndarray) -> np.ndarray:
    """Two-sided normal tail probability of each robust z (label quality in [0, 1])."""
    from scipy.special import erfc

    return np.asarray(erfc(np.abs(z) / math.sqrt(2.0)), dtype=float)


def _scale(residual: np.ndarray) -> float:
    centre = float(np.median(residual))
    mad = float(np.median(np.abs(residual - centre))) * _MAD_TO_SD
    if mad > 0:
        return mad
    return float(np.std(residual))


def robust_z(residual: np.ndarray) -> np.ndarray:
    """Residuals centred on their median and divided by 1.4826 x their MAD."""
    scale = _scale(residual)
    if scale == 0:
        return np.zeros_like(residual)
    out: np.ndarray = (residual - np.median(residual)) / scale
    return out
