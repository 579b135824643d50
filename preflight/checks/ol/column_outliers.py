from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from preflight.analysis.bounds import MAX_BREAKING_SHARE, Bound, bound_for
from preflight.analysis.column_model import ColumnModel
from preflight.analysis.isolation import MIN_GAP, MIN_SPACING, TAIL
from preflight.analysis.tails import TailPass, TailValues
from preflight.checks.base import Check, Context
from preflight.checks.ol.common import row_cap
from preflight.checks.ol.extremes import ColumnExtremes, group_by_rows, judge_column
from preflight.checks.ol.extremes_report import heavy_tail_finding, wrong_values_finding
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Severity
from preflight.data.profile import ColumnProfile

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
    """Values a column cannot hold: beyond its bound, or isolated far beyond the rest.

    **What it does.** Judges every numeric feature column on the scale where its
    bulk is symmetric — a power or log transform picked from the column's 5%, 50%
    and 95% quantiles, so a log-normal column is judged on the log scale — and
    scores each value by its distance from the median in robust standard
    deviations (from the quartiles and the 5%/95% quantiles, separately above and
    below the median). Far out is not wrong by itself: heavy-tailed columns have real
    values ten SDs out. A value is reported as wrong when

    - it breaks the column's *bound* (``preflight.analysis.bounds``): a percentage
      above 100 (a column named so, or one that fills up to 100 and stops there), a
      share above 1, an age above 120, a negative count, duration, size or amount, an
      exact zero in a size (a length, weight, area: by name); checked on the regression
      target too; or
    - it is *isolated*: beyond ``threshold`` robust SDs, and separated from the rest
      of its column by a gap of at least ``min-gap`` robust SDs whose normalised
      log-spacing is at least ``min-spacing`` (plus the log of the number of values
      tested) times the tail's own (``preflight.analysis.isolation``): a gross error
      stands alone, a real tail value continues a sequence.

    A value that is ten, a hundred or a thousand times the usual ones is named as a
    possible slipped decimal point or unit. Columns whose wrong values share rows are
    one finding (one broken record). Values beyond ``threshold`` that continue their
    column's tail are one info finding for all columns (a distribution property: a
    robust scaler or a log, never rows to clip or drop). Columns with fewer than 20
    values or at most two distinct values are not scored, nor is a side of the median
    where a quarter of the values or more equal the median (a zero-inflated column's
    rare non-zero values are its nature).

    **Why it is bad.** A value typed in the wrong unit (grams for kilograms, cents
    for dollars), with a slipped decimal point, or a placeholder (0, 999) in a real
    measurement is a gross error: it dominates the mean and variance used for
    scaling, and its gradient dominates the batches that hold it, which is what makes
    people reach for gradient clipping. Clean the data first.

    **Fix.** Check the listed values and correct them at the source; otherwise set
    them missing (the plan's ``replace-values`` step, then the imputer). Clipping
    would keep an impossible value, just less far out.

    **Options.** ``threshold`` (6.0): robust standard deviations from the median
    beyond which a value is scored (a normal column of a million rows has no value
    beyond 6). ``min-gap`` (3.0) and ``min-spacing`` (2.0): the isolation test
    (measured on the real-data corpus: every value judged an error had a gap of
    3.3 SDs or more, every real tail value a gap under 2.5). ``max-share`` (0.001) and
    ``min-cap`` (20): a column reports at most ``max(min-cap, max-share × rows)``
    wrong values; a column with more values beyond its bound has no such bound.
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
        min_gap: float = MIN_GAP
        min_spacing: float = MIN_SPACING
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
        hits = {name: found for name, found in _gather(parts, names).items() if found[0].size}
        bounds = _bounds(ctx)
        # A second pass, over the few columns it concerns: the tails of the columns with
        # values beyond the fence, and the cells that break a bound.
        tails = TailPass({name: int(hits[name][0].size) + TAIL for name in hits}, bounds)
        found = (
            ctx.batches.fold(tails, tails.then, columns=tails.columns) if tails.columns else None
        ) or TailValues()
        judged: list[ColumnExtremes] = []
        target: list[ColumnExtremes] = []
        for name in [c for c in ctx.dataset.frame.columns if c in hits or c in bounds]:
            col = ctx.profile[name]
            cap = row_cap(col.n_present, float(self.opts.max_share), int(self.opts.min_cap))
            side_tails = {"upper": found.largest.get(name), "lower": found.smallest.get(name)}
            verdict = judge_column(
                col,
                models.get(name),
                hits.get(name),
                {side: v for side, v in side_tails.items() if v is not None},
                _rare_breaking(bounds.get(name), found.breaking.get(name), col, cap),
                threshold=threshold,
                cap=cap,
                min_gap=float(self.opts.min_gap),
                min_spacing=float(self.opts.min_spacing),
            )
            (target if name == ctx.dataset.target else judged).append(verdict)
        for group in group_by_rows([c for c in judged if c.wrong]) + [[c] for c in target if c.wrong]:
            yield wrong_values_finding(self, ctx, group, threshold)
        heavy = [c for c in judged if c.heavy_rows.size]
        if heavy:
            yield heavy_tail_finding(self, ctx, heavy, threshold)


def _bounds(ctx: Context) -> dict[str, Bound]:
    """The bound of every numeric feature, and of a regression target, that has one."""
    names = [c.name for c in ctx.profile.features() if c.kind == "numeric"]
    if ctx.dataset.target is not None and ctx.dataset.task == "regression":
        names.append(ctx.dataset.target)
    out: dict[str, Bound] = {}
    for name in names:
        col = ctx.profile[name]
        if col.kind == "numeric":
            bound = bound_for(col)
            if bound is not None:
                out[name] = bound
    return out


def _rare_breaking(
    bound: Bound | None,
    breaking: tuple[np.ndarray, np.ndarray] | None,
    col: ColumnProfile,
    cap: int,
) -> tuple[Bound, np.ndarray, np.ndarray] | None:
    """The bound and its breaking cells, when they are few enough to be errors (a
    column that often breaks its presumed bound does not have it)."""
    if bound is None or breaking is None or breaking[0].size == 0:
        return None
    if breaking[0].size > min(cap, max(1.0, MAX_BREAKING_SHARE * col.n_present)):
        return None
    return bound, breaking[0], breaking[1]
