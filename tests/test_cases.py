"""Every check's YAML pass/fail cases (tests/cases/CODE.yaml), run by one parametrized test.

A case gives a table (``data:`` columns, or ``csv:`` raw text read through the real
CSV reader), optional ``target``/``options``/``config``, and ``expect``: the findings,
in report order, each with the columns, rows, severity or message text it must have.
An empty ``expect`` means the check must stay silent.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from preflight import engine
from preflight.checks import REGISTRY
from preflight.config import Config
from preflight.dataset import load_dataset

CASES_DIR = Path(__file__).parent / "cases"


def _load_cases() -> list[Any]:
    params = []
    for file in sorted(CASES_DIR.glob("*.yaml")):
        spec = yaml.safe_load(file.read_text())
        code = spec["rule"]
        assert file.stem == code, f"{file.name} must be named after its rule"
        for case in spec["cases"]:
            params.append(pytest.param(code, case, id=f"{code}-{case['name']}"))
    return params


def _frame(case: dict[str, Any], tmp_path: Path) -> Any:
    if "csv" in case:
        path = tmp_path / "case.csv"
        path.write_bytes(case["csv"].encode(case.get("encoding", "utf-8")))
        return path
    data = case["data"]
    frame = pd.DataFrame(data)
    for col, dtype in (case.get("dtypes") or {}).items():
        frame[col] = frame[col].astype(dtype)
    return frame


@pytest.mark.parametrize(("code", "case"), _load_cases())
def test_case(code: str, case: dict[str, Any], tmp_path: Path) -> None:
    source = _frame(case, tmp_path)
    dataset = load_dataset(
        source,
        target=case.get("target"),
        id_columns=case.get("id_columns", ()),
        task=case.get("task", "auto"),
    )
    config = Config(target=case.get("target"), **case.get("config", {}))
    check = REGISTRY[code](case.get("options"))
    report = engine.run(dataset, config, checks=[check])
    assert not report.errors, report.errors
    expected = case.get("expect") or []
    got = [f for f in report.findings if f.code == code]
    described = [(f.columns, f.rows[:20], f.severity.value, f.message) for f in got]
    assert len(got) == len(expected), f"expected {len(expected)} findings, got {described}"
    for finding, want in zip(sorted(got, key=lambda f: f.columns), expected, strict=True):
        if "columns" in want:
            assert list(finding.columns) == want["columns"], described
        if "rows" in want:
            assert list(finding.rows) == want["rows"], described
        if "row_count" in want:
            assert finding.flagged_rows == want["row_count"], described
        if "severity" in want:
            assert finding.severity.value == want["severity"], described
        for text in want.get("message_contains", []):
            assert text in finding.message, described
