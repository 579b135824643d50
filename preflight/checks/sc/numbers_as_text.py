from __future__ import annotations

from collections.abc import Iterator

from preflight.checks.base import Check, Context
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import quote_list


class NumbersAsText(Check):
    """Numbers stored as text: ``"3,750"``, ``"$12.50"``, ``"45%"``, ``" 7"``.

    **What it does.** Flags a text column whose every non-missing cell is a number,
    possibly dressed with thousands separators, currency, percent signs or spaces.

    **Why it is bad.** Read as text, the column is one-hot encoded into as many
    columns as it has distinct values, or dropped; its numeric meaning is lost.

    **Fix.** Parse the column to numbers (strip separators and symbols; percent
    becomes a fraction) before training.
    """

    code = "SC002"
    name = "schema.numbers-as-text"
    category = "schema"
    cause = 1
    severity = Severity.WARNING
    applies_to = frozenset({"string", "categorical"})

    def run(self, ctx: Context) -> Iterator[Finding]:
        for col in ctx.profile.features():
            if col.kind not in ("string", "categorical"):
                continue
            counts = col.text_class_counts()
            numbers = counts.get("number", 0) + counts.get("formatted-number", 0)
            if numbers == 0 or counts.get("text", 0):
                continue
            classes = col.text_classes
            examples = list(classes.index[classes == "formatted-number"][:3]) or list(
                classes.index[classes == "number"][:3]
            )
            markers = list(classes.index[classes == "null-like"])
            why = f" (text because of the null markers {quote_list(markers, 3)})" if markers else ""
            yield self.finding(
                f"{col.name!r} holds numbers stored as text, e.g. {quote_list(examples, 3)}{why}",
                columns=[col.name],
                evidence={"examples": examples, "formatted": counts.get("formatted-number", 0)},
                fix=Fix("parse the column to numbers", step="parse-numbers"),
            )
