"""LB003's leaks in how values are recorded or combined: missingness that predicts the
target, a value recorded only for some outcomes (its zero/non-zero split predicts the
class), the target rebuilt from two features."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from preflight.analysis.leakage import Target, one_feature_score
from preflight.analysis.leakage_pairs import best_pair, zero_codes
from preflight.checks.base import Check, Context
from preflight.core.findings import Finding, Fix, Severity


def zero_split_leaks(
    check: Check, ctx: Context, target: Target, folds: np.ndarray, flagged: set[str], limit: float
) -> Iterator[Finding]:
    """Numeric features whose being zero alone predicts the class (balanced accuracy >= limit)."""
    if not target.classification:
        return
    for col in ctx.profile.features():
        if col.name in flagged:
            continue
        codes = zero_codes(col)
        if codes is None:
            continue
        score = one_feature_score(codes, target, folds)
        if score >= limit:
            flagged.add(col.name)
            yield check.finding(
                f"whether {col.name!r} is zero predicts the target (balanced accuracy {score:.3f}): "
                "a value recorded only for some outcomes?",
                columns=[col.name],
                evidence={
                    "reason": "zero or not predicts the target",
                    "metric": "balanced accuracy",
                    "score": score,
                },
                fix=Fix(
                    f"drop {col.name!r} if it exists only once the outcome is known (card holders' spending)",
                    step="drop-columns",
                ),
                severity=Severity.WARNING,
            )


def pair_leaks(
    check: Check, ctx: Context, target: Target, flagged: set[str], min_r2: float, min_rows: int
) -> Iterator[Finding]:
    """A regression target rebuilt exactly from two features (linear, or on logs)."""
    if target.classification:
        return
    fit = best_pair(
        list(ctx.profile.features()), target.values, min_r2=min_r2, min_rows=min_rows, exclude=flagged
    )
    if fit is None:
        return
    x1, x2 = fit.columns
    a, b, c = fit.coef
    name = ctx.dataset.target
    if fit.scale == "linear":
        formula = f"{a:.4g} * {x1!r} {_signed(b)} * {x2!r} {_signed(c)}"
    else:
        formula = f"{np.exp(c):.4g} * {x1!r}^{a:.4g} * {x2!r}^{b:.4g}"
    flagged.update(fit.columns)
    yield check.finding(
        f"the target {name!r} is rebuilt from {x1!r} and {x2!r}: {name} = {formula} (R² {fit.r2:.5f})",
        columns=list(fit.columns),
        evidence={
            "reason": "two features rebuild the target",
            "scale": fit.scale,
            "r2": fit.r2,
            "coef": list(fit.coef),
        },
        fix=Fix(f"drop {x1!r} and {x2!r}: together they are the label in disguise", step="drop-columns"),
    )


def missingness_leaks(
    check: Check,
    ctx: Context,
    target: Target,
    folds: np.ndarray,
    flagged: set[str],
    *,
    limit: float,
    perfect: float,
) -> Iterator[Finding]:
    """Columns whose missingness (alone, or as a pattern across columns) predicts the target."""
    cols = [c for c in ctx.profile.features() if 0 < c.n_missing < c.n and c.name not in flagged]
    metric = "balanced accuracy" if target.classification else "R²"
    hits = []
    for col in cols:
        score = one_feature_score(col.missing_mask.astype(np.int64), target, folds)
        if score >= limit:
            hits.append(col.name)
            yield check.finding(
                f"whether {col.name!r} is missing predicts the target ({metric} {score:.3f})",
                columns=[col.name],
                evidence={
                    "reason": "missing values predict the target",
                    "metric": metric,
                    "score": score,
                    "missing": col.n_missing,
                },
                fix=Fix(
                    f"drop {col.name!r}: it is recorded only for some outcomes, so whether it is missing "
                    "is the label (imputing keeps that)",
                    step="drop-columns",
                )
                if score >= perfect
                else Fix(f"find out why {col.name!r} is missing; impute without looking at the label"),
                severity=Severity.WARNING,
            )
    rest = [c for c in cols if c.name not in hits]
    if len(rest) < 2:
        return
    pattern = np.column_stack([c.missing_mask for c in rest])
    _, codes = np.unique(pattern, axis=0, return_inverse=True)
    score = one_feature_score(np.asarray(codes, dtype=np.int64).ravel(), target, folds)
    if score >= limit:
        yield check.finding(
            f"the pattern of missing values across {len(rest)} columns predicts the target "
            f"({metric} {score:.3f})",
            columns=[c.name for c in rest],
            evidence={
                "reason": "missing-value pattern predicts the target",
                "metric": metric,
                "score": score,
            },
            fix=Fix("find out why these values are missing; impute without looking at the label"),
            severity=Severity.WARNING,
        )


def _signed(value: float) -> str:
    """``+ 0.5`` or ``- 0.5``: a term of a formula."""
    return f"{'-' if value < 0 else '+'} {abs(value):.4g}"
