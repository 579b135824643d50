"""What a string cell holds: a null marker, a plain number, a formatted number or text."""

from __future__ import annotations

import re
from typing import Literal

import numpy as np
import pandas as pd

try:
    import pyarrow  # noqa: F401

    _HAS_PYARROW = True
except ImportError:  # pragma: no cover - pyarrow is a dependency
    _HAS_PYARROW = False

TextClass = Literal["null-like", "number", "formatted-number", "text"]

# Strings that mean "no value" when they appear as data (compared case-insensitively,
# after stripping). CSV readers already turn some of them into nulls; see Dataset.
NULL_LIKE_STRINGS: frozenset[str] = frozenset(
    ["", "na", "n/a", "n.a.", "nan", "null", "none", "nil", "missing", "unknown", "?", "-",
     "--", "---", ".", "#n/a", "#na", "undefined", "not available", "no data", "<na>"]
)  # fmt: skip

# A plain number as text: optional sign, digits, decimals, exponent.
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# A number dressed for people: currency, thousands separators, percent, spaces.
# (The no-break space is written as itself: the pattern also runs in pyarrow's RE2.)
_FORMATTED_NUMBER = re.compile(
    r"^\(?[+-]?\s*[$€£¥]?\s*[+-]?(\d{1,3}([,\u00a0' ]\d{3})+|\d+)(\.\d+)?\s*(%|[$€£¥])?\)?$".replace(
        "\\u00a0", "\u00a0"
    )
)


def classify_texts(values: list[str]) -> pd.Series:
    """The :data:`TextClass` of each of many distinct values (index = value).

    Vectorised through pandas string methods, which run in pyarrow's regex engine
    when pandas uses pyarrow strings: a column of a million distinct ids or
    free-text cells costs one pass in C++, not a million Python regex calls.
    """
    s = pd.Series(values, dtype="string[pyarrow]" if _HAS_PYARROW else "string")
    stripped = s.str.strip()
    null_like = stripped.str.lower().isin(NULL_LIKE_STRINGS)
    plain = stripped.str.fullmatch(_PLAIN_NUMBER.pattern).fillna(False)
    formatted = stripped.str.fullmatch(_FORMATTED_NUMBER.pattern).fillna(False)
    exact = stripped == s
    out = np.full(len(values), "text", dtype=object)
    out[(plain | formatted).to_numpy(dtype=bool)] = "formatted-number"
    out[(plain & exact).to_numpy(dtype=bool)] = "number"
    out[null_like.to_numpy(dtype=bool)] = "null-like"
    return pd.Series(out, index=pd.Index(values, dtype=object), dtype=object)


def cells_per_class(classes: pd.Series, value_counts: pd.Series) -> dict[str, int]:
    """Cells per text class, counting repeats: ``classes`` from :func:`classify_texts`
    over the values of ``value_counts``."""
    counts = value_counts.reindex(classes.index)
    return {str(k): int(v) for k, v in counts.groupby(classes.to_numpy()).sum().items()}
