"""``preflight baseline PATH... -o accepted.json``: accept today's findings, so that
``preflight check --baseline accepted.json`` fails only on new (or worse) ones."""

from __future__ import annotations

from typing import Any

import click

from preflight.cli.shared import (
    EXIT_CRASH,
    EXIT_OK,
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
from preflight.core.escape import safe, safe_path
from preflight.core.outputs.guard import refuse_overwriting_inputs
from preflight.core.outputs.write import write_text_atomic


@click.command(name="baseline")
@click.argument("paths", nargs=-1, required=True)
@click.option("--output", "-o", required=True, type=click.Path(), help="The baseline file to write (JSON).")
@target_option
@task_option
@click.option("--id-column", "id_columns", multiple=True, help="A row-identifier column (repeatable).")
@test_option
@valid_option
@schema_option
@pred_probs_option
@select_option
@ignore_option
@extend_select_option
@model_family_option
@sample_option
@jobs_option
@models_option
@seed_option
@config_option
@click.option(
    "--pre-commit", "pre_commit", is_flag=True, help="Run the checks the pre-commit hook runs (its config)."
)
def baseline(
    paths: tuple[str, ...], output: str, config_path: str | None, pre_commit: bool, **overrides: Any
) -> int:
    """Record every finding of these data files as accepted (run it with check's options)."""
    from preflight.core.baseline import baseline_text
    from preflight.data.engines import load
    from preflight.run import run

    config = config_from_options(config_path, overrides, pre_commit=pre_commit)
    inputs = [*paths, config.test, config.valid, config.schema, config.pred_probs, config_path]
    refuse_overwriting_inputs([output], inputs)
    reports = []
    for path in paths:
        target = config.target_for(path)
        # Bad input (a PreflightError) ends the command before anything is written.
        dataset = load(path, config, target=target)
        reports.append(run(dataset, config.replace(target=target)))
    write_text_atomic(output, baseline_text(reports))
    code = EXIT_OK
    for report in reports:
        click.echo(
            f"{safe_path(report.dataset.path)}: {len(report.findings)} findings accepted in {safe(output)}"
        )
        if report.errors:
            # Their findings are not in the baseline, so they would be new next time.
            error(f"{report.dataset.path}: check(s) crashed: {', '.join(e.code for e in report.errors)}")
            code = EXIT_CRASH
    return code
