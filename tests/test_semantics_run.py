"""The semantics stage in a run: the report's ``columns``, the user's overrides, and
``fix`` following the semantics to a fixed point (its output checks clean)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pandas as pd
import pytest
from conftest import run_cli

import preflight
from preflight.core.findings import Severity

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
CORPUS = ROOT / "benchmarks" / "corpus" / "data"
SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text())


def test_the_json_report_says_what_every_column_is() -> None:
    report = preflight.check(str(EXAMPLES / "penguins-raw.csv"), target="Species")
    doc = report.to_dict()
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    columns = {c["name"]: c for c in doc["columns"]}
    assert list(columns) == list(pd.read_csv(EXAMPLES / "penguins-raw.csv", nrows=0).columns)
    assert columns["Sample Number"]["semantic"] == "identifier"
    assert columns["Comments"]["semantic"] == "text"
    assert columns["Date Egg"]["semantic"] == "datetime"
    assert columns["Body Mass (g)"] == {
        "name": "Body Mass (g)", "semantic": "numeric", "evidence": "numbers", "confidence": 0.9,
        "source": "inferred",
    }  # fmt: skip
    # The keys are named once, as info, and no check judges them as features.
    keys = [f for f in report.findings if f.code == "DQ006"]
    assert {f.columns for f in keys} == {("Sample Number",), ("Individual ID",)}
    assert all(f.severity is Severity.INFO for f in keys)
    for f in report.findings:
        if f.code != "DQ006":
            assert not {"Sample Number", "Individual ID"} & set(f.columns), f


def test_a_sentinel_is_reported_once_and_no_longer_drives_skew_or_scale(tmp_path: Path) -> None:
    frame = pd.read_csv(EXAMPLES / "penguins.csv").dropna().reset_index(drop=True)
    frame.loc[:14, "body_mass_g"] = -999
    path = tmp_path / "sentinel.csv"
    frame.to_csv(path, index=False)
    report = preflight.check(str(path), target="species")
    on_mass = [f for f in report.findings if "body_mass_g" in f.columns]
    assert [f.code for f in on_mass if f.code in ("DQ004", "DQ001")] == ["DQ004"]
    assert on_mass[0].row_count == 15
    assert not [f for f in on_mass if f.code in ("SN003", "SN004", "OL001")]  # judged on the cleaned values
    (mass,) = [c for c in report.columns if c.name == "body_mass_g"]
    assert mass.missing_markers == (-999.0,)


def test_overrides_in_pyproject_win_and_bad_ones_are_one_line(tmp_path: Path) -> None:
    data = tmp_path / "raw.csv"
    data.write_bytes((EXAMPLES / "penguins-raw.csv").read_bytes())
    (tmp_path / "pyproject.toml").write_text(
        '[tool.preflight.columns]\n"Sample Number" = "numeric"\nComments = "categorical"\n'
    )
    proc = run_cli("check", str(data), "--target", "Species", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    columns = {c["name"]: c for c in json.loads(proc.stdout)["columns"]}
    assert (columns["Sample Number"]["semantic"], columns["Sample Number"]["source"]) == ("numeric", "config")
    assert columns["Comments"]["semantic"] == "categorical"
    (tmp_path / "pyproject.toml").write_text('[tool.preflight.columns]\n"Sample Number" = "identifer"\n')
    bad = run_cli("check", str(data), "--target", "Species", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert "must be one of identifier" in bad.stderr and "did you mean 'identifier'" in bad.stderr


def test_verbose_text_lists_the_columns() -> None:
    proc = run_cli("check", str(EXAMPLES / "penguins-raw.csv"), "--target", "Species", "-v", "--no-progress")
    assert proc.returncode == 0, proc.stderr
    assert "Sample Number · identifier (counts 1, 2, 3" in proc.stdout
    assert "Comments · text" in proc.stdout


def test_dates_read_alike_from_the_cli_and_the_api() -> None:
    path = CORPUS / "seattle_weather.csv"
    from_file = preflight.check(str(path), target="weather", select=["DQ", "SN", "SC"])
    from_frame = preflight.check(pd.read_csv(path), target="weather", select=["DQ", "SN", "SC"])
    assert [c.semantic for c in from_file.columns] == [c.semantic for c in from_frame.columns]
    assert [f.code for f in from_file.findings] == [f.code for f in from_frame.findings]
    assert not [f for f in from_file.findings if "date" in f.columns and f.code in ("DQ006", "SN006")]


@pytest.mark.parametrize(
    ("source", "target"),
    [(EXAMPLES / "penguins-raw.csv", "Species"), (EXAMPLES / "penguins.csv", "species")],
)
def test_fix_keeps_keys_and_its_output_checks_clean(tmp_path: Path, source: Path, target: str) -> None:
    out = tmp_path / "fixed.csv"
    proc = run_cli("fix", str(source), "--target", target, "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    fixed = pd.read_csv(out)
    raw = pd.read_csv(source)
    report = preflight.check(str(out), target=target)
    keys = [c.name for c in preflight.check(str(source), target=target, select=["DQ006"]).columns
            if c.semantic == "identifier"]  # fmt: skip
    for key in keys:  # passed through unchanged, as keys
        assert fixed[key].astype(str).tolist() == raw[key].astype(str).tolist()
    above_info = [(f.code, f.columns, f.message) for f in report.findings if f.severity > Severity.INFO]
    assert above_info == []


def test_scale_and_centring_of_the_same_columns_are_one_finding() -> None:
    report = preflight.check(str(EXAMPLES / "penguins.csv"), target="species")
    codes = [f.code for f in report.findings]
    assert "SN001" in codes and "SN002" not in codes
    (scale,) = [f for f in report.findings if f.code == "SN001"]
    folded = scale.evidence["also"]["SN002"]
    assert set(folded["columns"]) <= set(scale.columns) and folded["offsets"]
    assert "also SN002:" in scale.message and "far from zero" in scale.message


def test_infer_schema_writes_the_semantics_and_a_contract_overrides_them(tmp_path: Path) -> None:
    contract = tmp_path / "penguins-raw.yaml"
    raw = str(EXAMPLES / "penguins-raw.csv")
    done = run_cli("infer-schema", raw, "--target", "Species", "-o", str(contract))
    assert done.returncode == 0, done.stderr
    text = contract.read_text()
    assert "description: 'semantic: identifier'" in text and "description: 'semantic: text'" in text
    # The user edits the contract: the counter is a feature after all.
    edited = tmp_path / "edited.yaml"
    key, feature = "description: 'semantic: identifier'", "description: 'semantic: numeric'"
    edited.write_text(text.replace(key, feature, 1))
    report = preflight.check(raw, target="Species", schema=str(edited))
    columns = {c.name: c for c in report.columns}
    assert (columns["Sample Number"].semantic, columns["Sample Number"].source) == ("numeric", "config")
    assert columns["Individual ID"].semantic == "identifier"
    assert not [f for f in report.findings if f.code == "SC003"]  # the file still meets its contract


def test_skew_and_orders_of_magnitude_of_one_column_are_one_finding() -> None:
    report = preflight.check(str(CORPUS / "college.csv"), target="Private", select=["SN003", "SN004"])
    assert [f.code for f in report.findings] == ["SN003"]  # SN004's one column is SN003's too
    (skew,) = report.findings
    assert skew.evidence["also"]["SN004"]["columns"] == ["P.Undergrad"] and "P.Undergrad" in skew.columns
