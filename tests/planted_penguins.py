"""The real penguins data with the cause-1 and cause-2 problems planted in it (for plan/fix tests)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

MISSING_TARGET = [5, 50, 150]
SENTINEL_ROWS = [10, 20, 30]
INFINITE_ROWS = [40, 60]
VARIANT_ROWS = [100, 101, 102, 103]
QUESTION_ROWS = [200, 201]
N_DUPLICATES = 4


def planted_penguins(path: Path) -> Path:
    """Write the planted CSV to ``path``; the original 344 rows come first, duplicates last."""
    df = pd.read_csv(EXAMPLES / "penguins.csv")
    df["body_mass_g"] = [f"{int(v):,}" if pd.notna(v) else "" for v in df["body_mass_g"]]  # "3,750"
    df.loc[SENTINEL_ROWS, "bill_length_mm"] = -999.0
    df.loc[INFINITE_ROWS, "flipper_length_mm"] = np.inf
    df.loc[VARIANT_ROWS, "island"] = "biscoe "
    df.loc[QUESTION_ROWS, "sex"] = "?"
    df.loc[MISSING_TARGET, "species"] = np.nan
    df = pd.concat([df, df.iloc[300 : 300 + N_DUPLICATES]], ignore_index=True)
    df.to_csv(path, index=False)
    return path
