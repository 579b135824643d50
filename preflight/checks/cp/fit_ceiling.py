from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Fix, Severity
from preflight.data.text import as_text


class FitCeiling(Check):
    """Identical feature rows with different labels cap the training score.

    **What it does.** Groups the rows whose features are identical (id columns and
    the target left out) and whose labels disagree, and computes the best training
    score *any* model can reach: in each group a model must give every row the
    same prediction, so at best it predicts the group's most common class
    (classification: the ceiling is the share of rows that can be right) or the
    group's mean (regression: the ceiling is 1 - within-group sum of squares /
    total sum of squares, an R²).

    **Why it is bad.** The training loss cannot fall below what these rows force:
    a network that plateaus at the ceiling is not underfitting, and tuning it
    further is wasted. A low ceiling means the features do not determine the
    label: labels set wrongly (cause 4), or features missing.

    **Thresholds and why.** Info whenever the ceiling is below 1; a warning below
    ``warn-ceiling`` (0.95): past 5% of unattainable rows, a user chasing a
    higher training accuracy is chasing something that does not exist. The
    conflicting rows themselves, with the likely right label, are LB's business.

    **Fix.** Review the conflicting rows and correct their labels; or add the
    feature that tells them apart; or keep one row per group with its majority
    label.

    **Options.** ``warn-ceiling`` (0.95).
    """

    code = "CP005"
    name = "capacity.fit-ceiling"
    category = "capacity"
    cause = 3
    severity = Severity.WARNING
    needs = frozenset({"target"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        warn_ceiling: float = option(0.95, share=True)

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        assert ctx.dataset.target is not None
        groups = ctx.artifacts.conflict_groups
        if not groups:
            return
        target = ctx.dataset.target
        y = ctx.dataset.y
        labelled = int(y.notna().sum())
        rows = np.concatenate(groups)
        if ctx.dataset.task == "regression":
            values = y.to_numpy(dtype=float, na_value=np.nan)
            finite = values[np.isfinite(values)]
            total = float(((finite - finite.mean()) ** 2).sum())
            sizes = np.array([len(g) for g in groups])
            in_groups = pd.Series(values[rows])
            means = in_groups.groupby(np.repeat(np.arange(len(groups)), sizes)).transform("mean")
            within = float(((in_groups - means) ** 2).sum())
            if total == 0 or not np.isfinite(within):
                return
            ceiling = 1.0 - within / total
            metric = "R²"
            unfit: int | None = None
        else:
            # Per group, every row but those of its most common label is unattainable.
            sizes = np.array([len(g) for g in groups])
            pairs = pd.DataFrame(
                {
                    "group": np.repeat(np.arange(len(groups)), sizes),
                    "label": as_text(y.iloc[rows]).to_numpy(),
                }
            )
            top = pairs.groupby(["group", "label"]).size().groupby(level="group").max()
            unfit = int(sizes.sum() - top.sum())
            ceiling = 1.0 - unfit / labelled
            metric = "accuracy"
        severity = Severity.WARNING if ceiling < self.opts.warn_ceiling else Severity.INFO
        yield self.finding(
            f"{len(groups)} groups of identical feature rows ({len(rows)} rows) carry different labels:"
            f" no model can exceed a training {metric} of {ceiling:.3f}",
            columns=[target],
            rows=rows,
            evidence={
                "ceiling": ceiling,
                "metric": metric,
                "groups": len(groups),
                "rows_in_conflict": len(rows),
                **({"unfittable_rows": unfit} if unfit is not None else {}),
                "largest_groups": [g.tolist()[:20] for g in sorted(groups, key=len, reverse=True)[:5]],
            },
            fix=Fix(
                "review the conflicting rows and fix their labels, or add the feature that tells them apart"
            ),
            severity=severity,
        )
