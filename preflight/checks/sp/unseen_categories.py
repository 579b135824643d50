from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions, option
from preflight.checks.sp._common import file_evidence, rows_of
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import percent, quote_list


class UnseenCategories(Check):
    """Categories in the test file that the training file never contains.

    **What it does.** For every categorical feature (text, categorical or boolean
    columns with at most ``max-categories`` distinct training values; free text and
    identifiers are left out), lists the test rows (and ``--valid`` rows) whose value
    never occurs in training, after normalising types. ``rows`` are positions in the
    held-out file named by evidence ``rows_refer_to``.

    **Why it is bad.** An encoder fitted on the training file either fails on an
    unseen category or maps it to all zeros, so the model scores those rows on
    something it never learned; a category that only exists after the split point
    usually means the files come from different sources or times.

    **Fix.** Map the new values to known categories (a spelling variant?), give the
    encoder an explicit unknown bucket (``OneHotEncoder(handle_unknown="ignore")``),
    or re-split so every category is seen in training.

    A rare category lands only in the test file by chance in honest splits too, so
    the finding is a warning only when the unseen rows exceed what an honest random
    split gives: the Good-Turing estimate of the chance that a new value is one not
    seen yet (training values that occur once / present training values) times the
    present held-out values is the expected count; the finding is a warning when the
    count exceeds ``honest-ratio`` times that plus ``noise-z`` Poisson standard
    deviations and is at least ``warn-share`` of the held-out rows, else info
    (evidence ``expected_by_chance``).

    **Options.** ``max-categories`` (50): only columns with at most this many distinct
    training values are treated as categorical. ``warn-share`` (0.01),
    ``honest-ratio`` (2.0), ``noise-z`` (4.0): the warning rule above.
    """

    code = "SP003"
    name = "split.unseen-categories"
    category = "split"
    cause = None
    severity = Severity.WARNING
    needs = frozenset({"test"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        max_categories: int = 50
        warn_share: float = option(0.01, share=True)
        honest_ratio: float = 2.0
        noise_z: float = 4.0

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        for heldout in ctx.artifacts.heldout_files():
            al = ctx.artifacts.aligned(heldout)
            for column in al.columns:
                col = ctx.profile[column]
                if al.numeric(column) or col.kind not in ("string", "categorical", "boolean", "mixed"):
                    continue
                train = pd.Series(al.train[column], dtype=object).dropna()
                train_counts = train.value_counts()
                known = train_counts.index.to_numpy()
                if len(known) == 0 or len(known) > self.opts.max_categories:
                    continue
                other = pd.Series(al.other[column], dtype=object)
                unseen = other.notna().to_numpy() & ~other.isin(known).to_numpy()
                count = int(unseen.sum())
                if count == 0:
                    continue
                n = heldout.dataset.n_rows
                share = count / n
                values = other[unseen].value_counts()
                # Good-Turing: the share of draws that bring a value not seen before.
                missing_mass = float((train_counts == 1).sum()) / len(train)
                expected = missing_mass * int(other.notna().sum())
                bound = self.opts.honest_ratio * expected + self.opts.noise_z * np.sqrt(expected)
                warn = share >= self.opts.warn_share and count > bound
                yield self.finding(
                    f"{column!r}: {rows_of(count, heldout.role)} ({percent(share)}) with categories never "
                    f"seen in "
                    f"train: {quote_list(str(v) for v in values.index)}",
                    columns=[column],
                    rows=np.flatnonzero(unseen),
                    evidence=file_evidence(
                        heldout,
                        unseen=count,
                        share=share,
                        values={str(k): int(v) for k, v in values.head(20).items()},
                        train_categories=len(known),
                        expected_by_chance=expected,
                    ),
                    fix=Fix(
                        "map the new values to known categories, or encode with an unknown bucket "
                        "(OneHotEncoder(handle_unknown='ignore'))"
                    ),
                    severity=Severity.WARNING if warn else Severity.INFO,
                )
