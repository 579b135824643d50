from __future__ import annotations

from collections.abc import Iterator

from preflight.checks.base import Check, Context, positions
from preflight.core.findings import Finding, Fix, Severity


class InfiniteValues(Check):
    """Numeric cells holding +inf or -inf.

    **What it does.** Finds infinite values in numeric columns, the target included.

    **Why it is bad.** One infinity makes the loss and every gradient inf or NaN on
    the first batch that holds it: training diverges at once. Infinities usually
    come from a division by zero or a log of zero upstream.

    **Fix.** Fix the computation that produced them; otherwise replace them with
    missing values and impute, or clip to the column's finite range.
    """

    code = "DQ007"
    name = "data-quality.infinite-values"
    category = "data-quality"
    cause = 1
    severity = Severity.ERROR
    file_rows = True
    applies_to = frozenset({"numeric"})

    def run(self, ctx: Context) -> Iterator[Finding]:
        for col in ctx.profile:
            if col.name in ctx.dataset.id_columns or col.kind != "numeric":
                continue
            mask = col.file_inf_mask
            count = int(mask.sum())
            if count == 0:
                continue
            yield self.finding(
                f"{col.name!r} holds {count} infinite values",
                columns=[col.name],
                rows=positions(mask),
                evidence={"count": count},
                fix=Fix(
                    "replace infinities with missing values and impute (or clip)",
                    step="replace-infinite",
                ),
            )
