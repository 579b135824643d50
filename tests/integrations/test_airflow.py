"""The example DAG on a real Apache Airflow 3: the preflight gate decides whether training runs.

Airflow does not live in the project's main environment: `make test-airflow` installs it in
.venv-airflow and runs this file there (with PREFLIGHT_REQUIRE_AIRFLOW=1, so a broken
install fails instead of skipping). Everywhere else this module is skipped.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DAG_FILE = EXAMPLES / "airflow_dag.py"

if importlib.util.find_spec("airflow") is None:
    if os.environ.get("PREFLIGHT_REQUIRE_AIRFLOW"):
        raise RuntimeError("PREFLIGHT_REQUIRE_AIRFLOW is set, but Apache Airflow is not importable")
    pytest.skip(
        "Apache Airflow is not installed in this environment; `make test-airflow` runs this test",
        allow_module_level=True,
    )


# A second DAG, beside the example: the operator's other options on several files.
SOFT_GATE = """
from datetime import UTC, datetime

from airflow.sdk import DAG

from preflight.integrations.airflow import PreflightOperator

with DAG(dag_id="soft_gate", schedule=None, start_date=datetime(2026, 1, 1, tzinfo=UTC),
         params={"good": "", "bad": "", "reports": ""}) as dag:
    PreflightOperator(
        task_id="preflight",
        paths=["{{ params.good }}", "{{ params.bad }}"],
        target="species",
        json_path="{{ params.reports }}/{stem}.json",
        html_path="{{ params.reports }}/{stem}.html",
        soft_fail=True,
        options={"checks": {"DQ001": {"info-share": 0.05}}},
    )
"""


pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh AIRFLOW_HOME with a migrated SQLite metadata DB and two DAG bundles."""
    home = tmp_path_factory.mktemp("airflow-home")
    dags = home / "dags"
    dags.mkdir()
    (dags / "soft_gate.py").write_text(SOFT_GATE)
    local = "airflow.dag_processing.bundles.local.LocalDagBundle"
    bundles = [
        {"name": "examples", "classpath": local, "kwargs": {"path": str(EXAMPLES)}},
        {"name": "tests", "classpath": local, "kwargs": {"path": str(dags)}},
    ]
    env = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST": json.dumps(bundles),
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        # Airflow reads its configuration when first imported: the DB and env come first.
        migrate = subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"], capture_output=True, text=True, timeout=300
        )
        assert migrate.returncode == 0, migrate.stderr[-3000:]
        yield home


@pytest.fixture(scope="module")
def example_dag(airflow_home: Path) -> Any:
    dag = _load(DAG_FILE).dag
    # The example waits 5 minutes between retries; if the gate ever allowed them, the
    # test should fail in seconds (on the try count), not wait 10 minutes first.
    dag.get_task("preflight").retry_delay = timedelta(seconds=1)
    return dag


@pytest.fixture(scope="module")
def soft_gate_dag(airflow_home: Path) -> Any:
    return _load(airflow_home / "dags" / "soft_gate.py").dag


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run(dag: Any, **conf: str) -> tuple[dict[str, str], dict[str, Any], dict[str, int]]:
    """Run the DAG once with ``conf``: each task's state, XCom return value and tries."""
    run = dag.test(run_conf=conf)
    tis = {ti.task_id: ti for ti in run.get_task_instances()}
    states = {task_id: str(ti.state) for task_id, ti in tis.items()}
    values = {task_id: ti.xcom_pull(task_ids=task_id) for task_id, ti in tis.items()}
    tries = {task_id: ti.try_number for task_id, ti in tis.items()}
    return states, values, tries


@pytest.fixture
def unlabelled_penguins(tmp_path: Path) -> Path:
    """The clean penguins file with the species label missing on four rows."""
    lines = (EXAMPLES / "penguins.csv").read_text().splitlines()
    for row in (5, 40, 41, 200):  # 0-based data rows; line 0 is the header
        fields = lines[row + 1].split(",")
        fields[0] = ""
        lines[row + 1] = ",".join(fields)
    path = tmp_path / "penguins-unlabelled.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_passing_gate_lets_training_run(example_dag: Any) -> None:
    states, values, _ = _run(example_dag, data=str(EXAMPLES / "penguins.csv"))

    assert states == {"preflight": "success", "train": "success"}
    report = values["preflight"]
    assert report["status"] == "pass"
    assert report["dataset"]["path"] == str(EXAMPLES / "penguins.csv")
    assert report["dataset"]["target"] == "species"
    assert report["summary"]["error"] == 0
    assert report["dataset"]["rows"] == 344
    # Training really ran on the file the gate checked.
    assert values["train"] > 0.9


def test_a_failing_gate_stops_training_without_retries(example_dag: Any, unlabelled_penguins: Path) -> None:
    states, values, tries = _run(example_dag, data=str(unlabelled_penguins))

    assert states == {"preflight": "failed", "train": "upstream_failed"}
    # One try, although the DAG allows 2 retries: AirflowFailException skips them.
    assert tries["preflight"] == 1
    report = values["preflight"]
    assert report["status"] == "fail"
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert [(f["code"], f["rows"]) for f in errors] == [("DQ002", [5, 40, 41, 200])]
    assert values["train"] is None


def test_soft_fail_warns_and_report_files_go_to_xcom(
    soft_gate_dag: Any, unlabelled_penguins: Path, tmp_path: Path
) -> None:
    good = EXAMPLES / "penguins.csv"
    states, values, _ = _run(
        soft_gate_dag, good=str(good), bad=str(unlabelled_penguins), reports=str(tmp_path)
    )

    # The bad file fails its report, but soft_fail only warns.
    assert states == {"preflight": "success"}
    # Several paths: one JSON file each, named by {stem}; XCom holds their paths in order.
    assert values["preflight"] == [
        str(tmp_path / "penguins.json"),
        str(tmp_path / "penguins-unlabelled.json"),
    ]
    good_report, bad_report = (json.loads(Path(p).read_text()) for p in values["preflight"])
    assert (good_report["status"], bad_report["status"]) == ("pass", "fail")
    assert bad_report["dataset"]["path"] == str(unlabelled_penguins)
    # The HTML reports too, one per file, the bad one showing its finding.
    html = (tmp_path / "penguins-unlabelled.html").read_text()
    assert html.lstrip().lower().startswith("<!doctype html") and "DQ002" in html
    assert "DQ002" not in (tmp_path / "penguins.html").read_text()
    # `options` reached the checks: with info-share 0.05, columns missing at most 5% of
    # their cells (all of them in penguins, by default warnings) are only info.
    missing = {f["columns"][0]: f["severity"] for f in good_report["findings"] if f["code"] == "DQ001"}
    assert missing == dict.fromkeys(
        ["bill_depth_mm", "bill_length_mm", "body_mass_g", "flipper_length_mm", "sex"], "info"
    )
