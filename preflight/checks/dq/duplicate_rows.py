from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Fix, Severity


class DuplicateRows(Check):
    """Rows that exactly repeat an earlier row.

    **What it does.** Hashes every row (all columns, the target included) and lists
    the positions of the repeats; the first occurrence is kept.

    **Why it is bad.** Duplicates weigh some examples twice, and when a dataset is
    split they land on both sides, so the test score overstates what the model
    learned.

    **Fix.** Drop the repeats (``preflight fix`` keeps them in a separate file).

    **Options.** ``warn-share`` (0.01): below this share of rows the finding is
    info; real tabular data with a few coarse features repeats rows honestly.
    """

    code = "DQ003"
    name = "data-quality.duplicate-rows"
    category = "data-quality"
    cause = 1
    severity = Severity.WARNING
    file_rows = True

    @dataclass(frozen=True)
    class Options(NoOptions):
        warn_share: float = option(0.01, share=True)

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        mask = ctx.artifacts.duplicate_mask
        count = int(mask.sum())
        if count == 0:
            return
        share = count / len(mask)
        yield self.finding(
            f"{count} rows ({share:.1%}) exactly repeat an earlier row",
            rows=np.flatnonzero(mask),
            evidence={"duplicates": count, "share": share},
            fix=Fix("drop the repeated rows", step="drop-rows", params={"duplicates": True}),
            severity=Severity.WARNING if share >= self.opts.warn_share else Severity.INFO,
        )
