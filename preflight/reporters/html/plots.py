"""The report's bar plots and learning curve, laid out in pixels for the template.

Every plot is a list of rows with pixel positions inside a fixed-width SVG; the
template draws them. Widths are in SVG user units (the SVG scales to the page).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from preflight.core.findings import Finding

# Plot rows beyond this go unlisted (the profile already caps columns at 200).
MAX_PLOT_ROWS = 60
MAX_OUTLIER_ROWS = 30

PLOT_W = 560
LABEL_W = 180
BAR_W = PLOT_W - LABEL_W - 90  # room for the value printed after the longest bar
ROW_H = 22
# Bar plots (missing values, class balance, outlier scores) start this far from the top
# and keep as much room below their last bar.
BARS_TOP = 10


def bar_width(fraction: float) -> float:
    """The length of a bar that fills ``fraction`` of the bar area (at least 1 unit)."""
    return round(max(1.0, fraction * BAR_W), 1)


def bar_y(i: int) -> int:
    return BARS_TOP + i * ROW_H


def bars_height(n: int) -> int:
    return BARS_TOP + n * ROW_H + 10


def scale_plot(profile: Mapping[str, Any], flagged: set[str]) -> dict[str, Any] | None:
    """Typical magnitude (max |5th, 95th percentile|) and spread (std) per numeric feature, log axis."""
    rows = []
    for col in profile.get("columns") or []:
        stats = col.get("numeric")
        if col.get("role") != "feature" or not stats:
            continue
        q05, q95, std = stats.get("q05"), stats.get("q95"), stats.get("std")
        if q05 is None or q95 is None:
            continue
        rows.append(
            {
                "name": col["name"],
                "magnitude": max(abs(q05), abs(q95)),
                "spread": std or 0.0,
                "low": q05,
                "high": q95,
                "flagged": col["name"] in flagged,
            }
        )
    if not rows:
        return None
    rows.sort(key=lambda r: (-r["magnitude"], r["name"]))
    hidden = max(0, len(rows) - MAX_PLOT_ROWS)
    rows = rows[:MAX_PLOT_ROWS]
    positive = [v for r in rows for v in (r["magnitude"], r["spread"]) if v > 0]
    if not positive:
        return None
    lo = math.floor(math.log10(min(positive)))
    hi = math.ceil(math.log10(max(positive)))
    if hi == lo:
        hi = lo + 1

    def x(value: float) -> float | None:
        if value <= 0:
            return None
        return round(LABEL_W + (math.log10(value) - lo) / (hi - lo) * BAR_W, 1)

    for i, r in enumerate(rows):
        r["y"] = 30 + i * ROW_H
        r["x_magnitude"] = x(r["magnitude"])
        r["x_spread"] = x(r["spread"])
    # Placed by exponent: 10.0**309 would overflow for values near the float limit.
    ticks = [
        {"x": round(LABEL_W + (p - lo) / (hi - lo) * BAR_W, 1), "label": _power_label(p)}
        for p in range(lo, hi + 1)
    ]
    height = 30 + len(rows) * ROW_H + 10
    return {
        "rows": rows,
        "ticks": ticks,
        "height": height,
        "x0": LABEL_W,
        "x1": LABEL_W + BAR_W,
        "hidden": hidden,
    }


def _power_label(p: int) -> str:
    return {0: "1", 1: "10", 2: "100", 3: "1k", 4: "10k", 5: "100k", 6: "1M", -1: "0.1", -2: "0.01"}.get(
        p, f"1e{p}"
    )


def missing_plot(profile: Mapping[str, Any], n_rows: int, flagged: set[str]) -> dict[str, Any] | None:
    columns = profile.get("columns") or []
    if not columns or n_rows <= 0:
        return None
    with_missing = [c for c in columns if c.get("missing")]
    complete = len(columns) - len(with_missing)
    hidden = max(0, len(with_missing) - MAX_PLOT_ROWS)
    rows = []
    for i, c in enumerate(with_missing[:MAX_PLOT_ROWS]):
        share = c["missing"] / n_rows
        # Markers (-999, "?") are missing cells too; drawn apart from the true nulls so
        # the bar says how much of the gap a reader would not have seen in the file.
        markers = min(int(c.get("markers") or 0), int(c["missing"]))
        width = bar_width(share)
        marker_width = round(width * markers / c["missing"], 1) if markers else 0.0
        rows.append(
            {
                "name": c["name"],
                "missing": c["missing"],
                "markers": markers,
                "nulls": c["missing"] - markers,
                "share": share,
                "width": width,
                "null_width": round(width - marker_width, 1),
                "marker_width": marker_width,
                "y": bar_y(i),
                "flagged": c["name"] in flagged or c.get("role") == "target",
            }
        )
    return {
        "rows": rows,
        "any_markers": any(r["markers"] for r in rows),
        "complete": complete,
        "hidden": hidden,
        "height": bars_height(len(rows)),
        "x0": LABEL_W,
        "x1": LABEL_W + BAR_W,
    }


def balance_plot(profile: Mapping[str, Any]) -> dict[str, Any] | None:
    target = profile.get("target") or {}
    counts = target.get("class_counts")
    if not counts:
        return None
    total = sum(counts.values())
    biggest = max(counts.values())
    rows = []
    for i, (label, count) in enumerate(counts.items()):
        rows.append(
            {
                "label": label,
                "count": count,
                "share": count / total if total else 0.0,
                "width": bar_width(count / biggest),
                "y": bar_y(i),
            }
        )
    return {
        "name": target.get("name"),
        "rows": rows,
        "classes_total": target.get("classes_total") or len(rows),
        "height": bars_height(len(rows)),
        "x0": LABEL_W,
    }


def outlier_plots(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Bars of the highest outlier scores of each OL finding whose evidence carries ``scores``.

    ``scores`` is ``{row: score}`` or a list of ``{"row": r, "score": s}``; an optional
    ``threshold`` is drawn as a line.
    """
    plots = []
    for f in findings:
        if not f.code.startswith("OL"):
            continue
        pairs = _score_pairs(f.evidence.get("scores"))
        if not pairs:
            continue
        pairs.sort(key=lambda p: (-p[1], p[0]))
        shown = pairs[:MAX_OUTLIER_ROWS]
        threshold = f.evidence.get("threshold")
        limit = float(threshold) if isinstance(threshold, (int, float)) else None
        candidates = [shown[0][1]] + ([limit] if limit is not None else [])
        top = max(candidates) if max(candidates) > 0 else 1.0
        rows = [
            {
                "row": r,
                "score": s,
                "width": bar_width(max(s, 0.0) / top),
                "y": bar_y(i),
            }
            for i, (r, s) in enumerate(shown)
        ]
        x_threshold = None
        if limit is not None and limit > 0:
            x_threshold = round(LABEL_W + limit / top * BAR_W, 1)
        plots.append(
            {
                "code": f.code,
                "name": f.name,
                "message": f.message,
                "columns": list(f.columns),
                "rows": rows,
                "more": max(0, len(pairs) - MAX_OUTLIER_ROWS),
                "threshold": threshold,
                "x_threshold": x_threshold,
                "height": bars_height(len(rows)),
                "x0": LABEL_W,
            }
        )
    return plots


