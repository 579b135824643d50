from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from preflight.checks.base import Check, Context
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import quote_list


class DatesAsNumbers(Check):
    """Date features a model cannot read as they are.

    **What it does.** Lists the feature columns that hold dates or times: the file's
    own timestamps and dates stored as text, which the semantics stage parses with one
    format per column (the CLI and the API alike).

    **Why it matters.** A network needs numbers; a date column left as text is one-hot
    encoded into a column per day, and a date column silently dropped loses the trend
    and the season it carries (snow in January, sales before Christmas).

    **Fix.** Turn each date into numbers: days since 1970 (the trend) and the month (the
    season), standardized with the other features. The plan does this in
    ``clean_cells`` (step ``date-features``); drop the column instead if the date only
    says when the row was collected (then SP006 may also say the split follows it).
    """

    code = "SN009"
    name = "scale.dates-as-numbers"
    category = "scale"
    cause = 2
    severity = Severity.INFO
    applies_to = frozenset({"datetime"})

    def run(self, ctx: Context) -> Iterator[Finding]:
        by_format: dict[tuple[str | None, bool], list[str]] = {}
        for col in ctx.profile.features():
            if col.kind == "datetime" and col.n_present:
                sem = ctx.dataset.semantics.get(col.name)
                # Years written as dates (every one in January) have no season to give.
                months = pd.to_datetime(col.series, errors="coerce", utc=True).dt.month.dropna()
                by_format.setdefault((sem.date_format if sem else None, months.nunique() > 1), []).append(
                    col.name
                )
        for (fmt, month), names in by_format.items():
            shown = quote_list(names, 4)
            yield self.finding(
                f"{shown} {'are dates' if len(names) > 1 else 'is a date'}: a model needs "
                f"numbers (days since 1970{' and the month' if month else ''})",
                columns=names,
                evidence={"format": fmt, "month": month},
                fix=Fix(
                    f"turn each date into days since 1970{' and the month' if month else ''}, "
                    "then standardize",
                    step="date-features",
                    params={"format": fmt} if month else {"format": fmt, "month": False},
                ),
            )
