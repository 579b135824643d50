"""``preflight fix``: apply the suggested preprocessing and write a new dataset.

The input file is only read. The run writes, as one set:

- ``OUT``: the transformed features (the plan's pipeline output), with the id
  columns and the target unchanged;
- ``OUT-stem.removed.SUFFIX``: every removed row, as in the input, with its
  0-based input position and the codes that removed it;
- ``OUT-stem.pipeline.joblib``: the fitted scikit-learn pipeline (raw features in,
  features out), to apply the same preprocessing to new data;
- ``OUT-stem.plan.py``: the plan's code, which this command ran;
- ``OUT-stem.manifest.json``, written last: every other file of the set by name,
  with its role, sha256 and size.

Rows are removed when their label is missing (always: nothing can be learnt from
them), when they repeat an earlier row (``drop_duplicates``) and when a check
listed in ``drop_codes`` flagged them.

With a test file (``--test``), its rows that repeat a training row (SP001, the leak
that makes test loss lie) are removed into ``OUT-stem.test.removed.SUFFIX`` and the
other test rows go through the pipeline fitted on the training rows into
``OUT-stem.test.SUFFIX`` — never fitted on test data. The test file is only read.

The outputs are one transaction (:class:`preflight.io.FileSet`): everything,
the test file's transform included, is computed first, then written to temporaries
beside the outputs; only when all are complete does the commit remove the previous
manifest and any output of an earlier run this one does not write (say, the test
files of a run with ``--test``), rename the new files into place and write the
manifest. A failure before the commit (bad test file, full disk, ``kill -9``)
leaves the previous outputs as they were and, except after ``kill -9``, no
temporary (the next run removes those). A reader that needs the whole set checks
the manifest (:func:`preflight.io.verify_manifest`): no manifest, or a file that
differs from it, means no usable set. Outputs get the user's umask (``0o644``
under ``022``). No output may be an input (the data, the test or validation file,
the schema, the predicted probabilities, the config file) or lie inside a
directory input; a device or FIFO is refused, as the set is regular files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from preflight.config import Config
from preflight.dataset import SUFFIXES, Dataset, Format, load_dataset
from preflight.errors import PreflightError
from preflight.findings import Report
from preflight.io import FileSet, refuse_overwriting_inputs, refuse_special_files

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
    manifest_file: Path
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


def manifest_file(output: Path) -> Path:
    """The manifest of the set of outputs, beside ``output``: written last."""
    stem = output.name[: -len(output.suffix)] if output.suffix else output.name
    return output.with_name(f"{stem}.manifest.json")


def all_outputs(output: Path) -> list[Path]:
    """Every file a ``fix`` to ``output`` may write (the test files only with ``--test``)."""
    return [output, *side_files(output), *test_files(output), manifest_file(output)]


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
    config_file: str | os.PathLike[str] | None = None,
) -> FixResult:
    """Check ``path``, apply the plan and write the outputs as one set (see the module
    docstring). Raises PreflightError on bad input, before anything is written.
    ``config_file`` (the ``--config`` file, if any) is one more input never overwritten."""
    from preflight import engine

    out = Path(output)
    removed_file, pipeline_file, code_file = side_files(out)
    test_out, test_removed = test_files(out)
    manifest = manifest_file(out)
    refuse_overwriting_inputs(
        all_outputs(out),
        [path, config.test, config.valid, config.schema, config.pred_probs, config_file],
    )
    refuse_special_files(all_outputs(out))
    out_format = _output_format(path, out)

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
    # Everything is computed before the first byte is written: a test file that
    # cannot be used fails the run with nothing written.
    test_frames = _fix_test(config.test, dataset, pipeline) if config.test else None

    from preflight import __version__

    meta = {"preflight_version": __version__, "input": os.fspath(path), "test": config.test}
    with FileSet(manifest, siblings=all_outputs(out), meta=meta) as outputs:
        outputs.stage(out, _frame_writer(out, result_frame, out_format), "output")
        outputs.stage(removed_file, _frame_writer(removed_file, removed, out_format), "removed")
        outputs.stage(pipeline_file, lambda tmp: _dump(pipeline, tmp), "pipeline")
        outputs.stage(code_file, lambda tmp: tmp.write_text(code, encoding="utf-8"), "plan")
        test_result = None
        if test_frames is not None:
            test_frame, test_removed_frame, test_counts = test_frames
            outputs.stage(test_out, _frame_writer(test_out, test_frame, out_format), "test")
            removed_writer = _frame_writer(test_removed, test_removed_frame, out_format)
            outputs.stage(test_removed, removed_writer, "test-removed")
            test_result = TestFixResult(test_out, test_removed, *test_counts)
        outputs.commit()

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
        manifest_file=manifest,
        rows_in=len(frame),
        rows_out=len(result_frame),
        columns_in=frame.shape[1],
        columns_out=result_frame.shape[1],
        removed=dict(sorted(counts.items())),
        steps=list(plan["steps"]),
        notes=notes,
        test=test_result,
    )


def _fix_test(
    path: str, train: Dataset, pipeline: Any
) -> tuple[pd.DataFrame, pd.DataFrame, tuple[int, int, int]]:
    """Drop the test rows that repeat a training row; preprocess the rest with ``pipeline``.

    Returns the preprocessed rows, the removed rows and (rows in, rows out, leaked)."""
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
    return result, removed, (held.n_rows, len(result), int(leaked.positions.size))


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

    from preflight.plan.build import clean_cells

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


def _frame_writer(destination: Path, frame: pd.DataFrame, fmt: Format) -> Callable[[Path], object]:
    """A function writing ``frame`` to a path in ``fmt`` (for :meth:`FileSet.stage`)."""
    if fmt == "parquet":
        return lambda tmp: frame.to_parquet(tmp, index=False)
    if fmt == "feather":
        return lambda tmp: frame.reset_index(drop=True).to_feather(tmp)
    if fmt == "jsonl":
        return lambda tmp: frame.to_json(tmp, orient="records", lines=True)
    sep = "\t" if destination.suffix.lower() == ".tsv" else ","
    return lambda tmp: frame.to_csv(tmp, index=False, sep=sep)
