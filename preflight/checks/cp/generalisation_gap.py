from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from preflight.checks.base import Check, Context
from preflight.checks.cp.common import labelled_rows
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.sections import Section, sampled


class GeneralisationGap(Check):
    """A flexible model scores far better on its training rows than on held-out rows.

    **What it does.** Fits a flexible model that can memorise its training rows,
    as a large network can (an extremely randomised forest, on the shared encoded
    matrix, 5-fold cross-validation on a seeded sample of at most ``--sample`` or
    5,000 rows), and compares its training score with its cross-validated score
    (balanced accuracy, or R² for regression).

    **Why it is bad.** This is the article's "train loss falls, test loss stays
    flat": what the model learns from these rows does not carry over to new ones.
    When the data is also small for its number of features, a network will
    overfit it in the same way.

    **Thresholds and why.** The gap counts from ``min-gap`` (0.2 in score units,
    e.g. 1.00 train against 0.80 held-out balanced accuracy): clean data of
    reasonable size stays well below it (iris 0.05, digits 0.02). It is a warning
    when the data is also small, below ``small-rows-per-feature`` (10, CP001's rule
    of thumb) rows per encoded feature, which is when more data is the cure; with
    enough rows the gap comes from noise in the target rather than from too little
    data, and it is info.

    **Fix.** Collect more data or augment it; regularise (weight decay, dropout,
    early stopping on a validation set); reduce the features; or prefer a simpler
    model.

    **Options.** ``min-gap`` (0.2), ``small-rows-per-feature`` (10.0).
    """

    code = "CP006"
    name = "capacity.generalisation-gap"
    category = "capacity"
    cause = 3
    severity = Severity.WARNING
    needs = frozenset({"target"})
    model_based = True

    @dataclass(frozen=True)
    class Options(NoOptions):
        min_gap: float = option(0.2, share=True)
        small_rows_per_feature: float = 10.0

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding | Section]:
        fit = ctx.artifacts.flexible_fit
        if fit is None:
            return
        yield from sampled(fit.sampled_rows, "if-unreported")
        full = fit.full
        gap = full.train_score - full.score
        if gap < self.opts.min_gap:
            return
        rows = labelled_rows(ctx)
        per_feature = rows / max(1, ctx.artifacts.encoder.n_features)
        small = per_feature < self.opts.small_rows_per_feature
        message = (
            f"a flexible model scores {full.train_score:.2f} {fit.metric} on its training rows but"
            f" {full.score:.2f} on held-out rows (gap {gap:.2f})"
        )
        if small:
            message += f" with only {per_feature:.1f} rows per feature: a network will overfit this data"
        else:
            message += ": it memorises what does not generalise"
        yield self.finding(
            message,
            evidence={
                "metric": fit.metric,
                "train_score": full.train_score,
                "cv_score": full.score,
                "gap": gap,
                "rows_per_feature": per_feature,
                "training_rows": full.rows,
                "method": fit.method,
            },
            fix=Fix(
                "collect more data or augment it, regularise (weight decay, dropout, early stopping), "
                "reduce the features, or use a simpler model"
            ),
            severity=Severity.WARNING if small else Severity.INFO,
        )
