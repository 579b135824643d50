"""The `repo: local` pre-commit hook (examples/pre-commit-config-local.yaml), run by the
real `pre-commit` from real `git commit`s.

It uses the preflight already installed (from a clone), so pre-commit installs nothing
and this runs in seconds, in `make test` (test_pre_commit.py covers the remote form,
whose hook environment takes minutes to install).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from git_identity import GIT_ENV

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
LOCAL = EXAMPLES / "pre-commit-config-local.yaml"

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
pytest.importorskip("pre_commit", reason="pre-commit is in the dev extra: pip install -e '.[dev]'")


def test_the_local_hook_is_the_published_one() -> None:
    """The local hook runs what .pre-commit-hooks.yaml declares, on the same files."""
    (published,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (entry,) = yaml.safe_load(LOCAL.read_text())["repos"]
    assert entry["repo"] == "local"
    (hook,) = entry["hooks"]
    for key in ("id", "name", "entry", "files", "types"):
        assert hook[key] == published[key], key


def _run(args: list[str], repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True, timeout=300)


def test_a_commit_runs_the_local_hook(tmp_path: Path) -> None:
    # `preflight` on PATH, as after `pip install` from a clone; here it runs this checkout.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "preflight"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m preflight "$@"\n')
    script.chmod(0o755)
    env = {
        **os.environ,
        **GIT_ENV,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
    }
    repo = tmp_path / "project"
    (repo / "data").mkdir(parents=True)
    _run(["git", "init", "-q"], repo, env)
    shutil.copy(LOCAL, repo / ".pre-commit-config.yaml")
    (repo / "pyproject.toml").write_text('[tool.preflight]\ntarget = "species"\n')
    installed = _run([sys.executable, "-m", "pre_commit", "install"], repo, env)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    shutil.copy(EXAMPLES / "penguins.csv", repo / "data" / "penguins.csv")
    _run(["git", "add", "-A"], repo, env)
    good = _run(["git", "commit", "-q", "-m", "good data"], repo, env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "preflight (training data)" in good.stderr + good.stdout and "Passed" in good.stderr + good.stdout

    lines = (EXAMPLES / "penguins.csv").read_text().splitlines()
    for row in (5, 40):  # the label missing on two rows: DQ002, an error
        fields = lines[row + 1].split(",")
        fields[0] = ""
        lines[row + 1] = ",".join(fields)
    (repo / "data" / "unlabelled.csv").write_text("\n".join(lines) + "\n")
    _run(["git", "add", "data/unlabelled.csv"], repo, env)
    bad = _run(["git", "commit", "-q", "-m", "bad data"], repo, env)
    output = bad.stdout + bad.stderr
    assert bad.returncode == 1, output
    assert "Failed" in output and "DQ002" in output and "rows 5, 40" in output
    log = _run(["git", "rev-list", "--count", "HEAD"], repo, env)
    assert log.stdout.strip() == "1"  # the bad file was not committed
