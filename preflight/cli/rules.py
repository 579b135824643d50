"""``preflight rules`` (every check, one line each) and ``preflight rule CODE``."""

from __future__ import annotations

from typing import Any

import click

from preflight.cli.shared import EXIT_OK
from preflight.core.errors import PreflightError, did_you_mean


@click.command(name="rules")
def rules() -> int:
    """List every check: code, name, cause, default severity, summary."""
    from preflight.checks import REGISTRY

    for code in sorted(REGISTRY):
        c = REGISTRY[code]
        cause = str(c.cause) if c.cause is not None else "-"
        model = " [model]" if c.model_based else ""
        click.echo(f"{code}  {c.name:<40} cause {cause}  {c.severity.value:<7}  {c.summary()}{model}")
    return EXIT_OK


@click.command(name="rule")
@click.argument("code")
def rule(code: str) -> int:
    """Show one check's documentation (plain text when piped or with NO_COLOR)."""
    import inspect

    from preflight.checks import REGISTRY
    from preflight.checks.options import option_specs
    from preflight.cli.terminal_doc import render_markdown, use_color

    c = REGISTRY.get(code.upper())
    if c is None:
        raise PreflightError(f"unknown check {code!r}" + did_you_mean(code.upper(), list(REGISTRY)))
    color = use_color()

    def style(text: str, **kw: Any) -> str:
        return click.style(text, **kw) if color else text

    click.echo(style(f"{c.code} · {c.name}", bold=True), color=color)
    cause = f"cause {c.cause}" if c.cause is not None else "beyond the four causes"
    click.echo(
        f"category {c.category} · {cause} · default severity {c.severity.value}"
        + (" · model-based" if c.model_based else "")
    )
    if c.needs:
        click.echo("needs: " + ", ".join(sorted(c.needs)))
    click.echo("")
    click.echo(render_markdown(inspect.cleandoc(c.__doc__ or ""), color=color), color=color)
    specs = option_specs(c.Options)
    if specs:
        click.echo("")
        click.echo(style(f"options ([tool.preflight.checks.{c.code}]):", bold=True), color=color)
        for spec in specs:
            click.echo(f"  {spec.key} = {spec.default!r}")
    return EXIT_OK
