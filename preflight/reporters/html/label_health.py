"""The label-health section: suspicious rows and the label-noise matrix as a heatmap."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from preflight.reporters.html.plots import finite_number

MAX_SUSPICIOUS_ROWS = 50
# The suspicious rows go in tables of this many rows, side by side: one 50-row table
# beside the matrix left most of the page empty.
CHUNK_ROWS = 12
MAX_MATRIX_CLASSES = 20
# A noise cell holding this share of the matrix's total (5% of the rows) or more is drawn
# at full colour; smaller ones in proportion. Scaled to the largest cell alone, a matrix
# whose noise is all near 0 would paint its largest 0.00 bright red.
FULL_COLOUR_SHARE = 0.05


def label_health(health: Mapping[str, Any] | None) -> dict[str, Any] | None:
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
        "rate": finite_number(health.get("estimated_noise_rate")),
        "issue_count": len(issue_rows),
        "rows": rows,
        "chunks": [rows[i : i + CHUNK_ROWS] for i in range(0, len(rows), CHUNK_ROWS)],
        "more_rows": max(0, len(issue_rows) - MAX_SUSPICIOUS_ROWS),
        "has_given": bool(given),
        "has_quality": bool(quality),
        "matrix": _heatmap(health.get("noise_matrix")),
    }


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
    total = sum(v for row in values for v in row)
    top = max([*off, FULL_COLOUR_SHARE * total])
    top = top if top > 0 else 1.0
    integral = all(float(v).is_integer() for row in values for v in row)
    cell = 48 if n <= 8 else 32
    left, head = 170, 110
    cells = []
    for i in range(n):
        for j in range(n):
            v = values[i][j]
            diagonal = i == j
            # Off-diagonal cells (label noise) are coloured against the largest of them
            # (at least FULL_COLOUR_SHARE of the total); the diagonal (labels that agree)
            # stays grey so it does not drown the noise.
            opacity = 0.0 if diagonal else round(min(1.0, v / top), 3)
            cells.append(
                {
                    "x": left + j * cell,
                    "y": head + i * cell,
                    "value": v,
                    "text": _cell_text(v, integral),
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


def _cell_text(value: float, integral: bool) -> str:
    """A cell's number: counts in full, shares to 2 decimals; a share that is not 0 is
    never written as 0.00."""
    if integral:
        return f"{int(value):,}"
    if 0 < abs(value) < 0.005:
        return "<0.01" if value > 0 else ">-0.01"
    return f"{value:.2f}"
