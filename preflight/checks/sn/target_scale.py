from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions
from preflight.checks.sn.common import fmt_number, robust_spread
from preflight.core.findings import Finding, Fix, Severity

# A network's output and a linear model's fit are sensitive to the target's units;
# k-NN averages and tree leaves are not, and an OLS fit just rescales.
_TARGET_SENSITIVE = frozenset({"nn", "svm"})


class TargetScale(Check):
    """A regression target in raw units: large, far from zero, tiny, or spanning orders of magnitude.

    **What it does.** Measures the regression target's median and robust
    standard deviation (central 90% range / 3.29). It fires when either exceeds
    ``max-abs`` in absolute value (``152 ± 77``: diabetes progression) or when the
    spread is below ``min-spread`` (``0.0004 ± 0.0001``). A positive target that is
    heavily skewed or spans many powers of ten gets a log transform instead of
    standardization.

    **Why it is bad.** A network starts predicting about 0: with a target around
    150 the first squared errors are about 20,000, the gradients of the output
    layer are that large, and training overshoots or produces NaN. A tiny target
    makes the loss smaller than the optimizer's tolerance, so training "converges"
    at once. A skewed target lets a few large values dominate the squared error.

    **Fix.** Fit on a standardized target and predict in raw units, with
    ``TransformedTargetRegressor(regressor=..., transformer=StandardScaler())``; for
    a skewed positive target use ``func=np.log1p, inverse_func=np.expm1``.

    **Model families.** Warning for ``nn`` and ``svm`` (SVR's epsilon is in target
    units); info for ``linear``, ``knn`` and ``tree``, with no plan step.

    **Options.** ``max-abs`` (10.0), ``min-spread`` (0.01): see above; a
    standardized target has median ≈ 0 and spread ≈ 1. ``skew`` (2.0) and
    ``decades`` (3.0): the skewness or span (powers of ten between the 1st and
    99th percentiles) at which a positive target gets a log transform.
    """

    code = "SN007"
    name = "scale.target-scale"
    category = "scale"
    cause = 2
    severity = Severity.WARNING
    needs = frozenset({"regression"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        max_abs: float = 10.0
        min_spread: float = 0.01
        skew: float = 2.0
        decades: float = 3.0

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        assert ctx.dataset.target is not None
        col = ctx.profile[ctx.dataset.target]
        spread = robust_spread(col)
        if spread is None or col.moments is None or col.min is None:
            return
        large = max(abs(spread.centre), spread.sigma) > self.opts.max_abs
        tiny = spread.sigma < self.opts.min_spread
        log = False
        decades = 0.0
        if col.min >= 0:
            positive = col.finite[col.finite > 0]
            if positive.size >= 20:
                lo, hi = np.quantile(positive, [0.01, 0.99])
                decades = float(np.log10(hi / lo))
            log = col.moments[2] >= self.opts.skew or decades >= self.opts.decades
        if not (large or tiny or log):
            return
        what = (
            "is heavily skewed" if log and not large and not tiny
            else "is tiny" if tiny else "is in raw units"
        )  # fmt: skip
        family = ctx.config.model_family
        severity = Severity.WARNING if family in _TARGET_SENSITIVE else Severity.INFO
        params: dict[str, Any] = {"func": "log1p"} if log else {"transformer": "StandardScaler"}
        how = "log1p / expm1" if log else "StandardScaler"
        fix = Fix(
            f"train on a transformed target: TransformedTargetRegressor({how})",
            step="transform-target" if family != "tree" and family != "knn" else None,
            transformer="sklearn.compose.TransformedTargetRegressor",
            params=params,
        )
        yield self.finding(
            f"the regression target {col.name!r} {what}: median {fmt_number(spread.centre)}, "
            f"spread ±{fmt_number(spread.sigma)}" + (f", skewness {col.moments[2]:.1f}" if log else ""),
            columns=[col.name],
            evidence={
                "median": spread.centre,
                "robust_std": spread.sigma,
                "skew": col.moments[2],
                "decades": decades,
                "log": log,
                "model_family": family,
            },
            fix=fix,
            severity=severity,
        )
