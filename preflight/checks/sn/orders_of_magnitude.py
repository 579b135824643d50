from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions
from preflight.checks.sn.common import FAMILY_NAMES, SCALE_SENSITIVE, continuous_features, family_severity
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import quote_list
from preflight.data.profile import ColumnProfile
from preflight.data.profile.quantiles import counted_quantiles


class OrdersOfMagnitude(Check):
    """Non-negative features whose values span many orders of magnitude (incomes, counts, areas).

    **What it does.** For each continuous, non-negative numeric feature, takes the
    ratio of the 99th to the 1st percentile of its positive values and reports
    the columns where it covers at least ``decades`` powers of ten. Columns that
    lie within [0, 1] (fractions, min-max-scaled data) are left out.

    **Why it is bad.** On a linear scale the small values are indistinguishable
    from each other (1 and 100 are both "about 0" next to 100,000) and the largest
    values dominate every gradient; no scaler fixes that, since scaling keeps the
    ratios. On a log scale the same column is evenly spread.

    **Fix.** ``np.log1p`` (a ``FunctionTransformer``), then standardize; when a
    column's median is below 1 (where ``log1p(x)`` is about ``x``), a Yeo-Johnson
    ``PowerTransformer`` instead.

    **Model families.** Warning for ``nn``, ``linear``, ``knn``, ``svm``; info (no
    plan step) for ``tree``.

    **Options.** ``decades`` (3.0): powers of ten between the 1st and 99th
    percentiles of the positive values. None of wine, breast cancer (at most 2.4),
    iris, diabetes, digits or penguins reach it; planted lognormal(σ=2) and
    Pareto(1.5) columns span 4.0 and 3.2. ``min-rows`` (20): the positive values
    needed to judge. ``ordinal-max-levels`` (10): as in SN001.
    """

    code = "SN004"
    name = "scale.orders-of-magnitude"
    category = "scale"
    cause = 2
    severity = Severity.WARNING
    applies_to = frozenset({"numeric", "string", "categorical"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        decades: float = 3.0
        min_rows: int = 20
        ordinal_max_levels: int = 10

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        spans: dict[str, float] = {}
        ranges: dict[str, list[float]] = {}
        medians: dict[str, float] = {}
        for col in continuous_features(ctx, self.opts.ordinal_max_levels):
            if col.min is None or col.max is None or col.min < 0 or col.max <= 1:
                continue
            counted = col.counted_values
            if counted is not None:
                # A large discrete column: exact quantiles off its value counts.
                values, counts = counted
                up = values > 0
                if int(counts[up].sum()) < self.opts.min_rows:
                    continue
                lo, hi = counted_quantiles(values[up], counts[up], np.array([0.01, 0.99]))
                median = float(counted_quantiles(values, counts, np.array([0.5]))[0])
            else:
                # The profile's quantile sample: every finite value up to its exact
                # limit, a seeded sample of them above (docs/limits.md).
                sample = col.quantile_sample
                positive = sample[sample > 0]
                if not _enough_positive(col, positive.size, self.opts.min_rows):
                    continue
                lo, hi = np.quantile(positive, [0.01, 0.99])
                median = float(np.median(sample))
            decades = float(np.log10(hi / lo))
            if decades >= self.opts.decades:
                spans[col.name] = decades
                ranges[col.name] = [float(lo), float(hi)]
                medians[col.name] = median
        if not spans:
            return
        names = sorted(spans, key=lambda c: (-spans[c], c))
        top = names[0]
        severity = family_severity(ctx, SCALE_SENSITIVE, self.severity)
        family = ctx.config.model_family
        if severity is Severity.INFO:
            fix = Fix(f"no transform needed for {FAMILY_NAMES[family]}")
        elif all(medians[c] >= 1 for c in names):
            fix = Fix(
                "log-transform them (np.log1p), then standardize",
                step="transform",
                transformer="sklearn.preprocessing.FunctionTransformer",
                params={"func": "log1p"},
            )
        else:
            # log1p(x) ~ x below 1: small values need a fitted power instead.
            fix = Fix(
                "apply a Yeo-Johnson power transform (PowerTransformer), then standardize",
                step="transform",
                transformer="sklearn.preprocessing.PowerTransformer",
                params={"method": "yeo-johnson"},
            )
        lo, hi = ranges[top]
        yield self.finding(
            f"{quote_list(names, 4)} span{'' if len(names) > 1 else 's'} many orders of magnitude "
            f"({top!r}: {lo:.3g} to {hi:.3g}, {spans[top]:.1f} decades between the 1st and 99th percentiles)",
            columns=names,
            evidence={"decades": {c: spans[c] for c in names}, "p01_p99": {c: ranges[c] for c in names}},
            fix=fix,
            severity=severity,
        )


def _enough_positive(col: ColumnProfile, in_sample: int, min_rows: int) -> bool:
    """Whether the column has at least ``min_rows`` positive finite values.

    Exact below the profile's sampling limit. Above it, 1,000 positive draws in the
    sample settle it (a column with fewer than ``min_rows`` positive values among
    over 100,000 gives such a count with a vanishing probability); fewer are recounted
    over every value.
    """
    if not col.quantiles_sampled:
        return in_sample >= min_rows
    if in_sample >= 1000:
        return True
    return int(np.count_nonzero(col.finite > 0)) >= min_rows
