"""Input path options checked before any work starts: a ``--test`` file that does not
exist is one error line at once, not after the training file has been read and checked."""

from __future__ import annotations

import os

from preflight.core.config import Config
from preflight.core.errors import PreflightError

# No pandas or numpy behind this one: it looks at paths and first bytes only.
from preflight.data.inputs import input_files


def refuse_missing_inputs(config: Config, *, held_out: tuple[str, ...] = ("test", "valid")) -> None:
    """Raise PreflightError (exit 2) when a held-out file, ``--schema`` or
    ``--pred-probs`` names nothing readable; the messages are the readers' own."""
    for role in held_out:
        spec = getattr(config, role)
        if spec:
            try:
                input_files(spec)  # a file, a directory of parts or a glob, as the reader takes it
            except PreflightError as exc:
                raise PreflightError(f"{role} file {exc}") from None
    if config.schema and not os.path.exists(config.schema):
        raise PreflightError(f"schema file {config.schema!r} not found")
    if config.pred_probs and not os.path.isfile(config.pred_probs):
        raise PreflightError(f"--pred-probs: {config.pred_probs}: no such file")
