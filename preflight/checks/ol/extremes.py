"""OL001's judgement of one column's extreme values: impossible (beyond the column's
bound), isolated (beyond a gap), or the column's own heavy tail."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from preflight.analysis.bounds import Bound
from preflight.analysis.column_model import ColumnModel
from preflight.analysis.isolation import Isolation, isolated_top
from preflight.data.profile import ColumnProfile

SIDES = ("upper", "lower")
# Scales tried for a slipped decimal point or a unit mix-up.
_SLIPS = (10, 100, 1000)


@dataclass(frozen=True)
class ColumnExtremes:
    """What OL001 makes of one column's extreme values (file positions and values)."""

    name: str
    wrong_rows: np.ndarray  # impossible or isolated, most extreme first
    wrong_values: np.ndarray
    why: tuple[str, ...]  # per wrong row: "bound" or "isolated"
    heavy_rows: np.ndarray  # beyond the fence but continuing the tail
    heavy_values: np.ndarray
    beyond_fence: int
    bound: Bound | None
    isolation: dict[str, Isolation]
    # Raw-unit edges of the values the column can hold (the fix sets the cells beyond
    # missing): the bound's, and halfway across each isolating gap. None: no edge.
    valid: tuple[float | None, float | None] = (None, None)

    @property
    def wrong(self) -> bool:
        return self.wrong_rows.size > 0


def side_scores(model: ColumnModel, values: np.ndarray, side: str) -> np.ndarray:
    """Robust scores on one side of the median, positive further out."""
    scores = model.scores(values)
    return scores if side == "upper" else -scores


def judge_column(
    col: ColumnProfile,
    model: ColumnModel | None,
    hits: tuple[np.ndarray, np.ndarray, np.ndarray] | None,
    tails: dict[str, np.ndarray],
    bound: tuple[Bound, np.ndarray, np.ndarray] | None,
    *,
    threshold: float,
    cap: int,
    min_gap: float,
    min_spacing: float,
) -> ColumnExtremes:
    """``hits``: (rows, |score|, value) of the cells beyond the fence; ``tails``: the
    column's most extreme values per side; ``bound``: the bound and the (rows, values)
    breaking it, already judged rare enough to be errors."""
    wrong: dict[int, tuple[float, str, float]] = {}  # row -> (value, why, rank key)
    if bound is not None:
        _, rows, values = bound
        for r, v in zip(rows.tolist(), values.tolist(), strict=True):
            wrong[r] = (v, "bound", np.inf)
    isolation: dict[str, Isolation] = {}
    edges: dict[str, float] = {}
    heavy: dict[int, float] = {}
    beyond = 0
    if model is not None and hits is not None:
        rows, magnitudes, values = hits
        beyond = int(rows.size)
        median = model_median(model, col)
        for side in SIDES:
            on_side = values > median if side == "upper" else values < median
            if not on_side.any():
                continue
            found = isolated_top(
                side_scores(model, tails[side], side),
                threshold,
                min_gap=min_gap,
                min_spacing=min_spacing,
                max_count=cap,
            )
            far = on_side & (magnitudes > found.next_score) if found is not None else np.zeros_like(on_side)
            if found is not None:
                isolation[side] = found
                edges[side] = _gap_middle(tails[side], found.count, side)
            for r, m, v, is_far in zip(
                rows[on_side].tolist(),
                magnitudes[on_side].tolist(),
                values[on_side].tolist(),
                far[on_side].tolist(),
                strict=True,
            ):
                if is_far:
                    wrong.setdefault(r, (v, "isolated", m))
                elif r not in wrong:
                    heavy[r] = v
    order = sorted(wrong, key=lambda r: (-wrong[r][2], r))
    heavy_order = sorted(heavy, key=lambda r: r)
    return ColumnExtremes(
        name=col.name,
        wrong_rows=np.array(order, dtype=np.int64),
        wrong_values=np.array([wrong[r][0] for r in order], dtype=float),
        why=tuple(wrong[r][1] for r in order),
        heavy_rows=np.array(heavy_order, dtype=np.int64),
        heavy_values=np.array([heavy[r] for r in heavy_order], dtype=float),
        beyond_fence=beyond,
        bound=bound[0] if bound is not None else None,
        isolation=isolation,
        valid=_valid_range(bound[0] if bound is not None else None, edges, col),
    )


def _gap_middle(values: np.ndarray, count: int, side: str) -> float:
    """Halfway between the ``count`` most extreme values on ``side`` and the next one."""
    ordered = np.sort(values[np.isfinite(values)])
    ordered = ordered[::-1] if side == "upper" else ordered
    return float((ordered[count - 1] + ordered[count]) / 2.0)


def _valid_range(
    bound: Bound | None, edges: dict[str, float], col: ColumnProfile
) -> tuple[float | None, float | None]:
    lows = [edges["lower"]] if "lower" in edges else []
    highs = [edges["upper"]] if "upper" in edges else []
    if bound is not None:
        if bound.strict and bound.lower is not None:
            positive = col.finite[col.finite > bound.lower]
            lows.append(float(positive.min()) / 2.0 if positive.size else bound.lower)
        elif bound.lower is not None:
            lows.append(bound.lower)
        if bound.upper is not None:
            highs.append(bound.upper)
    return (max(lows) if lows else None, min(highs) if highs else None)


def model_median(model: ColumnModel, col: ColumnProfile) -> float:
    """The column's median in raw units (the centre its scores are measured from)."""
    median = model.inverse(model.center)
    if median is None and col.quantiles is not None:
        return float(col.quantiles.q50)
    return float(median) if median is not None else 0.0


def slip(value: float, col: ColumnProfile) -> str | None:
    """``"divided by 10"`` when ``value`` divided by 10 (or 100, 1000) is a usual value
    (between the 5% and 95% quantiles), ``"times 10"`` when multiplied: a slipped
    decimal point or a unit mix-up."""
    q = col.quantiles
    if q is None or not np.isfinite(value) or value == 0:
        return None
    for k in _SLIPS:
        if q.q05 <= value / k <= q.q95 and abs(value) > abs(q.q95):
            return f"divided by {k}"
        if q.q05 <= value * k <= q.q95 and abs(value) < abs(q.q05):
            return f"times {k}"
    return None


def group_by_rows(columns: list[ColumnExtremes]) -> list[list[ColumnExtremes]]:
    """Columns whose wrong values sit in the same rows, together: one broken record
    seen in several columns is one finding (zeros in a diamond's x, y and z). A
    column joins a group when its rows and the group's are one within the other;
    columns that merely share one row of several stay apart (separate records).
    Order of first appearance."""
    groups: list[tuple[set[int], list[ColumnExtremes]]] = []
    for c in columns:
        rows = set(c.wrong_rows.tolist())
        for i, (group_rows, members) in enumerate(groups):
            if rows <= group_rows or group_rows <= rows:
                groups[i] = (group_rows | rows, [*members, c])
                break
        else:
            groups.append((rows, [c]))
    return [members for _, members in groups]
