"""pandera contracts: inference, safe loading, lazy validation (SC003) and `infer-schema`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn import datasets

from preflight.checks import REGISTRY
from preflight.checks.sc.contract import SchemaContract
from preflight.core.config import Config
from preflight.core.errors import PreflightError
from preflight.core.findings import Finding, Report
from preflight.data.contracts import (
    MAX_CATEGORIES,
    MAX_UNIQUE_SHARE,
    RANGE_MARGIN,
    contract_from_mapping,
    contract_to_yaml,
    infer_contract,
    load_contract,
    validate_contract,
)
from preflight.data.contracts.infer import _widen
from preflight.data.dataset import load_dataset
from preflight.run import run
from tests.conftest import EXAMPLES, ROOT, run_cli

PENGUINS = EXAMPLES / "penguins.csv"
CONTRACT = ROOT / "schemas" / "penguins.yaml"
# Data rows (0-based, header excluded) where the planted tests change penguins.csv.
NEGATIVE_MASS_ROW, ATLANTIS_ROW, NULL_YEAR_ROW = 10, 100, 200
COLUMNS = ["species", "island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm",
           "body_mass_g", "sex", "year"]  # fmt: skip


def _plant(tmp_path: Path, edits: dict[tuple[int, str], str], name: str = "planted.csv") -> Path:
    """penguins.csv with some cells replaced (row = 0-based data row), written to tmp_path."""
    lines = PENGUINS.read_text().splitlines()
    header = lines[0].split(",")
    assert header == COLUMNS
    for (row, column), value in edits.items():
        cells = lines[row + 1].split(",")
        cells[header.index(column)] = value
        lines[row + 1] = ",".join(cells)
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def _sc003(source: Any, contract: Path | str, target: str | None = "species") -> Report:
    dataset = load_dataset(source, target=target)
    config = Config(target=target, schema=str(contract))
    return run(dataset, config, checks=[SchemaContract()])


def _by_column(findings: tuple[Finding, ...] | list[Finding]) -> dict[str, Finding]:
    out: dict[str, Finding] = {}
    for f in findings:
        assert len(f.columns) == 1, f
        assert f.columns[0] not in out, f"two findings for {f.columns[0]}"
        out[f.columns[0]] = f
    return out


def _write_contract(tmp_path: Path, frame: pd.DataFrame, target: str, **kwargs: Any) -> Path:
    dataset = load_dataset(frame, target=target, **kwargs)
    path = tmp_path / "contract.yaml"
    path.write_text(contract_to_yaml(infer_contract(dataset)))
    return path


# ---- the bundled contract and the planted violations ------------------------------


def test_committed_contract_is_what_infer_schema_writes(tmp_path: Path) -> None:
    out = tmp_path / "penguins.yaml"
    result = run_cli("infer-schema", str(PENGUINS), "--target", "species", "-o", str(out))
    assert result.returncode == 0, result.stderr

    def body(text: str) -> list[str]:
        return [line for line in text.splitlines() if not line.startswith("#")]

    assert body(out.read_text()) == body(CONTRACT.read_text()), "regenerate schemas/penguins.yaml"


def test_penguins_contract_content() -> None:
    schema = load_contract(CONTRACT)
    assert list(schema.columns) == COLUMNS
    assert schema.strict is True
    cols = schema.columns
    assert cols["species"].checks[0].statistics["allowed_values"] == ["Adelie", "Chinstrap", "Gentoo"]
    assert cols["island"].checks[0].statistics["allowed_values"] == ["Biscoe", "Dream", "Torgersen"]
    # nullable only where penguins.csv has nulls
    assert {c for c, spec in cols.items() if spec.nullable} == {
        "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex"
    }  # fmt: skip
    mass = cols["body_mass_g"].checks[0].statistics
    assert 0 <= mass["min_value"] < 2700 and mass["max_value"] > 6300  # observed 2700..6300, widened
    assert str(cols["year"].dtype) == "Int64"


def test_unmodified_penguins_pass_sc003() -> None:
    report = _sc003(PENGUINS, CONTRACT)
    assert report.checks_run == ("SC003",) and not report.errors
    assert report.findings == ()


def test_unmodified_penguins_pass_sc003_cli() -> None:
    result = run_cli("check", str(PENGUINS), "--target", "species", "--schema", str(CONTRACT),
                     "--select", "SC003", "--format", "json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["findings"] == [] and report["skipped"] == [] and report["errors"] == []


def test_planted_violations_found_with_their_rows_and_columns(tmp_path: Path) -> None:
    path = _plant(
        tmp_path,
        {
            (NEGATIVE_MASS_ROW, "body_mass_g"): "-3750",
            (ATLANTIS_ROW, "island"): "Atlantis",
            (NULL_YEAR_ROW, "year"): "NA",
        },
    )
    result = run_cli("check", str(path), "--target", "species", "--schema", str(CONTRACT),
                     "--select", "SC003", "--format", "json")  # fmt: skip
    assert result.returncode == 1, result.stderr  # SC003 findings are errors
    findings = json.loads(result.stdout)["findings"]
    got = {tuple(f["columns"]): (f["rows"], f["row_count"], f["severity"]) for f in findings}
    assert got == {
        ("body_mass_g",): ([NEGATIVE_MASS_ROW], 1, "error"),
        ("island",): ([ATLANTIS_ROW], 1, "error"),
        ("year",): ([NULL_YEAR_ROW], 1, "error"),
    }
    by_col = {f["columns"][0]: f for f in findings}
    assert "-3750" in by_col["body_mass_g"]["message"] and "in_range" in by_col["body_mass_g"]["message"]
    assert "'Atlantis'" in by_col["island"]["message"]
    assert "never null" in by_col["year"]["message"]
    assert by_col["island"]["evidence"]["examples"] == ["Atlantis"]
    assert by_col["island"]["evidence"]["failure_count"] == 1
    assert by_col["island"]["evidence"]["check"].startswith("isin(")
    assert all(f["code"] == "SC003" and f["fix"]["summary"] for f in findings)


def test_every_failing_row_is_reported_lazily(tmp_path: Path) -> None:
    rows = [1, 50, 51, 300]
    path = _plant(tmp_path, {(r, "island"): "Atlantis" for r in rows} | {(7, "sex"): "unknown"})
    report = _sc003(path, CONTRACT)
    by_col = _by_column(report.findings)
    assert set(by_col) == {"island", "sex"}
    assert list(by_col["island"].rows) == rows and by_col["island"].flagged_rows == 4
    assert list(by_col["sex"].rows) == [7]


def test_text_in_a_numeric_column_is_a_row_level_type_failure(tmp_path: Path) -> None:
    path = _plant(tmp_path, {(20, "body_mass_g"): "heavy"})
    report = _sc003(path, CONTRACT)
    (finding,) = report.findings
    assert finding.columns == ("body_mass_g",) and finding.rows == (20,)
    assert "cannot be read as float64" in finding.message and "'heavy'" in finding.message
    assert finding.evidence["expected"] == "float64"
    assert finding.fix is not None and finding.fix.step == "parse-numbers"


def test_range_still_checked_beside_text_cells(tmp_path: Path) -> None:
    # The text cell stops pandera's coercion; the negative mass must not hide behind it.
    path = _plant(tmp_path, {(20, "body_mass_g"): "heavy", (NEGATIVE_MASS_ROW, "body_mass_g"): "-3750"})
    report = _sc003(path, CONTRACT)
    got = sorted((f.evidence["check"].split("(")[0], f.rows) for f in report.findings)
    assert all(f.columns == ("body_mass_g",) for f in report.findings)
    assert got == [("dtype", (20,)), ("in_range", (NEGATIVE_MASS_ROW,))]


def test_missing_and_extra_columns_are_findings_without_rows() -> None:
    frame = pd.read_csv(PENGUINS).drop(columns=["sex"]).assign(colour="black")
    report = _sc003(frame, CONTRACT)
    by_col = _by_column(report.findings)
    assert set(by_col) == {"sex", "colour"}
    assert by_col["sex"].rows == () and "missing" in by_col["sex"].message
    assert by_col["colour"].rows == () and "not in the contract" in by_col["colour"].message


def test_integers_stored_as_codes_fail_the_allowed_islands() -> None:
    frame = pd.read_csv(PENGUINS)
    frame["island"] = pd.Categorical(frame["island"]).codes  # integers where text was
    report = _sc003(frame, CONTRACT)
    by_col = _by_column(report.findings)
    # Coercion makes the integers text; then none of them is an allowed island.
    assert list(by_col) == ["island"]
    assert by_col["island"].flagged_rows == len(frame)


def test_fractions_in_an_integer_column_are_located(tmp_path: Path) -> None:
    path = _plant(tmp_path, {(30, "year"): "2007.5", (31, "year"): "2008.25"})
    report = _sc003(path, CONTRACT)
    (finding,) = report.findings
    assert finding.columns == ("year",) and finding.rows == (30, 31)
    assert finding.evidence["examples"] == [2007.5, 2008.25]
    assert "Int64" in finding.message and finding.evidence["expected"] == "Int64"


def test_wrong_column_type_is_a_finding_without_rows(tmp_path: Path) -> None:
    # A hand-written contract without coercion: the integer year is not float64.
    contract = tmp_path / "contract.yaml"
    contract.write_text("columns:\n  year:\n    dtype: float64\n")
    report = _sc003(PENGUINS, contract)
    (finding,) = report.findings
    assert finding.columns == ("year",) and finding.rows == ()
    assert finding.message == "'year' should be float64 but is int64"
    assert finding.evidence["actual"] == "int64"


def test_uncoerced_dtype_failure_names_the_null_row(tmp_path: Path) -> None:
    # Without coercion, a null makes the int64 column float64; pandera names the null's row.
    contract = tmp_path / "contract.yaml"
    contract.write_text("columns:\n  year:\n    dtype: int64\n    nullable: true\n")
    report = _sc003(_plant(tmp_path, {(12, "year"): "NA"}), contract)
    (finding,) = report.findings
    assert finding.columns == ("year",) and finding.rows == (12,)
    assert "cannot be read as int64: null" in finding.message


def test_sc003_never_modifies_the_data(tmp_path: Path) -> None:
    path = _plant(tmp_path, {(20, "body_mass_g"): "heavy", (3, "year"): "NA"})
    dataset = load_dataset(path, target="species")
    before = dataset.frame.copy(deep=True)
    run(dataset, Config(target="species", schema=str(CONTRACT)), checks=[SchemaContract()])
    pd.testing.assert_frame_equal(dataset.frame, before)


# ---- inference --------------------------------------------------------------------


def _sklearn_frame(name: str) -> tuple[pd.DataFrame, str]:
    loader = getattr(datasets, name)
    bunch = loader(as_frame=True)
    return bunch.frame, "target"


@pytest.mark.parametrize("name", ["load_iris", "load_wine", "load_breast_cancer", "load_diabetes"])
def test_round_trip_sklearn_datasets(name: str, tmp_path: Path) -> None:
    frame, target = _sklearn_frame(name)
    csv = tmp_path / "data.csv"
    frame.to_csv(csv, index=False)  # through the real reader, as a user would
    dataset = load_dataset(csv, target=target)
    contract = tmp_path / "contract.yaml"
    contract.write_text(contract_to_yaml(infer_contract(dataset)))
    assert validate_contract(dataset.frame, load_contract(contract)) == []
    assert _sc003(csv, contract, target=target).findings == ()


def _awkward_frame(n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.DataFrame({
        "id": np.arange(n),
        "flag": pd.array([True, False, None] * (n // 3), dtype="boolean"),
        "when": pd.date_range("2024-01-01", periods=n, freq="D", tz="UTC"),
        "naive": pd.date_range("2024-01-01", periods=n, freq="h"),
        "cat": pd.Categorical(["a", "b", "c"] * (n // 3)),
        "with_inf": np.r_[np.inf, rng.normal(size=n - 2), -np.inf],
        "all_null": [np.nan] * n,
        "free_text": [f"name {i}" for i in range(n)],
        "negative": rng.normal(-5, 1, n),
        "constant": [3.0] * n,
        "label": [0, 1, 2] * (n // 3),
    })  # fmt: skip


@pytest.mark.parametrize("via", ["dataframe", "parquet"])
def test_round_trip_awkward_dtypes(via: str, tmp_path: Path) -> None:
    frame = _awkward_frame()
    if via == "parquet":
        frame.to_parquet(tmp_path / "data.parquet")
        source: Any = tmp_path / "data.parquet"
    else:
        source = frame.assign(mixed=pd.Series([1, "a", 2.5] * 20, dtype=object))
    dataset = load_dataset(source, target="label", id_columns=["id"])
    contract = tmp_path / "contract.yaml"
    contract.write_text(contract_to_yaml(infer_contract(dataset)))
    schema = load_contract(contract)
    assert validate_contract(dataset.frame, schema) == []
    cols = schema.columns
    assert cols["id"].unique and not cols["id"].checks  # unique, but no range: ids grow
    assert cols["label"].checks[0].statistics["allowed_values"] == [0, 1, 2]
    assert not cols["free_text"].checks  # 60 distinct values: no isin
    assert cols["all_null"].nullable and not cols["constant"].nullable
    assert not cols["with_inf"].checks  # infinities on both sides: no bounds


def test_unique_id_column_reports_both_duplicates(tmp_path: Path) -> None:
    frame = pd.read_csv(PENGUINS).assign(penguin_id=lambda d: np.arange(len(d)))
    contract = _write_contract(tmp_path, frame, "species", id_columns=["penguin_id"])
    frame.loc[9, "penguin_id"] = 5
    report = _sc003(frame, contract)
    (finding,) = report.findings
    assert finding.columns == ("penguin_id",) and finding.rows == (5, 9)
    assert "unique" in finding.message


def test_category_threshold_and_exact_ranges() -> None:
    dataset = load_dataset(PENGUINS, target="species")
    schema = infer_contract(dataset, max_categories=2, range_margin=0.0)
    assert not schema.columns["island"].checks  # 3 islands > 2
    assert schema.columns["sex"].checks[0].statistics["allowed_values"] == ["female", "male"]
    assert schema.columns["species"].checks  # a classification target always gets its classes
    mass = schema.columns["body_mass_g"].checks[0].statistics
    assert (mass["min_value"], mass["max_value"]) == (2700.0, 6300.0)


def test_widened_bounds_never_cross_zero() -> None:
    assert _widen(0.5, 10.0, 0.5, down=True, integral=False) == 0.0
    assert _widen(-10.0, -0.5, 0.5, down=False, integral=False) == 0.0
    assert _widen(-1.0, 1.0, 0.5, down=True, integral=False) == -2.0  # already crosses: no clamp
    assert _widen(2007, 2009, 0.1, down=True, integral=True) == 2006
    assert _widen(2007, 2009, 0.1, down=False, integral=True) == 2010
    assert _widen(5.0, 5.0, 0.1, down=True, integral=False) == 5.0


def test_cli_defaults_match_the_library() -> None:
    from preflight.cli.infer_schema import infer_schema

    defaults = {p.name: p.default for p in infer_schema.params}
    assert defaults["max_categories"] == MAX_CATEGORIES
    assert defaults["max_unique_share"] == MAX_UNIQUE_SHARE
    assert defaults["range_margin"] == RANGE_MARGIN


# ---- bad contract files: one clear line, exit 2 -----------------------------------

BAD_CONTRACTS: dict[str, tuple[bytes | None, str]] = {
    "missing": (None, "not found"),
    "empty": (b"", "not a pandera schema"),
    "invalid-yaml": (b"columns: [unclosed\n", "invalid YAML"),
    "a-list": (b"- a\n- b\n", "not a pandera schema"),
    "no-columns": (b"strict: true\n", "no 'columns'"),
    "python-tag": (b"columns: !!python/object/apply:os.system ['touch MARKER']\n", "invalid YAML"),
    "typo-key": (b"columns:\n  year:\n    nulable: true\n", "did you mean 'nullable'"),
    "private-check": (b"columns:\n  year:\n    checks:\n    - options: {check_name: __init__}\n",
                      "not a pandera built-in check"),
    "classmethod-as-check": (b"columns:\n  year:\n    from_builtin_check_name: x\n", "unknown key"),
    "bad-dtype": (b"columns:\n  year:\n    dtype: not_a_type\n", "not a valid pandera schema"),
    "bad-check-args": (b"columns:\n  year:\n    in_range: {lowest: 1}\n", "not a valid pandera schema"),
    "not-utf8": (b"columns:\n  ann\xe9e:\n    dtype: int64\n", "not UTF-8"),
    "wrong-schema-type": (b"schema_type: series\ncolumns: {}\n", "schema_type"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BAD_CONTRACTS))
def test_bad_contract_is_one_line_preflight_error(case: str, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)  # a python tag that ran would create MARKER here
    content, expected = BAD_CONTRACTS[case]
    path = tmp_path / "contract.yaml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(PreflightError) as info:
        load_contract(path)
    message = str(info.value)
    assert expected in message and "\n" not in message
    assert not (tmp_path / "MARKER").exists()


_KEYS = st.sampled_from(
    ["columns", "checks", "index", "dtype", "coerce", "strict", "unique", "metadata", "multiindex",
     "schema_type", "nullable", "isin", "in_range", "str_matches", "options", "check_name", "min_value",
     "max_value", "name", "regex", "default", "groupby", "year", "__init__", "__class__"]
)  # fmt: skip
_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False),
    st.sampled_from(["int64", "str", "float64", "year", "isin", "in_range", "[", "(?P<x>", "Int64"]),
)  # fmt: skip
_TREES = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_TREES, st.dictionaries(_KEYS, _TREES, max_size=4).map(lambda d: {"columns": {"year": d}})))
def test_any_parsed_yaml_loads_or_is_a_one_line_error(raw: Any) -> None:
    try:
        contract_from_mapping(raw, "contract.yaml")
    except PreflightError as exc:
        assert "\n" not in str(exc) and str(exc).startswith("contract.yaml: ")


def test_directory_as_contract(tmp_path: Path) -> None:
    with pytest.raises(PreflightError, match="not a file"):
        load_contract(tmp_path)


@pytest.mark.parametrize("case", ["missing", "invalid-yaml", "python-tag", "private-check"])
def test_bad_contract_cli_exit_2(case: str, tmp_path: Path) -> None:
    content, expected = BAD_CONTRACTS[case]
    path = tmp_path / "contract.yaml"
    if content is not None:
        path.write_bytes(content)
    result = run_cli("check", str(PENGUINS), "--target", "species", "--schema", str(path), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("preflight: error:") and expected in lines[0]
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "MARKER").exists()


# ---- the infer-schema command -----------------------------------------------------


def test_infer_schema_writes_the_contract_and_leaves_the_input_alone(tmp_path: Path) -> None:
    data = tmp_path / "penguins.csv"
    data.write_bytes(PENGUINS.read_bytes())
    os.utime(data, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    before = (data.read_bytes(), data.stat().st_mtime_ns)
    out = tmp_path / "schemas" / "penguins.yaml"
    result = run_cli("infer-schema", str(data), "--target", "species", "-o", str(out), "--id-column", "year")
    assert result.returncode == 0, result.stderr
    assert (data.read_bytes(), data.stat().st_mtime_ns) == before
    schema = load_contract(out)
    assert schema.columns["year"].unique
    assert sorted(p.name for p in out.parent.iterdir()) == ["penguins.yaml"]  # no temp file left
    # the contract it wrote accepts the data it came from
    check = run_cli("check", str(data), "--target", "species", "--schema", str(out), "--select", "SC003")
    assert check.returncode == 1  # year is not unique: the id column contract fails, as it should
    assert "'year' must be unique" in check.stdout


def test_infer_schema_to_stdout() -> None:
    result = run_cli("infer-schema", str(PENGUINS), "--target", "species", "-o", "-")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[3:] == CONTRACT.read_text().splitlines()[3:]


def test_infer_schema_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    data = tmp_path / "penguins.csv"
    data.write_bytes(PENGUINS.read_bytes())
    before = data.read_bytes()
    for output in (str(data), str(tmp_path / "." / "penguins.csv")):
        result = run_cli("infer-schema", str(data), "--target", "species", "-o", output)
        assert result.returncode == 2
        assert "refusing to overwrite the input" in result.stderr and "Traceback" not in result.stderr
    assert data.read_bytes() == before


def test_infer_schema_bad_input_exit_2(tmp_path: Path) -> None:
    out = tmp_path / "x.yaml"
    for args in (
        (str(PENGUINS), "--target", "specie", "-o", str(out)),  # no such column
        (str(tmp_path / "nope.csv"), "--target", "species", "-o", str(out)),  # no such file
        (str(PENGUINS), "--target", "species", "-o", str(tmp_path)),  # a directory as output
    ):
        result = run_cli("infer-schema", *args)
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert sorted(tmp_path.iterdir()) == []


# ---- registration and import cost -------------------------------------------------


def test_registered_and_documented() -> None:
    check = REGISTRY["SC003"]
    assert check is SchemaContract and check.needs == frozenset({"schema"})
    doc = check.__doc__ or ""
    for heading in ("**What it does.**", "**Why it is bad.**", "**Fix.**", "**Options.**"):
        assert heading in doc


def test_skipped_without_schema() -> None:
    dataset = load_dataset(PENGUINS, target="species")
    report = run(dataset, Config(target="species"), checks=[SchemaContract()])
    assert report.findings == ()
    assert [(s.code, s.reason) for s in report.skipped] == [("SC003", "needs --schema")]


def _imports_pandera(*args: str) -> bool:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "preflight", *args],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert result.returncode in (0, 1), result.stderr[-2000:]
    return any(line.rsplit("|", 1)[-1].strip().startswith("pandera") for line in result.stderr.splitlines())


def test_pandera_is_imported_only_with_a_schema() -> None:
    assert not _imports_pandera("rules")
    assert not _imports_pandera("check", str(PENGUINS), "--target", "species")
    assert _imports_pandera("check", str(PENGUINS), "--target", "species", "--schema", str(CONTRACT))


def test_python_api_takes_a_schema(tmp_path: Path) -> None:
    import preflight

    frame = pd.read_csv(PENGUINS)
    frame.loc[ATLANTIS_ROW, "island"] = "Atlantis"
    report = preflight.check(frame, target="species", schema=str(CONTRACT), select="SC003")
    assert [(f.code, f.columns, f.rows) for f in report.findings] == [("SC003", ("island",), (ATLANTIS_ROW,))]
