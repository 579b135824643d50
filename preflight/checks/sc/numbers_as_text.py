from __future__ import annotations

from collections.abc import Iterator

from preflight.checks.base import Check, Context
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import quote_list
from preflight.data.semantics.clean import marker_mask


class NumbersAsText(Check):
    """Numbers stored as text: ``"3,750"``, ``"$12.50"``, ``"45%"``, ``" 7"``, ``"0,3047"``.

    **What it does.** Reports a text column the semantics stage reads as numbers: every
    present cell that is not a missing-value marker is a number, possibly dressed with
    thousands separators, currency, percent signs or spaces, or written with a decimal
    comma (``"0,3047"``: a comma followed by other than three digits somewhere in the
    column). Every other check reads the parsed numbers.

    **Why it is bad.** Read as text, the column is one-hot encoded into as many
    columns as it has distinct values, or dropped; its numeric meaning is lost.

    **Fix.** Parse the column to numbers (strip separators and symbols; percent
    becomes a fraction; a decimal comma becomes a point) before training.
    """

    code = "SC002"
    name = "schema.numbers-as-text"
    category = "schema"
    cause = 1
    severity = Severity.WARNING
    applies_to = frozenset({"numeric"})

    def run(self, ctx: Context) -> Iterator[Finding]:
        raw = ctx.dataset.frame_as_read
        for name in ctx.dataset.features:
            sem = ctx.dataset.semantics.get(name)
            if sem is None or sem.parsed not in ("numbers-as-text", "decimal-comma"):
                continue
            column = raw[name]
            cells = column[column.notna().to_numpy() & ~marker_mask(column, sem.missing_markers)]
            examples = [str(v) for v in cells.drop_duplicates().head(3)]
            markers = [str(m) for m in sem.missing_markers if isinstance(m, str)]
            why = f" (text because of the null markers {quote_list(markers, 3)})" if markers else ""
            comma = " with a decimal comma" if sem.parsed == "decimal-comma" else ""
            yield self.finding(
                f"{name!r} holds numbers stored as text{comma}, e.g. {quote_list(examples, 3)}{why}",
                columns=[name],
                evidence={"examples": examples, "parsed": sem.parsed},
                fix=Fix(
                    "parse the column to numbers",
                    step="parse-numbers",
                    params={"decimal": ","} if sem.parsed == "decimal-comma" else {},
                ),
            )
