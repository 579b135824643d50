"""Issue 15, outputs: no command overwrites an input, replaces a special file, crashes on
a write error, or leaves half of ``fix``'s outputs. Real subprocesses: exit codes matter."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from preflight.core.outputs.fileset import verify_manifest
from preflight.plan.outputs import all_outputs, manifest_file
from tests.conftest import ROOT, run_cli

FAST = ("--no-models", "--select", "DQ,SN")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    """Every regular file under ``folder`` -> its sha256 (links and nodes by their kind)."""
    out: dict[str, str] = {}
    for p in sorted(folder.rglob("*")):
        rel = str(p.relative_to(folder))
        if p.is_symlink():
            out[rel] = "link->" + os.readlink(p)
        elif p.is_file():
            out[rel] = digest(p)
        elif not p.is_dir():
            out[rel] = f"node {stat.filemode(p.lstat().st_mode)}"
    return out


def assert_refused(done: subprocess.CompletedProcess[str], *words: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("preflight: error: "), done.stderr
    assert "Traceback" not in done.stderr
    for word in words:
        assert word in done.stderr, done.stderr


def frame(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n) * 1000,
            "c": rng.choice(["x", "y", "z"], n),
            "y": rng.integers(0, 2, n),
        }
    )


@pytest.fixture
def data(tmp_path: Path) -> Path:
    df = frame()
    df.to_csv(tmp_path / "in.csv", index=False)
    df.to_parquet(tmp_path / "in.parquet")
    frame(100, seed=1).to_parquet(tmp_path / "t.parquet")
    frame(100, seed=2).to_parquet(tmp_path / "v.parquet")
    (tmp_path / "parts").mkdir()
    df.iloc[:150].to_parquet(tmp_path / "parts" / "part0.parquet")
    df.iloc[150:].to_parquet(tmp_path / "parts" / "part1.parquet")
    (tmp_path / "s.yaml").write_text("schema_type: dataframe\n")
    np.save(tmp_path / "p.npy", np.full((300, 2), 0.5))
    (tmp_path / "cfg.toml").write_text('target = "y"\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.csv").symlink_to(tmp_path / "in.csv")
    os.link(tmp_path / "in.csv", tmp_path / "hard.csv")
    return tmp_path


OVERWRITES = {
    "check -o input": ["check", "in.csv", "-t", "y", *FAST, "-o", "in.csv"],
    "check -o {stem}": ["check", "in.csv", "-t", "y", *FAST, "-o", "{stem}.csv"],
    "check --rows-out input": ["check", "in.csv", "-t", "y", *FAST, "--rows-out", "in.csv"],
    "check --rows-out parquet": ["check", "in.parquet", "-t", "y", *FAST, "--rows-out", "in.parquet"],
    "check -o test": ["check", "in.csv", "-t", "y", *FAST, "--test", "t.parquet", "-o", "t.parquet"],
    "check -o valid": [
        "check", "in.csv", "-t", "y", *FAST, "--valid", "v.parquet", "--test", "t.parquet", "-o", "v.parquet",
    ],
    "check -o schema": ["check", "in.csv", "-t", "y", *FAST, "--schema", "s.yaml", "-o", "s.yaml"],
    "check -o pred-probs": [
        "check", "in.csv", "-t", "y", *FAST, "--pred-probs", "p.npy", "--rows-out", "p.npy",
    ],
    "check -o config": ["check", "in.csv", *FAST, "--config", "cfg.toml", "-o", "cfg.toml"],
    "check -o symlink to input": ["check", "in.csv", "-t", "y", *FAST, "-o", "link.csv"],
    "check -o hard link to input": ["check", "in.csv", "-t", "y", *FAST, "-o", "hard.csv"],
    "check -o via ..": ["check", "in.csv", "-t", "y", *FAST, "-o", "sub/../in.csv"],
    "check rows onto input 2": ["check", "in.csv", "t.parquet", "-t", "y", *FAST, "--rows-out", "t.parquet"],
    "check glob -o part": ["check", "parts/*.parquet", "-t", "y", *FAST, "-o", "parts/part0.parquet"],
    "check glob -o match": ["check", "parts/*.parquet", "-t", "y", *FAST, "-o", "parts/new.parquet"],
    "check dir -o inside": ["check", "parts", "-t", "y", *FAST, "--format", "json", "-o", "parts/r.json"],
    "fix glob -o part": ["fix", "parts/*.parquet", "-t", "y", "-o", "parts/part0.parquet"],
    "fix dir -o inside": ["fix", "parts", "-t", "y", "-o", "parts/clean.parquet"],
    "fix side file is the test": ["fix", "in.csv", "-t", "y", "--test", "out.test.csv", "-o", "out.csv"],
    "fix -o config": ["fix", "in.csv", "-t", "y", "--config", "cfg.toml", "-o", "cfg.toml"],
    "fix -o hard link": ["fix", "in.csv", "-t", "y", "-o", "hard.csv"],
    "infer-schema -o input": ["infer-schema", "in.csv", "-t", "y", "-o", "link.csv"],
    "infer-schema glob -o part": ["infer-schema", "parts/*.parquet", "-t", "y", "-o", "parts/part1.parquet"],
}  # fmt: skip


@pytest.mark.parametrize("args", list(OVERWRITES.values()), ids=list(OVERWRITES))
def test_no_output_overwrites_or_joins_an_input(data: Path, args: list[str]) -> None:
    if "out.test.csv" in args:
        frame(50, seed=3).to_csv(data / "out.test.csv", index=False)
    before = snapshot(data)
    done = run_cli(*args, cwd=data)
    assert_refused(done, "refusing to")
    assert snapshot(data) == before  # inputs identical, nothing written


def test_two_inputs_with_one_report_name_are_refused(data: Path) -> None:
    (data / "other").mkdir()
    frame().to_csv(data / "other" / "in.csv", index=False)
    before = snapshot(data)
    done = run_cli("check", "in.csv", "other/in.csv", "-t", "y", *FAST, "-o", "{stem}.json", cwd=data)
    assert_refused(done, "both")
    assert snapshot(data) == before


def test_a_literal_file_name_with_glob_characters_is_that_file(data: Path) -> None:
    frame().to_csv(data / "a[1].csv", index=False)
    frame(20, seed=5).to_csv(data / "a1.csv", index=False)  # what the pattern a[1].csv matches
    done = run_cli("check", "a[1].csv", "-t", "y", *FAST, "--format", "json", cwd=data)
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    assert report["dataset"]["rows"] == 300
    # ... so writing the file the pattern would have matched is no longer refused or confused.
    before = digest(data / "a[1].csv")
    done = run_cli("fix", "a[1].csv", "-t", "y", "-o", "a1.csv", cwd=data)
    assert done.returncode == 0, done.stderr
    assert digest(data / "a[1].csv") == before
    assert len(pd.read_csv(data / "a1.csv")) == 300


def test_a_missing_path_with_glob_characters_is_a_pattern(data: Path) -> None:
    done = run_cli("check", "parts/part[01].parquet", "-t", "y", *FAST, "--format", "json", cwd=data)
    assert done.returncode in (0, 1), done.stderr
    assert json.loads(done.stdout)["dataset"]["rows"] == 300


# -- special files --------------------------------------------------------------------


def test_a_device_node_stays_a_device(data: Path) -> None:
    node = data / "null"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot make a device node here: {exc}")
    for args in (("-o", "null"), ("--format", "json", "-o", "null"), ("--rows-out", "null")):
        done = run_cli("check", "in.csv", "-t", "y", *FAST, *args, cwd=data)
        assert done.returncode in (0, 1), done.stderr
        st = node.lstat()
        assert stat.S_ISCHR(st.st_mode) and st.st_rdev == os.makedev(1, 3)
    done = run_cli("fix", "in.csv", "-t", "y", "-o", "null", cwd=data)
    assert_refused(done, "character device")
    assert stat.S_ISCHR(node.lstat().st_mode)


def test_a_symlink_to_dev_null_stays_a_symlink_and_dev_null_a_device(data: Path) -> None:
    (data / "nul").symlink_to("/dev/null")
    done = run_cli("check", "in.csv", "-t", "y", *FAST, "--format", "json", "-o", "nul", cwd=data)
    assert done.returncode in (0, 1), done.stderr
    assert (data / "nul").is_symlink() and os.readlink(data / "nul") == "/dev/null"
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    done = run_cli("infer-schema", "in.csv", "-t", "y", "-o", "/dev/null", cwd=data)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert not list(Path("/dev").glob(".null.*.tmp"))


def test_a_fifo_is_written_into_not_replaced(data: Path) -> None:
    fifo = data / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    done = run_cli("check", "in.csv", "-t", "y", *FAST, "--format", "json", "-o", "pipe", cwd=data)
    reader.join(timeout=30)
    assert done.returncode in (0, 1), done.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert json.loads(received[0])["dataset"]["rows"] == 300
    before = snapshot(data)
    assert_refused(run_cli("fix", "in.csv", "-t", "y", "-o", "pipe", cwd=data), "named pipe")
    assert snapshot(data) == before


def test_dev_stdout_is_written_through(data: Path) -> None:
    done = run_cli(
        "check", "in.csv", "-t", "y", *FAST, "--format", "json", "-o", "/dev/stdout", "-q", cwd=data
    )
    assert done.returncode in (0, 1), done.stderr
    assert '"schema_version": 1' in done.stdout
    assert os.path.islink("/dev/stdout")


# -- write errors are the user's --------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("check", "in.csv", "-t", "y", *FAST, "-o", "in.csv/x.json"), "Not a directory"),
        (("check", "in.csv", "-t", "y", *FAST, "--rows-out", "in.csv/x.csv"), "Not a directory"),
        (("check", "in.csv", "-t", "y", *FAST, "-o", "sub"), "is a directory"),
        (("check", "in.csv", "-t", "y", *FAST, "--rows-out", "sub"), "is a directory"),
        (("check", "in.csv", "-t", "y", *FAST, "-o", "/dev/full"), "No space left on device"),
        (("check", "in.csv", "-t", "y", *FAST, "--rows-out", "/dev/full"), "No space left on device"),
        (("infer-schema", "in.csv", "-t", "y", "-o", "/dev/full"), "No space left on device"),
        (("infer-schema", "in.csv", "-t", "y", "-o", "in.csv/s.yaml"), "Not a directory"),
        (("fix", "in.csv", "-t", "y", "-o", "in.csv/out.csv"), "Not a directory"),
        (("fix", "in.csv", "-t", "y", "-o", "sub"), "is a directory"),
    ],
)
def test_write_errors_exit_2_with_the_path_and_the_reason(
    data: Path, args: tuple[str, ...], reason: str
) -> None:
    before = snapshot(data)
    done = run_cli(*args, cwd=data)
    assert_refused(done, "cannot write", reason)
    assert snapshot(data) == before  # nothing written, no temporary left


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder; the other cases cover it")
def test_a_read_only_folder_is_a_user_error(data: Path) -> None:
    folder = data / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        done = run_cli("check", "in.csv", "-t", "y", *FAST, "-o", "ro/r.txt", cwd=data)
        assert_refused(done, "cannot write", "Permission denied")
    finally:
        folder.chmod(0o755)


def _run_with_stdout(stdout: int, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(
        [sys.executable, "-m", "preflight", *args], stdout=stdout, stderr=subprocess.PIPE,
        text=True, cwd=cwd, env=env, timeout=120,
    )  # fmt: skip


def test_stdout_on_a_full_device_is_a_user_error(data: Path) -> None:
    with open("/dev/full", "w") as full:
        done = _run_with_stdout(full.fileno(), "check", "in.csv", "-t", "y", *FAST, cwd=data)
    assert_refused(done, "cannot write to stdout", "No space left on device")


def test_a_closed_pipe_is_no_traceback(data: Path) -> None:
    read, write = os.pipe()
    os.close(read)  # the reader (`| head -1`) is gone before the first line
    try:
        done = _run_with_stdout(write, "check", "in.csv", "-t", "y", *FAST, "--format", "json", cwd=data)
    finally:
        os.close(write)
    assert done.stderr == "", done.stderr  # no traceback, no "Exception ignored" at exit
    assert done.returncode in (1, 141)  # click's exit for EPIPE, or 128 + SIGPIPE


# -- fix as one transaction -------------------------------------------------------------


def assert_all_or_nothing(out: Path) -> None:
    """Either a manifest and exactly the files it vouches for (hashes match), or none."""
    manifest = manifest_file(out)
    present = {p for p in all_outputs(out) if p.exists()}
    if manifest.exists():
        files = verify_manifest(manifest)
        assert present == {*files, manifest}
    else:
        assert present == set(), present


def test_fix_writes_a_manifest_that_vouches_for_every_output(data: Path) -> None:
    done = run_cli("fix", "in.csv", "-t", "y", "--test", "t.parquet", "-o", "out/clean.parquet", cwd=data)
    assert done.returncode == 0, done.stderr
    out = data / "out" / "clean.parquet"
    files = verify_manifest(manifest_file(out))
    assert {f.name for f in files} == {
        "clean.parquet", "clean.removed.parquet", "clean.pipeline.joblib", "clean.plan.py",
        "clean.test.parquet", "clean.test.removed.parquet",
    }  # fmt: skip
    manifest = json.loads(manifest_file(out).read_text())
    assert manifest["format"] == "preflight-fix-manifest" and manifest["version"] == 1
    assert manifest["files"][0]["role"] == "output"
    assert sorted(p.name for p in out.parent.iterdir()) == sorted(
        [*(f.name for f in files), manifest_file(out).name]
    )


def test_fix_twice_leaves_one_consistent_set(data: Path) -> None:
    out = data / "out" / "clean.csv"
    first = run_cli("fix", "in.csv", "-t", "y", "--test", "t.parquet", "-o", "out/clean.csv", cwd=data)
    assert first.returncode == 0, first.stderr
    assert (data / "out" / "clean.test.csv").exists()
    second = run_cli(
        "fix", "in.csv", "-t", "y", "--drop-duplicates", "--drop-rows", "SN", "-o", "out/clean.csv", cwd=data
    )
    assert second.returncode == 0, second.stderr
    assert_all_or_nothing(out)
    names = {f.name for f in verify_manifest(manifest_file(out))}
    assert "clean.test.csv" not in names and not (data / "out" / "clean.test.csv").exists()  # stale: removed


def test_a_failed_fix_test_writes_nothing(data: Path) -> None:
    pd.DataFrame({"a": [1.0, 2.0], "y": [0, 1]}).to_csv(data / "bad.csv", index=False)  # lacks b, c
    before = snapshot(data)
    done = run_cli("fix", "in.csv", "-t", "y", "--test", "bad.csv", "-o", "out/clean.csv", cwd=data)
    assert_refused(done, "bad.csv")
    assert snapshot(data) == before and not (data / "out").exists()
    # ... and over an earlier complete set, that set is untouched.
    assert run_cli("fix", "in.csv", "-t", "y", "-o", "out/clean.csv", cwd=data).returncode == 0
    before = snapshot(data)
    done = run_cli("fix", "in.csv", "-t", "y", "--test", "bad.csv", "-o", "out/clean.csv", cwd=data)
    assert_refused(done, "bad.csv")
    assert snapshot(data) == before
    assert_all_or_nothing(data / "out" / "clean.csv")


def test_fix_removes_the_temporaries_of_a_killed_run(data: Path) -> None:
    (data / "out").mkdir()
    stale = data / "out" / ".clean.csv.abcd1234.tmp"
    stale.write_text("half a file")
    assert run_cli("fix", "in.csv", "-t", "y", "-o", "out/clean.csv", cwd=data).returncode == 0
    assert not stale.exists() and not list((data / "out").glob(".*.tmp"))


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_outputs_get_the_umask(data: Path, umask: int, mode: int) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))

    def run(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "preflight", *args], capture_output=True, text=True, cwd=data,
            env=env, timeout=120, preexec_fn=lambda: os.umask(umask),
        )  # fmt: skip
        assert done.returncode in (0, 1), done.stderr

    run("check", "in.csv", "-t", "y", *FAST, "-o", "o/report.txt", "--rows-out", "o/rows.csv")
    run("infer-schema", "in.csv", "-t", "y", "-o", "o/schema.yaml")
    run("fix", "in.csv", "-t", "y", "--test", "t.parquet", "-o", "o/clean.parquet")
    files = sorted((data / "o").iterdir())
    assert len(files) == 3 + 7
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == mode, f


@pytest.fixture
def full_fs(tmp_path: Path):
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_fix_onto_a_full_filesystem_fails_cleanly(data: Path, full_fs: Path) -> None:
    frame(40_000, seed=4).to_csv(data / "big.csv", index=False)  # a ~3 MB output
    before = snapshot(data / "parts")
    done = run_cli("fix", "big.csv", "-t", "y", "-o", str(full_fs / "clean.csv"), cwd=data)
    assert_refused(done, "cannot write", "No space left on device")
    assert list(full_fs.iterdir()) == []  # nothing, not even a temporary
    assert snapshot(data / "parts") == before


@pytest.mark.slow
def test_kill_9_leaves_all_outputs_or_none(tmp_path: Path) -> None:
    rng = np.random.default_rng(15)
    n = 2_000_000
    pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.normal(size=n) * 1000,
            "c": rng.choice(["x", "y", "z"], n),
            "y": rng.integers(0, 2, n),
        }
    ).to_parquet(tmp_path / "big.parquet")
    source = digest(tmp_path / "big.parquet")
    out = tmp_path / "out" / "clean.parquet"
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    args = [
        sys.executable,
        "-m",
        "preflight",
        "fix",
        "big.parquet",
        "-t",
        "y",
        "--select",
        "DQ,SN",
        "-o",
        str(out),
    ]

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            args, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    began = time.monotonic()
    full = start()
    assert full.wait(timeout=300) == 0
    duration = time.monotonic() - began
    assert_all_or_nothing(out)
    kill_rng = np.random.default_rng(20240515)
    for i, delay in enumerate(kill_rng.uniform(0.3, 1.05, size=5) * duration):
        if i % 2 == 0:  # from nothing, or over the complete set of an earlier run
            shutil.rmtree(out.parent, ignore_errors=True)
        proc = start()
        time.sleep(float(delay))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert_all_or_nothing(out)
        assert digest(tmp_path / "big.parquet") == source
