"""``preflight fix``: apply the suggested preprocessing and write a new dataset.

The input file is only read. The run writes, as one set:

- ``OUT``: the transformed features (the plan's pipeline output), with the id
  columns, the keys the semantics stage found and the target unchanged;
- ``OUT-stem.removed.SUFFIX``: every removed row, as in the input, with its
  0-based input position and the codes that removed it;
- ``OUT-stem.pipeline.joblib``: the fitted scikit-learn pipeline (raw features in,
  features out), to apply the same preprocessing to new data;
- ``OUT-stem.plan.py``: the plan's code, which this command ran;
- ``OUT-stem.manifest.json``, written last: every other file of the set by name,
  with its role, sha256 and size.

Which rows are removed: :mod:`preflight.plan.rows`; the file names and writers:
:mod:`preflight.plan.outputs`; fitting and the test file: :mod:`preflight.plan.apply`.

With a test file (``--test``), its rows that repeat a training row (SP001, the leak
that makes test loss lie) are removed into ``OUT-stem.test.removed.SUFFIX`` and the
other test rows go through the pipeline fitted on the training rows into
``OUT-stem.test.SUFFIX`` — never fitted on test data. The test file is only read.

The outputs are one transaction (:class:`~preflight.core.outputs.fileset.FileSet`): everything,
the test file's transform included, is computed first, then written to temporaries
beside the outputs; only when all are complete does the commit remove the previous
manifest and any output of an earlier run this one does not write (say, the test
files of a run with ``--test``), rename the new files into place and write the
manifest. A failure before the commit (bad test file, full disk, ``kill -9``)
leaves the previous outputs as they were and, except after ``kill -9``, no
temporary (the next run removes those). A reader that needs the whole set checks
the manifest (:func:`~preflight.core.outputs.fileset.verify_manifest`): no manifest, or a file that
differs from it, means no usable set. Outputs get the user's umask (``0o644``
under ``022``). No output may be an input (the data, the test or validation file,
the schema, the predicted probabilities, the config file) or lie inside a
directory input; a device or FIFO is refused, as the set is regular files.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from preflight.core.config import Config
from preflight.core.errors import PreflightError
from preflight.core.findings import Report
from preflight.core.outputs.fileset import FileSet
from preflight.core.outputs.guard import refuse_overwriting_inputs
from preflight.core.outputs.write import refuse_special_files
from preflight.data.dataset import load_dataset
from preflight.data.profile import Profile
from preflight.data.semantics.stage import with_semantics
from preflight.plan.apply import fit_pipeline, preprocess_test, refuse_what_would_not_fit
from preflight.plan.build import build_plan
from preflight.plan.outputs import (
    all_outputs,
    frame_writer,
    manifest_file,
    output_format,
    pipeline_writer,
    side_files,
    test_files,
)
from preflight.plan.rows import applied_findings, removal_counts, rows_to_remove, split_rows
from preflight.plan.steps import Step, report_steps


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
    steps: list[Step] = field(default_factory=list)
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
    from preflight.run import column_overrides, run

    out = Path(output)
    removed_file, pipeline_file, code_file = side_files(out)
    test_out, test_removed = test_files(out)
    manifest = manifest_file(out)
    refuse_overwriting_inputs(
        all_outputs(out),
        [path, config.test, config.valid, config.schema, config.pred_probs, config_file],
    )
    refuse_special_files(all_outputs(out))
    out_format = output_format(path, out)

    refuse_what_would_not_fit(path)
    dataset = load_dataset(path, target=config.target, id_columns=config.id_columns, task=config.task)
    # The semantics stage here, not inside run(): the keys it finds pass through to the
    # output, and the pipeline is fitted on the cells as read (its own steps clean them).
    dataset = with_semantics(dataset, Profile(dataset), column_overrides(config))
    report = run(dataset, config)
    if report.errors:
        failed = ", ".join(e.code for e in report.errors)
        raise ChecksCrashed(
            f"{path}: checks crashed ({failed}); nothing written; `preflight check -v` shows why"
        )
    reasons = rows_to_remove(report, dataset, drop_duplicates, drop_codes)
    # The plan this run applies, not the one the report suggests: the written .plan.py
    # and the printed steps drop the rows this run removes and nothing else.
    applied = build_plan(applied_findings(report, reasons), dataset)
    code = applied.get("code")
    if not code:
        raise PreflightError(f"{path}: preflight has no plan for this data")

    frame = dataset.frame_as_read
    kept, removed = split_rows(frame, reasons)
    if kept.empty:
        raise PreflightError(f"{path}: every row would be removed; nothing to write")

    pipeline, result_frame = fit_pipeline(code, kept, dataset)
    # Everything is computed before the first byte is written: a test file that
    # cannot be used fails the run with nothing written.
    test_frames = preprocess_test(config.test, dataset, pipeline) if config.test else None

    from preflight.core.version import __version__

    meta = {"preflight_version": __version__, "input": os.fspath(path), "test": config.test}
    with FileSet(manifest, siblings=all_outputs(out), meta=meta) as outputs:
        outputs.stage(out, frame_writer(out, result_frame, out_format), "output")
        outputs.stage(removed_file, frame_writer(removed_file, removed, out_format), "removed")
        outputs.stage(pipeline_file, pipeline_writer(pipeline), "pipeline")
        outputs.stage(code_file, lambda tmp: tmp.write_text(code, encoding="utf-8"), "plan")
        test_result = None
        if test_frames is not None:
            test_frame, test_removed_frame, test_counts = test_frames
            outputs.stage(test_out, frame_writer(test_out, test_frame, out_format), "test")
            removed_writer = frame_writer(test_removed, test_removed_frame, out_format)
            outputs.stage(test_removed, removed_writer, "test-removed")
            test_result = TestFixResult(test_out, test_removed, *test_counts)
        outputs.commit()

    steps = report_steps(applied)
    counts = removal_counts(reasons)
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
        removed=counts,
        steps=steps,
        notes=_notes(report, steps, counts),
        test=test_result,
    )


def _notes(report: Report, steps: Sequence[Step], removed: dict[str, int]) -> list[str]:
    """What the user still has to do: train on the target transform, drop the rows kept."""
    notes = []
    if any(s.step == "transform-target" for s in steps):
        notes.append(
            "the target is left in raw units: train with with_target_transform(...) from the plan code"
        )
    for f in report.findings:
        if not f.fix or f.fix.step != "drop-rows" or f.code in removed:
            continue
        how = "--drop-duplicates" if f.fix.params.get("duplicates") else f"--drop-rows {f.code}"
        notes.append(f"kept the {f.flagged_rows:,} rows {f.code} flags (remove them with {how})")
    return notes
