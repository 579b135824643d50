"""`preflight check --pre-commit`, the command the pre-commit hook runs, without pre-commit.

The real pre-commit drives it in test_pre_commit.py (slow: it installs the hook); these
tests pin the behaviour that the hook relies on, on real files, in a second or two.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from preflight.checks import REGISTRY
from preflight.checks.base import Check, Context
from preflight.core.config import Config, load_config
from preflight.core.errors import PreflightError
from preflight.core.findings import Finding, Severity
from preflight.data.dataset import load_dataset
from preflight.run import run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
LFS_POINTER = (
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    "size 734003200\n"
)


class _FittedCheck(Check):
    """A model-based check, as the LB/CP/OL families declare them (model_based = True)."""

    code: ClassVar[str] = "ZZ901"
    name: ClassVar[str] = "test.fitted"
    category = "labels"
    cause: ClassVar[int | None] = 4
    severity: ClassVar[Severity] = Severity.WARNING
    model_based: ClassVar[bool] = True

    def run(self, ctx: Context) -> Iterator[Finding]:
        yield self.finding("fitted a model", columns=[ctx.dataset.target or ""])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder as pre-commit sees it: pyproject.toml and data files, run from its root."""
    (tmp_path / "pyproject.toml").write_text(
        '[tool.preflight]\ntarget = "species"\ntargets = { "data/iris*" = "variety" }\n'
    )
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(EXAMPLES / "penguins.csv", data / "penguins.csv")
    lines = (EXAMPLES / "penguins.csv").read_text().splitlines()
    for row in (5, 40, 41, 200):
        lines[row + 1] = "," + lines[row + 1].split(",", 1)[1]  # no species label
    (data / "unlabelled.csv").write_text("\n".join(lines) + "\n")
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True)
    frame = iris.frame.rename(columns={"target": "variety"})
    frame["variety"] = iris.target_names[iris.target]
    frame.to_parquet(data / "iris.parquet", index=False)
    (data / "large.parquet").write_text(LFS_POINTER)
    return tmp_path


def test_model_based_checks_are_skipped_with_models_off_and_run_with_models_on() -> None:
    dataset = load_dataset(EXAMPLES / "penguins.csv", target="species")
    checks: list[Check] = [REGISTRY["DQ001"](), _FittedCheck()]

    off = run(dataset, Config(target="species", models=False), checks=checks)
    assert [s.code for s in off.skipped] == ["ZZ901"]
    assert "model-based" in off.skipped[0].reason
    assert {f.code for f in off.findings} == {"DQ001"}  # the cheap check still ran

    on = run(dataset, Config(target="species"), checks=checks)
    assert on.skipped == ()
    assert {f.code for f in on.findings} == {"DQ001", "ZZ901"}


def test_the_pre_commit_table_overrides_the_config_for_the_hook_only(tmp_path: Path) -> None:
    file = tmp_path / "pyproject.toml"
    file.write_text('[tool.preflight]\ntarget = "y"\n')
    assert load_config(file).models is True
    assert load_config(file).for_pre_commit().models is False  # cheap by default at commit time

    file.write_text(
        '[tool.preflight]\ntarget = "y"\n[tool.preflight.pre-commit]\nmodels = true\nfail-on = "warning"\n'
    )
    config = load_config(file)
    assert (config.models, config.fail_on) == (True, "error")
    hook = config.for_pre_commit()
    assert (hook.models, hook.fail_on, hook.target) == (True, "warning", "y")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("fail-onn = 'warning'", "unknown key 'fail-onn'; did you mean 'fail-on'?"),
        ("fail-on = 'sometimes'", "fail-on must be one of"),
        ("models = 'yes'", "models must be true or false"),
        ("[tool.preflight.pre-commit.pre-commit]", "cannot hold another one"),
    ],
)
def test_a_bad_pre_commit_table_is_an_error_at_load_time(tmp_path: Path, table: str, message: str) -> None:
    file = tmp_path / "pyproject.toml"
    file.write_text(f"[tool.preflight]\n[tool.preflight.pre-commit]\n{table}\n")
    with pytest.raises(PreflightError, match="pre-commit") as error:
        load_config(file)
    assert message in str(error.value)


def test_the_hook_fails_on_the_bad_file_shows_its_report_and_skips_the_lfs_pointer(
    cli, project: Path
) -> None:
    files = ["data/penguins.csv", "data/iris.parquet", "data/unlabelled.csv", "data/large.parquet"]
    result = cli("check", "--pre-commit", *files, cwd=project)

    assert result.returncode == 1, result.stderr
    out = result.stdout
    # Passing files: one verdict line each; iris got its own target from the targets glob.
    assert re.search(r"^data/penguins\.csv: pass \(0 errors, \d+ warnings?\)$", out, re.M)
    assert re.search(r"^data/iris\.parquet: pass \(0 errors, \d+ warnings?\)$", out, re.M)
    # The failing file: its whole report, with the finding, the rows and the fix.
    assert "preflight · data/unlabelled.csv · 344 rows × 8 columns · target 'species'" in out
    assert "DQ002 error   the target 'species' is missing in 4 of 344 rows" in out
    assert "rows 5, 40, 41, 200" in out
    assert "data/large.parquet: skipped: a Git LFS pointer, not the data" in out
    assert result.stderr == ""


def test_the_hook_passes_when_every_file_passes(cli, project: Path) -> None:
    result = cli(
        "check", "--pre-commit", "data/penguins.csv", "data/iris.parquet", "data/large.parquet", cwd=project
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "preflight ·" not in result.stdout  # no whole report when nothing fails


def test_outside_the_hook_an_lfs_pointer_is_still_an_input_error(cli, project: Path) -> None:
    result = cli("check", "data/large.parquet", cwd=project)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "preflight: error: data/large.parquet: this is a Git LFS pointer, not the data; "
        "run `git lfs pull` first"
    )


def test_the_hook_leaves_every_model_based_check_out_unless_asked(cli, project: Path) -> None:
    def skipped_for_models(*flags: str) -> set[str]:
        result = cli("check", "--pre-commit", "--format", "json", *flags, "data/penguins.csv", cwd=project)
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        return {s["code"] for s in report["skipped"] if "model-based" in s["reason"]}

    model_based = {code for code, check in REGISTRY.items() if check.model_based}
    assert skipped_for_models() == model_based
    assert skipped_for_models("--models") == set()
