"""``preflight fix PATH -o OUT``: apply the plan to a copy; never touches PATH."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from preflight.cli.inputs import refuse_missing_inputs
from preflight.cli.shared import (
    EXIT_CRASH,
    EXIT_OK,
    config_from_options,
    config_option,
    error,
    ignore_option,
    model_family_option,
    seed_option,
    select_option,
    target_option,
    task_option,
)
from preflight.core.escape import safe
from preflight.core.wording import plural

if TYPE_CHECKING:
    from preflight.plan.fix import FixResult


@click.command(name="fix")
@click.argument("path")
@target_option
@click.option("--output", "-o", required=True, type=click.Path(), help="The new dataset (format by suffix).")
@task_option
@click.option(
    "--id-column", "id_columns", multiple=True, help="A row-identifier column, kept as is (repeatable)."
)
@model_family_option
@click.option("--drop-duplicates", is_flag=True, help="Also remove rows that repeat an earlier row.")
@click.option(
    "--test",
    "test",
    type=click.Path(),
    help="A test file: drop its rows that repeat training rows, preprocess the rest (STEM.test.SUFFIX).",
)
@click.option(
    "--drop-rows",
    "drop_codes",
    metavar="CODES",
    help="Also remove the rows these checks flag (e.g. OL,LB001).",
)
@select_option
@ignore_option
@seed_option
@config_option
def fix(
    path: str,
    output: str,
    drop_duplicates: bool,
    drop_codes: str | None,
    config_path: str | None,
    **overrides: Any,
) -> int:
    """Apply the suggested preprocessing to PATH and write the result to OUTPUT; never touches PATH.

    Also writes, next to OUTPUT: the removed rows (STEM.removed.SUFFIX), the fitted
    scikit-learn pipeline (STEM.pipeline.joblib), the plan's code (STEM.plan.py) and,
    last, STEM.manifest.json naming every file of the set with its sha256 and size.
    All appear together or none does; outputs of an earlier run this one does not
    write are removed.
    """
    overrides.setdefault("extend_select", None)  # fix has no --extend-select
    config = config_from_options(config_path, overrides)
    refuse_missing_inputs(config, held_out=("test",))  # before the input is read and checked

    from preflight.core.selection import parse_codes
    from preflight.plan.fix import ChecksCrashed
    from preflight.plan.fix import fix as apply_fix

    try:
        result = apply_fix(
            path,
            output,
            config,
            drop_duplicates=drop_duplicates,
            drop_codes=parse_codes(drop_codes),
            config_file=config_path,
        )
    except ChecksCrashed as exc:
        error(str(exc))
        return EXIT_CRASH
    _summary(path, result)
    return EXIT_OK


def _summary(path: str, result: FixResult) -> None:
    click.echo(
        f"preflight fix · {safe(path)} ({_shape(result.rows_in, result.columns_in)})"
        f" → {safe(str(result.output))} ({_shape(result.rows_out, result.columns_out)})"
    )
    for i, step in enumerate(result.steps, 1):
        click.echo(f"  {i}. {safe(step.describe())}  [{safe(step.reason)}]")
    removed = sum(result.removed.values())
    detail = ", ".join(f"{code}: {n}" for code, n in result.removed.items())
    detail = f" ({detail})" if detail else ""
    click.echo(f"  removed rows: {removed:,}{detail} → {safe(str(result.removed_file))}")
    click.echo(f"  fitted pipeline → {safe(str(result.pipeline_file))}")
    click.echo(f"  plan code → {safe(str(result.code_file))}")
    if result.test is not None:
        t = result.test
        repeat = "repeats a training row" if t.leaked == 1 else "repeat training rows"
        click.echo(
            f"  test file: {t.leaked:,} of {plural(t.rows_in, 'row')} {repeat} (SP001)"
            f" → {safe(str(t.removed_file))}; the other {t.rows_out:,} preprocessed → {safe(str(t.output))}"
        )
    click.echo(f"  manifest (sha256 of each file) → {safe(str(result.manifest_file))}")
    for note in result.notes:
        click.echo(f"  note: {safe(note)}")


def _shape(rows: int, columns: int) -> str:
    return f"{plural(rows, 'row')} × {plural(columns, 'column')}"
