"""Baselines of accepted findings: `preflight baseline`, `check --baseline`, the config key,
the pre-commit hook and the Airflow operator, on the raw Palmer penguins file and copies
of it with rows moved or new problems planted (tests/penguins_raw_copies.py).

The cheap checks (--no-models, less CP) keep each run at a few seconds; fingerprints do
not depend on which checks ran.
"""

from __future__ import annotations

import json
import shutil
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from penguins_raw_copies import (
    MORE_MISSING_SEX,
    N_INSERTED,
    TARGET,
    UNLABELLED,
    copy_raw,
    inserted_at_top,
    shuffled,
    with_new_problems,
    with_one_more_missing_sex,
)

import preflight
from preflight.core.baseline import load_baseline
from preflight.core.errors import PreflightError
from preflight.core.findings import Severity
from preflight.core.fingerprint import Entry, fingerprint, kind_of, worse
from tests.conftest import ROOT, run_cli

# The cheap checks, less the capacity family (its feature encoding is the slow part here).
CHEAP = ("--target", TARGET, "--no-models", "--ignore", "CP")
RAW_FINDINGS = 16  # what they find in the raw file: missing cells, constant and id columns, scales, ...


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the raw file, its baseline, and the copies, each as data/penguins-raw.csv
    in a folder of its own (so that each is the same file to the baseline)."""
    root = tmp_path_factory.mktemp("baseline")
    (root / "data").mkdir()
    copy_raw(root / "data" / "penguins-raw.csv")
    for name, make in [
        ("inserted", inserted_at_top),
        ("planted", with_new_problems),
        ("one-more", with_one_more_missing_sex),
    ]:
        (root / name / "data").mkdir(parents=True)
        make(root / name / "data" / "penguins-raw.csv")
    made = run_cli("baseline", "data/penguins-raw.csv", *CHEAP, "-o", "accepted.json", cwd=root)
    assert made.returncode == 0, made.stderr
    assert made.stdout == f"data/penguins-raw.csv: {RAW_FINDINGS} findings accepted in accepted.json\n"
    return root


def _check(root: Path, data: str, *args: str, cwd: Path | None = None) -> tuple[int, dict[str, Any], str]:
    """Run check with the baseline; the exit code, the JSON report and stderr."""
    result = run_cli("check", data, *CHEAP, "--format", "json", *args, cwd=cwd or root)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, json.loads(result.stdout), result.stderr


def _new(report: dict[str, Any]) -> list[tuple[str, list[str]]]:
    return [(f["code"], f["columns"]) for f in report["findings"] if not f["accepted"]]


# ---- the baseline file ---------------------------------------------------------------
def test_the_baseline_file_holds_every_finding_without_row_positions(project: Path) -> None:
    doc = json.loads((project / "accepted.json").read_text())
    jsonschema.validate(doc, json.loads((ROOT / "schemas" / "baseline.schema.json").read_text()))
    (dataset,) = doc["datasets"]
    assert (dataset["path"], dataset["rows"], len(dataset["columns"])) == ("data/penguins-raw.csv", 344, 17)
    assert len(dataset["findings"]) == RAW_FINDINGS
    assert all("rows" not in f for f in dataset["findings"])
    sex = next(f for f in dataset["findings"] if f["code"] == "DQ001" and f["columns"] == ["Sex"])
    assert (sex["severity"], sex["row_count"]) == ("warning", 11)
    assert sex["fingerprint"] == fingerprint("DQ001", ["Sex"], "")


def test_writing_the_baseline_again_gives_the_same_bytes(project: Path, tmp_path: Path) -> None:
    again = run_cli("baseline", "data/penguins-raw.csv", *CHEAP, "-o", str(tmp_path / "b.json"), cwd=project)
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "b.json").read_bytes() == (project / "accepted.json").read_bytes()


# ---- check --baseline ----------------------------------------------------------------
def test_accepted_findings_are_reported_but_do_not_fail(project: Path) -> None:
    code, report, stderr = _check(
        project, "data/penguins-raw.csv", "--baseline", "accepted.json", "--fail-on", "info"
    )
    assert code == 0 and stderr == ""
    assert report["status"] == "pass"
    assert len(report["findings"]) == RAW_FINDINGS and _new(report) == []
    assert report["baseline"] == {"path": "accepted.json", "accepted": RAW_FINDINGS}
    jsonschema.validate(report, json.loads((ROOT / "schemas" / "report.schema.json").read_text()))
    # Without the baseline the same run fails: every finding is at or above info.
    plain = run_cli("check", "data/penguins-raw.csv", *CHEAP, "--fail-on", "info", "-q", cwd=project)
    assert plain.returncode == 1


def test_rows_inserted_above_make_no_finding_new(project: Path) -> None:
    code, report, stderr = _check(
        project,
        "data/penguins-raw.csv",
        "--baseline",
        "../accepted.json",
        "--fail-on",
        "info",
        cwd=project / "inserted",
    )
    assert stderr == ""  # the same file name: no warning
    assert code == 0 and _new(report) == []
    # The accepted findings point at the moved rows: rows 3 and 271 are now 23 and 291.
    mass = next(f for f in report["findings"] if f["code"] == "DQ001" and f["columns"] == ["Body Mass (g)"])
    assert mass["rows"] == [3 + N_INSERTED, 271 + N_INSERTED] and mass["accepted"]


def test_shuffled_rows_make_no_finding_new(project: Path, tmp_path: Path) -> None:
    # 'Sample Number' counts 1, 2, 3 ... in runs of rows, which is how preflight tells it
    # is an id (DQ006); shuffled, the runs are gone, so it is declared, as a project would.
    ids = ("--id-column", "Sample Number")
    made = run_cli(
        "baseline", "data/penguins-raw.csv", *CHEAP, *ids, "-o", str(tmp_path / "b.json"), cwd=project
    )
    assert made.returncode == 0, made.stderr
    shuffled(tmp_path / "shuffled.csv")
    code, report, stderr = _check(
        project,
        str(tmp_path / "shuffled.csv"),
        *ids,
        "--baseline",
        str(tmp_path / "b.json"),
        "--fail-on",
        "info",
    )
    assert code == 0 and _new(report) == []
    assert report["baseline"]["accepted"] == len(report["findings"]) == RAW_FINDINGS - 1
    # Another file name: matched all the same, with one line saying so.
    assert stderr.count("\n") == 1 and "written for 'data/penguins-raw.csv', not" in stderr


def test_a_new_finding_fails_and_the_accepted_ones_stay_marked(project: Path) -> None:
    result = run_cli(
        "check", "data/penguins-raw.csv", *CHEAP, "--baseline", "../accepted.json", cwd=project / "planted"
    )
    assert result.returncode == 1, result.stderr
    out = result.stdout
    # The new error is shown as it always is; the accepted findings say so.
    assert "✖ DQ002 error   the target 'Species' is missing in 3 of 344 rows\n" in out
    assert f"rows {', '.join(map(str, UNLABELLED))}" in out
    assert "▲ DQ001 warning 'Comments' is missing in 290 of 344 rows (84.3%)  (accepted)" in out
    assert "accepted by baseline ../accepted.json)" in out.splitlines()[-1]
    assert out.splitlines()[-1].startswith("✖ FAIL")


def test_a_worse_finding_is_new(project: Path) -> None:
    # Ten more 'Sex' cells missing (11 -> 21 rows): beyond the tolerance, so not accepted.
    code, report, _ = _check(
        project,
        "data/penguins-raw.csv",
        "--baseline",
        "../accepted.json",
        "--fail-on",
        "warning",
        cwd=project / "planted",
    )
    assert code == 1
    assert _new(report) == [("DQ002", [TARGET]), ("DQ001", ["Sex"])]
    sex = next(f for f in report["findings"] if f["columns"] == ["Sex"] and f["code"] == "DQ001")
    assert sex["row_count"] == 11 + len(MORE_MISSING_SEX)
    # One more missing cell (11 -> 12) is within the tolerance: still accepted, passes.
    code, report, _ = _check(
        project,
        "data/penguins-raw.csv",
        "--baseline",
        "../accepted.json",
        "--fail-on",
        "warning",
        cwd=project / "one-more",
    )
    assert code == 0 and _new(report) == []


def test_the_new_finding_must_reach_fail_on_to_fail(project: Path) -> None:
    """New findings below --fail-on fail nothing: with fail-on never, the planted copy
    passes, its new findings still listed as not accepted."""
    code, report, _ = _check(
        project,
        "data/penguins-raw.csv",
        "--baseline",
        "../accepted.json",
        "--fail-on",
        "never",
        cwd=project / "planted",
    )
    assert code == 0 and report["status"] == "pass"
    assert _new(report) == [("DQ002", [TARGET]), ("DQ001", ["Sex"])]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "baseline 'bad.json' not found"),
        ("not json at all", "baseline 'bad.json' is not a preflight report or baseline (not JSON: "),
        ('{"hello": "world"}', "baseline 'bad.json' is not a preflight report or baseline (written by"),
        ("[1, 2]", "is not a preflight report or baseline (not a JSON object)"),
        ('{"format": "preflight-baseline", "schema_version": 9, "datasets": []}', "schema_version 9"),
        (
            '{"format": "preflight-baseline", "schema_version": 1, "datasets": [{"path": "a.csv", '
            '"findings": [{"code": "DQ001", "severity": "fatal", "columns": [], "message": "x"}]}]}',
            "finding 1 of data file 1 has no valid 'severity'",
        ),
        ("\udcff", "not UTF-8 text"),
    ],
)
def test_a_bad_baseline_is_one_line_and_exit_2(
    project: Path, tmp_path: Path, content: str | None, message: str
) -> None:
    bad = tmp_path / "bad.json"
    if content == "\udcff":
        bad.write_bytes(b"\xff\xfe\x00garbage")
    elif content is not None:
        bad.write_text(content)
    # A data file that does not exist: the baseline is read (and refused) before any data.
    result = run_cli("check", "missing.csv", "--target", TARGET, "--baseline", "bad.json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("preflight: error: ")
    assert message in result.stderr


def test_a_baseline_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "accepted.json").mkdir()
    with pytest.raises(PreflightError, match="is a directory"):
        load_baseline(str(tmp_path / "accepted.json"))


def test_a_json_report_works_as_a_baseline(project: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    written = run_cli(
        "check", "data/penguins-raw.csv", *CHEAP, "--format", "json", "-o", str(report), "-q", cwd=project
    )
    assert written.returncode == 0, written.stderr
    code, planted, _ = _check(
        project,
        "data/penguins-raw.csv",
        "--baseline",
        str(report),
        "--fail-on",
        "warning",
        cwd=project / "planted",
    )
    assert code == 1 and _new(planted) == [("DQ002", [TARGET]), ("DQ001", ["Sex"])]


def test_a_baseline_of_several_files_matches_each_by_path(project: Path, tmp_path: Path) -> None:
    for name in ("a.csv", "c.csv"):
        shutil.copy(project / "data" / "penguins-raw.csv", tmp_path / name)
    with_new_problems(tmp_path / "b.csv")
    made = run_cli("baseline", "a.csv", "c.csv", *CHEAP, "-o", "both.json", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    # a.csv has its own record; b.csv none (nor its name), so every finding of it is new,
    # with one line naming what the baseline has.
    result = run_cli("check", "a.csv", "b.csv", *CHEAP, "--baseline", "both.json", "-q", cwd=tmp_path)
    assert result.returncode == 1
    assert f"a.csv: pass (0 errors, 11 warnings, {RAW_FINDINGS} accepted)" in result.stdout
    assert "b.csv: fail (1 error, 11 warnings, 0 accepted)" in result.stdout
    assert result.stderr.strip() == (
        "baseline both.json: holds no findings for 'b.csv' (it has 'a.csv', 'c.csv'): every finding is new"
    )


def test_columns_that_differ_from_the_baseline_warn_in_one_line(project: Path, tmp_path: Path) -> None:
    import pandas as pd

    df = pd.read_csv(project / "data" / "penguins-raw.csv").drop(columns=["Comments"])
    df["Colour"] = "black"
    (tmp_path / "data").mkdir()
    df.to_csv(tmp_path / "data" / "penguins-raw.csv", index=False)
    code, report, stderr = _check(
        project, "data/penguins-raw.csv", "--baseline", str(project / "accepted.json"), cwd=tmp_path
    )
    assert stderr.strip().endswith("the columns differ from the recorded ones (1 added, 1 removed)")
    assert stderr.count("\n") == 1
    # Matched by fingerprint all the same: the new constant column is new, the rest accepted.
    assert _new(report) == [("DQ005", ["Colour"])] and code == 0


# ---- config, pre-commit, Python API ----------------------------------------------------
def test_the_config_key_is_relative_to_the_config_file(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        f'[tool.preflight]\ntarget = "{TARGET}"\nbaseline = "accepted.json"\nfail-on = "warning"\n'
    )
    try:
        # Run from a folder below: the nearest pyproject.toml is the project's, and its
        # baseline is the project's accepted.json, not one beside the working directory.
        code, report, stderr = _check(project, "data/penguins-raw.csv", cwd=project / "planted")
        assert stderr == ""
        assert report["baseline"]["path"] == str(project / "accepted.json")
        assert code == 1 and _new(report) == [("DQ002", [TARGET]), ("DQ001", ["Sex"])]
        # --baseline on the command line wins, relative to the working directory.
        code, report, _ = _check(project, "data/penguins-raw.csv", "--baseline", "accepted.json")
        assert code == 0 and report["baseline"]["path"] == "accepted.json"
    finally:
        (project / "pyproject.toml").unlink()


def test_a_config_file_elsewhere_resolves_its_baselines_beside_it(tmp_path: Path) -> None:
    from preflight.core.config import load_config

    (tmp_path / "ci").mkdir()
    config = tmp_path / "ci" / "preflight.toml"
    config.write_text('baseline = "accepted.json"\n[pre-commit]\nbaseline = "hook.json"\n')
    loaded = load_config(config)
    assert loaded.baseline == str(tmp_path / "ci" / "accepted.json")
    assert loaded.for_pre_commit().baseline == str(tmp_path / "ci" / "hook.json")
    config.write_text(f'baseline = "{tmp_path / "abs.json"}"\n')
    assert load_config(config).baseline == str(tmp_path / "abs.json")
    config.write_text("baseline = 3\n")
    with pytest.raises(PreflightError, match="baseline must be a string"):
        load_config(config)


def test_the_pre_commit_hook_fails_only_on_files_with_new_findings(project: Path, tmp_path: Path) -> None:
    """`args: ["--baseline", "accepted.json"]` on the hook: pre-commit appends the args and
    the staged files to `preflight check --pre-commit` (see .pre-commit-hooks.yaml)."""
    assert "entry: preflight check --pre-commit" in (ROOT / ".pre-commit-hooks.yaml").read_text()
    (tmp_path / "pyproject.toml").write_text(f'[tool.preflight]\ntarget = "{TARGET}"\n')
    (tmp_path / "data").mkdir()
    shutil.copy(project / "data" / "penguins-raw.csv", tmp_path / "data" / "raw.csv")
    inserted_at_top(tmp_path / "data" / "more.csv")
    files = ["data/raw.csv", "data/more.csv"]
    made = run_cli("baseline", "--pre-commit", *files, "-o", "accepted.json", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    doc = json.loads((tmp_path / "accepted.json").read_text())
    assert [d["path"] for d in doc["datasets"]] == files

    hook = ["check", "--pre-commit", "--baseline", "accepted.json"]
    passed = run_cli(*hook, *files, cwd=tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "preflight ·" not in passed.stdout  # verdict lines only
    assert passed.stderr == ""

    with_new_problems(tmp_path / "data" / "more.csv")  # a commit that plants a new problem
    failed = run_cli(*hook, *files, cwd=tmp_path)
    assert failed.returncode == 1
    assert "data/raw.csv: pass (0 errors, 12 warnings, 17 accepted)" in failed.stdout
    assert "preflight · data/more.csv · 344 rows × 17 columns" in failed.stdout  # the failing file's report
    assert "✖ DQ002 error   the target 'Species' is missing in 3 of 344 rows\n" in failed.stdout


def test_the_python_api_takes_a_baseline(project: Path) -> None:
    planted = project / "planted" / "data" / "penguins-raw.csv"
    report = preflight.check(
        planted, target=TARGET, models=False, ignore="CP", baseline=str(project / "accepted.json")
    )
    assert report.failed and report.baseline == str(project / "accepted.json")
    assert [f.code for f in report.findings if not f.accepted] == ["DQ002", "DQ001"]
    with pytest.raises(PreflightError, match=r"baseline 'nope\.json' not found"):
        preflight.check(planted, target=TARGET, baseline="nope.json")


# ---- the Airflow operator, on a stand-in for the Airflow task SDK ------------------------
class _Fail(Exception):
    pass


@pytest.fixture
def operator_class(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """PreflightOperator imported against a minimal airflow.sdk (the real Airflow runs
    the operator in tests/integrations/test_airflow.py, in its own environment)."""
    import logging

    class BaseOperator:
        do_xcom_push = True

        def __init__(self, **kwargs: Any) -> None:
            self.task_id = kwargs.get("task_id")
            self.log = logging.getLogger("airflow.task")

    sdk = types.ModuleType("airflow.sdk")
    sdk.BaseOperator = BaseOperator  # type: ignore[attr-defined]
    exceptions = types.ModuleType("airflow.sdk.exceptions")
    exceptions.AirflowFailException = _Fail  # type: ignore[attr-defined]
    for name, module in [("airflow", types.ModuleType("airflow")), ("airflow.sdk", sdk),
                         ("airflow.sdk.exceptions", exceptions)]:  # fmt: skip
        monkeypatch.setitem(sys.modules, name, module)
    saved = sys.modules.pop("preflight.integrations.airflow", None)
    from preflight.integrations.airflow import PreflightOperator

    yield PreflightOperator
    sys.modules.pop("preflight.integrations.airflow", None)
    if saved is not None:
        sys.modules["preflight.integrations.airflow"] = saved


def test_the_airflow_operator_fails_only_on_new_findings(operator_class: Any, project: Path) -> None:
    class TaskInstance:
        pushed: Any = None

        def xcom_push(self, key: str, value: Any) -> None:
            self.pushed = value

    def gate(data: Path) -> Any:
        return operator_class(
            task_id="preflight",
            paths=str(data),
            target=TARGET,
            baseline=str(project / "accepted.json"),
            ignore="CP",
            options={"models": False},
        )

    assert "baseline" in operator_class.template_fields
    ti = TaskInstance()
    report = gate(project / "inserted" / "data" / "penguins-raw.csv").execute({"ti": ti})
    assert report["status"] == "pass" and report["baseline"]["accepted"] == RAW_FINDINGS

    with pytest.raises(_Fail) as failure:
        gate(project / "planted" / "data" / "penguins-raw.csv").execute({"ti": ti})
    assert "DQ002 the target 'Species' is missing in 3 of 344 rows" in str(failure.value)
    assert "Comments" not in str(failure.value)  # accepted findings are not what failed
    assert [f["code"] for f in ti.pushed["findings"] if not f["accepted"]] == ["DQ002", "DQ001"]


# ---- the fingerprint and the tolerance -----------------------------------------------------
def _entry(
    code: str = "DQ001", severity: Severity = Severity.WARNING, rows: int = 10, kind: str = ""
) -> Entry:
    return Entry(code, "name", severity, ("b", "a"), kind, rows, "message")


def test_the_fingerprint_reads_no_row_positions_and_sorts_columns() -> None:
    assert fingerprint("SN001", ["b", "a"], "") == fingerprint("SN001", ["a", "b"], "")
    assert fingerprint("DQ001", ["a"], "") != fingerprint("DQ004", ["a"], "")
    # DQ004: which markers, in any order; a new marker is a new kind of problem.
    assert kind_of("DQ004", {"markers": ["?", "-999"], "count": 5}) == kind_of(
        "DQ004", {"markers": ["-999", "?"], "count": 9}
    )
    assert kind_of("DQ004", {"markers": ["?"]}) != kind_of("DQ004", {"markers": ["?", "-999"]})
    # The split checks: the test file's finding is not the valid file's.
    assert kind_of("SP003", {"rows_refer_to": "test"}) != kind_of("SP003", {"rows_refer_to": "valid"})
    # Counts and shares in the evidence never enter it.
    assert (
        kind_of("DQ001", {"missing": 2, "share": 0.1}) == kind_of("DQ001", {"missing": 9, "share": 0.3}) == ""
    )


def test_worse_means_higher_severity_or_rows_beyond_the_tolerance() -> None:
    old = _entry(rows=20)
    assert not worse(old, _entry(rows=22))  # 20 + max(2, 10% of 20)
    assert worse(old, _entry(rows=23))
    assert worse(old, _entry(severity=Severity.ERROR, rows=5))
    assert not worse(old, _entry(severity=Severity.INFO, rows=20))
    assert not worse(_entry(rows=0), _entry(rows=2)) and worse(_entry(rows=0), _entry(rows=3))
    # A file that doubled may flag twice the rows and be no worse.
    assert not worse(old, _entry(rows=40), old_rows=1000, new_rows=2000)
    assert worse(old, _entry(rows=40), old_rows=1000, new_rows=1000)
    # Rows of a held-out file are compared as they are.
    held = _entry(rows=20, kind="file=test")
    assert worse(held, _entry(rows=40, kind="file=test"), old_rows=1000, new_rows=2000)
