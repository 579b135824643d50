from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from preflight.analysis.chance import expected_repeats
from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import number, percent, plural


class DuplicateRows(Check):
    """Rows that exactly repeat an earlier row.

    **What it does.** Hashes every row (all columns, the target included) and lists
    the positions of the repeats; the first occurrence is kept.

    **Why it is bad.** Duplicates weigh some examples twice, and when a dataset is
    split they land on both sides, so the test score overstates what the model
    learned.

    Real tables of a few coarse columns repeat rows honestly (two survey answers
    alike in every field). The finding compares the repeats with the number chance
    alone gives (``preflight.analysis.chance``: the pairs of rows that agree on every
    column were the columns independent, from each column's value frequencies) and
    judges the *excess* over it: a re-sent file or an appended copy.

    **Fix.** Drop the repeats (``preflight fix --drop-duplicates`` keeps them in a
    separate file) when they are copies; keep repeats chance explains.

    **Options.** ``warn-share`` (0.01): below this share of rows, repeats in excess of
    chance are info.
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
        n = len(mask)
        share = count / n
        chance = expected_repeats(ctx.profile, list(ctx.dataset.frame.columns), n)
        excess = max(count - chance, 0.0)
        if chance >= 0.5:
            expected = f"; chance alone gives about {number(round(chance))} in columns this coarse"
            what = (
                "copies beyond that"
                if excess / n >= self.opts.warn_share
                else "no more than coarse data repeat"
            )
            expected += f" ({what})"
        else:
            expected = ""
        yield self.finding(
            f"{plural(count, 'row')} ({percent(share)}) exactly {'repeats' if count == 1 else 'repeat'} "
            f"an earlier row{expected}",
            rows=np.flatnonzero(mask),
            evidence={"duplicates": count, "share": share, "expected_by_chance": chance, "excess": excess},
            fix=Fix("drop the repeated rows", step="drop-rows", params={"duplicates": True}),
            severity=Severity.WARNING if excess / n >= self.opts.warn_share else Severity.INFO,
        )
