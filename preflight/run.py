"""The one loop over the selected checks: skip unmet needs, isolate crashes, sort."""

from __future__ import annotations

import dataclasses
import logging
import os
import traceback
import warnings
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import get_args

import numpy as np

from preflight.checks import REGISTRY
from preflight.checks.base import NEEDS, Check, Context
from preflight.core.config import Config
from preflight.core.errors import PreflightError, did_you_mean
from preflight.core.findings import CheckError, DatasetInfo, Finding, Report, Skipped, SkippedColumns
from preflight.core.selection import select_codes
from preflight.data.dataset import Dataset
from preflight.data.profile import Kind, Profile
from preflight.data.profile.summary import summarize
from preflight.plan.build import build_plan

log = logging.getLogger(__name__)

# Called before each check with (code, index, total); the CLI draws progress from it.
ProgressHook = Callable[[str, int, int], None]
# Called as a pass over a streamed file goes, with (rows done, total rows).
RowsHook = Callable[[int, int | None], None]


def selected_checks(config: Config, registry: Mapping[str, type[Check]] = REGISTRY) -> list[Check]:
    """Instantiate the selected checks with their configured options."""
    codes = sorted(registry)
    for code in config.checks:
        if code not in registry:
            raise PreflightError(f"config: options for unknown check {code!r}" + did_you_mean(code, codes))
    chosen = select_codes(codes, config.select, config.ignore, config.extend_select)
    return [registry[code](config.checks.get(code)) for code in chosen]


def unmet_need(check: Check, dataset: Dataset, config: Config) -> str | None:
    if check.model_based and not config.models:
        return "model-based, left out (--no-models; the pre-commit hook's default)"
    for need in sorted(check.needs):
        met = {
            "target": dataset.target is not None,
            "classification": dataset.task == "classification",
            "regression": dataset.task == "regression",
            "test": config.test is not None,
            "schema": config.schema is not None,
        }.get(need, True)
        if not met:
            return NEEDS[need]
    return None


# The model-based checks keep out-of-fold probabilities for every row, a float64
# (rows x classes) matrix per ensemble member plus their sum and a refit copy, and
# extra trees whose leaves hold one float64 per class. Their memory is bounded by
# design: more classes than ``max-classes``, or more rows x classes than these,
# and they are skipped with the reason (docs/limits.md has the measurements).
MAX_SCORED_CELLS = 25_000_000  # rows x classes of one probability matrix: 200 MB
FIT_ROWS = 20_000  # the fit sample of the label ensemble (preflight.models.oof)
# A classification target with distinct values in at least this share of at least
# this many rows is an identifier (or a continuous number), not a set of classes.
ID_LIKE_SHARE = 0.9
ID_LIKE_MIN_ROWS = 100


def _classes_guard(dataset: Dataset, config: Config, profile: Profile, checks: Sequence[Check]) -> str | None:
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


def _refuse_impossible_pred_probs(dataset: Dataset, config: Config, profile: Profile) -> None:
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


def run(
    dataset: Dataset,
    config: Config,
    *,
    checks: list[Check] | None = None,
    progress: ProgressHook | None = None,
    rows_progress: RowsHook | None = None,
) -> Report:
    """Run the checks on ``dataset`` and assemble the report. ``rows_progress`` hears
    how far a check's pass over a streamed file has got (rows done, total)."""
    # Extreme values (+-1e308, inf) make numpy warn on overflow in statistics that
    # then come out inf or nan; the checks report those values, so the warnings are
    # noise on stderr, never the one line an error gets.
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _run(dataset, config, checks, progress, rows_progress)


