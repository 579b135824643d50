"""Per-column checks declare the column kinds they examine (``Check.applies_to``); the
report names, per check, the features of other kinds it ran past (issue 11).

The frame below holds one feature of every kind a real table brings (tz-aware
timestamps, ``date`` objects, ``Decimal``, bools, lists, bytes, a categorical, an
all-null column, text, mixed cells), several with a planted problem, so a check
that examined a kind it does not declare would name that column in a finding.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from pathlib import Path
from typing import get_args

import jsonschema
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from preflight.checks import REGISTRY
from preflight.core.config import Config
from preflight.core.findings import DatasetInfo, Report, SkippedColumns
from preflight.data.dataset import load_dataset
from preflight.data.profile import Kind, Profile
from preflight.data.semantics.stage import with_semantics
from preflight.reporters import render
from preflight.run import run
from tests.conftest import ROOT, run_cli

SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text())
ALL_KINDS = frozenset(get_args(Kind))
PER_COLUMN = sorted(code for code, cls in REGISTRY.items() if cls.applies_to is not None)
N = 300
COLOURS = np.array(["red", "green", "blue"])


def _every_kind() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    num = rng.normal(50.0, 5.0, N)
    num[5] = 1e6  # an outlier (OL001)
    num[7] = np.inf  # an infinity (DQ007)
    num[[10, 11, 12]] = -999.0  # a disguised null (DQ004)
    num[20] = np.nan  # a missing value (DQ001)
    islands = np.array(["Biscoe", "Dream", "Torgersen"])[rng.integers(0, 3, N)]
    islands[[3, 40]] = "biscoe "  # a spelling variant (DQ008)
    return pd.DataFrame(
        {
            "num": num,
            "stamp": pd.date_range("2024-01-01", periods=N, freq="h", tz="Europe/Paris"),
            "day": [dt.date(2024, 1, 1) + dt.timedelta(days=i % 40) for i in range(N)],
            "price": [decimal.Decimal(int(v)) / 4 for v in rng.integers(0, 400, N)],
            "flag": rng.random(N) < 0.3,
            "tags": [[int(a), int(b)] for a, b in rng.integers(0, 5, (N, 2))],
            "blob": [bytes([int(a), 7]) for a in rng.integers(0, 9, N)],
            "island": pd.Categorical(islands),
            "empty": [None] * N,
            "note": np.where(np.arange(N) % 25 == 0, "N/A", COLOURS[np.arange(N) % 3]),
            "mixed": [int(i) if i % 2 else f"t{i}" for i in range(N)],
            # free text (the semantics stage's kind `text`): many distinct multi-word notes
            "comment": [f"bird {i % 40} seen near the nest at dawn" for i in range(N)],
            "label": rng.integers(0, 2, N),
        }
    )


def _run(frame: pd.DataFrame) -> tuple[Report, dict[str, Kind]]:
    dataset = load_dataset(frame, target="label", id_columns=(), task="auto")
    report = run(dataset, Config(target="label", select=tuple(PER_COLUMN)))
    understood = with_semantics(dataset, Profile(dataset), {})  # as the run reads the columns
    kinds = {col.name: col.kind for col in Profile(understood).features()}
    return report, kinds


@pytest.fixture(scope="module")
def every_kind() -> tuple[Report, dict[str, Kind]]:
    return _run(_every_kind())


def test_declarations_name_real_kinds() -> None:
    for code in PER_COLUMN:
        applies_to = REGISTRY[code].applies_to
        assert applies_to and applies_to <= ALL_KINDS, code
    # The schema's kind enum is the profile's.
    assert set(SCHEMA["$defs"]["kind"]["enum"]) == ALL_KINDS
    # What each check reads, as its code does (a change here is a change of behaviour).
    numeric_like = {"numeric", "string", "categorical"}  # numbers stored as text are parsed
    assert {code: set(REGISTRY[code].applies_to or ()) for code in PER_COLUMN} == {
        "DQ001": ALL_KINDS,
        "DQ004": {"numeric", "string", "mixed", "categorical", "text", "boolean"},
        "DQ005": ALL_KINDS,
        "DQ007": {"numeric"},
        "DQ010": {"numeric"},
        "DQ008": {"string", "categorical"},
        "LB003": ALL_KINDS,
        "OL001": {"numeric"},
        "SC001": {"mixed", "string"},
        "SC002": {"numeric"},  # numbers stored as text, as the cleaned view reads them
        "SN001": numeric_like,
        "SN002": numeric_like,
        "SN003": numeric_like,
        "SN004": numeric_like,
        "SN005": numeric_like,
        "SN006": {"string", "categorical"},
        "SN009": {"datetime"},
    }


def test_the_frame_holds_every_kind(every_kind: tuple[Report, dict[str, Kind]]) -> None:
    _, kinds = every_kind
    assert set(kinds.values()) == ALL_KINDS
    assert kinds == {
        "num": "numeric",
        "stamp": "datetime",
        "day": "datetime",
        "price": "numeric",
        "flag": "boolean",
        "tags": "other",
        "blob": "other",
        "island": "categorical",
        "empty": "string",  # all null: no cell says otherwise
        "note": "string",
        "mixed": "mixed",
        "comment": "text",  # the semantics stage: free text, not a string of levels
    }


def test_no_finding_names_a_column_its_check_skips(every_kind: tuple[Report, dict[str, Kind]]) -> None:
    report, kinds = every_kind
    assert not report.errors, report.errors
    assert set(report.checks_run) == set(PER_COLUMN)
    for finding in report.findings:
        examined = REGISTRY[finding.code].applies_to
        assert examined is not None
        for column in finding.columns:
            assert kinds[column] in examined, (finding.code, column, kinds[column], finding.message)
    # The planted problems are found, so the assertion above had findings to judge.
    found = {(f.code, c) for f in report.findings for c in f.columns}
    assert {
        ("DQ001", "num"),
        ("DQ001", "empty"),
        ("DQ004", "num"),
        ("DQ004", "note"),
        ("DQ007", "num"),
        ("DQ008", "island"),
        ("OL001", "num"),
        ("SC001", "mixed"),
    } <= found


def test_skipped_columns_lists_exactly_the_other_kinds(every_kind: tuple[Report, dict[str, Kind]]) -> None:
    report, kinds = every_kind
    listed = {s.code: s for s in report.skipped_columns}
    for code in PER_COLUMN:
        examined = REGISTRY[code].applies_to
        assert examined is not None
        expected = sorted(c for c, k in kinds.items() if k not in examined)
        if not expected:
            assert code not in listed, code  # every kind present is one it reads
            continue
        assert list(listed[code].columns) == expected, code
        assert listed[code].kinds == tuple(sorted({kinds[c] for c in expected}))
    assert {"DQ001", "DQ005", "LB003"}.isdisjoint(listed)
    assert listed["DQ007"].by_kind == (
        ("boolean", ("flag",)),
        ("categorical", ("island",)),
        ("datetime", ("day", "stamp")),
        ("mixed", ("mixed",)),
        ("other", ("blob", "tags")),
        ("string", ("empty", "note")),
        ("text", ("comment",)),
    )
    assert [s.code for s in report.skipped_columns] == sorted(listed)


def test_json_names_each_column_once_and_validates(every_kind: tuple[Report, dict[str, Kind]]) -> None:
    report, kinds = every_kind
    doc = json.loads(render(report, "json"))
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    section = doc["skipped_columns"]
    names = [c for cols in section["kinds"].values() for c in cols]
    assert sorted(names) == sorted(set(names))  # each column once, however many checks skip it
    assert all(kinds[c] == kind for kind, cols in section["kinds"].items() for c in cols)
    assert list(section["kinds"]) == sorted(section["kinds"])
    assert list(section["checks"]) == sorted(section["checks"])
    # A reader recovers what each check ran past from the two maps.
    for skip in report.skipped_columns:
        union = sorted(c for k in section["checks"][skip.code] for c in section["kinds"][k])
        assert union == list(skip.columns)
    # Deterministic: the same data gives the same section.
    again, _ = _run(_every_kind())
    assert json.loads(render(again, "json"))["skipped_columns"] == section


def test_no_per_column_check_ran_means_an_empty_section() -> None:
    dataset = load_dataset(_every_kind(), target="label", id_columns=(), task="auto")
    report = run(dataset, Config(target="label", select=("DQ003", "DQ001")))
    assert report.skipped_columns == ()
    doc = json.loads(render(report, "json"))
    assert doc["skipped_columns"] == {"kinds": {}, "checks": {}}
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)


def test_text_lists_one_line_per_check_with_names_capped_only_with_v() -> None:
    names = tuple(f"when_{i:02d}" for i in range(8))
    report = Report(
        dataset=DatasetInfo(path="wide.parquet", rows=10, columns=9, target=None, task=None),
        findings=(),
        fail_on=None,
        checks_run=("DQ007", "SC002"),
        skipped_columns=(
            SkippedColumns("DQ007", (("datetime", names), ("other", ("tags",)))),
            SkippedColumns("SC002", (("other", ("tags",)),)),
        ),
    )
    quiet = render(report, "text", color=False)
    assert "not examine" not in quiet
    lines = render(report, "text", color=False, verbose=True).splitlines()
    start = lines.index("columns a check did not examine (not a kind it reads):")
    assert lines[start + 1 : start + 3] == [
        "  DQ007 · 9 columns (datetime, other): "
        "'tags', 'when_00', 'when_01', 'when_02', 'when_03' and 4 more",
        "  SC002 · 1 column (other): 'tags'",
    ]


def test_cli_names_parquet_columns_no_check_reads(tmp_path: Path) -> None:
    """End to end on a parquet file as a warehouse writes it: tz-aware timestamps, a
    list column, binary and a dictionary-encoded categorical."""
    rng = np.random.default_rng(3)
    n = 200
    values = rng.normal(20.0, 2.0, n)
    values[9] = 5e4
    table = pa.table(
        {
            "amount": values,
            "at": pa.array(pd.date_range("2025-03-01", periods=n, freq="min", tz="UTC")),
            "items": pa.array([[int(i % 4)] for i in range(n)], type=pa.list_(pa.int64())),
            "raw": pa.array([bytes([i % 5]) for i in range(n)], type=pa.binary()),
            "shop": pa.array([["north", "south"][i % 2] for i in range(n)]).dictionary_encode(),
            "label": pa.array(rng.integers(0, 2, n)),
        }
    )
    path = tmp_path / "orders.parquet"
    pq.write_table(table, path)
    out = tmp_path / "report.json"
    result = run_cli(
        "check", str(path), "--target", "label", "--select", "DQ007,OL001,DQ008", "-v",
        "--format", "json", "--output", str(out),
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr
    doc = json.loads(out.read_text())
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    assert doc["skipped_columns"] == {
        "kinds": {
            "categorical": ["shop"],
            "datetime": ["at"],
            "numeric": ["amount"],
            "other": ["items", "raw"],
        },
        "checks": {
            "DQ007": ["categorical", "datetime", "other"],
            "DQ008": ["datetime", "numeric", "other"],
            "OL001": ["categorical", "datetime", "other"],
        },
    }
    assert [(f["code"], f["columns"]) for f in doc["findings"]] == [("OL001", ["amount"])]
    assert "  OL001 · 4 columns (categorical, datetime, other): 'at', 'items', 'raw', 'shop'" in result.stdout