def _score_pairs(scores: Any) -> list[tuple[int, float]]:
    pairs: list[tuple[int, float]] = []
    if isinstance(scores, Mapping):
        items: Iterable[Any] = scores.items()
    elif isinstance(scores, (list, tuple)):
        items = [(s.get("row"), s.get("score")) if isinstance(s, Mapping) else s for s in scores]
    else:
        return pairs
    for item in items:
        try:
            row, score = item
            value = float(score)
            if math.isfinite(value):
                pairs.append((int(row), value))
        except (TypeError, ValueError):
            continue
    return pairs


CURVE_H = 220
CURVE_PAD = 44
# The curve takes the width of the page (the SVG scales down on a narrow one): a
# plot-wide curve left half of its panel empty.
CURVE_W = 1120
# Room above and below the data, as a share of the scores' range (at least 0.01).
CURVE_MARGIN = 0.15


def learning_curve(findings: Iterable[Finding]) -> dict[str, Any] | None:
    """Held-out (and training) score against training rows, from CP007's ``curve``
    evidence: ``[{"fraction", "rows", "score", "train_score"?}, ...]``. The x axis is
    logarithmic in rows, as each point doubles the data or more."""
    f = next((f for f in findings if f.code == "CP007" and isinstance(f.evidence.get("curve"), list)), None)
    if f is None:
        return None
    points = [
        p
        for p in f.evidence["curve"]
        if isinstance(p, Mapping)
        and finite_number(p.get("score")) is not None
        and (finite_number(p.get("rows")) or 0) > 0
    ]
    if len(points) < 2:
        return None
    rows = [math.log10(float(p["rows"])) for p in points]
    scores = [float(p["score"]) for p in points]
    train = [finite_number(p.get("train_score")) for p in points]
    values = scores + [t for t in train if t is not None]
    low, high, ticks = score_axis(min(values), max(values))
    x_span = (max(rows) - min(rows)) or 1.0
    width, height = CURVE_W - 2 * CURVE_PAD, CURVE_H - 2 * CURVE_PAD

    def xy(log_rows: float, value: float) -> tuple[float, float]:
        x = CURVE_PAD + (log_rows - min(rows)) / x_span * width
        y = CURVE_PAD + (high - value) / (high - low) * height
        return round(x, 1), round(y, 1)

    held = [xy(r, v) for r, v in zip(rows, scores, strict=True)]
    fitted = [xy(r, t) for r, t in zip(rows, train, strict=True) if t is not None]
    return {
        "message": f.message,
        "metric": str(f.evidence.get("metric", "score")),
        "held_points": " ".join(f"{x},{y}" for x, y in held),
        "train_points": " ".join(f"{x},{y}" for x, y in fitted) if len(fitted) == len(held) else None,
        "labels": [
            {"x": x, "y": y, "rows": int(float(p["rows"])), "score": float(p["score"])}
            for (x, y), p in zip(held, points, strict=True)
        ],
        "y_top": xy(min(rows), high)[1],
        "y_bottom": xy(min(rows), low)[1],
        "high": high,
        "low": low,
        "ticks": [{"y": xy(min(rows), t)[1], "value": t} for t in ticks],
        "x0": CURVE_PAD,
        "x1": CURVE_PAD + width,
        "width": CURVE_W,
        "height": CURVE_H,
    }


