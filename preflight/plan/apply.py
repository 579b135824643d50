"""Run the plan's code: fit its pipeline on the kept training rows, apply it to the test file.

The pipeline is fitted on training rows only; the test file's rows that repeat a
training row (SP001) are removed, the others go through the fitted pipeline.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pandas as pd

from preflight.core.config import Config
from preflight.core.errors import PreflightError
from preflight.data.dataset import Dataset
from preflight.plan.clean import clean_cells
from preflight.plan.rows import removed_rows


def fit_pipeline(code: str, kept: pd.DataFrame, dataset: Dataset) -> tuple[Any, pd.DataFrame]:
    """Run the plan's code, fit its pipeline on the kept rows, return (pipeline, output frame)."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    namespace: dict[str, Any] = {"__name__": "preflight_plan"}
    # The code is preflight's own output (every data value in it is a quoted literal).
    exec(compile(code, "<preflight plan>", "exec"), namespace)
    steps = [namespace["columns"]]
    if "CLEAN" in namespace:
        # The module-level clean_cells (the same source as the plan's copy), so
        # that the saved pipeline unpickles wherever preflight is installed.
        steps.insert(0, FunctionTransformer(clean_cells, kw_args={"spec": namespace["CLEAN"]}))
    pipeline = make_pipeline(*steps)
    X = kept[list(dataset.features)]
    y = kept[dataset.target] if dataset.target is not None else None
    transformed = _run(
        lambda: pipeline.fit_transform(X, y), f"{dataset.path}: the plan's pipeline cannot be fitted"
    )
    return pipeline, _with_ids_and_target(kept, transformed, dataset)


def preprocess_test(
    path: str, train: Dataset, pipeline: Any
) -> tuple[pd.DataFrame, pd.DataFrame, tuple[int, int, int]]:
    """Drop the test rows that repeat a training row; preprocess the rest with ``pipeline``.

    Returns the preprocessed rows, the removed rows and (rows in, rows out, leaked)."""
    from preflight.analysis.overlap import drop_leaked_rows
    from preflight.analysis.split import load_heldout

    held = load_heldout(path, train).dataset
    missing = [c for c in train.features if c not in held.frame.columns]
    if missing:
        raise PreflightError(f"test file {path}: lacks the features {missing[:5]}; cannot preprocess it")
    # The original training rows, as SP001 compares them (a duplicate removed from
    # train is still a row the model has seen in spirit).
    leaked = drop_leaked_rows(train, held)
    removed = removed_rows(leaked.removed, leaked.positions, "SP001")
    kept = leaked.kept.reset_index(drop=True)
    if kept.empty:
        raise PreflightError(f"test file {path}: every row repeats a training row; nothing to write")
    X = kept[list(train.features)]
    transformed = _run(
        lambda: pipeline.transform(X), f"test file {path}: the training pipeline cannot transform it"
    )
    result = _with_ids_and_target(kept, transformed, held)
    return result, removed, (held.n_rows, len(result), int(leaked.positions.size))


def _run(call: Callable[[], Any], failure: str) -> pd.DataFrame:
    """The pipeline's output frame, on one BLAS thread; a failure is ``failure: why``."""
    from threadpoolctl import threadpool_limits

    try:
        with threadpool_limits(limits=1):
            transformed = call()
    except (ValueError, TypeError) as exc:
        raise PreflightError(f"{failure}: {exc}") from exc
    if not isinstance(transformed, pd.DataFrame):  # pragma: no cover - set_output is pandas
        transformed = pd.DataFrame(transformed)
    return transformed


def _with_ids_and_target(kept: pd.DataFrame, transformed: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """The id columns and keys (unchanged), the transformed features and the target, side by side."""
    keep_cols = [c for c in (*dataset.id_columns, *dataset.keys) if c not in transformed.columns]
    parts = [kept[keep_cols].reset_index(drop=True), transformed.reset_index(drop=True)]
    if dataset.target is not None:
        if dataset.target in transformed.columns:
            raise PreflightError(f"a transformed feature is named like the target {dataset.target!r}")
        parts.append(kept[[dataset.target]].reset_index(drop=True))
    return pd.concat(parts, axis=1)


def refuse_what_would_not_fit(path: str | os.PathLike[str]) -> None:
    """`fix` rewrites the whole table in memory: a clear refusal beats an out-of-memory kill."""
    from preflight.data.engines import available_memory, choose_mode, estimated_memory

    spec = os.fspath(path)
    if choose_mode(spec, Config()) == "stream":
        from preflight.data.inputs import expand

        need, have = estimated_memory(expand(spec)) / 2**30, available_memory() / 2**30
        raise PreflightError(
            f"{spec}: too big to fix in memory (about {need:.1f} GB needed, {have:.1f} GB available); "
            "`preflight check` streams it; run `fix` on one part file at a time"
        )
