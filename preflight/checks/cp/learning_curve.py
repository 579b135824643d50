from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Severity
from preflight.core.sections import Section, sampled


class LearningCurve(Check):
    """The held-out score at growing fractions of the data: would more data help?

    **What it does.** Trains the flexible model of CP006 on 10%, 25%, 50% and 100%
    of each training fold (stratified subsets, same held-out folds) and reports
    the cross-validated score at each size. The points are in the finding's
    evidence (``curve``: fraction, training rows, score, train score) for the HTML
    report to plot.

    **Why it matters.** A curve still rising at 100% says the model is
    data-starved: more rows (or augmentation) would still pay off, and a network,
    hungrier than this forest, needs them even more. A flat curve says more of the
    same rows will not help: better features, cleaner labels or a different
    model will.

    **Thresholds and why.** Always info (it is a measurement, not a defect). The
    curve counts as still rising when the last doubling (50% to 100%) gains at
    least ``rising-gain`` (0.01 in score units): below that the change is within
    the fold-to-fold noise of small data.

    **Fix.** Rising: collect more rows or augment. Flat: improve features and labels.

    **Options.** ``rising-gain`` (0.01).
    """

    code = "CP007"
    name = "capacity.learning-curve"
    category = "capacity"
    cause = 3
    severity = Severity.INFO
    needs = frozenset({"target"})
    model_based = True

    @dataclass(frozen=True)
    class Options(NoOptions):
        rising_gain: float = option(0.01, share=True)

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding | Section]:
        fit = ctx.artifacts.flexible_fit
        if fit is None or len(fit.points) < 2:
            return
        yield from sampled(fit.sampled_rows, "if-unreported")
        first, half, full = fit.points[0], fit.points[-2], fit.points[-1]
        gain = full.score - half.score
        rising = gain >= self.opts.rising_gain
        trend = (
            f"still rising (+{gain:.3f} over the last doubling): more data would likely help"
            if rising
            else f"flat over the last doubling ({gain:+.3f}): more of the same rows will not help much"
        )
        yield self.finding(
            f"held-out {fit.metric} goes from {first.score:.3f} with {first.rows} training rows to"
            f" {full.score:.3f} with {full.rows}; {trend}",
            evidence={
                "metric": fit.metric,
                "curve": [
                    {"fraction": p.fraction, "rows": p.rows, "score": p.score, "train_score": p.train_score}
                    for p in fit.points
                ],
                "last_gain": gain,
                "rising": rising,
                "method": fit.method,
            },
        )
