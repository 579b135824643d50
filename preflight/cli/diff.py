"""``preflight diff OLD NEW``: new, resolved and changed findings between two runs."""

from __future__ import annotations

import sys

import click

from preflight.cli.shared import config_option
from preflight.core.config import FAIL_ON, load_config
from preflight.core.errors import PreflightError
from preflight.core.outputs.guard import refuse_overwriting_inputs
from preflight.core.outputs.write import write_text_atomic
from preflight.reporters.diff import DIFF_FORMATS


@click.command(name="diff")
@click.argument("old")
@click.argument("new")
@click.option(
    "--format", "fmt", default="text", metavar="FORMAT", help=f"Diff format: {', '.join(DIFF_FORMATS)}."
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    help="Lowest severity of a new or worse finding that fails (default: the config's fail-on, else error).",
)
@click.option("--output", "-o", type=click.Path(), help="Write the diff here instead of to stdout.")
@config_option
def diff(
    old: str, new: str, fmt: str, fail_on: str | None, output: str | None, config_path: str | None
) -> int:
    """Compare two JSON reports (or baselines): exit 1 if a new or worse finding reaches --fail-on."""
    from preflight.core.baseline import load_baseline
    from preflight.core.diff import diff as compare
    from preflight.reporters.diff import render_diff

    if fmt not in DIFF_FORMATS:
        raise PreflightError(f"unknown format {fmt!r}; choose from {', '.join(DIFF_FORMATS)}")
    # As for check: --fail-on wins, then [tool.preflight] fail-on, then error.
    config = load_config(config_path).replace(fail_on=fail_on)
    if output:
        refuse_overwriting_inputs([output], [old, new, config_path])
    result = compare(load_baseline(old, "report"), load_baseline(new, "report"), config.fail_severity)
    color = not output and fmt == "text" and sys.stdout.isatty()
    text = render_diff(result, fmt, color=color)
    if output:
        write_text_atomic(output, text)
    else:
        click.echo(text, nl=False)
    return result.exit_code
