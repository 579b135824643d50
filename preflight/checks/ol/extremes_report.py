"""OL001's findings: the words, evidence and fix for judged column extremes."""

from __future__ import annotations

from typing import Any

import numpy as np

from preflight.checks.base import Check, Context
from preflight.checks.ol.extremes import ColumnExtremes, slip
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import number

# Rows whose values are spelled out in the evidence (all rows are in ``rows``).
EVIDENCE_ROWS = 100
# Rows named in the message itself.
MESSAGE_ROWS = 5


def fmt(value: float) -> str:
    return f"{value:.6g}"


def _describe(c: ColumnExtremes, ctx: Context, named_column: bool) -> str:
    col = ctx.profile[c.name]
    named = []
    for r, v in list(zip(c.wrong_rows.tolist(), c.wrong_values.tolist(), strict=True))[:MESSAGE_ROWS]:
        scale = slip(v, col)
        note = f" ({scale} would be a usual value: a slipped decimal point or unit?)" if scale else ""
        named.append(f"row {r} = {fmt(v)}{note}")
    more = f" and {c.wrong_rows.size - MESSAGE_ROWS} more" if c.wrong_rows.size > MESSAGE_ROWS else ""
    parts: list[tuple[int, str]] = []
    n_bound = sum(1 for w in c.why if w == "bound")
    if n_bound and c.bound is not None:
        upper = number(c.bound.upper, 6)
        stops = f", and the column fills up to {upper} and stops there" if c.bound.inferred else ""
        parts.append((n_bound, f"outside what {c.bound.describe} can be{stops}"))
    n_isolated = sum(1 for w in c.why if w == "isolated")
    model = ctx.artifacts.column_models.get(c.name)
    linear = model is None or model.family == "linear"
    on_scale = "" if linear else f", judged on the {model.scale_name} scale"  # type: ignore[union-attr]
    for side, iso in sorted(c.isolation.items()):
        where = "above" if side == "upper" else "below"
        if n_isolated:
            text = f"isolated {number(iso.gap)} robust SDs {where} the rest of the column{on_scale}"
            parts.append((iso.count, text))
    reasons = [f"{n} {text}" if len(parts) > 1 else text for n, text in parts]
    lead = f"{c.name!r}: " if named_column else ""
    return f"{lead}{', '.join(named)}{more} ({'; '.join(reasons)})"


def _column_evidence(c: ColumnExtremes, ctx: Context) -> dict[str, Any]:
    col = ctx.profile[c.name]
    shown = list(zip(c.wrong_rows.tolist(), c.wrong_values.tolist(), c.why, strict=True))[:EVIDENCE_ROWS]
    model = ctx.artifacts.column_models.get(c.name)
    return {
        "scale": model.scale_name if model is not None else None,
        "median": float(col.quantiles.q50) if col.quantiles else None,
        "bound": None
        if c.bound is None
        else {
            "kind": c.bound.kind,
            "lower": c.bound.lower,
            "upper": c.bound.upper,
            "inferred": c.bound.inferred,
        },
        "isolation": {
            side: {"values": iso.count, "gap": iso.gap, "spacing": iso.spacing}
            for side, iso in c.isolation.items()
        },
        "values": {int(r): float(v) for r, v, _ in shown},
        "why": {int(r): w for r, _, w in shown},
        "slips": {int(r): s for r, v, _ in shown if (s := slip(v, col))},
    }


def wrong_values_finding(
    check: Check, ctx: Context, group: list[ColumnExtremes], threshold: float
) -> Finding:
    """One finding for columns whose impossible or isolated values share rows."""
    rows = np.unique(np.concatenate([c.wrong_rows for c in group]))
    total = int(rows.size)
    names = [c.name for c in group]
    is_target = names == [ctx.dataset.target]
    plural = "s" if total > 1 else ""
    if is_target:
        lead = f"the target {names[0]!r} has {total} value{plural} it cannot hold: "
    elif len(names) == 1:
        lead = f"{names[0]!r} has {total} value{plural} it cannot hold: "
    else:
        lead = f"{total} row{plural} hold{'' if plural else 's'} values {len(names)} columns cannot: "
    message = lead + "; ".join(_describe(c, ctx, len(group) > 1) for c in group)
    evidence = {
        "threshold": threshold,
        "min_gap": float(check.opts.min_gap),  # type: ignore[attr-defined]
        "min_spacing": float(check.opts.min_spacing),  # type: ignore[attr-defined]
        "by_column": {c.name: _column_evidence(c, ctx) for c in group},
    }
    if is_target:
        fix = Fix(f"correct the listed labels of {names[0]!r} at the source, or drop those rows")
    else:
        fix = Fix(
            "check the listed values (a unit, typing or placeholder error?) and correct them; otherwise set "
            "them missing and impute (clipping would keep them, just less far out)",
            step="replace-values",
            params={"outside": {c.name: list(c.valid) for c in group}},
        )
    return check.finding(message, columns=names, rows=rows, row_count=total, evidence=evidence, fix=fix)


def heavy_tail_finding(
    check: Check, ctx: Context, columns: list[ColumnExtremes], threshold: float
) -> Finding:
    """One info finding for every column whose far values continue its tail."""
    described = []
    for c in columns:
        worst = c.heavy_values[np.argmax(np.abs(c.heavy_values - float(ctx.profile[c.name].quantiles.q50)))]  # type: ignore[union-attr]
        described.append(f"{c.name!r} ({c.heavy_rows.size}, up to {fmt(float(worst))})")
    shown = ", ".join(described[:MESSAGE_ROWS])
    more = f" and {len(described) - MESSAGE_ROWS} more" if len(described) > MESSAGE_ROWS else ""
    rows = np.unique(np.concatenate([c.heavy_rows for c in columns]))
    message = (
        f"heavy tails, not errors: values beyond {threshold:g} robust SDs from the median continue the tail "
        f"of their column (no gap sets them apart) in {shown}{more}"
    )
    return check.finding(
        message,
        columns=[c.name for c in columns],
        rows=rows,
        severity=Severity.INFO,
        evidence={
            "threshold": threshold,
            "by_column": {
                c.name: {
                    "beyond_fence": int(c.heavy_rows.size),
                    "values": {
                        int(r): float(v)
                        for r, v in list(zip(c.heavy_rows.tolist(), c.heavy_values.tolist(), strict=True))[
                            :EVIDENCE_ROWS
                        ]
                    },
                }
                for c in columns
            },
        },
        fix=Fix(
            "keep these rows: scale the columns with RobustScaler or a log/power transform (see SN003) "
            "rather than clipping or dropping them"
        ),
    )
