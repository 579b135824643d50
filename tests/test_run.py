"""Engine contracts: every check runs without touching the data, crashes are isolated,
reports validate against the JSON Schema and are deterministic."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest

import preflight
from preflight.checks import REGISTRY
from preflight.checks.base import Check, Context
from preflight.core.config import Config
from preflight.core.findings import Finding, Severity
from preflight.core.sections import LabelHealth, SampledRows, SampleRule, Section, Sections
from preflight.data.dataset import load_dataset
from preflight.reporters import render
from preflight.run import run
from tests.conftest import EXAMPLES, ROOT, run_cli

SCHEMA = json.loads((ROOT / "schemas" / "report.schema.json").read_text())


def _messy_frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 120
    return pd.DataFrame(
        {
            "num": np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n)),
            "inf": np.where(np.arange(n) == 3, np.inf, rng.normal(size=n)),
            "text": rng.choice(["a", "b", "B ", "?"], size=n),
            "money": [f"${v:,.2f}" for v in rng.uniform(100, 5000, size=n)],
            "const": 1,
            "id": np.arange(n),
            "when": pd.date_range("2024-01-01", periods=n, freq="D"),
            "flag": rng.random(n) < 0.5,
            "label": rng.choice(["x", "y", None], size=n),
        }
    )


def test_every_check_leaves_the_input_unchanged(tmp_path: Path) -> None:
    frame = _messy_frame()
    before = frame.copy(deep=True)
    report = preflight.check(frame, target="label")
    assert not report.errors, report.errors
    pd.testing.assert_frame_equal(frame, before)
    assert set(report.checks_run) | {s.code for s in report.skipped} == set(REGISTRY)

    path = tmp_path / "messy.parquet"
    frame.to_parquet(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    mtime = path.stat().st_mtime_ns
    result = run_cli("check", str(path), "--target", "label", "--format", "json")
    assert result.returncode in (0, 1), result.stderr
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert path.stat().st_mtime_ns == mtime


@pytest.mark.parametrize(
    ("source", "target"),
    [(EXAMPLES / "penguins-raw.csv", "Species"), (EXAMPLES / "penguins.csv", "species"), (None, "label")],
)
def test_json_report_validates_against_the_schema(source: Path | None, target: str) -> None:
    report = preflight.check(source if source is not None else _messy_frame(), target=target)
    jsonschema.validate(json.loads(render(report, "json")), SCHEMA)


def test_same_input_same_report_byte_for_byte() -> None:
    a = render(preflight.check(EXAMPLES / "penguins-raw.csv", target="Species"), "json")
    b = render(preflight.check(EXAMPLES / "penguins-raw.csv", target="Species"), "json")
    assert a == b


class _Boom(Check):
    """A check that crashes (test double for the engine's crash isolation)."""

    code = "DQ999"
    name = "test.boom"
    category = "data-quality"
    cause = 1
    severity = Severity.ERROR

    def run(self, ctx: Context) -> Iterator[Finding]:
        raise RuntimeError("kaboom")
        yield  # pragma: no cover


def test_a_crashing_check_is_recorded_and_the_rest_still_run() -> None:
    ds = load_dataset(_messy_frame(), target="label")
    checks = [_Boom(), REGISTRY["DQ007"]()]
    report = run(ds, Config(target="label"), checks=checks)
    assert [(e.code, e.error) for e in report.errors] == [("DQ999", "RuntimeError: kaboom")]
    assert [f.code for f in report.findings] == ["DQ007"]
    assert report.exit_code == 3
    jsonschema.validate(json.loads(render(report, "json")), SCHEMA)


class _Sectioned(Check):
    """A check that yields report sections, then crashes (test double for how the run
    gathers the sections a check yields)."""

    code = "DQ998"
    name = "test.sectioned"
    category = "labels"
    cause = 4
    severity = Severity.ERROR

    def run(self, ctx: Context) -> Iterator[Finding | Section]:
        yield self.finding("never reported: the check does not finish")
        yield LabelHealth({"method": "test", "issue_count": 0})
        yield SampledRows(300, "if-unreported")
        raise RuntimeError("after the sections")


def test_sections_yielded_reach_the_report_even_from_a_check_that_crashes() -> None:
    ds = load_dataset(_messy_frame(), target="label")
    report = run(ds, Config(target="label"), checks=[_Sectioned(), REGISTRY["DQ007"]()])
    assert report.label_health == {"method": "test", "issue_count": 0}
    assert report.dataset.sampled_rows == 300
    assert [f.code for f in report.findings] == ["DQ007"]
    assert [e.code for e in report.errors] == ["DQ998"]


@pytest.mark.parametrize(
    ("yielded", "sampled_rows"),
    [
        ([], None),
        ([("if-unreported", 900), ("if-unreported", 700)], 900),
        ([("if-unreported", 900), ("fold-plan", 500)], 500),
        ([("fold-plan", 500), ("if-unreported", 900)], 500),
        # Streaming runs OL002 first: the fold plan replaces its sample ...
        ([("largest", 2000), ("fold-plan", 500)], 500),
        # ... in memory it runs last and keeps the larger.
        ([("fold-plan", 500), ("largest", 2000)], 2000),
        ([("largest", 300), ("largest", 200)], 300),
        # CP004 and LB001 both report the one fold plan: its second report changes nothing.
        ([("largest", 2000), ("fold-plan", 500), ("largest", 2500), ("fold-plan", 500)], 2500),
    ],
)
def test_sampled_rows_fold_by_each_models_rule(
    yielded: list[tuple[SampleRule, int]], sampled_rows: int | None
) -> None:
    sections = Sections()
    for rule, rows in yielded:
        sections.add(SampledRows(rows, rule))
    assert sections.sampled_rows == sampled_rows


def test_needs_are_skipped_with_a_reason() -> None:
    report = preflight.check(_messy_frame().drop(columns="label"))
    reasons = {s.code: s.reason for s in report.skipped}
    assert reasons["DQ002"] == "needs --target"


def test_per_column_ignores_and_check_options() -> None:
    frame = _messy_frame()
    config = Config(per_column_ignores={"num": ("DQ001",)}, checks={"DQ005": {"near_share": 0.5}})
    report = preflight.check(frame, target="label", config=config, select="DQ001,DQ005")
    assert not [f for f in report.findings if f.code == "DQ001" and f.columns == ("num",)]
    with pytest.raises(preflight.PreflightError, match="unknown option 'near-shar'"):
        preflight.check(frame, config=Config(checks={"DQ005": {"near-shar": 0.5}}))
    with pytest.raises(preflight.PreflightError, match="must be float"):
        preflight.check(frame, config=Config(checks={"DQ005": {"near_share": "high"}}))
