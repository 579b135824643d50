"""What the commands share: exit codes, the error line, the options several commands
take, and how those options become a :class:`~preflight.core.config.Config`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from preflight.core.config import MODEL_FAMILIES, TASKS, Config, load_config
from preflight.core.escape import safe

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_CRASH = 0, 1, 2, 3
F = TypeVar("F", bound=Callable[..., Any])


def error(message: str) -> None:
    """The one line an input or usage error prints on stderr (the message escaped)."""
    click.echo(f"preflight: error: {safe(message)}", err=True)


def codes_option(name: str, help_text: str) -> Callable[[F], F]:
    return click.option(name, metavar="CODES", help=help_text)


target_option = click.option("--target", "-t", help="The label column.")
task_option = click.option(
    "--task", type=click.Choice(TASKS), help="Classification or regression (default: inferred)."
)
select_option = codes_option("--select", "Run only these codes, families or prefixes (starts over).")
ignore_option = codes_option("--ignore", "Skip these codes, families or prefixes.")
extend_select_option = codes_option("--extend-select", "Add these to the selection.")
model_family_option = click.option(
    "--model-family", type=click.Choice(MODEL_FAMILIES), help="The model you will train (default: nn)."
)
seed_option = click.option("--seed", type=int, help="Random seed (default 0).")
# The inputs and model settings of a run, the same for `check` and `baseline` (a
# baseline is recorded from the run check will make).
test_option = click.option("--test", "test", type=click.Path(), help="A test file, for the split checks.")
valid_option = click.option(
    "--valid", "valid", type=click.Path(), help="A validation file, checked like --test."
)
schema_option = click.option(
    "--schema", type=click.Path(), help="A pandera YAML contract to validate against."
)
pred_probs_option = click.option(
    "--pred-probs", type=click.Path(), help="Out-of-sample predicted probabilities (npy/parquet/csv)."
)
sample_option = click.option("--sample", type=int, help="Fit model-based checks on at most N rows.")
jobs_option = click.option(
    "--jobs", type=int, help="Threads for the model-based checks (default: every CPU; results do not change)."
)
models_option = click.option(
    "--models/--no-models", default=None, help="Run or leave out model-based checks (default: on)."
)
config_option = click.option(
    "--config", "config_path", type=click.Path(), help="A TOML file instead of pyproject.toml."
)


def config_from_options(
    config_path: str | None, overrides: dict[str, Any], *, pre_commit: bool = False
) -> Config:
    """The config file's settings with the command line's on top: ``--select`` starts
    over (as in ruff), ``--ignore`` and ``--extend-select`` add to the file's lists."""
    from preflight.core.selection import parse_codes

    base = load_config(config_path)
    if pre_commit:
        base = base.for_pre_commit()
    select = parse_codes(overrides.pop("select"))
    ignore = parse_codes(overrides.pop("ignore"))
    extend = parse_codes(overrides.pop("extend_select"))
    id_columns = overrides.pop("id_columns")
    return base.replace(
        select=select or None,
        ignore=(*base.ignore, *ignore) if ignore else None,
        extend_select=(*base.extend_select, *extend) if extend else None,
        id_columns=id_columns or None,
        **overrides,
    )
