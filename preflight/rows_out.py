"""``--rows-out``: every flagged row (not capped) with the codes that flagged it."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from preflight.findings import Finding, Report
from preflight.io import write_atomic

# Train rows first, then the held-out files of the split checks (SP).
FILE_ORDER = ("train", "valid", "test")


def row_file(finding: Finding) -> str:
    """The file a finding's ``rows`` are positions in: ``train`` unless its evidence
    says ``rows_refer_to`` another file (the split checks: ``test`` or ``valid``)."""
    return str(finding.evidence.get("rows_refer_to", "train"))


def flagged_rows(report: Report) -> pd.DataFrame:
    """One line per flagged row: ``row``, ``codes`` (sorted, ``;``-joined), ``columns``,
    and ``file`` (``train``, or ``test``/``valid`` for rows of a held-out file: there
    ``row`` is the position in that file)."""
    codes: dict[tuple[str, int], set[str]] = {}
    columns: dict[tuple[str, int], set[str]] = {}
    for f in report.findings:
        file = row_file(f)
        for r in f.rows:
            codes.setdefault((file, r), set()).add(f.code)
            columns.setdefault((file, r), set()).update(f.columns)
    order = {name: i for i, name in enumerate(FILE_ORDER)}
    keys = sorted(codes, key=lambda k: (order.get(k[0], len(order)), k[0], k[1]))
    return pd.DataFrame(
        {
            "row": pd.Series([k[1] for k in keys], dtype="int64"),
            "codes": [";".join(sorted(codes[k])) for k in keys],
            "columns": [";".join(sorted(columns[k])) for k in keys],
            "file": pd.Series([k[0] for k in keys], dtype=object),
        }
    )


def write_rows(report: Report, destination: Path) -> None:
    table = flagged_rows(report)
    if destination.suffix.lower() in (".parquet", ".pq"):
        write_atomic(destination, lambda tmp: table.to_parquet(tmp, index=False))
    else:
        write_atomic(destination, lambda tmp: table.to_csv(tmp, index=False))
