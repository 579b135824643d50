"""Your own model's probabilities (``--pred-probs FILE``) in place of the built-in models.

npy, parquet or csv; one row per data row, one column per class in sorted class
order or named after the classes. The file is validated and never unpickled.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from preflight.analysis.folds import encode_labels
from preflight.analysis.oof import OutOfFold
from preflight.core.errors import PreflightError
from preflight.data.dataset import Dataset

# Row sums of user probabilities may be off by this much (float32 exports, rounding).
PROBABILITY_SUM_TOLERANCE = 0.01


def user_out_of_fold(dataset: Dataset, path: str) -> OutOfFold:
    """The out-of-fold artifact made of the probabilities in ``path``."""
    positions, labels, classes = encode_labels(dataset.y)
    probs = load_pred_probs(path, dataset.n_rows, classes)[positions]
    return OutOfFold(
        pred_probs=probs,
        labels=labels,
        classes=classes,
        positions=positions,
        method=f"your model's out-of-sample probabilities ({Path(path).name})",
        source="user",
    )


def load_pred_probs(path: str, n_rows: int, classes: tuple[Any, ...]) -> np.ndarray:
    """Read and validate ``--pred-probs``: (n_rows, n_classes), finite, rows summing to 1."""
    file = Path(path)
    if not file.is_file():
        raise PreflightError(f"--pred-probs: {path}: no such file")
    k = len(classes)
    if file.suffix.lower() == ".npy":
        try:
            raw = np.load(file, allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise PreflightError(f"--pred-probs: {path}: not a numeric .npy array ({exc})") from exc
        names: list[str] | None = None
    else:
        from preflight.data.dataset import read_table

        table = read_table(file).frame
        names = [str(c) for c in table.columns]
        try:
            raw = table.to_numpy(dtype=float, na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise PreflightError(f"--pred-probs: {path}: every column must be numeric") from exc
    arr = np.asarray(raw)
    if arr.dtype.kind not in "fiub":
        raise PreflightError(f"--pred-probs: {path}: holds {arr.dtype} values, not probabilities")
    arr = arr.astype(np.float64)
    if arr.ndim == 1 and k == 2:
        arr = np.column_stack([1.0 - arr, arr])  # one column: P(second class), as for binary models
    if arr.ndim == 2 and arr.shape[1] == 1 and k == 2:
        arr = np.column_stack([1.0 - arr[:, 0], arr[:, 0]])
        names = None
    if arr.ndim != 2:
        raise PreflightError(f"--pred-probs: {path}: expected a 2-D table, got shape {arr.shape}")
    if arr.shape[0] != n_rows:
        hint = " (a CSV or parquet file needs a header row)" if arr.shape[0] == n_rows - 1 else ""
        raise PreflightError(
            f"--pred-probs: {path}: has {arr.shape[0]} rows but the data has {n_rows}{hint}; "
            "give one probability row per data row, in the same order"
        )
    if arr.shape[1] != k:
        raise PreflightError(
            f"--pred-probs: {path}: has {arr.shape[1]} columns but the target has {k} classes "
            f"({', '.join(str(c) for c in classes[:10])}{', ...' if k > 10 else ''})"
        )
    if names is not None:
        wanted = [str(c) for c in classes]
        if sorted(names) == sorted(wanted) and names != wanted:
            arr = arr[:, [names.index(w) for w in wanted]]  # columns named after the classes
    if not np.isfinite(arr).all():
        bad = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        raise PreflightError(f"--pred-probs: {path}: row {bad} has a missing or infinite value")
    if arr.min() < -1e-9 or arr.max() > 1 + 1e-9:
        raise PreflightError(
            f"--pred-probs: {path}: values must lie in [0, 1] (got {arr.min():g}..{arr.max():g})"
        )
    sums = arr.sum(axis=1)
    off = np.abs(sums - 1.0) > PROBABILITY_SUM_TOLERANCE
    if off.any():
        bad = int(np.flatnonzero(off)[0])
        raise PreflightError(
            f"--pred-probs: {path}: row {bad} sums to {sums[bad]:.4g}, not 1; "
            "pass predict_proba output, not scores or logits"
        )
    out: np.ndarray = np.clip(arr, 0.0, 1.0) / sums[:, None]
    return out
