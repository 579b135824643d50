"""``preflight fix``: apply the suggested preprocessing and write a new dataset.

The input file is only read. The run writes, each atomically:

- ``OUT``: the transformed features (the plan's pipeline output), with the id
  columns and the target unchanged;
- ``OUT-stem.removed.SUFFIX``: every removed row, as in the input, with its
  0-based input position and the codes that removed it;
- ``OUT-stem.pipeline.joblib``: the fitted scikit-learn pipeline (raw features in,
  features out), to apply the same preprocessing to new data;
- ``OUT-stem.plan.py``: the plan's code, which this command ran.

Rows are removed when their label is missing (always: nothing can be learnt from
them), when they repeat an earlier row (``drop_duplicates``) and when a check
listed in ``drop_codes`` flagged them.

With a test file (``--test``), its rows that repeat a training row (SP001, the leak
that makes test loss lie) are removed into ``OUT-stem.test.removed.SUFFIX`` and the
other test rows go through the pipeline fitted on the training rows into
``OUT-stem.test.SUFFIX`` — never fitted on test data. The test file is only read.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from preflight.config import Config
from preflight.dataset import SUFFIXES, Dataset, Format, load_dataset
from preflight.errors import PreflightError
from preflight.findings import Report
from preflight.io import write_atomic, write_text_atomic

ROW_COLUMN = "preflight_row"
REASON_COLUMN = "preflight_reason"


class ChecksCrashed(Exception):
    """A check crashed, so the plan may miss its fixes: nothing is written (exit 3)."""


@dataclass
class FixResult:
    """What ``preflight fix`` did, for the printed summary and for tests."""

    output: Path
    removed_file: Path
    pipeline_file: Path
    code_file: Path
    rows_in: int
    rows_out: int
    columns_in: int
    columns_out: int
    removed: dict[str, int] = field(default_factory=dict)  # code -> rows it removed
    steps: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    test: TestFixResult | None = None


@dataclass
class TestFixResult:
    """What ``fix`` did to the test file: leaked rows out, the rest preprocessed."""

    output: Path
    removed_file: Path
    rows_in: int
    rows_out: int
    leaked: int


def test_files(output: Path) -> tuple[Path, Path]:
    """The preprocessed test file and its removed (leaked) rows, beside ``output``."""
    stem = output.name[: -len(output.suffix)] if output.suffix else output.name
    return output.with_name(f"{stem}.test{output.suffix}"), output.with_name(
        f"{stem}.test.removed{output.suffix}"
    )


def side_files(output: Path) -> tuple[Path, Path, Path]:
    """The removed-rows file, the pipeline file and the code file beside ``output``."""
    stem = output.name[: -len(output.suffix)] if output.suffix else output.name
    return (
        output.with_name(f"{stem}.removed{output.suffix}"),
        output.with_name(f"{stem}.pipeline.joblib"),
        output.with_name(f"{stem}.plan.py"),
    )


def fix(
    path: str,
    output: str | os.PathLike[str],
    config: Config,
    *,
    drop_duplicates: bool = False,
    drop_codes: Sequence[str] = (),
) -> FixResult:
    """Check ``path``, apply the plan and write the outputs. Raises PreflightError on bad input."""
    from preflight import engine

    out = Path(output)
    out_format = _output_format(path, out)
    removed_file, pipeline_file, code_file = side_files(out)
    outputs = [out, removed_file, pipeline_file, code_file]
    _refuse_overwriting_input(path, outputs + list(test_files(out)))
    if config.test is not None:
        _refuse_overwriting_input(config.test, outputs + list(test_files(out)))

    _refuse_what_would_not_fit(path)
    dataset = load_dataset(path, target=config.target, id_columns=config.id_columns, task=config.task)
    report = engine.run(dataset, config)
    if report.errors:
        failed = ", ".join(e.code for e in report.errors)
        raise ChecksCrashed(
            f"{path}: checks crashed ({failed}); nothing written; `preflight check -v` shows why"
        )
    plan = report.preprocessing or {"steps": [], "code": None}
    code = plan["code"]
    if not code:
        raise PreflightError(f"{path}: preflight has no plan for this data")

    reasons = _rows_to_remove(report, dataset, drop_duplicates, drop_codes)
    frame = dataset.frame
    positions = np.array(sorted(reasons), dtype=np.int64)
    removed = frame.iloc[positions].copy()
    removed.insert(0, REASON_COLUMN, [";".join(sorted(reasons[int(p)])) for p in positions])
    removed.insert(0, ROW_COLUMN, positions)
    kept = frame.drop(index=frame.index[positions]).reset_index(drop=True)
    if kept.empty:
        raise PreflightError(f"{path}: every row would be removed; nothing to write")

    pipeline, transformed = _fit(code, kept, dataset)
    keep_cols = [c for c in dataset.id_columns if c not in transformed.columns]
    parts = [kept[keep_cols].reset_index(drop=True), transformed.reset_index(drop=True)]
    if dataset.target is not None:
        if dataset.target in transformed.columns:
            raise PreflightError(f"a transformed feature is named like the target {dataset.target!r}")
        parts.append(kept[[dataset.target]].reset_index(drop=True))
    result_frame = pd.concat(parts, axis=1)

    _write_frame(out, result_frame, out_format)
    _write_frame(removed_file, removed, out_format)
    write_atomic(pipeline_file, lambda tmp: _dump(pipeline, tmp))
    write_text_atomic(code_file, code)
    test_result = _fix_test(config.test, dataset, pipeline, out, out_format) if config.test else None

    counts: dict[str, int] = {}
    for codes in reasons.values():
        for c in codes:
            counts[c] = counts.get(c, 0) + 1
    notes = []
    if any(s["step"] == "transform-target" for s in plan["steps"]):
        notes.append(
            "the target is left in raw units: train with with_target_transform(...) from the plan code"
        )
    for f in report.findings:
        if not f.fix or f.fix.step != "drop-rows" or f.code in counts:
            continue
        how = "--drop-duplicates" if f.fix.params.get("duplicates") else f"--drop-rows {f.code}"
        notes.append(f"kept the {f.flagged_rows:,} rows {f.code} flags (remove them with {how})")
    return FixResult(
        output=out,
        removed_file=removed_file,
        pipeline_file=pipeline_file,
        code_file=code_file,
        rows_in=len(frame),
        rows_out=len(result_frame),
        columns_in=frame.shape[1],
        columns_out=result_frame.shape[1],
        removed=dict(sorted(counts.items())),
        steps=list(plan["steps"]),
        notes=notes,
        test=test_result,
    )


def _fix_test(path: str, train: Dataset, pipeline: Any, out: Path, fmt: Format) -> TestFixResult:
    """Drop the test rows that repeat a training row; preprocess the rest with ``pipeline``."""
    from threadpoolctl import threadpool_limits

    from preflight.analysis.overlap import drop_leaked_rows
    from preflight.analysis.split import load_heldout

    held = load_heldout(path, train).dataset
    missing = [c for c in train.features if c not in held.frame.columns]
    if missing:
        raise PreflightError(f"test file {path}: lacks the features {missing[:5]}; cannot preprocess it")
    # The original training rows, as SP001 compares them (a duplicate removed from
    # train is still a row the model has seen in spirit).
    leaked = drop_leaked_rows(train, held)
    removed = leaked.removed.copy()
    removed.insert(0, REASON_COLUMN, "SP001")
    removed.insert(0, ROW_COLUMN, leaked.positions)
    kept = leaked.kept.reset_index(drop=True)
    if kept.empty:
        raise PreflightError(f"test file {path}: every row repeats a training row; nothing to write")
    try:
        with threadpool_limits(limits=1):
            transformed = pipeline.transform(kept[list(train.features)])
    except (ValueError, TypeError) as exc:
        raise PreflightError(f"test file {path}: the training pipeline cannot transform it: {exc}") from exc
    if not isinstance(transformed, pd.DataFrame):  # pragma: no cover - set_output is pandas
        transformed = pd.DataFrame(transformed)
    keep_cols = [c for c in held.id_columns if c not in transformed.columns]
    parts = [kept[keep_cols], transformed.reset_index(drop=True)]
    if held.target is not None:
        parts.append(kept[[held.target]])
    result = pd.concat(parts, axis=1)
    test_out, test_removed = test_files(out)
    _write_frame(test_out, result, fmt)
    _write_frame(test_removed, removed, fmt)
    return TestFixResult(test_out, test_removed, held.n_rows, len(result), int(leaked.positions.size))


def _rows_to_remove(
    report: Report, dataset: Dataset, drop_duplicates: bool, drop_codes: Sequence[str]
) -> dict[int, set[str]]:
    """Row position -> the codes that remove it."""
    selected = tuple(c.upper() for c in drop_codes)
    reasons: dict[int, set[str]] = {}
    for f in report.findings:
        step = f.fix.step if f.fix else None
        params = f.fix.params if f.fix else {}
        label_missing = step == "drop-rows" and dataset.target is not None and dataset.target in f.columns
        duplicate = step == "drop-rows" and bool(params.get("duplicates"))
        chosen = any(sel == "ALL" or f.code.startswith(sel) for sel in selected)
        if label_missing or (duplicate and drop_duplicates) or chosen:
            for row in f.rows:
                reasons.setdefault(int(row), set()).add(f.code)
    return reasons


def _fit(code: str, kept: pd.DataFrame, dataset: Dataset) -> tuple[Any, pd.DataFrame]:
    """Run the plan's code, fit its pipeline on the kept rows, return (pipeline, features)."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer
    from threadpoolctl import threadpool_limits

    from preflight.plan import clean_cells

    namespace: dict[str, Any] = {"__name__": "preflight_plan"}
    # The code is preflight's own output (every data value in it is a quoted literal).
    exec(compile(code, "<preflight plan>", "exec"), namespace)
    columns = namespace["columns"]
    steps = [columns]
    if "CLEAN" in namespace:
        # The module-level clean_cells (the same source as the plan's copy), so
        # that the saved pipeline unpickles wherever preflight is installed.
        steps.insert(0, FunctionTransformer(clean_cells, kw_args={"spec": namespace["CLEAN"]}))
    pipeline = make_pipeline(*steps)
    X = kept[list(dataset.features)]
    y = kept[dataset.target] if dataset.target is not None else None
    try:
        with threadpool_limits(limits=1):
            transformed = pipeline.fit_transform(X, y)
    except (ValueError, TypeError) as exc:
        raise PreflightError(f"{dataset.path}: the plan's pipeline cannot be fitted: {exc}") from exc
    if not isinstance(transformed, pd.DataFrame):  # pragma: no cover - set_output is pandas
        transformed = pd.DataFrame(transformed)
    return pipeline, transformed


