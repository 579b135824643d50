from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions
from preflight.checks.sn.common import (
    CENTRE_SENSITIVE,
    FAMILY_NAMES,
    continuous_features,
    family_severity,
    fmt_number,
    robust_spread,
    within_unit_range,
)
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import number, quote_list


class Uncentred(Check):
    """Features that sit far from zero compared with their spread (not centred).

    **What it does.** For each continuous numeric feature, divides the distance of
    its median from zero by its robust standard deviation (the central 90% range
    / 3.29). A feature whose every value lies in [-1, 1] is already normalized and
    never flagged, whatever its centre.

    **Why it is bad.** A feature of 2,008 ± 1 feeds the network an almost constant
    large input: every unit's pre-activation is shifted by the same big amount,
    gradients on the weights of all inputs point the same way (they share the
    sign of the inputs), and gradient descent zig-zags instead of converging. The
    article asks for features centred on 0.

    **Fix.** Centre and scale the features (``StandardScaler``).

    **Model families.** A warning for ``nn``, ``linear`` and ``svm``; info for
    ``knn`` (distances ignore a shift) and ``tree``, with no plan step.

    **Options.** ``max-centre`` (3.0): distance of the median from zero, in robust
    standard deviations, at which a feature is flagged. Measured: standardized
    versions of the scikit-learn datasets and penguins stay below 1.6; raw wine
    reaches 17, penguins 15, diabetes 9. ``ordinal-max-levels`` (10): as in SN001.
    """

    code = "SN002"
    name = "scale.uncentred"
    category = "scale"
    cause = 2
    severity = Severity.WARNING
    applies_to = frozenset({"numeric", "string", "categorical"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        max_centre: float = 3.0
        ordinal_max_levels: int = 10

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        offsets: dict[str, float] = {}
        medians: dict[str, float] = {}
        for col in continuous_features(ctx, self.opts.ordinal_max_levels):
            spread = robust_spread(col)
            if spread is None or within_unit_range(col):
                continue
            offset = abs(spread.centre) / spread.sigma
            if offset >= self.opts.max_centre:
                offsets[col.name] = offset
                medians[col.name] = spread.centre
        if not offsets:
            return
        ranked = sorted(offsets, key=lambda c: (-offsets[c], c))
        top = ranked[0]
        severity = family_severity(ctx, CENTRE_SENSITIVE, self.severity)
        family = ctx.config.model_family
        if severity is Severity.INFO:
            fix = Fix(f"no centring needed for {FAMILY_NAMES[family]}")
        else:
            fix = Fix(
                "centre and scale them (StandardScaler)",
                step="scale",
                transformer="sklearn.preprocessing.StandardScaler",
            )
        plural = "s sit" if len(ranked) > 1 else " sits"
        yield self.finding(
            f"{len(ranked)} feature{plural} far from zero: {quote_list(ranked, 4)} "
            f"({top!r}: median {fmt_number(medians[top])}, "
            f"{number(round(offsets[top], 0))} standard deviations from 0)",
            columns=ranked,
            evidence={
                "offsets": {c: offsets[c] for c in ranked},
                "medians": {c: medians[c] for c in ranked},
                "model_family": family,
            },
            fix=fix,
            severity=severity,
        )
