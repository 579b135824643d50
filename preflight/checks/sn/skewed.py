from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions, option
from preflight.checks.sn.common import FAMILY_NAMES, SCALE_SENSITIVE, continuous_features, family_severity
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import quote_list
from preflight.data.profile import ColumnProfile

# The three remedies, by the shape and sign of the column.
_LOG = "log1p"
_YEO = "yeo-johnson"
_QUANTILE = "quantile"


class Skewed(Check):
    """Features with a heavy skew or long tails (suggests log1p, Yeo-Johnson or a quantile transform).

    **What it does.** For each continuous numeric feature with enough rows, flags
    a *heavy skew* when both the moment skewness and the quantile skewness
    ``(q95 + q05 - 2·median) / (q95 - q05)`` are large with the same sign: the
    second, robust measure keeps a single outlier (OL's business) from counting as
    a skewed distribution. It flags *long tails* on both sides when the central
    98% range is many times the interquartile range. Columns where one value
    holds most rows (sparse, zero-inflated: digits' pixels) are left out, since
    no transform can spread a spike.

    **Why it is bad.** After standardization a skewed feature still has most rows
    squeezed into a narrow band and a few rows many standard deviations out: the
    network sees almost no variation in the bulk, and the tail rows produce the
    large gradients that make training unstable.

    **Fix.** Right-skewed, non-negative, median at least 1: ``log1p`` (a
    ``FunctionTransformer``). Otherwise (signed, left-skewed, or small values, where
    ``log1p(x)`` is about ``x``): ``PowerTransformer(method="yeo-johnson")``. Long
    symmetric tails: ``QuantileTransformer(output_distribution="normal")``. The plan
    standardizes a transformed column afterwards.

    **Model families.** Warning for ``nn``, ``linear``, ``knn``, ``svm``; info (no
    plan step) for ``tree``.

    **Options.** ``skew`` (2.0) and ``quantile-skew`` (0.25): both must be reached.
    ``tail-ratio`` (10.0): (q99 - q01) / IQR for long tails (a normal column has
    3.4, Laplace 5.6, Cauchy 32). ``max-mode-share`` (0.5): skip columns whose most
    common value holds more rows. ``min-rows`` (50): skip smaller columns, whose
    skewness is noise. Measured: wine, iris, diabetes, digits and penguins raise
    nothing; breast cancer flags its seven long-tailed standard-error columns
    (skew 2.2 to 5.4); planted lognormal, exponential and Pareto columns are flagged.
    ``ordinal-max-levels`` (10): as in SN001.
    """

    code = "SN003"
    name = "scale.skewed"
    category = "scale"
    cause = 2
    severity = Severity.WARNING
    applies_to = frozenset({"numeric", "string", "categorical"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        skew: float = 2.0
        quantile_skew: float = option(0.25, share=True)
        tail_ratio: float = 10.0
        max_mode_share: float = option(0.5, share=True)
        min_rows: int = 50
        ordinal_max_levels: int = 10

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        groups: dict[str, dict[str, dict[str, float]]] = {_LOG: {}, _YEO: {}, _QUANTILE: {}}
        for col in continuous_features(ctx, self.opts.ordinal_max_levels):
            found = self._shape(col)
            if found is not None:
                remedy, evidence = found
                groups[remedy][col.name] = evidence
        severity = family_severity(ctx, SCALE_SENSITIVE, self.severity)
        family = ctx.config.model_family
        for remedy, columns in groups.items():
            if not columns:
                continue
            names = sorted(columns, key=lambda c: (-abs(columns[c].get("skew", 0.0)), c))
            yield self.finding(
                self._message(remedy, names, columns),
                columns=names,
                evidence={"columns": {c: columns[c] for c in names}, "model_family": family},
                fix=self._fix(remedy, ctx)
                if severity is not Severity.INFO
                else Fix(f"no transform needed for {FAMILY_NAMES[family]}"),
                severity=severity,
            )

    def _shape(self, col: ColumnProfile) -> tuple[str, dict[str, float]] | None:
        q, moments = col.quantiles, col.moments
        if q is None or moments is None or col.finite.size < self.opts.min_rows:
            return None
        if col.top_count_exceeds(self.opts.max_mode_share * col.n_present):
            return None
        skew = moments[2]
        width = q.q95 - q.q05
        qskew = (q.q95 + q.q05 - 2 * q.q50) / width if width > 0 else 0.0
        heavy = abs(skew) >= self.opts.skew and abs(qskew) >= self.opts.quantile_skew
        if heavy and skew * qskew > 0:
            assert col.min is not None
            # log1p(x) ~ x below 1, so it only straightens columns whose bulk is >= 1;
            # Yeo-Johnson fits its power to any scale and sign.
            remedy = _LOG if skew > 0 and col.min >= 0 and q.q50 >= 1 else _YEO
            return remedy, {"skew": skew, "quantile_skew": qskew, "min": col.min}
        iqr = q.iqr
        if iqr > 0 and (q.q99 - q.q01) / iqr >= self.opts.tail_ratio:
            return _QUANTILE, {"tail_ratio": (q.q99 - q.q01) / iqr, "skew": skew}
        return None

    @staticmethod
    def _message(remedy: str, names: list[str], columns: dict[str, dict[str, float]]) -> str:
        top = names[0]
        if remedy == _QUANTILE:
            return (
                f"{quote_list(names, 4)} ha{'ve' if len(names) > 1 else 's'} long tails on both sides "
                f"({top!r}: central 98% range {columns[top]['tail_ratio']:.0f}× its IQR)"
            )
        side = "right" if columns[top]["skew"] > 0 else "left"
        return (
            f"{quote_list(names, 4)} {'are' if len(names) > 1 else 'is'} heavily skewed "
            f"({top!r}: skewness {columns[top]['skew']:.1f}, a long {side} tail)"
        )

    @staticmethod
    def _fix(remedy: str, ctx: Context) -> Fix:
        if remedy == _LOG:
            return Fix(
                "log-transform them (np.log1p), then standardize",
                step="transform",
                transformer="sklearn.preprocessing.FunctionTransformer",
                params={"func": "log1p"},
            )
        if remedy == _YEO:
            return Fix(
                "apply a Yeo-Johnson power transform (PowerTransformer), then standardize",
                step="transform",
                transformer="sklearn.preprocessing.PowerTransformer",
                params={"method": "yeo-johnson"},
            )
        params: dict[str, Any] = {
            "output_distribution": "normal",
            "n_quantiles": min(1000, ctx.dataset.n_rows),
        }
        return Fix(
            "map them to a normal shape (QuantileTransformer), or clip the tails",
            step="transform",
            transformer="sklearn.preprocessing.QuantileTransformer",
            params=params,
        )
