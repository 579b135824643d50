from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from preflight.analysis.chance import chance_matches, pattern_matches
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

    Coarse features repeat rows honestly: two third-class men of 25 can share every
    feature and still differ in outcome — a hard outcome, not a wrong label. A group is
    *by chance* when at least ``chance-matches`` other rows would be expected to share
    its values: were the features independent (``preflight.analysis.chance``: the
    product of each value's share), or as rows of this table share theirs on average
    (its coarseness, the same however the features are encoded). Only groups chance
    does not explain (a price to the cent, a continuous measurement, many features)
    count toward a warning; the others are listed, as info, with CP005's fit ceiling.

    **Fix.** Check the groups: fix the wrong label, or keep one row per group with
    its majority label, or add the feature that tells the rows apart.

    **Options.** ``warn-share`` (0.01): when at least this share of labelled rows,
    in groups chance does not explain, must be misclassified by any model the finding
    is a warning, below it info. ``chance-matches`` (1.0): expected chance matches at
    which a group is coarse rather than conflicting (on the corpus: titanic's 96 groups
    of sex, age and class expect a median of 4 matches; OJ's 13 groups of 17 features,
    0.0). ``show`` (20): groups listed in the evidence.
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
        chance_matches: float = 1.0
        show: int = 20

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        groups = ctx.artifacts.conflict_groups
        if not groups:
            return
        y = ctx.dataset.y
        features = list(ctx.dataset.features)
        labelled = int((~y.isna()).sum())
        described: list[dict[str, Any]] = []
        unavoidable = 0
        unexplained = 0
        coarseness = pattern_matches(ctx.dataset.frame.loc[~y.isna(), features])
        for rows in groups:
            counts = as_text(y.iloc[rows]).value_counts(sort=True)
            errors = int(len(rows) - counts.iloc[0])
            unavoidable += errors
            expected = max(
                coarseness,
                chance_matches(ctx.profile, features, ctx.dataset.frame.iloc[int(rows[0])], labelled),
            )
            by_chance = expected >= float(self.opts.chance_matches)
            unexplained += 0 if by_chance else errors
            first = {str(v): v for v in y.iloc[rows].tolist()}
            described.append(
                {
                    "rows": rows.tolist(),
                    "labels": [first[t] for t in counts.index],
                    "chance_matches": expected,
                    "by_chance": by_chance,
                }
            )
        # Largest groups first (ties: earliest row), as a reviewer would work through them.
        described.sort(key=lambda g: (-len(g["rows"]), g["rows"][0]))
        share = unavoidable / max(labelled, 1)
        all_rows = np.concatenate(groups)
        target = ctx.dataset.target
        assert target is not None
        n = len(groups)
        chance = sum(1 for g in described if g["by_chance"])
        if chance == n:
            why = "; coarse features repeat by chance: a hard outcome (see CP005) more than wrong labels"
        elif chance:
            why = f"; {chance} of the groups are coarse enough to repeat by chance"
        else:
            why = ""
        yield self.finding(
            f"{n} group{'s' if n != 1 else ''} of identical feature rows carry different labels "
            f"({all_rows.size} rows; at least {unavoidable} can never be fitted){why}",
            columns=[target],
            rows=all_rows,
            evidence={
                "groups": n,
                "rows_in_conflict": int(all_rows.size),
                "unavoidable_errors": unavoidable,
                "unexplained_by_chance": unexplained,
                "groups_by_chance": chance,
                "fit_ceiling": 1.0 - share,
                "largest_groups": described[: self.opts.show],
            },
            fix=Fix(
                "fix the wrong label in each group, or keep one row per group with its majority label",
                step="relabel",
                params={"rows": int(all_rows.size)},
            ),
            severity=Severity.WARNING
            if unexplained / max(labelled, 1) >= self.opts.warn_share
            else Severity.INFO,
        )
