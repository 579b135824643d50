from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from preflight.checks.base import Check, Context
from preflight.checks.cp.common import plain
from preflight.checks.options import NoOptions
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import percent


class ClassImbalance(Check):
    """One class far rarer than the most common one.

    **What it does.** Compares the smallest class with the largest and names the
    minority class with its share of the labelled rows.

    **Why it is bad.** A network trained on plain cross-entropy minimises the
    average loss, which predicting the majority class already makes small: it
    learns the minority class late or never, and accuracy looks good while the
    minority class is missed. An unstratified split can leave the minority class
    out of a validation set altogether.

    **Thresholds and why.** The imbalance ratio is majority rows / minority rows.
    Info from ``info-ratio`` (4:1, where the majority-only accuracy already
    exceeds 80% in a binary problem); a warning from ``warn-ratio`` (10:1, the
    usual boundary of "moderate" imbalance, beyond which class weights or
    resampling become necessary rather than optional). Balanced data such as
    iris, wine or digits, and mildly skewed data such as breast cancer (1.7:1),
    pass.

    **Fix.** Use class weights (``class_weight="balanced"``, or a weighted loss),
    a stratified split, a metric that sees the minority class (balanced accuracy,
    per-class recall, PR-AUC); resample (oversample the minority class in the
    training folds only); or collect more minority rows.

    **Options.** ``info-ratio`` (4.0), ``warn-ratio`` (10.0).
    """

    code = "CP003"
    name = "capacity.class-imbalance"
    category = "capacity"
    cause = 3
    severity = Severity.WARNING
    needs = frozenset({"classification"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        info_ratio: float = 4.0
        warn_ratio: float = 10.0

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        assert ctx.dataset.target is not None
        target = ctx.dataset.target
        counts = ctx.profile[target].value_counts
        if len(counts) < 2:
            return
        total = int(counts.sum())
        majority, n_major = plain(counts.index[0]), int(counts.iloc[0])
        minority, n_minor = plain(counts.index[-1]), int(counts.iloc[-1])
        ratio = n_major / n_minor
        if ratio < self.opts.info_ratio:
            return
        severity = Severity.WARNING if ratio >= self.opts.warn_ratio else Severity.INFO
        share = n_minor / total
        yield self.finding(
            f"minority class {minority!r} of {target!r} is {percent(share)} of the rows "
            f"({n_minor} of {total});"
            f" the majority class {majority!r} has {n_major} ({ratio:.1f}:1)",
            columns=[target],
            evidence={
                "minority_class": minority,
                "minority_rows": n_minor,
                "minority_share": share,
                "majority_class": majority,
                "majority_rows": n_major,
                "imbalance_ratio": ratio,
                "majority_baseline_accuracy": n_major / total,
                "class_counts": {str(c): int(n) for c, n in counts.items()},
            },
            fix=Fix(
                "use class weights and a stratified split, judge the model by balanced accuracy or "
                f"per-class recall, or collect more {minority!r} rows"
            ),
            severity=severity,
        )
