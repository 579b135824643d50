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
