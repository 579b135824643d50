from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from preflight.check import Check, Context, quote_list
from preflight.checks.sp._common import file_evidence
from preflight.findings import Finding, Fix, Severity
from preflight.split import aligned, heldout_files


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

    **Options.** ``max-categories`` (50): only columns with at most this many distinct
    training values are treated as categorical. ``warn-share`` (0.01): at or above
    this share of held-out rows the finding is a warning, below it info (a rare
    category lands only in the test file by chance in honest splits too).
    """

    code = "SP003"
    name = "split.unseen-categories"
    category = "split"
    cause = None
    severity = Severity.WARNING
    needs = frozenset({"test"})
    options: ClassVar[Mapping[str, Any]] = {"max_categories": 50, "warn_share": 0.01}

    def run(self, ctx: Context) -> Iterator[Finding]:
        for heldout in heldout_files(ctx):
            al = aligned(ctx, heldout)
            for column in al.columns:
                col = ctx.profile[column]
                if al.numeric(column) or col.kind not in ("string", "categorical", "boolean", "mixed"):
                    continue
                train = pd.Series(al.train[column], dtype=object).dropna()
                known = pd.unique(train)
                if len(known) == 0 or len(known) > self.opts["max_categories"]:
                    continue
                other = pd.Series(al.other[column], dtype=object)
                unseen = other.notna().to_numpy() & ~other.isin(known).to_numpy()
                count = int(unseen.sum())
                if count == 0:
                    continue
                n = heldout.dataset.n_rows
                share = count / n
                values = other[unseen].value_counts()
                yield self.finding(
                    f"{column!r}: {count} {heldout.role} rows ({share:.1%}) hold categories never seen in "
                    f"train: {quote_list(str(v) for v in values.index)}",
                    columns=[column],
                    rows=np.flatnonzero(unseen),
                    evidence=file_evidence(
                        heldout,
                        unseen=count,
                        share=share,
                        values={str(k): int(v) for k, v in values.head(20).items()},
                        train_categories=len(known),
                    ),
                    fix=Fix(
                        "map the new values to known categories, or encode with an unknown bucket "
                        "(OneHotEncoder(handle_unknown='ignore'))"
                    ),
                    severity=Severity.WARNING if share >= self.opts["warn_share"] else Severity.INFO,
                )
