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

# 1.4826 * MAD estimates the standard deviation of normal residuals, unmoved by the
# very targets we are looking for.
_MAD_TO_SD = 1.4826
_FLOAT_MAX = float(np.finfo(float).max)


class RegressionLabelIssues(Check):
    """Regression targets that are implausible given the features.

    **What it does.** Reads the run's shared out-of-fold predictions (a
    cross-validated ridge regression on the encoded features, also used by the
    capacity checks), so every row gets a prediction from a model that never saw
    it, and scales each row's residual by a robust spread of all residuals
    (1.4826 × their median absolute deviation). Rows whose robust residual is at
    least ``max-z`` are flagged, ranked by label quality (the two-sided normal tail
    probability of the residual: 0 = surely wrong). The report has the same shape
    as LB001: estimated rate, ranked rows with the given and the predicted value
    (``label_health`` in the JSON report).

    **Why it is bad.** A target typed with the wrong unit, sign or decimal point
    dominates a squared loss: the network chases a few impossible values instead
    of the pattern, and the loss plateaus high.

    **Fix.** Review the flagged rows, worst first; correct or drop them.

    **Options.** ``max-z`` (5.0): normal residuals pass 5 robust standard
    deviations about once in 1.7 million rows. ``error-rate`` (0.05) and
    ``warn-rate`` (0.01): the flagged share that makes an error or a warning
    (below: info). ``min-rows`` (50). ``show`` (20).
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
        min_rows: int = 50
        show: int = 20

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding | Section]:
        oof = ctx.artifacts.out_of_fold_regression
        # Constant predictions mean no model could be fitted (too few rows, no features).
        if oof.targets.size < self.opts.min_rows or np.ptp(oof.predictions) == 0:
            return
        # In units of the largest target when it is near the float limit, so that the
        # difference cannot overflow to inf; robust z is scale-free.
        peak = float(np.max(np.abs(oof.targets)))
        unit = peak if peak > RESCALE_ABOVE else 1.0
        residual = oof.targets / unit - oof.predictions / unit
        z = robust_z(residual)
        quality = _tail_probability(z)
        flagged = np.flatnonzero(np.abs(z) >= self.opts.max_z)
        flagged = flagged[np.lexsort((flagged, quality[flagged]))]
        rate = flagged.size / oof.targets.size
        rows = oof.positions[flagged]
        how = f"robust residuals (|z| >= {self.opts.max_z:g}) of {oof.method}"
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
        yield LabelHealth(
            {
                "method": how,
                "estimated_noise_rate": rate,
                "rows_judged": int(oof.targets.size),
                "sampled_rows": oof.sampled_rows,
                "issue_rows": [r["row"] for r in listed],
                "issue_count": len(ranked),
                "given_labels": {str(r["row"]): r["given"] for r in listed},
                "suggested_labels": {str(r["row"]): r["suggested"] for r in listed},
                "label_quality": {str(r["row"]): r["quality"] for r in listed},
                "noise_matrix": None,
                "residual_scale": min(float(_scale(residual)) * unit, _FLOAT_MAX),
            },
        )
        if flagged.size == 0:
            return
        severity = severity_at(rate, error_at=self.opts.error_rate, warn_at=self.opts.warn_rate)
        target = ctx.dataset.target
        assert target is not None
        yield self.finding(
            f"{flagged.size} target values ({rate:.1%}) are implausible given the features "
            f"(residual beyond {self.opts.max_z:g} robust standard deviations)",
            columns=[target],
            rows=rows,
            evidence={
                "estimated_noise_rate": rate,
                "method": how,
                "flagged": int(flagged.size),
                "worst": ranked[: self.opts.show],
            },
            fix=Fix(
                "review the flagged target values (worst first); correct or drop them",
                step="relabel",
                params={"rows": int(flagged.size)},
            ),
            severity=severity,
        )


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
