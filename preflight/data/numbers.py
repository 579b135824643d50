"""Numbers stored as text, read as numbers: shared by the checks (SN reads such columns
as numbers) and by the plan, whose generated code copies this function's source, so it
stays self-contained (``re`` and ``numpy as np`` only). :func:`plain` turns numpy scalars
into Python ones, for the scan's mergeable counts and the contracts' YAML."""

from __future__ import annotations

import re
from typing import Any

import numpy as np


def to_number(value: Any) -> float:
    """``"$3,750.50"`` -> 3750.5, ``"12%"`` -> 0.12, ``"(5)"`` -> -5.0; NaN if not a number."""
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip()
    negative = text.startswith("(") and text.endswith(")")
    text = text.strip("()").strip()
    percent = text.endswith("%")
    text = re.sub(r"[$€£¥%\s\u00a0',]", "", text)
    try:
        number = float(text)
    except ValueError:
        return float("nan")
    if percent:
        number /= 100.0
    return -number if negative else number


def plain(value: Any) -> Any:
    """numpy scalars -> Python scalars (other values as they are): YAML's safe dumper
    writes them, and frequencies merge across batches and pickle small."""
    return value.item() if isinstance(value, np.generic) else value
