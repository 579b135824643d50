from __future__ import annotations

from collections.abc import Iterator

from preflight.checks.base import Check, Context
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import number, plural


class CensoredValues(Check):
    """Values piled up at a bound: top- and bottom-codes (censoring), never missing values.

    **What it does.** Reports the numeric columns the semantics stage found censored: a
    pile-up at the largest (or smallest, never zero) value of a column with at least 20
    distinct values, of at least 5 rows and 3 times the count of any of the 5 values next
    to it (a house price capped at 50.0, 99 hours a week, capital gain 99999). A feature
    is info; the regression target is a warning.

    **Why it matters.** The value is real but stands for "this or beyond". A feature
    loses its order above the cap, which an indicator gives back to the model. A capped
    target is worse: a regression learns to predict the cap and its residuals pile up
    there, so its errors and the label checks misread those rows.

    **Fix.** Features: keep the value and add an indicator column (the plan's
    ``censor-indicator`` step). Target: model the censoring (a Tobit or survival model),
    or drop the capped rows knowing the fit is then biased below the cap; do not impute
    them as missing.
    """

    code = "DQ010"
    name = "data-quality.censored-values"
    category = "data-quality"
    cause = 1
    severity = Severity.INFO
    applies_to = frozenset({"numeric"})

    def run(self, ctx: Context) -> Iterator[Finding]:
        ds = ctx.dataset
        names = [*ds.features, *([ds.target] if ds.target is not None else [])]
        for name in names:
            sem = ds.semantics.get(name)
            if sem is None or sem.censored is None:
                continue
            c = sem.censored
            where = "top" if c.side == "upper" else "bottom"
            sit = f"{plural(c.rows, 'row')} {'sits' if c.rows == 1 else 'sit'} at the {c.side} bound"
            if name == ds.target:
                if ds.task != "regression":
                    continue
                yield self.finding(
                    f"the target {name!r} is capped: {sit} {number(c.value, 6)} "
                    f"(a {where}-code); a regression learns the cap",
                    columns=[name],
                    evidence=c.to_dict(),
                    fix=Fix("model the censoring (Tobit, survival), or drop the capped rows (a biased fit)"),
                    severity=Severity.WARNING,
                )
                continue
            yield self.finding(
                f"{name!r} is capped: {sit} {number(c.value, 6)} (a {where}-code, "
                "a real value that means 'this or beyond')",
                columns=[name],
                evidence=c.to_dict(),
                fix=Fix(
                    f"keep {number(c.value, 6)} and add an indicator of the capped rows",
                    step="censor-indicator",
                    params={"value": c.value},
                ),
            )
