"""``preflight check PATH...``: one report per input, one combined exit code."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from preflight.cli.inputs import refuse_missing_inputs
from preflight.cli.progress import ProgressLine
from preflight.cli.shared import (
    EXIT_OK,
    EXIT_USAGE,
    config_from_options,
    config_option,
    error,
    extend_select_option,
    ignore_option,
    jobs_option,
    model_family_option,
    models_option,
    pred_probs_option,
    sample_option,
    schema_option,
    seed_option,
    select_option,
    target_option,
    task_option,
    test_option,
    valid_option,
)
from preflight.cli.terminal_doc import use_color
from preflight.core.baseline import Baseline, accept, load_baseline
from preflight.core.config import ENGINES, FAIL_ON, MODES, Config
from preflight.core.errors import PreflightError
from preflight.core.escape import SafeFormatter, safe_path
from preflight.core.outputs.guard import output_for, refuse_overwriting_inputs, refuse_shared_outputs
from preflight.core.outputs.write import write_text_atomic
from preflight.core.wording import plural

# No pandas or numpy behind this one: it looks at paths and first bytes only.
from preflight.data.inputs import is_lfs_pointer
from preflight.reporters import FORMATS


@click.command(name="check")
@click.argument("paths", nargs=-1, required=True)
@target_option
@task_option
@click.option(
    "--id-column",
    "id_columns",
    multiple=True,
    help="A row-identifier column, kept out of the features (repeatable).",
)
@test_option
@valid_option
@schema_option
@pred_probs_option
@select_option
@ignore_option
@extend_select_option
@click.option(
    "--fail-on", type=click.Choice(FAIL_ON), help="Lowest severity that fails the run (default: error)."
)
@click.option(
    "--baseline",
    type=click.Path(),
    help="Accepted findings (`preflight baseline`, or a JSON report): fail only on new or worse ones.",
)
@click.option(
    "--format", "fmt", default="text", metavar="FORMAT", help=f"Report format: {', '.join(FORMATS)}."
)
@click.option(
    "--output",
    "-o",
    type=click.Path(),
    help="Write the report here ({stem} = input file stem); the text report still prints (-q: the verdict).",
)
@click.option(
    "--rows-out", type=click.Path(), help="Write every flagged row with its codes (CSV or parquet)."
)
@model_family_option
@sample_option
@jobs_option
@models_option
@seed_option
@click.option("--engine", type=click.Choice(ENGINES), help="Execution engine (default: local).")
@click.option("--scheduler", help="Dask scheduler address for --engine dask (default: a local cluster).")
@click.option(
    "--mode",
    type=click.Choice(MODES),
    help="Read the file into memory, or stream it in batches (default auto: stream when it would not fit).",
)
@config_option
@click.option("--quiet", "-q", is_flag=True, help="Only the verdict line (and errors).")
@click.option("--verbose", "-v", is_flag=True, help="List skipped checks; debug logging.")
@click.option("--no-progress", is_flag=True, help="Never show the progress line.")
@click.option(
    "--pre-commit",
    "pre_commit",
    is_flag=True,
    help="Run as the pre-commit hook: no model-based checks unless [tool.preflight.pre-commit] or --models "
    "asks, Git LFS pointers skipped with a notice, full reports only for failing files.",
)
def check(
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    rows_out: str | None,
    config_path: str | None,
    quiet: bool,
    verbose: bool,
    no_progress: bool,
    pre_commit: bool,
    **overrides: Any,
) -> int:
    """Check one or more data files (parquet, csv, jsonl, feather/arrow, or a directory/glob of parts)."""
    if fmt not in FORMATS:
        raise PreflightError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    _logging(verbose)
    if output and len(paths) > 1 and "{stem}" not in output:
        raise PreflightError(
            "with several inputs, --output needs {stem} in its name, e.g. reports/{stem}.json"
        )
    config = config_from_options(config_path, overrides, pre_commit=pre_commit)
    refuse_missing_inputs(config)  # a missing --test fails now, not after the first file's checks
    # Before any file is read: no report or rows file may replace (or sit among) an
    # input of any of the runs, and no two runs may write the same file.
    templates = [t for t in (output, rows_out) if t]
    inputs = [*paths, config.test, config.valid, config.schema, config.pred_probs, config_path]
    inputs.append(config.baseline)
    refuse_overwriting_inputs([output_for(t, path) for t in templates for path in paths], inputs)
    refuse_shared_outputs(templates, paths)
    # Read before any data: a bad baseline is one line and exit 2, at once.
    baseline = load_baseline(config.baseline) if config.baseline else None
    # pre-commit runs hooks in a pseudo-terminal when colour is on: no progress line there.
    progress = not no_progress and not quiet and not pre_commit and sys.stderr.isatty()
    exit_code = EXIT_OK
    for path in paths:
        if pre_commit and is_lfs_pointer(path):
            notice = "skipped: a Git LFS pointer, not the data (`git lfs pull` fetches it)"
            click.echo(f"{safe_path(path)}: {notice}")
            continue
        code = _check_one(
            path, config, fmt, output, rows_out, quiet, verbose, progress,
            multiple=len(paths) > 1, verdict_if_passed=pre_commit, baseline=baseline,
        )  # fmt: skip
        exit_code = max(exit_code, code)
    return exit_code


def _logging(verbose: bool) -> None:
    """Log records on stderr, escaped like everything else printed (a warning may quote
    a column name); -v shows debug records, named by logger."""
    handler = logging.StreamHandler()
    handler.setFormatter(SafeFormatter("preflight: %(name)s: %(message)s" if verbose else "%(message)s"))
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING, handlers=[handler])


def _check_one(
    path: str,
    config: Config,
    fmt: str,
    output: str | None,
    rows_out: str | None,
    quiet: bool,
    verbose: bool,
    progress: bool,
    *,
    multiple: bool,
    verdict_if_passed: bool = False,
    baseline: Baseline | None = None,
) -> int:
    from preflight.data.engines import load
    from preflight.reporters import render
    from preflight.run import run

    target = config.target_for(path)
    line = ProgressLine(enabled=progress)
    try:
        line.show(f"reading {path}")
        dataset = load(path, config, target=target, progress=line.rows)
        report = run(dataset, config.replace(target=target), progress=line.check, rows_progress=line.rows)
        if baseline is not None:
            report = accept(report, baseline)
    except PreflightError as exc:
        line.clear()
        error(str(exc))
        return EXIT_USAGE
    finally:
        line.clear()
    color = use_color()  # a terminal, and NO_COLOR unset
    # The hook shows whole reports only for the files that stop the commit.
    quiet = quiet or (verdict_if_passed and report.exit_code == EXIT_OK and fmt == "text" and not output)
    if output:
        write_text_atomic(output_for(output, path), render(report, fmt, color=False, verbose=verbose))
        if fmt != "text" and not quiet:
            click.echo(render(report, "text", color=color, verbose=verbose), nl=False)
    elif not quiet:
        click.echo(
            render(report, fmt, color=color and fmt == "text", verbose=verbose, compact=multiple), nl=False
        )
    if quiet:
        verdict = "crashed" if report.errors else report.status
        counts = f"{plural(report.summary['error'], 'error')}, {plural(report.summary['warning'], 'warning')}"
        counts += f", {report.accepted} accepted" if baseline is not None else ""
        click.echo(f"{safe_path(path)}: {verdict} ({counts})")
    if rows_out:
        from preflight.core.outputs.rows import write_rows

        write_rows(report, output_for(rows_out, path))
    return report.exit_code
