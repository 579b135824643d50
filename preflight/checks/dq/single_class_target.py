from __future__ import annotations

from collections.abc import Iterator

from preflight.checks.base import Check, Context
from preflight.core.findings import Finding, Fix, Severity


class SingleClassTarget(Check):
    """A target with one class (classification) or one value (regression).

    **What it does.** Counts the distinct non-null values of the target.

    **Why it is bad.** There is nothing to learn: a classifier cannot even be fitted
    on one class, and a constant regression target is predicted perfectly by its
    mean. Usually the wrong column was passed, or a filter upstream removed the
    other classes.

    **Fix.** Check the target column name and the filtering that produced the file.
    """

    code = "DQ009"
    name = "data-quality.single-class-target"
    category = "data-quality"
    cause = 1
    severity = Severity.ERROR
    needs = frozenset({"target"})

    def run(self, ctx: Context) -> Iterator[Finding]:
        assert ctx.dataset.target is not None
        col = ctx.profile[ctx.dataset.target]
        if col.n_unique > 1:
            return
        if col.n_unique == 0:
            message = f"the target {col.name!r} has no values at all"
        else:
            what = "class" if ctx.dataset.task == "classification" else "value"
            message = f"the target {col.name!r} has a single {what}: {col.value_counts.index[0]!r}"
        yield self.finding(
            message,
            columns=[col.name],
            evidence={"distinct": col.n_unique},
            fix=Fix("check the target column and the filtering upstream"),
        )
