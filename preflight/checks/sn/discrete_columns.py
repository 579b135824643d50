from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from preflight.check import Check, Context, quote_list
from preflight.checks.sn.common import numeric_role, numeric_view, within_unit_range
from preflight.findings import Finding, Fix, Severity
from preflight.profile import ColumnProfile


class DiscreteColumns(Check):
    """Binary and ordinal numeric columns that must not be scaled like measurements.

    **What it does.** Finds numeric features with two values (binary: ``1``/``2``,
    ``0``/``5``) or a few integer levels (ordinal: ratings, counts, years) whose
    values lie outside [-1, 1]. Binary columns already coded 0/1 or ±1 and ordinal
    columns already scaled into [-1, 1] are fine and not reported.

    **Why it is bad.** Standardizing a binary column turns 0/1 into two arbitrary
    numbers that depend on the class balance; an ordinal column of years (2007 to
    2009) fed raw is a huge, nearly constant input. Both should keep their levels
    evenly spaced in a small range.

    **Fix.** ``MinMaxScaler``: maps a binary column to exactly 0/1 and an ordinal
    one to evenly spaced levels in [0, 1]. One-hot encode an "ordinal" column whose
    levels have no order (codes, not ranks).

    **Severity.** A warning when the raw values are large (beyond ``max-abs``, the
    year case), info otherwise. Not reported for ``--model-family tree``.

    **Options.** ``ordinal-max-levels`` (10): the most integer levels an ordinal
    column may have (more is continuous: SN001-SN004 judge it). ``max-abs`` (10.0).
    """

    code = "SN005"
    name = "scale.discrete-columns"
    category = "scale"
    cause = 2
    severity = Severity.INFO
    options = {"ordinal_max_levels": 10, "max_abs": 10.0}

    def run(self, ctx: Context) -> Iterator[Finding]:
        if ctx.config.model_family == "tree":
            return
        found: dict[str, list[ColumnProfile]] = {"binary": [], "ordinal": []}
        for raw in ctx.profile.features():
            col = numeric_view(ctx, raw)
            role = numeric_role(col, self.opts["ordinal_max_levels"])
            if role in found and not within_unit_range(col):
                found[role].append(col)  # type: ignore[index]
        for role, cols in found.items():
            if not cols:
                continue
            names = [c.name for c in cols]
            levels = {c.name: _levels(c) for c in cols}
            largest = max(max(abs(c.min or 0.0), abs(c.max or 0.0)) for c in cols)
            severity = Severity.WARNING if largest > self.opts["max_abs"] else Severity.INFO
            example = cols[0]
            shown = ", ".join(f"{v:g}" for v in levels[example.name][:5])
            what = "binary" if role == "binary" else "ordinal (few integer levels)"
            yield self.finding(
                f"{quote_list(names, 4)} {'are' if len(names) > 1 else 'is'} {what}, e.g. "
                f"{example.name!r} takes {shown}{'…' if len(levels[example.name]) > 5 else ''}: "
                "scale to [0, 1], not like a measurement",
                columns=names,
                evidence={"role": role, "levels": {n: levels[n][:20] for n in names}},
                fix=Fix(
                    "map the levels into [0, 1] (MinMaxScaler)"
                    + ("" if role == "binary" else "; one-hot encode if the levels are unordered codes"),
                    step="scale",
                    transformer="sklearn.preprocessing.MinMaxScaler",
                ),
                severity=severity,
            )


def _levels(col: ColumnProfile) -> list[float]:
    return sorted(float(v) for v in np.unique(col.finite))
