"""``--rows-out``: every flagged row (not capped) with the codes that flagged it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from preflight.findings import Report
from preflight.io import write_atomic


def flagged_rows(report: Report) -> pd.DataFrame:
    """One line per flagged row position: ``row``, ``codes`` (sorted, ``;``-joined), ``columns``."""
    codes: dict[int, set[str]] = {}
    columns: dict[int, set[str]] = {}
    for f in report.findings:
        for r in f.rows:
            codes.setdefault(r, set()).add(f.code)
            columns.setdefault(r, set()).update(f.columns)
    rows = sorted(codes)
    return pd.DataFrame(
        {
            "row": pd.Series(rows, dtype="int64"),
            "codes": [";".join(sorted(codes[r])) for r in rows],
            "columns": [";".join(sorted(columns[r])) for r in rows],
        }
    )


def write_rows(report: Report, destination: Path) -> None:
    table = flagged_rows(report)
    if destination.suffix.lower() in (".parquet", ".pq"):
        write_atomic(destination, lambda tmp: table.to_parquet(tmp, index=False))
    else:
        write_atomic(destination, lambda tmp: table.to_csv(tmp, index=False))
