"""A corpus of awkward real-world table shapes, each run through every check and every format.

Each shape is generated from code into tmp_path (the repository stays small) as the
file type a user would really have: parquet for typed columns (timezones, dates,
decimals, lists, binary, dictionaries), CSV for text quirks (semicolons, encodings,
duplicated names). For every shape, the full default check set runs with a held-out
file of the same shape (so the SP family runs too), and the test asserts:

- no check crashed (``report.errors`` is empty) and no exception escaped;
- every --format renders and is well-formed (tests/well_formed.py);
- the input files are byte-for-byte unchanged;
- the shape's own expected behaviour (the ``expect`` of each case): how its awkward
  column is profiled, and the finding a user should get from it, if any.

Bugs this corpus found (each fixed at its root): ``float_limits`` (CP004/CP006/CP007/
LB001 crashed: the shared feature matrix overflowed to inf; preflight/analysis/features.py),
``float_limits_regression_target`` (CP004/CP006/CP007 crashed in R², LB004 published
residual_scale null: preflight/analysis/flexible.py, oof_regression.py,
checks/lb/regression_label_issues.py), ``binary_column`` and ``mixed_python_objects``
(LB003, CP005 and others crashed in ``astype(str)`` on non-UTF-8 bytes: preflight/data/text.py
``as_text``), ``list_column``/``struct_column``/``binary_column`` (profiled as 'mixed'
and one-hot encoded; now kind 'other' and left out: preflight/data/profile/kinds.py).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest
from conftest import ROOT
from well_formed import digest, render_all

import preflight
from preflight.core.errors import PreflightError
from preflight.core.findings import Report

N = 60  # rows per file: enough for every model-based check to run, small enough to be fast

Table = pd.DataFrame | pa.Table | str | bytes


def _labels(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.permutation(np.array(["a", "b"] * (n // 2) + ["a"] * (n % 2)))


def _base(rng: np.random.Generator, n: int) -> dict[str, Any]:
    return {"x": rng.normal(size=n), "y": _labels(rng, n)}


def _kind(report: Report, column: str) -> str:
    assert report.profile is not None
    kinds = {c["name"]: c["kind"] for c in report.profile["columns"]}
    return str(kinds[column])


def _codes_on(report: Report, column: str) -> set[str]:
    return {f.code for f in report.findings if column in f.columns}


@dataclass
class Shape:
    build: Callable[[np.random.Generator, int], Table]
    suffix: str = ".parquet"
    target: str | None = "y"
    expect: Callable[[Report], None] = lambda report: None
    rows: int = N
    options: dict[str, Any] = field(default_factory=dict)


def _csv(text: str) -> Callable[[np.random.Generator, int], str]:
    return lambda rng, n: text


def _semicolon(rng: np.random.Generator, n: int) -> str:
    # A European export: ';' separates fields, ',' is the decimal mark.
    rows = [f"{rng.normal():.3f}".replace(".", ",") + f";{i % 3};{'ab'[i % 2]}" for i in range(n)]
    return "gewicht;gruppe;y\n" + "\n".join(rows) + "\n"


def _dup_names(rng: np.random.Generator, n: int) -> str:
    rows = [f"{rng.normal():.3f},{rng.normal():.3f},{rng.integers(0, 9)},{'ab'[i % 2]}" for i in range(n)]
    return "x,x,größe 名前,y\n" + "\n".join(rows) + "\n"


def _quoted_newlines(rng: np.random.Generator, n: int) -> str:
    rows = [f'{rng.normal():.3f},"line one\nline ""two"", {i % 4}",{"ab"[i % 2]}' for i in range(n)]
    return "x,note,y\n" + "\n".join(rows) + "\n"


def _expect_dup_names(report: Report) -> None:
    assert report.dataset.columns == 4
    assert "SC004" in {f.code for f in report.findings}  # the duplicated header is reported
    assert _kind(report, "größe 名前") == "numeric"


def _expect_semicolon(report: Report) -> None:
    assert report.dataset.columns == 3  # split on ';', not on the decimal comma
    # '0,123' is a number written with a decimal comma: numbers stored as text.
    assert "SC002" in _codes_on(report, "gewicht")


def _expect_all_null(report: Report) -> None:
    assert {"DQ001", "DQ005"} & _codes_on(report, "empty")
    assert not _codes_on(report, "empty") & {"OL001", "OL002", "SN001", "SN002", "SN003"}


def _expect_other(column: str) -> Callable[[Report], None]:
    def check(report: Report) -> None:
        # No check models list/binary/struct cells: they are profiled as 'other' and
        # left out, never guessed at.
        assert _kind(report, column) == "other"
        assert not _codes_on(report, column) & {"OL001", "OL002", "SN001", "SN002", "SN003", "SN004"}

    return check


def _expect_kind(column: str, kind: str) -> Callable[[Report], None]:
    return lambda report: _assert_kind(report, column, kind)


def _assert_kind(report: Report, column: str, kind: str) -> None:
    assert _kind(report, column) == kind


def _expect_float_limits(report: Report) -> None:
    assert "DQ007" not in _codes_on(report, "big")  # huge, but finite: not 'infinite values'
    assert "OL001" in _codes_on(report, "big")  # +-1.8e308 among 1e300-scale values


def _expect_one_row(report: Report) -> None:
    assert report.dataset.rows == 1
    assert report.checks_run  # the checks that can run on one row did


def _expect_null_target(report: Report) -> None:
    assert report.dataset.task is None
    assert "DQ009" in {f.code for f in report.findings} or "DQ008" in {f.code for f in report.findings}


SHAPES: dict[str, Shape] = {
    "tz_aware_timestamps": Shape(
        lambda rng, n: pd.DataFrame(
            {**_base(rng, n), "ts": pd.date_range("2024-03-30", periods=n, freq="h", tz="Europe/Paris")}
        ),
        expect=_expect_kind("ts", "datetime"),
    ),
    "dates": Shape(
        lambda rng, n: pa.table(
            {**_base(rng, n), "d": pa.array([dt.date(2024, 1, 1) + dt.timedelta(days=i) for i in range(n)])}
        ),
    ),
    "decimals": Shape(
        lambda rng, n: pa.table(
            {
                **_base(rng, n),
                "price": pa.array(
                    [decimal.Decimal(f"{v:.2f}") for v in rng.uniform(0, 100, n)], pa.decimal128(10, 2)
                ),
            }
        ),
    ),
    "booleans": Shape(
        lambda rng, n: pd.DataFrame(
            {
                **_base(rng, n),
                "flag": rng.random(n) > 0.5,
                "maybe": pd.array([True, None, False] * (n // 3), dtype="boolean"),
            }
        ),
        expect=_expect_kind("flag", "boolean"),
    ),
    "list_column": Shape(
        lambda rng, n: pa.table({**_base(rng, n), "tags": pa.array([[i, i + 1] for i in range(n)])}),
        expect=_expect_other("tags"),
    ),
    "binary_column": Shape(
        lambda rng, n: pa.table(
            {**_base(rng, n), "blob": pa.array([bytes([i % 256, 0, 255]) for i in range(n)], pa.binary())}
        ),
        expect=_expect_other("blob"),
    ),
    "struct_column": Shape(
        lambda rng, n: pa.table(
            {**_base(rng, n), "rec": pa.array([{"a": i, "b": str(i)} for i in range(n)])}
        ),
        expect=_expect_other("rec"),
    ),
    "dictionary_categorical": Shape(
        lambda rng, n: pa.table(
            {**_base(rng, n), "colour": pa.array(rng.choice(["red", "green", "blue"], n)).dictionary_encode()}
        ),
        suffix=".feather",
        expect=_expect_kind("colour", "categorical"),
    ),
    "all_null_columns": Shape(
        lambda rng, n: pd.DataFrame({**_base(rng, n), "empty": np.full(n, np.nan), "none": [None] * n}),
        expect=_expect_all_null,
    ),
    "float_limits": Shape(
        lambda rng, n: pd.DataFrame(
            {
                **_base(rng, n),
                "big": np.r_[np.finfo(float).max, -np.finfo(float).max, rng.normal(size=n - 2) * 1e300],
                "tiny": np.r_[5e-324, rng.normal(size=n - 1) * 1e-300],
            }
        ),
        expect=_expect_float_limits,
    ),
    "float_limits_regression_target": Shape(
        lambda rng, n: pd.DataFrame(
            {"x": rng.normal(size=n), "y": np.r_[np.finfo(float).max, rng.normal(size=n - 1) * 1e300]}
        ),
    ),
    "duplicated_and_non_ascii_names": Shape(_dup_names, suffix=".csv", expect=_expect_dup_names),
    "hostile_column_names": Shape(
        lambda rng, n: pd.DataFrame(
            {
                **_base(rng, n),
                "a|b": rng.normal(size=n),
                "<script>alert(1)</script>": rng.choice(["p", "q"], n),
                "line\nbreak": rng.normal(size=n) * 1000,
                "": rng.integers(0, 3, n),
            }
        ),
    ),
    "one_row": Shape(
        lambda rng, n: pd.DataFrame({"x": [1.5], "z": ["k"], "y": ["a"]}), expect=_expect_one_row
    ),
    "semicolon_csv_decimal_comma": Shape(_semicolon, suffix=".csv", expect=_expect_semicolon),
    "quoted_newlines_csv": Shape(_quoted_newlines, suffix=".csv"),
    "utf16_csv": Shape(
        lambda rng, n: ("x,ville,y\n" + "".join(f"{i},Zürich,{'ab'[i % 2]}\n" for i in range(n))).encode(
            "utf-16"
        ),
        suffix=".csv",
    ),
    "cp1252_csv": Shape(
        lambda rng, n: (
            "x,café,y\n" + "".join(f"{i},{'éè'[i % 2]},{'ab'[i % 2]}\n" for i in range(n))
        ).encode("cp1252"),
        suffix=".csv",
    ),
    "nullable_ints_and_uint64": Shape(
        lambda rng, n: pd.DataFrame(
            {
                **_base(rng, n),
                "count": pd.array([1, None, 3] * (n // 3), dtype="Int64"),
                "hash": np.arange(n, dtype=np.uint64) + np.uint64(2**63),
            }
        ),
    ),
    "timedelta_and_float16": Shape(
        lambda rng, n: pd.DataFrame(
            {
                **_base(rng, n),
                "wait": pd.to_timedelta(rng.integers(0, 10_000, n), unit="s"),
                "half": rng.normal(size=n).astype(np.float16),
            }
        ),
    ),
    "mixed_python_objects": Shape(
        lambda rng, n: pd.DataFrame(
            {
                **_base(rng, n),
                "m": [1, "a", 2.5, None, b"\xff\x00", True, [1], {"k": 1}] * (n // 8) + [1] * (n % 8),
            }
        ),
        suffix="dataframe",  # only the Python API can hand over such a column
        expect=_expect_kind("m", "mixed"),
    ),
    "control_and_emoji_strings": Shape(
        lambda rng, n: pd.DataFrame(
            {**_base(rng, n), "s": ["\x00a", "\u202eb", "", " ", "🙂", "x\ny"] * (n // 6)}
        ),
    ),
    "constant_target": Shape(lambda rng, n: pd.DataFrame({"x": rng.normal(size=n), "y": ["a"] * n})),
    "all_null_target": Shape(
        lambda rng, n: pd.DataFrame({"x": rng.normal(size=n), "y": [None] * n}), expect=_expect_null_target
    ),
    "no_target": Shape(lambda rng, n: pd.DataFrame(_base(rng, n)), target=None),
    "regression_many_values": Shape(
        lambda rng, n: pd.DataFrame({"x": rng.normal(size=n), "y": rng.lognormal(size=n) * 1e6}),
    ),
}


def _write(table: Table, path: Path) -> None:
    if isinstance(table, str):
        path.write_text(table, encoding="utf-8")
    elif isinstance(table, bytes):
        path.write_bytes(table)
    elif path.suffix == ".feather":
        feather.write_feather(table if isinstance(table, pa.Table) else pa.Table.from_pandas(table), path)
    elif path.suffix == ".jsonl":
        frame = table.to_pandas() if isinstance(table, pa.Table) else table
        frame = frame.map(lambda v: v.decode("latin-1") if isinstance(v, bytes) else v)
        frame.to_json(path, orient="records", lines=True)
    else:
        pq.write_table(table if isinstance(table, pa.Table) else pa.Table.from_pandas(table), path)


def _files(name: str, shape: Shape, tmp_path: Path) -> tuple[Path, Path]:
    suffix = shape.suffix
    paths = []
    for part, seed in (("train", 0), ("test", 1)):
        path = tmp_path / f"{name}-{part}{suffix}"
        _write(shape.build(np.random.default_rng(seed), shape.rows), path)
        paths.append(path)
    return paths[0], paths[1]


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SHAPES))
def test_awkward_shape(name: str, tmp_path: Path) -> None:
    shape = SHAPES[name]
    if shape.suffix == "dataframe":
        frame = shape.build(np.random.default_rng(0), shape.rows)
        assert isinstance(frame, pd.DataFrame)
        copy = frame.copy(deep=True)
        report = preflight.check(frame, target=shape.target, seed=0, **shape.options)
        pd.testing.assert_frame_equal(frame, copy)
    else:
        train, test = _files(name, shape, tmp_path)
        before = (digest(train), digest(test))
        report = preflight.check(train, target=shape.target, test=str(test), seed=0, **shape.options)
        assert (digest(train), digest(test)) == before
    assert report.errors == (), report.errors
    render_all(report)
    shape.expect(report)


def test_jsonl_with_a_column_of_changing_type_is_a_clear_error(tmp_path: Path) -> None:
    """pyarrow's JSON reader needs one type per column: a clear input error (exit 2), not a crash."""
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"m": 1, "y": "a"}\n{"m": "one", "y": "b"}\n', encoding="utf-8")
    with pytest.raises(PreflightError, match=r"cannot read as jsonl: .*changed from number to string"):
        preflight.check(path, target="y")


