"""The report's ``profile`` section: a small, JSON-ready digest of the column statistics.

Reporters draw pictures from it (per-feature scale on a log axis, missing values per
column, class balance) but never compute, so the engine builds it here from the
cached :class:`~preflight.data.profile.ColumnProfile` statistics that the checks already
share. It is capped (columns listed, classes listed) so that a 10,000-column file
does not make a 10 MB report, and it is deterministic: columns in file order,
classes by count then by label text.

Shape (documented in ``schemas/report.schema.json`` and docs/reports.md)::

    {"columns_total": 8, "columns_listed": 8,
     "columns": [{"name": "culmen_length_mm", "role": "feature", "kind": "numeric",
                  "missing": 5, "markers": 3,
                  "numeric": {"min": 32.1, "q05": 35.7, "q25": 39.2, "median": 44.4,
                              "q75": 48.5, "q95": 51.9, "max": 59.6,
                              "mean": 43.9, "std": 5.45, "iqr": 9.3}}, ...],
     "target": {"name": "species", "task": "classification", "missing": 0,
                "classes_total": 3, "class_counts": {"Adelie": 152, ...}}}

``missing`` counts the cells the cleaned view reads as missing: true nulls and the
missing-value markers of the semantics stage (``-999``, ``"?"``); ``markers`` is how
many of them are markers (null when the file was streamed: the markers are counted in
the read sample, the missing cells in every row). A column the semantics stage parsed
(numbers or dates stored as text) is described as parsed, so a ``"3,750"`` column has
``numeric`` statistics. ``role`` is ``id`` for declared id columns and for columns the
semantics stage found to be identifiers (kept out of the features, and of the plots).
``numeric`` is null for non-numeric columns; ``target`` is null without a target,
and ``class_counts`` is null for a regression target.
"""

from __future__ import annotations

from typing import Any

from preflight.core.findings import jsonable
from preflight.data.dataset import Dataset
from preflight.data.profile import ColumnProfile, Profile
from preflight.data.semantics.clean import marker_mask

# Enough for any table a person reads column by column; wider tables list the first ones.
MAX_COLUMNS = 200
# A class-balance bar chart stops being readable long before this.
MAX_CLASSES = 50


def summarize(
    profile: Profile, dataset: Dataset, *, max_columns: int = MAX_COLUMNS, max_classes: int = MAX_CLASSES
) -> dict[str, Any]:
    """The ``profile`` section of the report for ``dataset``."""
    names = [str(c) for c in dataset.frame.columns]
    listed = names[:max_columns]
    # The target always appears, even when it sits past the cap.
    if dataset.target is not None and dataset.target not in listed:
        listed.append(dataset.target)
    ids = set(dataset.id_columns) | set(dataset.keys)
    columns = [_column(profile[name], _role(name, dataset.target, ids)) for name in listed]
    markers = _marker_counts(dataset, listed)
    for entry in columns:
        entry["markers"] = markers.get(entry["name"], 0) if markers is not None else None
    target = None
    if dataset.target is not None:
        target = _target(profile[dataset.target], dataset, max_classes)
    section = {
        "columns_total": len(names),
        "columns_listed": len(columns),
        "columns": columns,
        "target": target,
    }
    result: dict[str, Any] = jsonable(section)
    return result


def _marker_counts(dataset: Dataset, names: list[str]) -> dict[str, int] | None:
    """Cells of each column that are a missing-value marker, as the file holds them
    (the cleaned view has made them missing); None for a streamed file, whose frame
    is a sample while the missing counts cover every row."""
    if dataset.sample_positions is not None:
        return None
    raw = dataset.frame_as_read
    out: dict[str, int] = {}
    for name in names:
        sem = dataset.semantics.get(name)
        if sem is not None and sem.missing_markers and name in raw.columns:
            out[name] = int(marker_mask(raw[name], sem.missing_markers).sum())
    return out


def _role(name: str, target: str | None, ids: set[str]) -> str:
    if name == target:
        return "target"
    return "id" if name in ids else "feature"


def _column(col: ColumnProfile, role: str) -> dict[str, Any]:
    numeric = None
    if col.kind == "numeric" and col.finite.size:
        q = col.quantiles
        assert q is not None  # finite values exist
        # Reuse the moments a check already computed; otherwise only the mean and
        # standard deviation (the same formulas), not the skewness, which is costly.
        cached = col.__dict__.get("moments")
        mean, std = (cached[0], cached[1]) if cached else (float(col.finite.mean()), float(col.finite.std()))
        numeric = {
            "min": col.min,
            "q05": q.q05,
            "q25": q.q25,
            "median": q.q50,
            "q75": q.q75,
            "q95": q.q95,
            "max": col.max,
            "mean": mean,
            "std": std,
            "iqr": q.iqr,
        }
    return {
        "name": col.name,
        "role": role,
        "kind": col.kind,
        "missing": col.n_missing,
        "numeric": numeric,
    }


def _target(col: ColumnProfile, dataset: Dataset, max_classes: int) -> dict[str, Any]:
    counts = None
    classes_total = None
    if dataset.task == "classification":
        pairs = sorted(
            ((str(k), int(v)) for k, v in col.value_counts.items()), key=lambda kv: (-kv[1], kv[0])
        )
        classes_total = len(pairs)
        counts = dict(pairs[:max_classes])
    return {
        "name": col.name,
        "task": dataset.task,
        "missing": col.n_missing,
        "classes_total": classes_total,
        "class_counts": counts,
    }
