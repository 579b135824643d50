from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from preflight.analysis.column_model import ColumnModel
from preflight.checks.base import Check, Context
from preflight.checks.ol.common import row_cap
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Fix, Severity
from preflight.data.profile import ColumnProfile

# Rows whose values and scores are spelled out in the evidence (all rows are in ``rows``).
EVIDENCE_ROWS = 100
# Rows named in the message itself.
MESSAGE_ROWS = 5


# Rows are pre-selected by raw-unit fences at this share of the threshold; only they
# are scored. The 10% margin dwarfs any rounding in the transform and its inverse.
_PRESELECT = 0.9


def _near_fences(
    col: ColumnProfile, model: ColumnModel, threshold: float
) -> tuple[float | None, float | None] | None:
    """Raw-unit bounds outside which a value can reach ``threshold``: only those
    values are scored. None: score every value; (None, None): no value can.

    The score is monotone in the value on each side of the median, so a value
    inside the raw-unit fences at 90% of the threshold scores below it: two
    comparisons per row instead of a transform, and the same scores where it matters.
    """
    tiny = 1e-9 * abs(model.center)
    if any(0.0 < scale * (1.0 - _PRESELECT) * threshold <= tiny for scale in (model.upper, model.lower)):
        return None  # a spread lost in the centre's rounding: score every value
    # A None fence is a side that is not judged or that no value can reach.
    lower, upper = model.fences(_PRESELECT * threshold)
    # The exact minimum and maximum often settle it without a pass over the rows.
    if upper is not None and col.max is not None and col.max <= upper:
        upper = None
    if lower is not None and col.min is not None and col.min >= lower:
        lower = None
    return lower, upper


def _fmt(value: float) -> str:
    return f"{value:.6g}"


# Per column: file positions, |robust score| and raw value of the cells beyond the fence.
Hits = dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class BeyondFence:
    """Scores one batch of rows against the column models (picklable, for Dask)."""

    models: Mapping[str, ColumnModel]
    threshold: float
    near: Mapping[str, tuple[float | None, float | None] | None]  # see _near_fences

    def __call__(self, batch: pd.DataFrame) -> Hits:
        hits: Hits = {}
        for name, model in self.models.items():
            values = np.asarray(batch[name].to_numpy(dtype=float, na_value=np.nan), dtype=float)
            bounds = self.near[name]
            if bounds is None:
                candidates = np.arange(values.size)
            else:
                lower, upper = bounds
                mask = np.zeros(values.size, dtype=bool)
                if upper is not None:
                    mask |= values > upper
                if lower is not None:
                    mask |= values < lower
                candidates = np.flatnonzero(mask)
            magnitude = np.abs(np.nan_to_num(model.scores(values[candidates]), nan=0.0))
            keep = magnitude > self.threshold
            beyond = candidates[keep]
            positions = np.asarray(batch.index[beyond], dtype=np.int64)
            hits[name] = (positions, magnitude[keep], values[beyond])
        return hits


def _gather(parts: list[Hits], names: list[str]) -> Hits:
    out: Hits = {}
    for name in names:
        pieces = [p[name] for p in parts]
        out[name] = tuple(np.concatenate([piece[i] for piece in pieces]) for i in range(3))  # type: ignore[assignment]
    return out


