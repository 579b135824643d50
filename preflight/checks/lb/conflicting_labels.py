from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from preflight.check import Check, Context
from preflight.findings import Finding, Fix, Severity


class ConflictingLabels(Check):
    """Identical feature rows that carry different labels.

    **What it does.** Groups the rows whose feature values are all identical
    (missing values included; the target and id columns left out) and reports
    every group whose rows disagree on the label, largest group first, with the
    labels each group carries. No model is needed.

    **Why it is bad.** No model can fit both rows of a pair with the same
    features and different labels: either one label is wrong, or the features
    miss what decides the label. Each such group caps the training accuracy
    (``unavoidable_errors`` rows must be misclassified) and feeds the model a
    contradiction it can only memorise.

    **Fix.** Check the groups: fix the wrong label, or keep one row per group with
    its majority label, or add the feature that tells the rows apart.

    **Options.** ``warn-share`` (0.01): when at least this share of rows must be
    misclassified by any model the finding is a warning, below it info (coarse
    categorical data repeats rows honestly). ``show`` (20): groups listed in the
    evidence.
    """

    code = "LB002"
    name = "labels.conflicting-labels"
    category = "labels"
    cause = 4
    severity = Severity.WARNING
    needs = frozenset({"target", "classification"})
    options = {"warn_share": 0.01, "show": 20}

    def run(self, ctx: Context) -> Iterator[Finding]:
        from preflight.labels import label_conflicts

        conflicts = label_conflicts(ctx)
        if not conflicts.groups:
            return
        share = conflicts.unavoidable_errors / max(conflicts.rows_considered, 1)
        rows = np.concatenate(conflicts.groups)
        groups = [
            {"rows": g.tolist(), "labels": list(labels)}
            for g, labels in zip(conflicts.groups[: self.opts["show"]], conflicts.labels, strict=False)
        ]
        target = ctx.dataset.target
        assert target is not None
        n = len(conflicts.groups)
        yield self.finding(
            f"{n} group{'s' if n != 1 else ''} of identical feature rows carry different labels "
            f"({rows.size} rows; at least {conflicts.unavoidable_errors} can never be fitted)",
            columns=[target],
            rows=rows,
            evidence={
                "groups": n,
                "rows_in_conflict": int(rows.size),
                "unavoidable_errors": conflicts.unavoidable_errors,
                "fit_ceiling": conflicts.fit_ceiling,
                "largest_groups": groups,
            },
            fix=Fix(
                "fix the wrong label in each group, or keep one row per group with its majority label",
                step="relabel",
                params={"rows": int(rows.size)},
            ),
            severity=Severity.WARNING if share >= self.opts["warn_share"] else Severity.INFO,
        )