def test_dataframe_input_is_not_modified() -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            **_base(rng, N),
            "ts": pd.date_range("2024-01-01", periods=N, freq="D", tz="UTC"),
            "miss": np.where(rng.random(N) < 0.2, np.nan, rng.normal(size=N)),
            "cat": pd.Categorical(rng.choice(["u", "v"], N)),
            "inf": np.r_[np.inf, rng.normal(size=N - 1)],
        },
        index=pd.Index(rng.permutation(N) * 7, name="my_index"),  # not a RangeIndex
    )
    copy = frame.copy(deep=True)
    report = preflight.check(frame, target="y", seed=0)
    assert report.errors == ()
    pd.testing.assert_frame_equal(frame, copy)
    assert "DQ007" in _codes_on(report, "inf")


@pytest.mark.slow
def test_wide_file_finishes_in_bounded_time(tmp_path: Path) -> None:
    """3,000 columns x 40 rows: every check runs (or skips) without a crash, in bounded time.

    Measured ~6 s on 2 shared cores; the bound leaves room for a loaded CI machine.
    """
    rng = np.random.default_rng(0)
    n, k = 40, 3000
    frame = pd.DataFrame(rng.normal(size=(n, k)), columns=[f"f{i}" for i in range(k)])
    frame["y"] = _labels(rng, n)
    path = tmp_path / "wide.csv"
    frame.to_csv(path, index=False)
    start = time.perf_counter()
    report = preflight.check(path, target="y", seed=0)
    elapsed = time.perf_counter() - start
    assert report.errors == ()
    assert elapsed < 90, f"{elapsed:.0f}s on a 40 x 3,000 file"
    assert report.dataset.columns == k + 1
    # 3,000 features for 40 rows: the rows-per-feature check says so.
    assert "CP001" in {f.code for f in report.findings}
    render_all(report)


