"""Evidence that a column holds free text: many distinct values of several words.

Free text is never one-hot encoded (each sentence would become a column); it is
vectorised (TF-IDF) for the models or dropped.
"""

from __future__ import annotations

import numpy as np

from preflight.data.profile import ColumnProfile

# A column needs this many distinct values before it can be text rather than levels.
MIN_DISTINCT = 10
# Median words and characters per distinct value: "Not enough blood for isotopes."
# (5 words) is text; "driver & passenger" (3) and "Adelie Penguin (Pygoscelis
# adeliae)" (4 words, but 3 levels) are levels.
MIN_MEDIAN_WORDS = 4
MIN_MEDIAN_CHARS = 20


def text_evidence(col: ColumnProfile) -> tuple[str, float] | None:
    """Why ``col`` is free text, with a confidence; None when it is not."""
    if col.kind not in ("string", "categorical", "mixed") or col.n_unique < MIN_DISTINCT:
        return None
    strings = [v for v in col.value_counts.index[:1000] if isinstance(v, str)]
    if len(strings) < MIN_DISTINCT:
        return None
    words = float(np.median([len(s.split()) for s in strings]))
    chars = float(np.median([len(s) for s in strings]))
    if words < MIN_MEDIAN_WORDS or chars < MIN_MEDIAN_CHARS:
        return None
    confidence = 0.9 if col.n_unique >= 0.5 * col.n_present else 0.75
    return f"{col.n_unique} distinct values, a median of {words:g} words", confidence
