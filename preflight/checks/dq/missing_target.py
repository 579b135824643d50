from __future__ import annotations

from collections.abc import Iterator

from preflight.checks.base import Check, Context, positions
from preflight.core.findings import Finding, Fix, Severity


class MissingTarget(Check):
    """Rows whose target (label) is missing.

    **What it does.** Finds null cells in the target column.

    **Why it is bad.** A row without a label cannot be trained on; most training
    code either crashes on it or silently treats the null as a class of its own.

    **Fix.** Drop these rows from the training set (or label them).
    """

    code = "DQ002"
    name = "data-quality.missing-target"
    category = "data-quality"
    cause = 1
    severity = Severity.ERROR
    file_rows = True
    needs = frozenset({"target"})

    def run(self, ctx: Context) -> Iterator[Finding]:
        assert ctx.dataset.target is not None
        col = ctx.profile[ctx.dataset.target]
        if col.n_missing == 0:
            return
        yield self.finding(
            f"the target {col.name!r} is missing in {col.n_missing} of {col.n} rows",
            columns=[col.name],
            rows=positions(col.file_missing_mask),
            evidence={"missing": col.n_missing, "share": col.n_missing / col.n},
            fix=Fix("drop the rows without a label, or label them", step="drop-rows"),
        )
