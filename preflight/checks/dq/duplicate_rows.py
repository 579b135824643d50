from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from preflight.check import Check, Context
from preflight.findings import Finding, Fix, Severity
from preflight.text import as_text


def row_hashes(frame: pd.DataFrame) -> pd.Series:
    """One 64-bit hash per row over all columns (the index is not hashed).

    Equal rows get equal hashes; equal hashes are only candidates, so callers confirm
    on the values (the split checks reuse this to find test rows that repeat train rows).
    """
    try:
        return pd.util.hash_pandas_object(frame, index=False)
    except (TypeError, UnicodeDecodeError):  # unhashable cells, or raw bytes: hash their text form
        return pd.util.hash_pandas_object(as_text(frame), index=False)


def duplicate_mask(frame: pd.DataFrame) -> np.ndarray:
    """True for every row that repeats an earlier row exactly (all columns)."""
    hashes = row_hashes(frame)
    # Equal 64-bit hashes are a candidate; confirm on the rows themselves so a hash
    # collision can never report a false duplicate.
    candidate = hashes.duplicated(keep=False).to_numpy()
    mask = np.zeros(len(frame), dtype=bool)
    if candidate.any():
        sub = frame.loc[candidate]
        try:
            dup = sub.duplicated(keep="first")
        except TypeError:
            dup = as_text(sub).duplicated(keep="first")
        mask[np.flatnonzero(candidate)[dup.to_numpy()]] = True
    return mask


class DuplicateRows(Check):
    """Rows that exactly repeat an earlier row.

    **What it does.** Hashes every row (all columns, the target included) and lists
    the positions of the repeats; the first occurrence is kept.

    **Why it is bad.** Duplicates weigh some examples twice, and when a dataset is
    split they land on both sides, so the test score overstates what the model
    learned.

    **Fix.** Drop the repeats (``preflight fix`` keeps them in a separate file).

    **Options.** ``warn-share`` (0.01): below this share of rows the finding is
    info; real tabular data with a few coarse features repeats rows honestly.
    """

    code = "DQ003"
    name = "data-quality.duplicate-rows"
    category = "data-quality"
    cause = 1
    severity = Severity.WARNING
    file_rows = True
    options = {"warn_share": 0.01}

    def run(self, ctx: Context) -> Iterator[Finding]:
        mask = ctx.shared("duplicate_mask", lambda: duplicate_mask(ctx.dataset.frame))
        count = int(mask.sum())
        if count == 0:
            return
        share = count / len(mask)
        yield self.finding(
            f"{count} rows ({share:.1%}) exactly repeat an earlier row",
            rows=np.flatnonzero(mask),
            evidence={"duplicates": count, "share": share},
            fix=Fix("drop the repeated rows", step="drop-rows", params={"duplicates": True}),
            severity=Severity.WARNING if share >= self.opts["warn_share"] else Severity.INFO,
        )
