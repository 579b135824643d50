from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions, option
from preflight.checks.sn.common import numeric_role, numeric_view, within_unit_range
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import quote_list
from preflight.data.profile import ColumnProfile


class DiscreteColumns(Check):
    """Binary and ordinal numeric columns that must not be scaled like measurements.

    **What it does.** Finds integer-coded features with two values (binary: ``1``/``2``,
    ``0``/``5``) whose values lie outside [-1, 1], and features with a few integer
    levels (ordinal: counts, codes, years) whose values reach beyond ``max-abs``.
    Binary columns coded 0/1 or ±1 and small ordinal levels (ratings 1 to 5) are
    fine as they are and not reported, and so are columns already rescaled (no
    longer integers) and near-constant ones (DQ005). Either way SN001-SN004 leave
    these columns out, so the plan never standardizes them like measurements.

    **Why it is bad.** Standardizing a binary column turns 0/1 into two arbitrary
    numbers that depend on the class balance; an ordinal column of years (2007 to
    2009) fed raw is a huge, nearly constant input. Both should keep their levels
    evenly spaced in a small range.

    **Fix.** ``MinMaxScaler``: maps a binary column to exactly 0/1 and an ordinal
    one to evenly spaced levels in [0, 1]. One-hot encode an "ordinal" column whose
    levels have no order (codes, not ranks).

    **Severity.** A warning when the raw values are large (beyond ``max-abs``, the
    year case), info otherwise (a binary column coded 1/2). Not reported for
    ``--model-family tree``.

    **Options.** ``ordinal-max-levels`` (10): the most integer levels an ordinal
    column may have (more is continuous: SN001-SN004 judge it). ``max-abs`` (10.0):
    the magnitude beyond which an ordinal column is reported, and a warning.
    ``near-constant-share`` (0.995, DQ005's ``near-share``): skip columns whose most
    common level holds this share of rows.
    """

    code = "SN005"
    name = "scale.discrete-columns"
    category = "scale"
    cause = 2
    severity = Severity.INFO
    applies_to = frozenset({"numeric", "string", "categorical"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        ordinal_max_levels: int = 10
        max_abs: float = 10.0
        near_constant_share: float = option(0.995, share=True)

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        if ctx.config.model_family == "tree":
            return
        found: dict[str, list[ColumnProfile]] = {"binary": [], "ordinal": []}
        for raw in ctx.profile.features():
            col = numeric_view(ctx, raw)
            role = numeric_role(col, self.opts.ordinal_max_levels)
            if role is None or role not in found or within_unit_range(col) or not col.is_integral:
                continue  # already coded 0/1, or already rescaled (a z-scored binary)
            if int(col.value_counts.iloc[0]) >= self.opts.near_constant_share * col.n_present:
                continue  # one level in almost every row: DQ005's near-constant case
            # Small integer levels (ratings 1-5, sparse pixel counts 0-8) are fine as
            # they are; an ordinal column matters once its magnitude is large.
            if role == "ordinal" and _largest(col) <= self.opts.max_abs:
                continue
            found[role].append(col)
        for kind, cols in found.items():
            if not cols:
                continue
            names = [c.name for c in cols]
            levels = {c.name: _levels(c) for c in cols}
            largest = max(_largest(c) for c in cols)
            severity = Severity.WARNING if largest > self.opts.max_abs else Severity.INFO
            example = cols[0]
            shown = ", ".join(f"{v:g}" for v in levels[example.name][:5])
            what = "binary" if kind == "binary" else "ordinal (few integer levels)"
            yield self.finding(
                f"{quote_list(names, 4)} {'are' if len(names) > 1 else 'is'} {what}, e.g. "
                f"{example.name!r} takes {shown}{'…' if len(levels[example.name]) > 5 else ''}: "
                "scale to [0, 1], not like a measurement",
                columns=names,
                evidence={"role": kind, "levels": {n: levels[n][:20] for n in names}},
                fix=Fix(
                    "map the levels into [0, 1] (MinMaxScaler)"
                    + ("" if kind == "binary" else "; one-hot encode if the levels are unordered codes"),
                    step="scale",
                    transformer="sklearn.preprocessing.MinMaxScaler",
                ),
                severity=severity,
            )


def _largest(col: ColumnProfile) -> float:
    return max(abs(col.min or 0.0), abs(col.max or 0.0))


def _levels(col: ColumnProfile) -> list[float]:
    return sorted(float(v) for v in np.unique(col.finite))
