"""The ``preflight`` group and its entry point: every command is a function that
returns an exit code, and :func:`main` turns what escapes a command into one.

Exit codes: 0 passed · 1 a finding at or above --fail-on · 2 usage or input error
(one line on stderr, no traceback) · 3 a check crashed.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from preflight.cli.baseline import baseline
from preflight.cli.check import check
from preflight.cli.diff import diff
from preflight.cli.fix import fix
from preflight.cli.infer_schema import infer_schema
from preflight.cli.rules import rule, rules
from preflight.cli.shared import EXIT_CRASH, EXIT_OK, EXIT_USAGE, error
from preflight.core.errors import PreflightError
from preflight.core.escape import safe_lines
from preflight.core.version import __version__

# 128 + SIGPIPE, what a shell reports for `... | head -1`. (A pipe that breaks inside a
# command is click's: it exits 1 quietly; this is for the pipes that break after it.)
EXIT_BROKEN_PIPE = 141


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="preflight")
def cli() -> None:
    """A linter for training data: find what will stop a model from training, before training."""


for _command in (check, baseline, diff, fix, infer_schema, rules, rule):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``preflight`` console script."""
    try:
        code = cli.main(args=argv, prog_name="preflight", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        _show(exc)
        code = EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("preflight: aborted", err=True)
        code = 130
    except PreflightError as exc:
        error(str(exc))
        code = EXIT_USAGE
    except KeyboardInterrupt:
        click.echo("preflight: interrupted", err=True)
        code = 130
    except Exception as exc:  # a bug outside the checks (they are isolated by the engine)
        if isinstance(exc, OSError) and _from_stdout(exc):
            code = _stdout_failed(exc)
        else:
            args = sys.argv[1:] if argv is None else list(argv)
            if "-v" in args or "--verbose" in args:
                raise
            error(f"internal error: {type(exc).__name__}: {exc} (-v shows the traceback; please report it)")
            code = EXIT_CRASH
    try:
        sys.stdout.flush()
    except OSError as exc:
        code = _stdout_failed(exc)
    sys.exit(code if isinstance(code, int) else EXIT_OK)


def _from_stdout(exc: OSError) -> bool:
    """True when ``exc`` was raised writing the terminal output (click.echo to stdout)."""
    if isinstance(exc, BrokenPipeError):
        return True
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name == "echo" and "click" in code.co_filename:
            return tb.tb_frame.f_locals.get("err") is not True
        tb = tb.tb_next
    return False


def _stdout_failed(exc: OSError) -> int:
    """A reader that went away (``| head``) is no error; a full disk behind ``>`` is the
    user's (exit 2). Either way stdout is pointed at /dev/null so that the interpreter's
    last flush cannot print a traceback."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # pragma: no cover - stdout without a descriptor
        pass
    if isinstance(exc, BrokenPipeError):
        return EXIT_BROKEN_PIPE
    error(f"cannot write to stdout: {exc.strerror or exc}")
    return EXIT_USAGE


def _show(exc: click.ClickException) -> None:
    """Click's usage error, its lines escaped (it quotes the arguments it rejects)."""
    import io

    buffer = io.StringIO()
    exc.show(file=buffer)
    click.echo(safe_lines(buffer.getvalue().rstrip("\n")), err=True)
