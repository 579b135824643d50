"""``--rows-out``: every flagged row (not capped) with the codes that flagged it.

The CSV is for people too, who open it in a spreadsheet: a text cell that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return would run there as a formula
(CSV injection, e.g. a column named ``=HYPERLINK(...)``). As spreadsheet-safe CSV
writers do (OWASP), such a cell, and such an item of a ``;``-joined list, gets a
leading ``'``, and every text cell is quoted, so a line break in a name stays inside
its cell. Numbers (``row``) stay numbers. Parquet is not a spreadsheet format: it
keeps the values as they are.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd

from preflight.core.findings import Finding, Report
from preflight.core.outputs.write import write_atomic

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


# A formula trigger at the start of a cell, or of an item after the list separator.
_FORMULA = re.compile(r"(^|;)(?=[=+\-@\t\r])")


def spreadsheet_safe(cell: str) -> str:
    """``cell`` with a ``'`` before a leading ``=``, ``+``, ``-``, ``@``, tab or carriage
    return, there and after each ``;`` (the list separator of ``codes`` and ``columns``),
    so a spreadsheet shows it as text instead of evaluating it."""
    return _FORMULA.sub(r"\1'", cell)


def csv_table(report: Report) -> pd.DataFrame:
    """:func:`flagged_rows` as the CSV writes it: text cells made spreadsheet-safe."""
    table = flagged_rows(report)
    for name in ("codes", "columns", "file"):
        table[name] = table[name].map(spreadsheet_safe).astype(object)
    return table


def write_rows(report: Report, destination: Path) -> None:
    if destination.suffix.lower() in (".parquet", ".pq"):
        table = flagged_rows(report)
        write_atomic(destination, lambda tmp: table.to_parquet(tmp, index=False))
    else:
        safe = csv_table(report)
        # Every text cell quoted (the header too); the row numbers unquoted, numeric.
        write_atomic(destination, lambda tmp: safe.to_csv(tmp, index=False, quoting=csv.QUOTE_NONNUMERIC))
