"""The pre-commit hook, run by the real `pre-commit` from a real `git commit`.

A temporary git repository uses examples/pre-commit-config.yaml pointed at this
repository; pre-commit clones it and pip-installs preflight into its own environment,
exactly as for a user. That install is slow (minutes on a cold pip cache), so it happens
once per test session: pre-commit's store (PRE_COMMIT_HOME) is shared by all test
workers, and pre-commit's own lock makes the second worker reuse the first one's install.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml
from git_identity import GIT_ENV

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
]
pytest.importorskip("pre_commit", reason="pre-commit is in the dev extra: pip install -e '.[dev]'")

PYPROJECT = """\
[tool.preflight]
target = "species"                     # the label column of most files
targets = { "data/iris*" = "variety" } # files whose label column differs, by path glob
"""


def _git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env=env or {**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder shared by every xdist worker of this session (pytest prunes old ones)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    folder = base / "pre-commit-shared"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture(scope="session")
def hook_source(shared_dir: Path) -> dict[str, str]:
    """The repository URL and revision pre-commit installs the hook from.

    A clean checkout (CI) is used as it is, at HEAD. A working copy with changes is
    committed to a snapshot repository first, as `pre-commit try-repo` does, so the
    test runs the code being written rather than the last commit.
    """
    record = shared_dir / "source.json"
    with _locked(shared_dir / "source.lock"):
        if record.exists():
            source: dict[str, str] = json.loads(record.read_text())
            return source
        if not _git(ROOT, "status", "--porcelain").strip():
            source = {"repo": str(ROOT), "rev": _git(ROOT, "rev-parse", "HEAD").strip()}
        else:
            snapshot = shared_dir / "preflight-snapshot"
            files = _git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
            for name in filter(None, files):
                if (ROOT / name).is_file():
                    (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(ROOT / name, snapshot / name)
            _git(snapshot, "init", "-q")
            _git(snapshot, "add", "-A")
            _git(snapshot, "commit", "-q", "-m", "snapshot of the working copy")
            source = {"repo": str(snapshot), "rev": _git(snapshot, "rev-parse", "HEAD").strip()}
        record.write_text(json.dumps(source))
        return source


@pytest.fixture
def env(shared_dir: Path) -> dict[str, str]:
    # PREFLIGHT_TEST_PRE_COMMIT_HOME keeps pre-commit's installs across test runs (while
    # iterating locally); by default each run starts from an empty store, as CI does.
    home = os.environ.get("PREFLIGHT_TEST_PRE_COMMIT_HOME") or str(shared_dir / "pre-commit-home")
    return {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": home}


@pytest.fixture
def project(tmp_path: Path, hook_source: dict[str, str], env: dict[str, str]) -> Path:
    """A git repository whose pre-commit config is examples/pre-commit-config.yaml,
    pointed at this repository, with the hook installed in .git/hooks."""
    repo = tmp_path / "project"
    repo.mkdir()
    _git(repo, "init", "-q")
    config = yaml.safe_load((EXAMPLES / "pre-commit-config.yaml").read_text())
    (entry,) = config["repos"]
    assert [hook["id"] for hook in entry["hooks"]] == ["preflight"]
    entry.update(hook_source)
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    (repo / "pyproject.toml").write_text(PYPROJECT)
    (repo / "data").mkdir()
    _pre_commit(repo, env, "install")
    _git(repo, "add", "-A")
    # No data file yet, so the hook skips; pre-commit installs the hook environment now
    # (minutes, once per session: later commits reuse it).
    _git(repo, "commit", "-q", "-m", "project set-up", env=env)
    return repo


def _pre_commit(repo: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    return done


def _commit(repo: Path, env: dict[str, str], *files: str) -> subprocess.CompletedProcess[str]:
    """`git add` and `git commit` the files: git runs the installed pre-commit hook."""
    _git(repo, "add", *files)
    return subprocess.run(
        ["git", "commit", "-m", f"add {' '.join(files)}"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )


def _commits(repo: Path) -> int:
    return int(_git(repo, "rev-list", "--count", "HEAD"))


def _unlabelled_penguins(path: Path) -> None:
    """The clean penguins file with the species label missing on four rows."""
    lines = (EXAMPLES / "penguins.csv").read_text().splitlines()
    for row in (5, 40, 41, 200):  # 0-based data rows; line 0 is the header
        fields = lines[row + 1].split(",")
        fields[0] = ""
        lines[row + 1] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")


def _iris_parquet(path: Path) -> None:
    from sklearn.datasets import load_iris

    iris = load_iris(as_frame=True)
    frame = iris.frame.rename(columns={"target": "variety"})
    frame["variety"] = iris.target_names[iris.target]
    frame.to_parquet(path, index=False)


def test_a_bad_data_file_stops_the_commit_and_good_ones_pass(project: Path, env: dict[str, str]) -> None:
    shutil.copy(EXAMPLES / "penguins.csv", project / "data" / "penguins.csv")
    _iris_parquet(project / "data" / "iris.parquet")  # its label is "variety": the targets glob

    good = _commit(project, env, "data/penguins.csv", "data/iris.parquet")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "preflight (training data)" in good.stderr and "Passed" in good.stderr
    assert _commits(project) == 2

    _unlabelled_penguins(project / "data" / "penguins-unlabelled.csv")
    bad = _commit(project, env, "data/penguins-unlabelled.csv")

    assert bad.returncode == 1
    assert _commits(project) == 2  # the commit did not happen
    shown = bad.stdout + bad.stderr
    assert "preflight (training data)" in shown and "Failed" in shown
    # The finding, the file and its rows are shown to whoever commits.
    assert "data/penguins-unlabelled.csv" in shown
    assert "DQ002" in shown and "the target 'species' is missing in 4 of 344 rows" in shown
    assert "rows 5, 40, 41, 200" in shown


def test_a_git_lfs_pointer_is_skipped_with_a_notice(project: Path, env: dict[str, str]) -> None:
    pointer = project / "data" / "large.parquet"
    pointer.write_text(
        "version https://git-lfs.github.com/spec/v1\n"
        "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
        "size 734003200\n"
    )

    committed = _commit(project, env, "data/large.parquet")
    assert committed.returncode == 0, committed.stdout + committed.stderr
    assert _commits(project) == 2

    shown = _pre_commit(project, env, "run", "preflight", "--verbose", "--files", "data/large.parquet")
    assert shown.returncode == 0
    assert "data/large.parquet: skipped: a Git LFS pointer, not the data" in shown.stdout
