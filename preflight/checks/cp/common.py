"""Helpers shared by the capacity checks."""

from __future__ import annotations

from typing import Any

from preflight.checks.base import Context


def labelled_rows(ctx: Context) -> int:
    """Rows a model can train on: those with a label (all rows without a target)."""
    if ctx.dataset.target is None:
        return ctx.dataset.n_rows
    return ctx.profile[ctx.dataset.target].n_present


def plain(value: Any) -> Any:
    """A numpy scalar as the Python value, so messages read ``True``, not ``np.True_``."""
    return value.item() if hasattr(value, "item") else value