def _dump(pipeline: Any, tmp: Path) -> None:
    import joblib  # type: ignore[import-untyped]

    joblib.dump(pipeline, tmp)


def _output_format(path: str, out: Path) -> Format:
    suffix = out.suffix.lower()
    if suffix:
        fmt = SUFFIXES.get(suffix)
        if fmt is None:
            known = ", ".join(sorted(SUFFIXES))
            raise PreflightError(f"{out}: unknown output format {suffix!r}; use one of {known}")
        return fmt
    fmt = SUFFIXES.get(Path(path).suffix.lower())
    if fmt is None:
        raise PreflightError(f"{out}: give the output a suffix (.csv, .parquet, ...)")
    return fmt


def _refuse_what_would_not_fit(path: str | os.PathLike[str]) -> None:
    """`fix` rewrites the whole table in memory: a clear refusal beats an out-of-memory kill."""
    from preflight.engines import available_memory, choose_mode, estimated_memory

    spec = os.fspath(path)
    if choose_mode(spec, Config()) == "stream":
        from preflight.dataset import _expand

        need, have = estimated_memory(_expand(spec)) / 2**30, available_memory() / 2**30
        raise PreflightError(
            f"{spec}: too big to fix in memory (about {need:.1f} GB needed, {have:.1f} GB available); "
            "`preflight check` streams it; run `fix` on one part file at a time"
        )


def _refuse_overwriting_input(path: str, outputs: list[Path]) -> None:
    source = Path(path)
    for out in outputs:
        same = os.path.realpath(out) == os.path.realpath(source)
        if not same and out.exists() and source.exists():
            same = os.path.samefile(out, source)
        if same:
            raise PreflightError(f"{out}: would overwrite the input; choose another output path")
        if source.is_dir() and Path(os.path.realpath(out)).is_relative_to(os.path.realpath(source)):
            raise PreflightError(f"{out}: is inside the input directory; choose another output path")


def _write_frame(destination: Path, frame: pd.DataFrame, fmt: Format) -> None:
    if fmt == "parquet":
        write_atomic(destination, lambda tmp: frame.to_parquet(tmp, index=False))
    elif fmt == "feather":
        write_atomic(destination, lambda tmp: frame.reset_index(drop=True).to_feather(tmp))
    elif fmt == "jsonl":
        write_atomic(destination, lambda tmp: frame.to_json(tmp, orient="records", lines=True))
    else:
        sep = "\t" if destination.suffix.lower() == ".tsv" else ","
        write_atomic(destination, lambda tmp: frame.to_csv(tmp, index=False, sep=sep))
