"""``preflight infer-schema PATH --target COL -o FILE``: a pandera contract from data."""

from __future__ import annotations

from pathlib import Path

import click

from preflight.cli.shared import EXIT_OK
from preflight.core.config import TASKS
from preflight.core.escape import safe
from preflight.core.outputs.guard import refuse_overwriting_inputs
from preflight.core.outputs.write import write_text_atomic
from preflight.core.wording import plural


@click.command(name="infer-schema")
@click.argument("path")
@click.option("--target", "-t", required=True, help="The label column (included in the contract).")
@click.option("--output", "-o", required=True, help="Where to write the YAML contract ('-' for stdout).")
@click.option(
    "--id-column",
    "id_columns",
    multiple=True,
    help="A row-identifier column; the contract makes it unique (repeatable).",
)
@click.option(
    "--task",
    type=click.Choice(TASKS),
    default="auto",
    help="Classification or regression (default: inferred).",
)
# The defaults mirror preflight.data.contracts.infer (MAX_CATEGORIES, ...), not imported here so
# that `preflight --help` does not load pandas; a test keeps them equal.
@click.option(
    "--max-categories",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Text columns with at most this many distinct values get an allowed-values (isin) check.",
)
@click.option(
    "--max-unique-share",
    type=click.FloatRange(0.0, 1.0),
    default=0.5,
    show_default=True,
    help="... and only if distinct values are at most this share of the non-null cells.",
)
@click.option(
    "--range-margin",
    type=click.FloatRange(min=0.0),
    default=0.1,
    show_default=True,
    help="Widen each numeric range by this fraction of the observed range on each side.",
)
def infer_schema(
    path: str,
    target: str,
    output: str,
    id_columns: tuple[str, ...],
    task: str,
    max_categories: int,
    max_unique_share: float,
    range_margin: float,
) -> int:
    """Write a pandera YAML contract inferred from PATH (dtypes, nulls, ranges, categories)."""
    from preflight.data.contracts import contract_to_yaml, infer_contract
    from preflight.data.dataset import load_dataset

    if output != "-":
        refuse_overwriting_inputs([output], [path])
    from preflight.data.profile import Profile
    from preflight.data.semantics.infer import infer_semantics

    dataset = load_dataset(path, target=target, id_columns=id_columns, task=task)
    # The contract describes the file as read, and says what each column is.
    semantics = infer_semantics(dataset, Profile(dataset))
    schema = infer_contract(
        dataset,
        max_categories=max_categories,
        max_unique_share=max_unique_share,
        range_margin=range_margin,
        semantics=semantics,
    )
    text = contract_to_yaml(schema, source=Path(path).name)
    if output == "-":
        click.echo(text, nl=False)
    else:
        write_text_atomic(Path(output), text)
        shape = f"{plural(dataset.frame.shape[1], 'column')}, {plural(dataset.n_rows, 'row')}"
        click.echo(f"wrote {safe(output)} ({shape})", err=True)
    return EXIT_OK