class ColumnOutliers(Check):
    """Numeric values far outside the bulk of their column (per-column outliers).

    **What it does.** Judges every numeric feature column on the scale where its
    bulk is symmetric — a power or log transform picked from the column's 5%, 50%
    and 95% quantiles, so a log-normal column is judged on the log scale — and
    scores each value by its distance from the median in robust standard
    deviations (from the quartiles and the 5%/95% quantiles, separately above and
    below the median). Values beyond ``threshold`` are listed with their rows, their
    values and how far out they lie. Columns with fewer than 20 values or at most
    two distinct values are not judged, nor is a side of the median where a quarter
    of the values or more equal the median (a zero-inflated column's rare non-zero
    values are its nature).

    **Why it is bad.** A value typed in the wrong unit (grams for kilograms, cents
    for dollars) or with a slipped decimal point is a gross error: it dominates the
    mean and variance used for scaling, and its gradient dominates the batches that
    hold it, which is what makes people reach for gradient clipping. Clean the data
    first.

    **Fix.** Check the listed values and correct them at the source. Otherwise clip
    (winsorize) the column to the fences given in the evidence, scale it with
    ``RobustScaler``, or drop the rows with ``preflight fix`` (which keeps every
    removed row in a separate file).

    **Options.** ``threshold`` (6.0): robust standard deviations from the median
    beyond which a value is an outlier (a normal column of a million rows has no
    value beyond 6). ``max-share`` (0.001) and ``min-cap`` (20): a column flags at
    most ``max(min-cap, max-share × rows)`` rows; when more values than that lie
    beyond the fence, the column is long-tailed rather than contaminated, and the
    finding only lists the most extreme ones, as info.
    """

    code = "OL001"
    name = "outliers.column-outliers"
    category = "outliers"
    cause = 1
    severity = Severity.WARNING
    file_rows = True
    applies_to = frozenset({"numeric"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        threshold: float = 6.0
        max_share: float = option(0.001, share=True)
        min_cap: int = 20

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        threshold = float(self.opts.threshold)
        models: dict[str, ColumnModel] = {}
        near: dict[str, tuple[float | None, float | None] | None] = {}
        for name, model in ctx.artifacts.column_models.items():
            reach = _near_fences(ctx.profile[name], model, threshold)
            if reach != (None, None):  # else no value can reach the threshold
                models[name], near[name] = model, reach
        # Every row of the file is scored (batch by batch when streaming); only the
        # cells beyond the fence come back.
        names = list(models)
        parts = ctx.batches.map(BeyondFence(models, threshold, near), columns=names) if names else []
        hits = _gather(parts, names)
        for name, model in models.items():
            rows, magnitudes, raw = hits[name]
            if rows.size == 0:
                continue
            magnitude = dict(zip(rows.tolist(), magnitudes.tolist(), strict=True))
            values = dict(zip(rows.tolist(), raw.tolist(), strict=True))
            beyond = rows
            col = ctx.profile[name]
            cap = row_cap(col.n_present, float(self.opts.max_share), int(self.opts.min_cap))
            # Most extreme first; ties by row position so the report is deterministic.
            ranked = rows[np.lexsort((rows, -magnitudes))]
            long_tailed = beyond.size > cap
            listed = ranked[:cap]
            lower, upper = model.fences(threshold)
            worst = float(magnitude[int(listed[0])])
            on_scale = "" if model.family == "linear" else f", judged on the {model.scale_name} scale"
            named = ", ".join(f"row {r} = {_fmt(values[r])}" for r in listed[:MESSAGE_ROWS])
            more = f" and {listed.size - MESSAGE_ROWS} more" if listed.size > MESSAGE_ROWS else ""
            if long_tailed:
                message = (
                    f"{name!r} has a long tail: {beyond.size} values ({beyond.size / col.n_present:.2%}) lie "
                    f"beyond {threshold:g} robust SDs from the median{on_scale}; the {listed.size} most "
                    f"extreme (up to {worst:.0f} SDs): {named}{more}"
                )
            else:
                message = (
                    f"{name!r} has {beyond.size} value{'s' if beyond.size > 1 else ''} far outside the bulk "
                    f"(up to {worst:.0f} robust SDs from the median{on_scale}): {named}{more}"
                )
            shown = listed[:EVIDENCE_ROWS]
            if lower is not None and upper is not None:
                bounds = f"to [{_fmt(lower)}, {_fmt(upper)}]"
            elif upper is not None:
                bounds = f"at {_fmt(upper)}"
            else:
                bounds = f"from below at {_fmt(lower or 0.0)}"
            yield self.finding(
                message,
                columns=[name],
                rows=listed,
                row_count=int(listed.size),
                severity=Severity.INFO if long_tailed else None,
                evidence={
                    "scale": model.scale_name,
                    "median": float(col.quantiles.q50) if col.quantiles else None,
                    "lower_fence": lower,
                    "upper_fence": upper,
                    "threshold": threshold,
                    "beyond_fence": int(beyond.size),
                    "long_tailed": long_tailed,
                    "values": {int(r): float(values[r]) for r in shown},
                    # Robust SDs from the median (the value shows the side).
                    "scores": {int(r): float(magnitude[r]) for r in shown},
                },
                fix=Fix(
                    "check the listed values (a unit or typing error?) and correct them; otherwise clip "
                    f"{name!r} {bounds} (winsorize), scale it with RobustScaler, "
                    "or drop the rows with `preflight fix`",
                    step="clip",
                    params={"lower": lower, "upper": upper},
                ),
            )
