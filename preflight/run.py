"""The one loop over the selected checks: skip unmet needs, isolate crashes, sort."""

from __future__ import annotations

import dataclasses
import logging
import traceback
import warnings
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import get_args

import numpy as np

from preflight.checks import REGISTRY
from preflight.checks.base import NEEDS, Check, Context
from preflight.core.columns import ColumnOverride
from preflight.core.config import Config
from preflight.core.errors import PreflightError, did_you_mean
from preflight.core.findings import CheckError, DatasetInfo, Finding, Report, Skipped, SkippedColumns
from preflight.core.sections import Sections
from preflight.core.selection import select_codes
from preflight.data.dataset import Dataset
from preflight.data.profile import Kind, Profile
from preflight.data.profile.summary import summarize
from preflight.data.semantics.stage import with_semantics
from preflight.merge import merge_findings
from preflight.model_guards import classes_guard, refuse_impossible_pred_probs
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
    # The semantics stage: every check reads what each column is, and the cleaned view.
    # (``fix`` runs the stage itself, to keep the keys it finds: then it is not redone.)
    raw = _profile(dataset)
    if not dataset.semantics:
        dataset = with_semantics(dataset, raw, column_overrides(config))
    ctx = Context(dataset=dataset, profile=_profile(dataset, raw), config=config)
    if dataset.batches is not None:
        dataset.batches.progress = rows_progress
    findings: list[Finding] = []
    sections = Sections()
    skipped: list[Skipped] = []
    errors: list[CheckError] = []
    ran: list[str] = []
    too_many_classes = classes_guard(dataset, config, ctx.profile, checks)
    if any(c.model_based for c in checks) and config.models:
        refuse_impossible_pred_probs(dataset, config, ctx.profile)
    # Checks that pass over every row go first when streaming: a pass holds a record
    # batch and its decode buffers, best paid before the models' state has grown.
    # (Findings are sorted at the end and shared artifacts do not depend on order;
    # the fit samples fold in this order, by the rules of core/sections.py.)
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
            # A section counts as soon as it is yielded, even from a check that then
            # crashes; its findings count only when it finishes.
            found: list[Finding] = []
            for item in check.run(ctx):
                if isinstance(item, Finding):
                    found.append(item)
                else:
                    sections.add(item)
            if dataset.sample_positions is not None and not check.file_rows:
                found = [_rows_in_file(f, ctx) for f in found]
            findings.extend(found)
        except PreflightError:
            raise  # bad user input found by a check (a schema file, say): exit 2
        except Exception as exc:
            log.debug("check %s crashed:\n%s", check.code, traceback.format_exc())
            errors.append(CheckError(check.code, f"{type(exc).__name__}: {exc}"))
        ran.append(check.code)
    findings = merge_findings([f for f in findings if not _ignored(f, config)])
    findings.sort(key=Finding.sort_key)
    return Report(
        dataset=DatasetInfo(
            path=dataset.path,
            rows=dataset.rows_in_file,
            columns=dataset.frame.shape[1],
            target=dataset.target,
            task=dataset.task,
            sampled_rows=sections.sampled_rows,
            profiled_rows=None if dataset.sample_positions is None else dataset.n_rows,
        ),
        findings=tuple(findings),
        fail_on=config.fail_severity,
        skipped=tuple(skipped),
        errors=tuple(errors),
        checks_run=tuple(ran),
        label_health=sections.label_health,
        preprocessing=build_plan(findings, dataset),
        profile=summarize(ctx.profile, dataset),
        max_rows=config.max_rows,
        columns=tuple(dataset.semantics.values()),
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


def _profile(dataset: Dataset, inherit: Profile | None = None) -> Profile:
    if dataset.scan is None:
        return Profile(dataset, inherit)
    from preflight.data.engines.scanned import ScannedProfile

    return ScannedProfile(dataset, dataset.scan, inherit)


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


def column_overrides(config: Config) -> dict[str, ColumnOverride]:
    """What the user says the columns are: the contract's semantic types (``--schema``,
    as ``infer-schema`` writes them), then ``[tool.preflight.columns]``, which wins."""
    stated: dict[str, ColumnOverride] = {}
    if config.schema is not None:
        from preflight.data.contracts import contract_semantics

        stated.update(contract_semantics(config.schema))
    stated.update(config.columns)
    return stated