@pytest.mark.slow
def test_same_file_and_seed_give_byte_identical_json_across_processes(tmp_path: Path) -> None:
    """Two separate processes, different hash seeds (set and dict orders differ): same JSON.

    The file mixes the awkward shapes above (timezones, dictionary categoricals, nulls,
    bytes-free mixed text, near-limit floats) and a held-out file, so every family runs,
    the model-based checks included. The report holds no timings, so it is compared whole.
    """
    n = 80

    def frame(seed: int) -> pd.DataFrame:
        r = np.random.default_rng(seed)
        return pd.DataFrame(
            {
                "x": r.normal(size=n),
                "big": np.r_[np.finfo(float).max, r.normal(size=n - 1) * 1e300],
                "ts": pd.date_range("2024-03-30", periods=n, freq="h", tz="Europe/Paris"),
                "colour": pd.Categorical(r.choice(["red", "green", "blue"], n)),
                "note": r.choice(["NA", "?", "ok", "", "名前"], n),
                "miss": np.where(r.random(n) < 0.2, np.nan, r.normal(size=n)),
                "y": r.choice(["a", "b", "c"], n),
            }
        )

    train, test = tmp_path / "train.parquet", tmp_path / "test.parquet"
    frame(0).to_parquet(train)
    frame(1).to_parquet(test)
    args = ["check", str(train), "--target", "y", "--test", str(test), "--seed", "7", "--format", "json"]
    outputs = []
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONPATH=str(ROOT))
        proc = subprocess.run(
            [sys.executable, "-m", "preflight", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        assert proc.returncode in (0, 1), proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    report = json.loads(outputs[0])
    assert report["errors"] == []
    # The model-based checks and the split family ran (none was skipped for a need).
    assert not {"LB001", "CP004", "SP006"} & {s["code"] for s in report["skipped"]}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(n for n, s in SHAPES.items() if s.suffix == ".parquet"))
def test_awkward_parquet_streams_like_memory(name: str, tmp_path: Path) -> None:
    """Streamed (the scan of every batch, then the checks), each awkward parquet shape
    gives the in-memory findings: the sample holds every row of these small files, so
    only the scan's own code paths (bitmaps, merged moments, counted values) differ."""
    shape = SHAPES[name]
    train, _ = _files(name, shape, tmp_path)
    memory = preflight.check(train, target=shape.target, seed=0, mode="memory", **shape.options)
    streamed = preflight.check(train, target=shape.target, seed=0, mode="stream", **shape.options)
    assert streamed.errors == (), streamed.errors
    render_all(streamed)

    def key(report: Report) -> list[tuple[object, ...]]:
        return [(f.code, f.severity, f.columns, f.rows, f.message) for f in report.findings]

    assert key(streamed) == key(memory)
