"""What the run refuses or skips before any check fits a model.

The model-based checks hold rows x classes probabilities and read ``--pred-probs``
whole, so the run settles, before the first of them allocates anything, whether
they can run at all: a classification target that is an identifier is refused (no
check that uses classes can judge it), a target with more classes than their memory
bounds skips them with the reason, and a ``.npy`` ``--pred-probs`` whose header
cannot be one probability row per data row is refused before it is read.
:mod:`preflight.run` asks these before its loop, which then only runs checks.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np

from preflight.analysis.folds import DEFAULT_SAMPLE
from preflight.checks.base import Check
from preflight.core.config import Config
from preflight.core.errors import PreflightError
from preflight.data.dataset import Dataset
from preflight.data.profile import Profile

# The model-based checks keep out-of-fold probabilities for every row, a float64
# (rows x classes) matrix per ensemble member plus their sum and a refit copy, and
# extra trees whose leaves hold one float64 per class. Their memory is bounded by
# design: more classes than ``max-classes``, or more rows x classes than these,
# and they are skipped with the reason (docs/limits.md has the measurements).
MAX_SCORED_CELLS = 25_000_000  # rows x classes of one probability matrix: 200 MB
FIT_ROWS = DEFAULT_SAMPLE  # the fit sample of the label ensemble (preflight.analysis.folds)
# A classification target with distinct values in at least this share of at least
# this many rows is an identifier (or a continuous number), not a set of classes.
ID_LIKE_SHARE = 0.9
ID_LIKE_MIN_ROWS = 100


def classes_guard(dataset: Dataset, config: Config, profile: Profile, checks: Sequence[Check]) -> str | None:
    """Why the class-dependent model checks cannot run on this target, or None.

    Raises PreflightError for a classification target that is unique per row:
    there is nothing to classify, and the run would be all noise (and, for models,
    rows x rows memory).
    """
    target = dataset.target
    if target is None or dataset.task != "classification":
        return None
    uses_classes = [
        c for c in checks if "classification" in c.needs or (c.model_based and "target" in c.needs)
    ]
    if not uses_classes:
        return None
    column = profile[target]
    present, classes = column.n_present, column.n_unique
    if present >= ID_LIKE_MIN_ROWS and classes >= ID_LIKE_SHARE * present:
        raise PreflightError(
            f"{dataset.path}: target {target!r} has {classes:,} distinct values in {present:,} rows, "
            "nearly one per row: an identifier or a continuous number, not classes; pass the label "
            "column as --target" + (" (or --task regression)" if column.kind == "numeric" else "")
        )
    if classes > config.max_classes:
        return (
            f"target has {classes:,} classes; model checks need at most {config.max_classes:,} (max-classes)"
        )
    # The trees grow with the rows fitted on: a --sample above the default may not
    # buy more classes than max-classes allows at the default.
    fit_rows = min(present, max(config.sample or FIT_ROWS, FIT_ROWS))
    if present * classes > MAX_SCORED_CELLS or fit_rows * classes > FIT_ROWS * config.max_classes:
        return (
            f"target has {classes:,} classes over {present:,} rows; model checks hold rows x classes "
            f"probabilities, at most {MAX_SCORED_CELLS:,} (fewer rows or classes, or --mode stream)"
        )
    return None


def refuse_impossible_pred_probs(dataset: Dataset, config: Config, profile: Profile) -> None:
    """Read a ``.npy`` ``--pred-probs`` header and refuse, before anything allocates the
    array, a shape that cannot be one probability row per data row or that the file's
    size cannot hold (a header may claim any shape)."""
    path = config.pred_probs
    if path is None or dataset.target is None or dataset.task != "classification":
        return
    if not path.lower().endswith(".npy"):
        return
    from numpy.lib import format as npy

    from preflight.data.inputs import refuse_special_file

    refuse_special_file(path, "--pred-probs: ")
    try:
        with open(path, "rb") as fh:
            version = npy.read_magic(fh)
            if version == (1, 0):
                shape, _, dtype = npy.read_array_header_1_0(fh)
            else:
                shape, _, dtype = npy.read_array_header_2_0(fh)
            offset = fh.tell()
        size = os.path.getsize(path)
    except (ValueError, OSError, SyntaxError) as exc:
        raise PreflightError(f"--pred-probs: {path}: not a numeric .npy array ({exc})") from None
    if dtype.hasobject:
        raise PreflightError(f"--pred-probs: {path}: not a numeric .npy array (it holds Python objects)")
    rows = dataset.n_rows
    classes = profile[dataset.target].n_unique
    columns = shape[1] if len(shape) == 2 else 1
    if len(shape) not in (1, 2) or (len(shape) == 1 and classes != 2):
        raise PreflightError(
            f"--pred-probs: {path}: expected a 2-D table (rows x {classes} classes), got shape {tuple(shape)}"
        )
    if shape[0] != rows:
        raise PreflightError(
            f"--pred-probs: {path}: has {shape[0]} rows but the data has {rows}; "
            "give one probability row per data row, in the same order"
        )
    if columns not in (classes, 1 if classes == 2 else classes):
        raise PreflightError(
            f"--pred-probs: {path}: has {columns:,} columns but the target has {classes:,} classes"
        )
    need = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if size - offset < need:
        raise PreflightError(
            f"--pred-probs: {path}: truncated: its header claims {tuple(shape)} {dtype} values "
            f"({need:,} bytes) but the file holds {max(size - offset, 0):,}"
        )
