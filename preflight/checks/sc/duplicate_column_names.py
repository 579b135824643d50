from __future__ import annotations

from collections.abc import Iterator

from preflight.checks.base import Check, Context
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import quote_list


class DuplicateColumnNames(Check):
    """Two or more columns with the same name.

    **What it does.** Reports the header names that occur more than once. preflight
    reads them as ``name``, ``name.1``, ... so that every column is still checked.

    **Why it is bad.** Most tools silently keep one of the columns, or select both
    when one is asked for; which values are trained on depends on the reader.

    **Fix.** Rename the columns at the source.
    """

    code = "SC004"
    name = "schema.duplicate-column-names"
    category = "schema"
    cause = 1
    severity = Severity.WARNING

    def run(self, ctx: Context) -> Iterator[Finding]:
        renamed = ctx.dataset.renamed_columns
        for original in sorted(set(renamed.values())):
            copies = [original, *sorted(k for k, v in renamed.items() if v == original)]
            yield self.finding(
                f"the column name {original!r} occurs {len(copies)} times (read as {quote_list(copies)})",
                columns=copies,
                evidence={"name": original, "count": len(copies)},
                fix=Fix("give every column a unique name at the source"),
            )
