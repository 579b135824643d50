"""The command line: parsing and wiring only, one module per command.

:mod:`~preflight.cli.app` holds the ``preflight`` group and :func:`main` (the console
script); :mod:`~preflight.cli.shared` the exit codes and the options several commands
take. Nothing here imports pandas at import time: ``preflight --help``, ``preflight
rules`` and small pre-commit runs start fast; a command imports what it needs when run.
"""

from __future__ import annotations

from preflight.cli.app import cli, main

__all__ = ["cli", "main"]
