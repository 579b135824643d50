"""A self-contained HTML report: one file, inline CSS and inline SVG, no script, no network.

The verdict comes first, then pictures where people would rather look than read
(per-feature scale on a log axis, missing values per column, class balance, the
label-noise matrix, outlier scores), then the findings grouped by the article's four
causes with their fixes, and the suggested preprocessing code.

Rendering only: every number comes from the Report (its ``profile`` section,
``label_health``, the findings' evidence); this module lays it out in pixels.
The template is rendered by Jinja2 with autoescaping on, so every string from the
data is escaped; a Content-Security-Policy forbids scripts and any fetch, as a
second line of defence.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from preflight.errors import PreflightError
from preflight.escape import safe, safe_lines
from preflight.findings import CAUSES, Finding, Report
from preflight.plan.steps import report_steps
from preflight.reporters.common import RuleInfo, by_cause, cause_title, failing, rule_infos, tally, verdict
from preflight.wording import quote_list

log = logging.getLogger(__name__)

# Plot rows beyond this go unlisted (the profile already caps columns at 200).
MAX_PLOT_ROWS = 60
MAX_SUSPICIOUS_ROWS = 50
MAX_OUTLIER_ROWS = 30
MAX_MATRIX_CLASSES = 20
ROWS_SHOWN = 20


def render(report: Report, *, rules: Mapping[str, RuleInfo] | None = None, **_: Any) -> str:
    try:
        import jinja2
    except ImportError as exc:  # the html extra is not installed
        raise PreflightError("--format html needs Jinja2: pip install 'preflight[html]'") from exc

    from preflight.version import __version__

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("preflight.reporters", "templates"),
        autoescape=True,  # every {{ value }} is HTML-escaped, in text and attributes
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters["num"] = _num
    template = env.get_template("report.html.j2")
    return template.render(**context(report, rules), version=__version__, plot_w=PLOT_W)


class Lines(str):
    """A string whose line breaks are meant (the generated code): kept in the HTML."""


def _finalize(value: Any) -> Any:
    """Control and bidi characters from the data made visible, as in the terminal, line
    breaks included (an HTML report printed to a CI log must not start a line with data,
    e.g. a ``::error`` workflow command); :class:`Lines` keep their breaks."""
    if isinstance(value, Lines):
        return safe_lines(value)
    return safe(value) if isinstance(value, str) else value


def context(report: Report, rules: Mapping[str, RuleInfo] | None = None) -> dict[str, Any]:
    """Everything the template shows, as plain values (pixel positions included)."""
    infos = rule_infos(report, rules)
    profile = report.profile or {}
    flagged_scale = _columns_of(report.findings, "scale")
    groups = []
    for cause, findings in by_cause(report.findings):
        groups.append(
            {
                "title": cause_title(cause),
                "cause": cause,
                "findings": [_finding(report, f, infos) for f in findings],
            }
        )
    preprocessing = report.preprocessing or {}
    return {
        "ds": report.dataset.to_dict(),
        "verdict": verdict(report),
        "tally": tally(report),
        "summary": report.summary,
        "fail_on": report.fail_on.value if report.fail_on else "never",
        "checks_run": len(report.checks_run),
        "causes": CAUSES,
        "groups": groups,
        "scale": _scale_plot(profile, flagged_scale),
        "missing": _missing_plot(
            profile, report.dataset.rows, _columns_of(report.findings, code_prefix="DQ001")
        ),
        "balance": _balance_plot(profile),
        "label_health": _optional("label health", _label_health, report.label_health),
        "outliers": _optional("outlier scores", _outlier_plots, report.findings) or [],
        "curve": _optional("learning curve", _learning_curve, report.findings),
        "columns": profile.get("columns") or [],
        "columns_total": profile.get("columns_total"),
        "steps": report_steps(preprocessing),
        "code": Lines(preprocessing["code"]) if preprocessing.get("code") else None,
        "skipped": [{"code": s.code, "reason": s.reason, "name": infos[s.code].name} for s in report.skipped],
        "not_examined": [
            {"code": s.code, "kinds": ", ".join(s.kinds), "columns": quote_list(s.columns, 10)}
            for s in report.skipped_columns
        ],
        "errors": [{"code": e.code, "error": e.error} for e in report.errors],
    }


def _optional(section: str, build: Callable[[Any], Any], data: Any) -> Any:
    """Lay out a section another check family publishes; a shape we cannot read omits the
    section (with a warning) instead of losing the whole report."""
    try:
        return build(data)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        log.warning("html report: %s section left out (%s: %s)", section, type(exc).__name__, exc)
        return None


def _finding(report: Report, f: Finding, infos: Mapping[str, RuleInfo]) -> dict[str, Any]:
    evidence = []
    for key, value in f.evidence.items():
        text = value if isinstance(value, str) else json.dumps(_plain(value), ensure_ascii=False, default=str)
        evidence.append((str(key), text if len(text) <= 300 else text[:300] + " …"))
    return {
        "code": f.code,
        "name": f.name,
        "severity": f.severity.value,
        "failing": failing(report, f),
        "message": f.message,
        "columns": list(f.columns),
        "rows": list(f.rows[:ROWS_SHOWN]),
        "row_count": f.flagged_rows,
        "more_rows": max(0, f.flagged_rows - ROWS_SHOWN),
        "evidence": evidence,
        "fix": f.fix.summary if f.fix else None,
        "transformer": f.fix.transformer if f.fix else None,
        "summary": infos[f.code].summary if f.code in infos else "",
    }


def _plain(value: Any) -> Any:
    from preflight.findings import jsonable

    return jsonable(value)


def _columns_of(
    findings: Iterable[Finding], category: str | None = None, code_prefix: str | None = None
) -> set[str]:
    out: set[str] = set()
    for f in findings:
        if (category is None or f.category == category) and (
            code_prefix is None or f.code.startswith(code_prefix)
        ):
            out.update(f.columns)
    return out


def _num(value: Any) -> str:
    """A number as people read it: 3 significant digits, thousands separators."""
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if not math.isfinite(value):
        return str(value)
    if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
        return f"{value:.3g}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


# ---- plots ------------------------------------------------------------------------
# Every plot is a list of rows with pixel positions inside a fixed-width SVG; the
# template draws them. Widths are in SVG user units (the SVG scales to the page).
PLOT_W = 560
LABEL_W = 180
BAR_W = PLOT_W - LABEL_W - 90  # room for the value printed after the longest bar
ROW_H = 22


def _scale_plot(profile: Mapping[str, Any], flagged: set[str]) -> dict[str, Any] | None:
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


def _missing_plot(profile: Mapping[str, Any], n_rows: int, flagged: set[str]) -> dict[str, Any] | None:
    columns = profile.get("columns") or []
    if not columns or n_rows <= 0:
        return None
    with_missing = [c for c in columns if c.get("missing")]
    complete = len(columns) - len(with_missing)
    hidden = max(0, len(with_missing) - MAX_PLOT_ROWS)
    rows = []
    for i, c in enumerate(with_missing[:MAX_PLOT_ROWS]):
        share = c["missing"] / n_rows
        rows.append(
            {
                "name": c["name"],
                "missing": c["missing"],
                "share": share,
                "width": round(max(1.0, share * BAR_W), 1),
                "y": 10 + i * ROW_H,
                "flagged": c["name"] in flagged or c.get("role") == "target",
            }
        )
    return {
        "rows": rows,
        "complete": complete,
        "hidden": hidden,
        "height": 10 + len(rows) * ROW_H + 10,
        "x0": LABEL_W,
        "x1": LABEL_W + BAR_W,
    }


def _balance_plot(profile: Mapping[str, Any]) -> dict[str, Any] | None:
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
                "width": round(max(1.0, count / biggest * BAR_W), 1),
                "y": 10 + i * ROW_H,
            }
        )
    return {
        "name": target.get("name"),
        "rows": rows,
        "classes_total": target.get("classes_total") or len(rows),
        "height": 10 + len(rows) * ROW_H + 10,
        "x0": LABEL_W,
    }


def _label_health(health: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """label_health as the labels checks publish it, laid out for a heatmap and a table.

    ``noise_matrix`` is either ``{given: {likely: value}}`` or
    ``{"labels": [...], "matrix": [[...]]}`` (rows: given label, columns: likely
    true label). ``suggested_labels`` and the optional ``given_labels`` map a row
    position to a label.
    """
    if not health:
        return None
    suggested = {str(k): v for k, v in (health.get("suggested_labels") or {}).items()}
    given = {str(k): v for k, v in (health.get("given_labels") or {}).items()}
    quality = {str(k): v for k, v in (health.get("label_quality") or {}).items()}
    issue_rows = list(health.get("issue_rows") or [])
    rows = [
        {
            "row": r,
            "given": given.get(str(r)),
            "likely": suggested.get(str(r)),
            "quality": quality.get(str(r)),
        }
        for r in issue_rows[:MAX_SUSPICIOUS_ROWS]
    ]
    return {
        "method": health.get("method"),
        "rate": _number(health.get("estimated_noise_rate")),
        "issue_count": len(issue_rows),
        "rows": rows,
        "more_rows": max(0, len(issue_rows) - MAX_SUSPICIOUS_ROWS),
        "has_given": bool(given),
        "has_quality": bool(quality),
        "matrix": _heatmap(health.get("noise_matrix")),
    }


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    return float(value)


def _heatmap(matrix: Any) -> dict[str, Any] | None:
    labels: list[str]
    values: list[list[float]]
    if isinstance(matrix, Mapping) and "labels" in matrix and "matrix" in matrix:
        labels = [str(v) for v in matrix["labels"]]
        values = [[float(v or 0) for v in row] for row in matrix["matrix"]]
    elif isinstance(matrix, Mapping) and matrix and all(isinstance(v, Mapping) for v in matrix.values()):
        labels = [str(k) for k in matrix]
        for row in matrix.values():
            labels += [str(k) for k in row if str(k) not in labels]
        # Keys may not be strings (jsonable turns them into strings; a Python caller may not).
        str_matrix = {str(g): {str(t): v for t, v in row.items()} for g, row in matrix.items()}
        values = [[float(str_matrix.get(g, {}).get(t) or 0) for t in labels] for g in labels]
    else:
        return None
    n = len(labels)
    if n == 0 or n > MAX_MATRIX_CLASSES or any(len(row) != n for row in values):
        return None
    off = [values[i][j] for i in range(n) for j in range(n) if i != j]
    top = max(off) if off and max(off) > 0 else 1.0
    integral = all(float(v).is_integer() for row in values for v in row)
    cell = 48 if n <= 8 else 32
    left, head = 170, 110
    cells = []
    for i in range(n):
        for j in range(n):
            v = values[i][j]
            diagonal = i == j
            # Off-diagonal cells (label noise) are coloured against the largest of them;
            # the diagonal (labels that agree) stays grey so it does not drown the noise.
            opacity = 0.0 if diagonal else round(min(1.0, v / top), 3)
            cells.append(
                {
                    "x": left + j * cell,
                    "y": head + i * cell,
                    "value": v,
                    "text": f"{int(v):,}" if integral else f"{v:.2f}",
                    "opacity": opacity,
                    "diagonal": diagonal,
                    "given": labels[i],
                    "likely": labels[j],
                    "dark": opacity > 0.55,
                }
            )
    return {
        "labels": [{"text": lab, "pos": k * cell + cell / 2} for k, lab in enumerate(labels)],
        "cells": cells,
        "cell": cell,
        "left": left,
        "head": head,
        "width": left + n * cell + 10,
        "height": head + n * cell + 10,
    }


def _outlier_plots(findings: Iterable[Finding]) -> list[dict[str, Any]]:
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
        candidates = [shown[0][1]] + ([float(threshold)] if isinstance(threshold, (int, float)) else [])
        top = max(candidates) if max(candidates) > 0 else 1.0
        rows = [
            {
                "row": r,
                "score": s,
                "width": round(max(1.0, max(s, 0.0) / top * BAR_W), 1),
                "y": 10 + i * ROW_H,
            }
            for i, (r, s) in enumerate(shown)
        ]
        x_threshold = None
        if isinstance(threshold, (int, float)) and threshold > 0:
            x_threshold = round(LABEL_W + float(threshold) / top * BAR_W, 1)
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
                "height": 10 + len(rows) * ROW_H + 10,
                "x0": LABEL_W,
            }
        )
    return plots


CURVE_H = 220
CURVE_PAD = 44


def _learning_curve(findings: Iterable[Finding]) -> dict[str, Any] | None:
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
        and _number(p.get("score")) is not None
        and (_number(p.get("rows")) or 0) > 0
    ]
    if len(points) < 2:
        return None
    rows = [math.log10(float(p["rows"])) for p in points]
    scores = [float(p["score"]) for p in points]
    train = [_number(p.get("train_score")) for p in points]
    values = scores + [t for t in train if t is not None]
    low, high = min(0.0, *values), max(1.0, *values)
    x_span = (max(rows) - min(rows)) or 1.0
    width, height = PLOT_W - 2 * CURVE_PAD, CURVE_H - 2 * CURVE_PAD

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
        "x0": CURVE_PAD,
        "x1": CURVE_PAD + width,
        "height": CURVE_H,
    }


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
