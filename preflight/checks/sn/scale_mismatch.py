from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions
from preflight.checks.sn.common import (
    FAMILY_NAMES,
    SCALE_SENSITIVE,
    continuous_features,
    family_severity,
    fmt_number,
    robust_spread,
)
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import number, quote_list


class ScaleMismatch(Check):
    """Features whose scales differ by orders of magnitude (one feature swamps the rest).

    **What it does.** Measures every continuous numeric feature's robust spread, the
    width of its central 90% of values (the central 98% for sparse columns whose
    90% range is a single value), and compares the widest with the narrowest. It
    names the dominating columns (those above the geometric middle of the two
    extremes) and the ratio. Binary and ordinal columns (SN005) and near-constant
    ones (DQ005) are left out.

    **Why it is bad.** A network's first layer starts with weights of one size, so
    a feature measured in thousands (``proline``) moves every pre-activation and
    gradient a thousand times more than one measured in tenths (``hue``): the
    large feature swamps the rest, a learning rate small enough for it starves the
    others, and one large enough for the others makes the steps explode (the NaN
    loss). Distance-based models (k-NN, RBF SVMs) see almost only the wide feature.

    **Fix.** Standardize the continuous features (``StandardScaler``; ``RobustScaler``
    when there are outliers) inside the training pipeline, fitted on training data only.

    **Model families.** A warning for ``nn``, ``linear``, ``knn`` and ``svm``; info
    for ``tree`` (splits do not care about scale), with no plan step.

    **Options.** ``ratio`` (50.0): the widest/narrowest spread ratio at which the
    finding fires. Measured on clean data: standardized, min-max and robust-scaled
    versions of scikit-learn's wine, breast cancer, iris, diabetes, digits,
    linnerud and the penguins data peak at 16 (digits' sparse pixels); raw data in
    mixed units reach 69 (diabetes), 410 (penguins), 2,300 (wine) and 260,000
    (breast cancer). ``ordinal-max-levels`` (10): integer columns with at most this
    many levels count as ordinal, not continuous.
    """

    code = "SN001"
    name = "scale.scale-mismatch"
    category = "scale"
    cause = 2
    severity = Severity.WARNING
    applies_to = frozenset({"numeric", "string", "categorical"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        ratio: float = 50.0
        ordinal_max_levels: int = 10

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        spreads: dict[str, float] = {}
        for col in continuous_features(ctx, self.opts.ordinal_max_levels):
            spread = robust_spread(col)
            if spread is not None:
                spreads[col.name] = spread.width
        if len(spreads) < 2:
            return
        ranked = sorted(spreads, key=lambda c: (-spreads[c], c))
        widest, narrowest = ranked[0], ranked[-1]
        ratio = spreads[widest] / spreads[narrowest]
        if ratio < self.opts.ratio:
            return
        middle = (spreads[widest] * spreads[narrowest]) ** 0.5
        dominant = [c for c in ranked if spreads[c] >= middle]
        dwarfed = [c for c in reversed(ranked) if spreads[c] < middle]
        severity = family_severity(ctx, SCALE_SENSITIVE, self.severity)
        family = ctx.config.model_family
        if severity is Severity.INFO:
            fix = Fix(f"no scaling needed for {FAMILY_NAMES[family]}; standardize if you switch model")
        else:
            fix = Fix(
                f"standardize the {len(spreads)} continuous features (StandardScaler) in the pipeline",
                step="scale",
                transformer="sklearn.preprocessing.StandardScaler",
            )
        yield self.finding(
            f"feature scales differ {number(round(ratio, 0))}-fold "
            f"({widest!r} spans {fmt_number(spreads[widest])}, "
            f"{narrowest!r} {fmt_number(spreads[narrowest])}): {quote_list(dominant, 4)} "
            f"dominate{'s' if len(dominant) == 1 else ''} {quote_list(dwarfed, 3)}",
            columns=ranked,
            evidence={
                "ratio": ratio,
                "dominant": dominant,
                "widest": widest,
                "narrowest": narrowest,
                "spreads": {c: spreads[c] for c in ranked},
                "spread": "central 90% range (98% for sparse columns)",
                "model_family": family,
            },
            fix=fix,
            severity=severity,
        )
