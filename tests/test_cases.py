"""Every check's YAML pass/fail cases (tests/cases/CODE.yaml), run by one parametrized test.

A case gives a table, optional ``target``/``options``/``config``, and ``expect``: the
findings, in report order, each with the columns, the rows (all of them, or
``rows_include``: these among them), severity or message text it must have. An empty
``expect`` means the check must stay silent.

A table is one of: ``data:`` (columns), ``csv:`` (raw text read through the real CSV
reader), ``sklearn: NAME`` (a scikit-learn bundled real dataset,
``load_NAME(as_frame=True)``, its label in column ``target``), ``example: FILE`` (a file
in ``examples/``) or ``corpus: NAME`` (a table of ``benchmarks/corpus/data/``). Real
tables may be narrowed and changed, in this order:
``shuffle_rows: SEED`` puts the rows in a seeded random order (a random split),
``sort_by: COLUMN`` orders them (a split in time), ``rows: [start, stop]`` (or
``[start, stop, step]``) keeps a slice, ``columns: [...]`` keeps those columns,
``edits:`` sets ``value`` in ``column`` at the 0-based ``rows``, and ``shuffle: COLUMN``
permutes one column with a seeded generator (labels unrelated to the features). Split
checks read ``test:`` (a table of the same form, written to a parquet file and passed as
``--test``); the contract check reads ``schema:`` (inline pandera YAML).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

from preflight.checks import REGISTRY
from preflight.core.config import Config
from preflight.data.dataset import load_dataset
from preflight.run import run
from tests.conftest import EXAMPLES

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


def _frame(case: dict[str, Any], tmp_path: Path, name: str = "case") -> Any:
    if "csv" in case:
        path = tmp_path / f"{name}.csv"
        path.write_bytes(case["csv"].encode(case.get("encoding", "utf-8")))
        return path
    if "sklearn" in case:
        import sklearn.datasets

        frame = getattr(sklearn.datasets, f"load_{case['sklearn']}")(as_frame=True).frame
    elif "example" in case:
        frame = pd.read_csv(EXAMPLES / case["example"])
    elif "corpus" in case:  # a real table of the corpus, as its package ships it
        frame = pd.read_csv(EXAMPLES.parent / "benchmarks" / "corpus" / "data" / f"{case['corpus']}.csv")
    else:
        frame = pd.DataFrame(case["data"])
    if "shuffle_rows" in case:
        order = np.random.default_rng(case["shuffle_rows"]).permutation(len(frame))
        frame = frame.iloc[order].reset_index(drop=True)
    if "sort_by" in case:
        frame = frame.sort_values(case["sort_by"], kind="stable").reset_index(drop=True)
    if "rows" in case:
        frame = frame.iloc[slice(*case["rows"])].reset_index(drop=True)
    if "columns" in case:
        frame = frame[case["columns"]]
    frame = frame.copy()
    for edit in case.get("edits") or []:
        column = edit["column"]
        if frame[column].dtype.kind in "iub" and not isinstance(edit["value"], int):
            frame[column] = frame[column].astype(object if isinstance(edit["value"], str) else float)
        frame.loc[edit["rows"], column] = edit["value"]
    if "shuffle" in case:
        rng = np.random.default_rng(case.get("seed", 0))
        column = case["shuffle"]
        frame[column] = rng.permutation(frame[column].to_numpy())
    for col, dtype in (case.get("dtypes") or {}).items():
        frame[col] = frame[col].astype(dtype)
    return frame


def _file(table: dict[str, Any], tmp_path: Path, name: str) -> str:
    """A table spec written to a parquet file (or its CSV text as is), for ``--test``."""
    source = _frame(table, tmp_path, name)
    if isinstance(source, Path):
        return str(source)
    path = tmp_path / f"{name}.parquet"
    source.to_parquet(path, index=False)
    return str(path)


@pytest.mark.parametrize(("code", "case"), _load_cases())
def test_case(code: str, case: dict[str, Any], tmp_path: Path) -> None:
    source = _frame(case, tmp_path)
    dataset = load_dataset(
        source,
        target=case.get("target"),
        id_columns=case.get("id_columns", ()),
        task=case.get("task", "auto"),
    )
    files: dict[str, Any] = {}
    if "test" in case:
        files["test"] = _file(case["test"], tmp_path, "test")
    if "schema" in case:
        schema = tmp_path / "schema.yaml"
        schema.write_text(case["schema"])
        files["schema"] = str(schema)
    config = Config(target=case.get("target"), **files, **case.get("config", {}))
    check = REGISTRY[code](case.get("options"))
    report = run(dataset, config, checks=[check])
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
        if "rows_include" in want:
            assert set(want["rows_include"]) <= set(finding.rows), described
        if "row_count" in want:
            assert finding.flagged_rows == want["row_count"], described
        if "severity" in want:
            assert finding.severity.value == want["severity"], described
        for text in want.get("message_contains", []):
            assert text in finding.message, described