def score_axis(low: float, high: float) -> tuple[float, float, list[float]]:
    """A y axis that fits scores from ``low`` to ``high``: a margin of
    :data:`CURVE_MARGIN` of their range (at least 0.01) on each side, rounded out to
    a round step, and kept inside [0, 1] when the scores are (a score of 0.97 is not
    drawn near a 1.02 that no score can reach). Returns (bottom, top, tick values)."""
    margin = max((high - low) * CURVE_MARGIN, 0.01)
    bottom, top = low - margin, high + margin
    if low >= 0.0 and high <= 1.0:
        bottom, top = max(0.0, bottom), min(1.0, top)
    base = 10.0 ** math.floor(math.log10(top - bottom))
    # The finest round step (1, 2 or 5 times a power of ten) that needs at most 5 intervals.
    step = next(
        st
        for st in (base * f for f in (0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0))
        if math.ceil(top / st - 1e-9) - math.floor(bottom / st + 1e-9) <= 5
    )
    decimals = max(0, -math.floor(math.log10(step)) + 1)
    first, last = math.floor(bottom / step + 1e-9), math.ceil(top / step - 1e-9)
    ticks = [round(k * step, decimals) for k in range(first, last + 1)]
    bottom, top = ticks[0], ticks[-1]
    return bottom, top, ticks


def finite_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)
