"""--rows-out: every flagged row with the codes that flagged it, never capped; CSV and parquet."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLES, run_cli
from report_fixture import fixed_report, hostile_report

from preflight.core.findings import Finding, Severity
from preflight.core.outputs.rows import flagged_rows, write_rows


def test_flagged_rows_unions_codes_and_columns_per_row() -> None:
    report = fixed_report()
    table = flagged_rows(report)
    expected = sorted({r for f in report.findings for r in f.rows})
    assert table["row"].tolist() == expected
    by_row = table.set_index("row")
    # Row 69 misses malic_acid and is an outlier; row 12 only misses malic_acid.
    assert by_row.loc[69, "codes"] == "DQ001;OL001"
    assert by_row.loc[69, "columns"] == "magnesium;malic_acid;proline"
    assert by_row.loc[12, "codes"] == "DQ001" and by_row.loc[12, "columns"] == "malic_acid"
    assert by_row.loc[110, "codes"] == "LB001" and by_row.loc[110, "columns"] == "cultivar"


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_rows_out_is_not_capped(tmp_path: Path, suffix: str) -> None:
    many = tuple(range(0, 10_000, 2))  # 5,000 rows, far above the report's cap of 1,000
    big = Finding(
        code="DQ001",
        name="data-quality.missing-values",
        category="data-quality",
        cause=1,
        severity=Severity.WARNING,
        message="x is missing",
        columns=("x",),
        rows=many,
    )
    report = dataclasses.replace(fixed_report(), findings=(big,), max_rows=1000)
    assert len(report.to_dict()["findings"][0]["rows"]) == 1000
    out = tmp_path / f"rows{suffix}"
    write_rows(report, out)
    table = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
    assert table["row"].tolist() == list(many)
    assert set(table["codes"]) == {"DQ001"}


def test_cli_rows_out_matches_the_missing_cells_of_the_file(tmp_path: Path) -> None:
    """On real data: the rows DQ001 writes are exactly the rows with a missing feature."""
    src = EXAMPLES / "penguins-raw.csv"
    out_csv, out_pq = tmp_path / "rows.csv", tmp_path / "rows.parquet"
    for out in (out_csv, out_pq):
        proc = run_cli(
            "check",
            str(src),
            "--target",
            "Species",
            "--select",
            "DQ001",
            "--rows-out",
            str(out),
            "--format",
            "json",
            "--output",
            str(tmp_path / "r.json"),
        )
        assert proc.returncode == 0, proc.stderr
    frame = pd.read_csv(src)
    missing = frame.drop(columns=["Species"]).isna()
    expected = np.flatnonzero(missing.any(axis=1).to_numpy()).tolist()
    for table in (pd.read_csv(out_csv), pd.read_parquet(out_pq)):
        assert table["row"].tolist() == expected
        row3 = table.set_index("row").loc[3, "columns"].split(";")
        assert sorted(row3) == sorted(missing.columns[missing.iloc[3]].tolist())
    report = json.loads((tmp_path / "r.json").read_text())
    assert sum(f["row_count"] for f in report["findings"]) == int(missing.to_numpy().sum())


def test_cli_rows_out_writes_more_rows_than_the_report_lists(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n = 3000
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "y": rng.integers(0, 2, n)})
    holes = np.sort(rng.choice(n, size=2500, replace=False))
    frame.loc[holes, "a"] = np.nan
    data = tmp_path / "holes.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "rows.csv"
    proc = run_cli(
        "check", str(data), "--target", "y", "--select", "DQ001", "--format", "json", "--rows-out", str(out)
    )
    assert proc.returncode == 0, proc.stderr
    finding = json.loads(proc.stdout)["findings"][0]
    assert (len(finding["rows"]), finding["row_count"]) == (1000, 2500)
    assert pd.read_csv(out)["row"].tolist() == holes.tolist()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_hostile_column_names_round_trip(tmp_path: Path, suffix: str) -> None:
    """Quotes, commas, newlines and markup in column names stay data (CSV quoting is the escaping)."""
    report = hostile_report()
    out = tmp_path / f"rows{suffix}"
    write_rows(report, out)
    table = pd.read_csv(out, keep_default_na=False) if suffix == ".csv" else pd.read_parquet(out)
    expected = flagged_rows(report)
    assert table["row"].tolist() == expected["row"].tolist()
    assert table["columns"].tolist() == expected["columns"].tolist()