def _run(
    dataset: Dataset,
    config: Config,
    checks: list[Check] | None,
    progress: ProgressHook | None,
    rows_progress: RowsHook | None,
) -> Report:
    checks = selected_checks(config) if checks is None else checks
    ctx = Context(dataset=dataset, profile=_profile(dataset), config=config)
    if dataset.batches is not None:
        dataset.batches.progress = rows_progress
    findings: list[Finding] = []
    skipped: list[Skipped] = []
    errors: list[CheckError] = []
    ran: list[str] = []
    too_many_classes = _classes_guard(dataset, config, ctx.profile, checks)
    if any(c.model_based for c in checks) and config.models:
        _refuse_impossible_pred_probs(dataset, config, ctx.profile)
    # Checks that pass over every row go first when streaming: a pass holds a record
    # batch and its decode buffers, best paid before the models' state has grown.
    # (Findings are sorted at the end and shared artifacts do not depend on order.)
    if dataset.batches is not None:
        checks = sorted(checks, key=lambda c: not c.file_rows)
    for i, check in enumerate(checks):
        reason = unmet_need(check, dataset, config)
        if reason is None and too_many_classes is not None and check.model_based and "target" in check.needs:
            reason = too_many_classes
        if reason is not None:
            skipped.append(Skipped(check.code, reason))
            continue
        if progress is not None:
            progress(check.code, i, len(checks))
        try:
            found = list(check.run(ctx))
            if dataset.sample_positions is not None and not check.file_rows:
                found = [_rows_in_file(f, ctx) for f in found]
            findings.extend(found)
        except PreflightError:
            raise  # bad user input found by a check (a schema file, say): exit 2
        except Exception as exc:
            log.debug("check %s crashed:\n%s", check.code, traceback.format_exc())
            errors.append(CheckError(check.code, f"{type(exc).__name__}: {exc}"))
        ran.append(check.code)
    findings = [f for f in findings if not _ignored(f, config)]
    findings.sort(key=Finding.sort_key)
    return Report(
        dataset=DatasetInfo(
            path=dataset.path,
            rows=dataset.rows_in_file,
            columns=dataset.frame.shape[1],
            target=dataset.target,
            task=dataset.task,
            sampled_rows=ctx.published.get("sampled_rows"),
            profiled_rows=None if dataset.sample_positions is None else dataset.n_rows,
        ),
        findings=tuple(findings),
        fail_on=config.fail_severity,
        skipped=tuple(skipped),
        errors=tuple(errors),
        checks_run=tuple(ran),
        label_health=ctx.published.get("label_health"),
        preprocessing=build_plan(findings, dataset),
        profile=summarize(ctx.profile, dataset),
        max_rows=config.max_rows,
        skipped_columns=columns_not_examined(checks, ran, ctx.profile),
        rules={c.code: c.rule_info() for c in checks},
    )


def columns_not_examined(
    checks: Sequence[Check], ran: Collection[str], profile: Profile
) -> tuple[SkippedColumns, ...]:
    """Per check that ran, the features whose kind it does not examine (``Check.applies_to``).

    Kinds are profiled only when some check that ran leaves a kind out; the profile
    caches them, and the per-column checks have usually asked for them already.
    """
    kinds: dict[str, Kind] | None = None
    out: list[SkippedColumns] = []
    for check in checks:
        examined = check.applies_to
        if check.code not in ran or examined is None or examined >= _ALL_KINDS:
            continue
        if kinds is None:
            kinds = {col.name: col.kind for col in profile.features()}
        by_kind: dict[str, list[str]] = {}
        for name, kind in kinds.items():
            if kind not in examined:
                by_kind.setdefault(kind, []).append(name)
        if by_kind:
            grouped = tuple((kind, tuple(sorted(by_kind[kind]))) for kind in sorted(by_kind))
            out.append(SkippedColumns(check.code, grouped))
    return tuple(sorted(out, key=lambda s: s.code))


_ALL_KINDS: frozenset[Kind] = frozenset(get_args(Kind))


def _profile(dataset: Dataset) -> Profile:
    if dataset.scan is None:
        return Profile(dataset)
    from preflight.data.engines.scanned import ScannedProfile

    return ScannedProfile(dataset, dataset.scan)


def _rows_in_file(finding: Finding, ctx: Context) -> Finding:
    """A finding from the sampled frame, its rows given as file positions."""
    if not finding.rows:
        return finding
    dataset = ctx.dataset
    rows = ctx.file_rows(np.asarray(finding.rows, dtype=np.int64))
    # Counts in the message are of the sample: say so where the user reads them.
    message = (
        f"{finding.message} [rows from the seeded {dataset.n_rows:,}-row sample of {dataset.rows_in_file:,}]"
    )
    return dataclasses.replace(finding, rows=tuple(int(r) for r in rows), message=message)


def _ignored(finding: Finding, config: Config) -> bool:
    """per-column-ignores: drop a finding when every column it names ignores its code."""
    if not finding.columns or not config.per_column_ignores:
        return False
    for column in finding.columns:
        codes = config.per_column_ignores.get(column, ())
        if not any(sel == "ALL" or finding.code.startswith(sel.upper()) for sel in codes):
            return False
    return True
