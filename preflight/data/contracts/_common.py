"""Two small helpers that inference, loading and validation share."""

from __future__ import annotations

from typing import Any

import numpy as np


def plain(value: Any) -> Any:
    """numpy scalars -> Python scalars, so YAML's safe dumper can write them."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def one_line(exc: BaseException) -> str:
    """The first line of an exception's message (pandera's run over many lines), capped."""
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]
