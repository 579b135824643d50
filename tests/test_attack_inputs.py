"""Hostile input (issue 15): bounded time and memory, and bad input gets exit 2.

Every case runs the real CLI in a subprocess. A bad input must give exit code 2
and exactly one line on stderr (``preflight: error: ...``), no traceback, never
exit 3 ("internal error"), and leave the input file as it was. Inputs that are
odd but valid (a year-3000 timestamp, +-1e308, a 20,000-class target) must run
to a report within bounded memory and time.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import resource
import subprocess
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import run_cli
from numpy.lib import format as npy

GB = 1 << 30


def _limited(memory: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return apply


def run_limited(*args: str, memory: int = 3 * GB, timeout: float = 180, cwd: Path | None = None):
    """The CLI in a subprocess under an address-space limit and a timeout.

    The timeouts only tell "finishes" from "hangs" (a FIFO read blocks forever): they are
    generous, so that a busy CI machine does not fail a test that finishes in seconds.
    """
    return run_cli(*args, cwd=cwd, timeout=timeout, preexec_fn=_limited(memory))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def assert_usage_error(result: subprocess.CompletedProcess[str], *words: str) -> str:
    """Exit 2, one clear stderr line, no traceback; returns the line."""
    assert result.returncode == 2, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("preflight: error: "), line
    assert "internal error" not in line
    for word in words:
        assert word in line, line
    return line


def assert_report(result: subprocess.CompletedProcess[str]) -> dict:
    """A JSON report (exit 0 or 1) with no crashed check and nothing on stderr."""
    assert result.returncode in (0, 1), (result.returncode, result.stderr[-2000:])
    assert result.stderr.strip() == "", result.stderr
    report: dict = json.loads(result.stdout)
    assert report["errors"] == []
    return report


def small_frame(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {"a": rng.normal(size=n), "b": rng.normal(size=n), "y": rng.choice(["x", "y", "z"], size=n)}
    )


@pytest.fixture
def small_csv(tmp_path: Path) -> Path:
    path = tmp_path / "small.csv"
    small_frame().to_csv(path, index=False)
    return path


# ---- 1. a target with too many classes ------------------------------------------


@pytest.fixture(scope="module")
def many_classes_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """100,000 rows, a text target of 20,000 classes (on main: killed at 22 GB)."""
    rng = np.random.default_rng(0)
    n = 100_000
    path = tmp_path_factory.mktemp("many") / "many.csv"
    labels = np.char.add("c", rng.integers(0, 20_000, size=n).astype(str))
    pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "y": labels}).to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_many_class_target_skips_the_model_checks_within_bounded_memory(many_classes_csv: Path) -> None:
    before = digest(many_classes_csv)
    result = run_limited(
        "check", str(many_classes_csv), "--target", "y", "--format", "json", "--no-progress",
        memory=3 * GB, timeout=240,
    )  # fmt: skip
    report = assert_report(result)
    skipped = {s["code"]: s["reason"] for s in report["skipped"]}
    for code in ("CP004", "CP006", "CP007", "LB001"):
        assert "max-classes" in skipped[code], skipped
        assert "classes" in skipped[code]
    assert report["dataset"]["task"] == "classification"
    assert any(f["code"] == "CP002" for f in report["findings"])  # the class-count checks still run
    assert digest(many_classes_csv) == before


def test_max_classes_is_a_config_key(tmp_path: Path) -> None:
    frame = small_frame(400)
    frame["y"] = [f"c{i % 40}" for i in range(400)]
    data = tmp_path / "forty.csv"
    frame.to_csv(data, index=False)
    (tmp_path / "pyproject.toml").write_text("[tool.preflight]\nmax-classes = 30\n")
    result = run_cli(
        "check", str(data), "--target", "y", "--format", "json", "--select", "CP004", cwd=tmp_path
    )
    report = assert_report(result)
    assert report["skipped"] == [
        {"code": "CP004", "reason": "target has 40 classes; model checks need at most 30 (max-classes)"}
    ]


@pytest.mark.parametrize("kind", ["text", "integer"])
def test_a_target_unique_per_row_is_not_a_classification_target(tmp_path: Path, kind: str) -> None:
    frame = small_frame(500)
    frame["y"] = [f"id{i}" for i in range(500)] if kind == "text" else np.arange(500)
    data = tmp_path / "ids.csv"
    frame.to_csv(data, index=False)
    result = run_limited("check", str(data), "--target", "y", "--task", "classification", timeout=180)
    line = assert_usage_error(result, "'y'", "500 distinct values", "--target")
    if kind == "integer":
        assert "--task regression" in line


# ---- 2. YAML that expands without bound -----------------------------------------

BILLION_LAUGHS = """\
schema_type: dataframe
lol: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
columns: {a: {dtype: float64, checks: *h}}
"""


@pytest.mark.parametrize(
    "text",
    [
        BILLION_LAUGHS,
        "schema_type: dataframe\ncolumns:\n  a: &col {dtype: float64}\n  b: *col\n",
        "x: " + "[" * 5000 + "]" * 5000 + "\n",
    ],
    ids=["billion-laughs", "one-alias", "deeply-nested"],
)
def test_schema_yaml_bombs_are_refused(tmp_path: Path, small_csv: Path, text: str) -> None:
    schema = tmp_path / "bomb.yaml"
    schema.write_text(text)
    result = run_limited(
        "check", str(small_csv), "--target", "y", "--schema", str(schema), memory=2 * GB, timeout=120
    )
    assert_usage_error(result, "bomb.yaml", "invalid YAML")


def test_an_inferred_contract_still_loads(tmp_path: Path, small_csv: Path) -> None:
    """Contracts preflight writes hold no anchors, so they load under the strict loader."""
    schema = tmp_path / "small.yaml"
    assert run_cli("infer-schema", str(small_csv), "--target", "y", "-o", str(schema)).returncode == 0
    result = run_cli("check", str(small_csv), "--target", "y", "--schema", str(schema), "--select", "SC003")
    assert result.returncode == 0, result.stderr


# ---- 3. inputs that are not regular files ---------------------------------------


def test_a_fifo_input_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    result = run_limited("check", str(fifo), "--target", "y", timeout=120)
    assert_usage_error(result, "named pipe", "not a regular file")


@pytest.mark.parametrize("mode", ["memory", "stream", "auto"])
def test_a_fifo_parquet_is_refused_in_every_mode(tmp_path: Path, mode: str) -> None:
    fifo = tmp_path / "data.parquet"
    os.mkfifo(fifo)
    result = run_limited("check", str(fifo), "--target", "y", "--mode", mode, timeout=120)
    assert_usage_error(result, "named pipe")


def test_infer_schema_refuses_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "data.csv"
    os.mkfifo(fifo)
    result = run_limited("infer-schema", str(fifo), "--target", "y", "-o", "-", timeout=120)
    assert_usage_error(result, "named pipe")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_a_character_device_input_is_refused() -> None:
    result = run_limited("check", "/dev/zero", "--target", "y", timeout=120)
    assert_usage_error(result, "/dev/zero", "character device")


def test_a_fifo_as_pred_probs_is_refused(tmp_path: Path, small_csv: Path) -> None:
    fifo = tmp_path / "probs.npy"
    os.mkfifo(fifo)
    result = run_limited("check", str(small_csv), "--target", "y", "--pred-probs", str(fifo), timeout=120)
    assert_usage_error(result, "--pred-probs")


# ---- 4. config of the wrong type or meaning -------------------------------------

CONFIG_CASES = {
    "target-int": ("target = 5", ["target", "a string", "an integer"]),
    "target-list": ('target = ["y"]', ["target", "a string", "a list"]),
    "schema-int": ("schema = 5", ["schema", "a string"]),
    "test-list": ("test = []", ["test", "a string"]),
    "pred-probs-int": ("pred-probs = 1", ["pred-probs", "a string"]),
    "seed-text": ('seed = "x"', ["seed", "an integer"]),
    "seed-bool": ("seed = true", ["seed", "an integer", "a boolean"]),
    "seed-too-big": ("seed = 4294967296", ["seed", "2**32"]),
    "seed-negative": ("seed = -1", ["seed"]),
    "sample-float": ("sample = 10.5", ["sample", "an integer"]),
    "max-classes-one": ("max-classes = 1", ["max-classes"]),
    "max-classes-text": ('max-classes = "many"', ["max-classes", "an integer"]),
    "targets-int": ('targets = {"*.csv" = 5}', ["targets"]),
    "tool-not-table": (None, ["tool"]),
    "deep-list": ("x = " + "[" * 3000 + "]" * 3000, ["nested too deeply"]),
    "deep-table": ("x = " + "{a = " * 3000 + "1" + "}" * 3000, ["nested too deeply"]),
    "drop-share-negative": ("[tool.preflight.checks.DQ001]\ndrop-share = -1", ["DQ001", "0 to 1"]),
    "drop-share-above-one": ("[tool.preflight.checks.DQ001]\ndrop-share = 1.5", ["drop-share", "0 to 1"]),
    "drop-share-nan": ("[tool.preflight.checks.DQ001]\ndrop-share = nan", ["drop-share", "finite"]),
    "threshold-inf": ("[tool.preflight.checks.OL001]\nthreshold = inf", ["OL001", "threshold", "finite"]),
    "ratio-negative": ("[tool.preflight.checks.SN001]\nratio = -50.0", ["SN001", "ratio", "non-negative"]),
    "folds-zero": ("[tool.preflight.checks.CP002]\nfolds = 0", ["CP002", "folds", "at least 2"]),
    "min-rows-negative": ("[tool.preflight.checks.DQ005]\nmin-rows = -3", ["DQ005", "min-rows"]),
    "alpha-above-one": ("[tool.preflight.checks.CP004]\nalpha = 2.0", ["CP004", "alpha"]),
    "share-text": ('[tool.preflight.checks.DQ001]\ndrop-share = "half"', ["DQ001", "drop-share"]),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(CONFIG_CASES))
def test_bad_config_values_are_usage_errors(tmp_path: Path, small_csv: Path, case: str) -> None:
    body, words = CONFIG_CASES[case]
    if body is None:
        text = "tool = 5\n"
    elif body.startswith("[tool.preflight.checks."):
        text = '[tool.preflight]\ntarget = "y"\n' + body + "\n"
    else:
        text = "[tool.preflight]\n" + body + "\n"
    config = tmp_path / "preflight-config.toml"
    config.write_text(text)
    before = digest(small_csv)
    result = run_limited("check", str(small_csv), "--config", str(config), timeout=180)
    assert_usage_error(result, *words)
    assert digest(small_csv) == before


def test_every_default_option_is_valid() -> None:
    from preflight.checks import REGISTRY
    from preflight.checks.options import option_specs

    for check in REGISTRY.values():
        # Writing every default back in the config, under its kebab-case key, is accepted.
        specs = option_specs(check.Options)
        assert check({spec.key: spec.default for spec in specs}).opts == check().opts, check.code


@pytest.mark.parametrize("seed", [str(2**32), str(2**64), "-1"])
def test_a_seed_numpy_cannot_take_is_a_usage_error(small_csv: Path, seed: str) -> None:
    result = run_cli("check", str(small_csv), "--target", "y", f"--seed={seed}")
    assert_usage_error(result, "seed")


def test_the_largest_seed_runs(small_csv: Path) -> None:
    result = run_cli(
        "check", str(small_csv), "--target", "y", "--seed", str(2**32 - 1), "--format", "json",
        "--select", "CP004,LB001",
    )  # fmt: skip
    assert_report(result)


# ---- 5. a task the target cannot have --------------------------------------------


@pytest.mark.parametrize("target", ["text", "dates"])
def test_regression_on_a_non_numeric_target_is_a_usage_error(tmp_path: Path, target: str) -> None:
    frame = small_frame()
    if target == "dates":
        frame["y"] = pd.date_range("2020-01-01", periods=len(frame), freq="D")
    data = tmp_path / "data.parquet"
    frame.to_parquet(data)
    result = run_cli("check", str(data), "--target", "y", "--task", "regression")
    assert_usage_error(result, "--task regression", "numeric", "'y'")


def test_regression_on_a_boolean_target_runs(tmp_path: Path) -> None:
    frame = small_frame()
    frame["y"] = frame["a"] > 0
    data = tmp_path / "data.parquet"
    frame.to_parquet(data)
    result = run_cli("check", str(data), "--target", "y", "--task", "regression", "--format", "json")
    assert_report(result)


# ---- 6. --pred-probs whose header lies -------------------------------------------


def _npy_header_only(path: Path, shape: tuple[int, ...], descr: str = "<f8", payload: bytes = b"") -> None:
    with path.open("wb") as fh:
        npy.write_array_header_1_0(fh, {"descr": descr, "fortran_order": False, "shape": shape})
        fh.write(payload)


@pytest.mark.parametrize(
    ("shape", "words"),
    [
        ((10**9, 10**4), ["has 1000000000 rows but the data has 300"]),  # 72 TiB in a 200-byte file
        ((300, 3), ["truncated"]),  # the right shape, but no data behind the header
        ((300, 4), ["4 columns", "3 classes"]),
        ((300, 3, 2), ["shape"]),
        ((300,), ["shape"]),  # one column is only for a binary target
    ],
    ids=["huge", "truncated", "columns", "three-d", "one-d"],
)
def test_pred_probs_npy_header_is_checked_before_allocating(
    tmp_path: Path, small_csv: Path, shape: tuple[int, ...], words: list[str]
) -> None:
    probs = tmp_path / "probs.npy"
    _npy_header_only(probs, shape, payload=b"\0" * 64)
    result = run_limited(
        "check", str(small_csv), "--target", "y", "--pred-probs", str(probs), memory=3 * GB, timeout=180
    )
    assert_usage_error(result, "--pred-probs", *words)


def test_pred_probs_object_npy_is_refused(tmp_path: Path, small_csv: Path) -> None:
    probs = tmp_path / "probs.npy"
    _npy_header_only(probs, (300, 3), descr="|O", payload=b"\0" * 64)
    assert_usage_error(
        run_cli("check", str(small_csv), "--target", "y", "--pred-probs", str(probs)), "--pred-probs"
    )


def test_valid_pred_probs_still_run(tmp_path: Path, small_csv: Path) -> None:
    probs = tmp_path / "probs.npy"
    np.save(probs, np.full((300, 3), 1 / 3))
    result = run_cli(
        "check", str(small_csv), "--target", "y", "--pred-probs", str(probs), "--format", "json",
        "--select", "LB001",
    )  # fmt: skip
    assert_report(result)


# ---- 7. invalid UTF-8 inside a parquet text column ------------------------------


def _invalid_utf8_parquet(path: Path) -> None:
    raw = pa.array([b"ok", b"\xff\xfebad", b"fine"] * 100, type=pa.binary())
    text = pa.Array.from_buffers(pa.string(), len(raw), raw.buffers())  # no UTF-8 check on write
    rng = np.random.default_rng(0)
    table = pa.table({"s": text, "x": pa.array(rng.normal(size=300)), "y": pa.array([0, 1, 0] * 100)})
    pq.write_table(table, path)


@pytest.mark.parametrize("command", ["check", "infer-schema"])
def test_invalid_utf8_in_parquet_is_a_usage_error(tmp_path: Path, command: str) -> None:
    data = tmp_path / "bad.parquet"
    _invalid_utf8_parquet(data)
    before = digest(data)
    args = ["-o", "-"] if command == "infer-schema" else []
    result = run_cli(command, str(data), "--target", "y", *args)
    assert_usage_error(result, "'s'", "UTF-8", "row 1")
    assert digest(data) == before


def test_invalid_utf8_in_a_streamed_parquet_is_a_usage_error(tmp_path: Path) -> None:
    data = tmp_path / "bad.parquet"
    _invalid_utf8_parquet(data)
    result = run_cli("check", str(data), "--target", "y", "--mode", "stream")
    assert_usage_error(result, "'s'", "UTF-8")


# ---- 8. timestamps outside pandas' nanosecond range ------------------------------


def _far_future(n: int = 300) -> tuple[list[datetime.datetime], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    stamps = [datetime.datetime(3000, 1, 1)] * 10 + [
        datetime.datetime(2020, 1, 1) + datetime.timedelta(days=i) for i in range(n - 10)
    ]
    return stamps, rng.normal(size=n), rng.integers(0, 2, size=n)


@pytest.mark.parametrize("form", ["parquet-us", "parquet-tz", "parquet-date", "csv", "csv-date"])
def test_year_3000_timestamps_do_not_crash_any_check(tmp_path: Path, form: str) -> None:
    stamps, x, y = _far_future()
    if form.startswith("parquet"):
        column: pa.Array
        if form == "parquet-date":
            column = pa.array([s.date() for s in stamps], type=pa.date32())
        elif form == "parquet-tz":
            column = pa.array(stamps, type=pa.timestamp("us", tz="UTC"))
        else:
            column = pa.array(stamps, type=pa.timestamp("us"))
        data = tmp_path / "future.parquet"
        pq.write_table(pa.table({"t": column, "x": x, "y": y}), data)
    else:
        data = tmp_path / "future.csv"
        shown = [s.date().isoformat() if form == "csv-date" else s.isoformat(sep=" ") for s in stamps]
        pd.DataFrame({"t": shown, "x": x, "y": y}).to_csv(data, index=False)
    before = digest(data)
    result = run_cli("check", str(data), "--target", "y", "--format", "json")
    report = assert_report(result)
    assert report["dataset"]["rows"] == 300
    assert digest(data) == before
    schema = run_cli("infer-schema", str(data), "--target", "y", "-o", "-")
    assert schema.returncode == 0, schema.stderr


def test_year_3000_in_a_dataframe_does_not_crash() -> None:
    import preflight

    stamps, x, y = _far_future()
    frame = pd.DataFrame({"t": pd.array(stamps, dtype="datetime64[us]"), "x": x, "y": y})
    report = preflight.check(frame, target="y")
    assert report.errors == ()


# ---- 9. numbers at the edge of float64 -------------------------------------------


@pytest.mark.parametrize(
    "values",
    [[1e308, -1e308, 0.0], [1.7e308, 1e308, 0.0], [-1.7e308, -1e308, -1.0]],
    ids=["both-signs", "positive", "negative"],
)
def test_infer_schema_on_extreme_floats_makes_a_contract_the_data_passes(
    tmp_path: Path, values: list[float]
) -> None:
    data = tmp_path / "extreme.csv"
    rng = np.random.default_rng(0)
    pd.DataFrame({"x": values * 100, "z": rng.normal(size=300), "y": rng.integers(0, 2, 300)}).to_csv(
        data, index=False
    )
    schema = tmp_path / "extreme.yaml"
    result = run_cli("infer-schema", str(data), "--target", "y", "-o", str(schema))
    assert result.returncode == 0, result.stderr
    assert ".inf" not in schema.read_text().lower()  # YAML writes infinity as .inf
    checked = run_cli("check", str(data), "--target", "y", "--schema", str(schema), "--format", "json")
    report = assert_report(checked)
    assert [f for f in report["findings"] if f["code"] == "SC003"] == []


def test_infer_schema_on_int64_extremes_makes_a_contract_the_data_passes(tmp_path: Path) -> None:
    data = tmp_path / "ints.csv"
    big, small = np.iinfo(np.int64).max, np.iinfo(np.int64).min
    pd.DataFrame({"x": [big, small, 0] * 100, "y": [0, 1, 1] * 100}).to_csv(data, index=False)
    schema = tmp_path / "ints.yaml"
    assert run_cli("infer-schema", str(data), "--target", "y", "-o", str(schema)).returncode == 0
    checked = run_cli("check", str(data), "--target", "y", "--schema", str(schema), "--format", "json")
    report = assert_report(checked)
    assert [f for f in report["findings"] if f["code"] == "SC003"] == []


# ---- more of the same class ------------------------------------------------------


def test_header_only_csv_is_a_usage_error(tmp_path: Path) -> None:
    data = tmp_path / "header.csv"
    data.write_text("a,b,y\n")
    assert_usage_error(run_cli("check", str(data), "--target", "y"), "no data rows")


def test_all_null_target_runs(tmp_path: Path) -> None:
    data = tmp_path / "nulls.csv"
    frame = small_frame()
    frame["y"] = None
    frame.to_csv(data, index=False)
    report = assert_report(run_cli("check", str(data), "--target", "y", "--format", "json"))
    assert any(f["code"] == "DQ002" for f in report["findings"])


@pytest.mark.parametrize("task", ["auto", "regression"])
def test_float_target_with_nan_and_inf_runs(tmp_path: Path, task: str) -> None:
    frame = small_frame()
    y = np.random.default_rng(1).normal(size=len(frame))
    y[:5], y[5:8], y[8] = np.nan, np.inf, -np.inf
    frame["y"] = y
    data = tmp_path / "inf.parquet"
    frame.to_parquet(data)
    assert_report(run_cli("check", str(data), "--target", "y", "--task", task, "--format", "json"))


def test_extreme_values_warn_nothing_on_stderr(tmp_path: Path) -> None:
    data = tmp_path / "extreme.csv"
    pd.DataFrame({"x": [1e308, -1e308, 0.0] * 100, "y": [0, 1, 1] * 100}).to_csv(data, index=False)
    assert_report(run_cli("check", str(data), "--target", "y", "--format", "json"))
