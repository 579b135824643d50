from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Fix, Severity
from preflight.data.text import as_text


class ConflictingLabels(Check):
    """Identical feature rows that carry different labels.

    **What it does.** Groups the rows whose feature values are all identical
    (missing values included; the target and id columns left out) and reports
    every group whose rows disagree on the label, largest group first, with the
    labels each group carries (most common first). No model is needed; the groups
    are the ones the fit-ceiling check (CP005) reads.

    **Why it is bad.** No model can fit both rows of a pair with the same
    features and different labels: either one label is wrong, or the features
    miss what decides the label. Each such group caps the training accuracy
    (``unavoidable_errors`` rows must be misclassified) and feeds the model a
    contradiction it can only memorise.

    **Fix.** Check the groups: fix the wrong label, or keep one row per group with
    its majority label, or add the feature that tells the rows apart.

    **Options.** ``warn-share`` (0.01): when at least this share of labelled rows
    must be misclassified by any model the finding is a warning, below it info
    (coarse categorical data repeats rows honestly). ``show`` (20): groups listed
    in the evidence.
    """

    code = "LB002"
    name = "labels.conflicting-labels"
    category = "labels"
    cause = 4
    severity = Severity.WARNING
    needs = frozenset({"target", "classification"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        warn_share: float = option(0.01, share=True)
        show: int = 20

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        groups = ctx.artifacts.conflict_groups
        if not groups:
            return
        y = ctx.dataset.y
        described: list[dict[str, Any]] = []
        unavoidable = 0
        for rows in groups:
            counts = as_text(y.iloc[rows]).value_counts(sort=True)
            unavoidable += int(len(rows) - counts.iloc[0])
            first = {str(v): v for v in y.iloc[rows].tolist()}
            described.append({"rows": rows.tolist(), "labels": [first[t] for t in counts.index]})
        # Largest groups first (ties: earliest row), as a reviewer would work through them.
        described.sort(key=lambda g: (-len(g["rows"]), g["rows"][0]))
        labelled = int((~y.isna()).sum())
        share = unavoidable / max(labelled, 1)
        all_rows = np.concatenate(groups)
        target = ctx.dataset.target
        assert target is not None
        n = len(groups)
        yield self.finding(
            f"{n} group{'s' if n != 1 else ''} of identical feature rows carry different labels "
            f"({all_rows.size} rows; at least {unavoidable} can never be fitted)",
            columns=[target],
            rows=all_rows,
            evidence={
                "groups": n,
                "rows_in_conflict": int(all_rows.size),
                "unavoidable_errors": unavoidable,
                "fit_ceiling": 1.0 - share,
                "largest_groups": described[: self.opts.show],
            },
            fix=Fix(
                "fix the wrong label in each group, or keep one row per group with its majority label",
                step="relabel",
                params={"rows": int(all_rows.size)},
            ),
            severity=Severity.WARNING if share >= self.opts.warn_share else Severity.INFO,
        )
