from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from preflight.checks.base import Check, Context, positions
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import percent, quote_list
from preflight.data.profile import ColumnProfile


class MixedTypes(Check):
    """A column holding values of different types: numbers mixed with text.

    **What it does.** Flags a column whose cells have different Python types
    (possible in JSON lines and DataFrames), and a text column that is mostly
    numbers but has some cells of plain text (``"12"``, ``"15"``, ``"twelve"``).
    Null markers are DQ004's business and do not count as text here.

    **Why it is bad.** The column cannot be fed to a model as numbers, and
    one-hot encoding it as text throws the numeric order away; the few text cells
    are usually entry errors.

    **Fix.** Correct the text cells, or convert the column to numbers with the
    text cells as missing (``pd.to_numeric(errors="coerce")``) and impute.

    **Options.** ``min-numeric-share`` (0.8): the share of numeric cells (of the
    non-missing ones) at which a text column counts as "numbers with text mixed in".
    """

    code = "SC001"
    name = "schema.mixed-types"
    category = "schema"
    cause = 1
    severity = Severity.WARNING
    applies_to = frozenset({"mixed", "string"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        min_numeric_share: float = option(0.8, share=True)

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        for col in ctx.profile.features():
            if col.kind == "mixed":
                yield self._python_types(col)
            elif col.kind == "string":
                finding = self._numbers_with_text(col)
                if finding is not None:
                    yield finding

    def _python_types(self, col: ColumnProfile) -> Finding:
        types = sorted(col.python_types)
        return self.finding(
            f"{col.name!r} mixes value types: {', '.join(types)}",
            columns=[col.name],
            evidence={"types": types},
            fix=Fix("convert the column to one type", step="parse-numbers" if "number" in types else None),
        )

    def _numbers_with_text(self, col: ColumnProfile) -> Finding | None:
        counts = col.text_class_counts()
        numeric = counts.get("number", 0) + counts.get("formatted-number", 0)
        text = counts.get("text", 0)
        if text == 0 or numeric == 0 or numeric / (numeric + text) < self.opts.min_numeric_share:
            return None
        classes = col.text_classes
        text_values = list(classes.index[classes == "text"])
        mask = col.series.isin(text_values).to_numpy(dtype=bool, na_value=False)
        return self.finding(
            f"{col.name!r} is {percent(numeric / (numeric + text), 0)} numbers but {text} cells are text "
            f"({quote_list(text_values, 3)})",
            columns=[col.name],
            rows=positions(mask),
            evidence={"numeric_cells": numeric, "text_cells": text, "text_values": text_values[:20]},
            fix=Fix(
                "correct the text cells, or convert to numbers with them as missing",
                step="parse-numbers",
                params={"errors": "coerce"},
            ),
        )
