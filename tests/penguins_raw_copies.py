"""Copies of the raw Palmer penguins file (examples/penguins-raw.csv) for the baseline and
diff tests: the same data with rows moved, and the same data with new problems planted.

Every copy keeps the raw file's own problems (missing cells, constant columns, id-like
columns); only what a copy's docstring names is different.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
RAW = EXAMPLES / "penguins-raw.csv"
TARGET = "Species"
N_INSERTED = 20
# Rows whose label a planted copy blanks (DQ002, an error), and whose 'Sex' it blanks on
# top of the 11 the raw file misses (DQ001 on 'Sex' gets worse: 11 -> 21 rows).
UNLABELLED = [30, 31, 200]
MORE_MISSING_SEX = [20, 21, 22, 23, 24, 25, 26, 27, 28, 29]


def read_raw() -> pd.DataFrame:
    return pd.read_csv(RAW)


def copy_raw(path: Path) -> Path:
    path.write_bytes(RAW.read_bytes())
    return path


def inserted_at_top(path: Path) -> Path:
    """20 new birds above the first row (every original row moves down by 20): complete
    rows of the same study, with their own ids, so they repeat no row."""
    df = read_raw()
    measured = [c for c in df.columns if c != "Comments"]
    complete = df[df[measured].notna().all(axis=1)]
    new = complete.sample(N_INSERTED, random_state=7).copy()
    new["Individual ID"] = [f"N99A{i}" for i in range(N_INSERTED)]
    new["Sample Number"] = np.arange(1, N_INSERTED + 1)  # a run of its own, as each study has
    new["Body Mass (g)"] = new["Body Mass (g)"] + 25.0
    new["Culmen Length (mm)"] = new["Culmen Length (mm)"] + 0.3
    pd.concat([new, df], ignore_index=True).to_csv(path, index=False)
    return path


def shuffled(path: Path) -> Path:
    """Every row of the raw file, in a seeded random order."""
    read_raw().sample(frac=1.0, random_state=3).to_csv(path, index=False)
    return path


def with_new_problems(path: Path) -> Path:
    """The raw file with three labels blanked (a new DQ002 error) and ten more 'Sex' cells
    blanked (the accepted DQ001 warning on 'Sex' gets worse)."""
    df = read_raw()
    df.loc[UNLABELLED, TARGET] = np.nan
    df.loc[MORE_MISSING_SEX, "Sex"] = np.nan
    df.to_csv(path, index=False)
    return path


def with_one_more_missing_sex(path: Path) -> Path:
    """The raw file with one more 'Sex' cell blanked: within the tolerance, not worse."""
    df = read_raw()
    df.loc[[MORE_MISSING_SEX[0]], "Sex"] = np.nan
    df.to_csv(path, index=False)
    return path
