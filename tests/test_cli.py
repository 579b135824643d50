"""The CLI as users run it: real subprocesses, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pandas as pd
import pytest

from tests.conftest import EXAMPLES, run_cli

PENGUINS = str(EXAMPLES / "penguins.csv")


def _one_line_error(result) -> None:  # type: ignore[no-untyped-def]
    assert result.returncode == 2, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("preflight: error:")
    assert "Traceback" not in result.stderr


def test_check_text_report_and_exit_code() -> None:
    result = run_cli("check", PENGUINS, "--target", "species")
    assert result.returncode == 0, result.stderr
    assert "DQ001" in result.stdout  # penguins.csv has missing measurements
    assert "PASS" in result.stdout
    assert "\x1b[" not in result.stdout  # no colour codes when stdout is not a terminal


def test_fail_on_warning_fails() -> None:
    result = run_cli("check", PENGUINS, "--target", "species", "--fail-on", "warning", "-q")
    assert result.returncode == 1
    assert "fail" in result.stdout


def test_json_to_file_still_prints_terminal_summary(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run_cli("check", PENGUINS, "--target", "species", "--format", "json", "--output", str(out))
    assert result.returncode == 0
    assert "PASS" in result.stdout
    report = json.loads(out.read_text())
    assert report["dataset"]["rows"] == 344
    assert report["dataset"]["task"] == "classification"


def test_several_paths_one_combined_exit_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    pd.DataFrame({"x": [1.0, float("inf"), 2.0], "y": [0, 1, 0]}).to_csv(bad, index=False)
    result = run_cli("check", PENGUINS, str(bad), "--target", "y", "-q")
    # penguins has no column 'y' -> that file is an input error (2); bad.csv fails (1).
    assert result.returncode == 2
    assert "bad.csv: fail" in result.stdout
    result = run_cli("check", str(bad), str(bad), "--target", "y", "-q")
    assert result.returncode == 1


@pytest.mark.parametrize(
    ("content", "suffix", "expected"),
    [
        (b"", ".csv", "file is empty"),
        (b"a,b,c\n", ".csv", "no data rows"),
        (b"PAR1garbage-not-really-parquet", ".parquet", "cannot read as parquet"),
        (b"just some text", ".parquet", "not a parquet file"),
        (b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 12\n", ".csv", "Git LFS pointer"),
        (b"\x00\x01\x02\x03binary", ".csv", "binary content"),
        (b"a,b\n\x81\x8d\x8f,1\n", ".csv", "cannot decode"),
    ],
)
def test_bad_input_is_one_clear_line(tmp_path: Path, content: bytes, suffix: str, expected: str) -> None:
    path = tmp_path / f"data{suffix}"
    path.write_bytes(content)
    result = run_cli("check", str(path))
    _one_line_error(result)
    assert expected in result.stderr
    assert path.read_bytes() == content  # never modified


def test_missing_file() -> None:
    result = run_cli("check", "/nonexistent/data.parquet")
    _one_line_error(result)
    assert "no such file" in result.stderr


def test_unknown_target_names_close_matches() -> None:
    result = run_cli("check", PENGUINS, "--target", "specie")
    _one_line_error(result)
    assert "'species'" in result.stderr


def test_bad_config_key_did_you_mean(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.preflight]\ntarget = "species"\nfail-onn = "warning"\n')
    result = run_cli("check", PENGUINS, cwd=tmp_path)
    _one_line_error(result)
    assert "fail-onn" in result.stderr and "fail-on" in result.stderr


def test_config_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.preflight]\ntarget = "species"\nfail-on = "warning"\nselect = ["DQ001"]\n'
    )
    result = run_cli("check", PENGUINS, "--format", "json", cwd=tmp_path)
    assert result.returncode == 1  # DQ001 warnings + fail-on warning
    report = json.loads(result.stdout)
    assert report["dataset"]["target"] == "species"
    assert {f["code"] for f in report["findings"]} == {"DQ001"}
    # CLI flags override the file: --select starts over, --fail-on replaces.
    result = run_cli("check", PENGUINS, "--select", "DQ005", "--fail-on", "error", cwd=tmp_path)
    assert result.returncode == 0


def test_unknown_select_code() -> None:
    result = run_cli("check", PENGUINS, "--select", "DQ99")
    _one_line_error(result)


def test_unknown_format() -> None:
    result = run_cli("check", PENGUINS, "--format", "yaml")
    _one_line_error(result)


def test_rules_and_rule() -> None:
    result = run_cli("rules")
    assert result.returncode == 0
    assert "DQ004" in result.stdout and "SC002" in result.stdout
    result = run_cli("rule", "dq001")
    assert result.returncode == 0
    assert "Why it is bad" in result.stdout and "drop-share" in result.stdout
    _one_line_error(run_cli("rule", "DQ999"))


def test_rules_starts_without_heavy_imports() -> None:
    code = (
        "import sys, preflight.cli; preflight.cli.cli.main(['rules'], standalone_mode=False); "
        "print(sorted(m for m in ('sklearn', 'cleanlab', 'pandera', 'jinja2') if m in sys.modules))"
    )
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_help_and_the_package_root_do_not_import_pandas() -> None:
    # pre-commit starts preflight once per run: `--help` and `import preflight` stay light.
    code = (
        "import sys, preflight, preflight.cli; "
        "print(sorted(m for m in ('pandas', 'numpy', 'pyarrow') if m in sys.modules))"
    )
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
    help_run = subprocess.run(
        [sys.executable, "-c", "import sys, preflight.cli\ntry:\n preflight.cli.main(['--help'])\n"
         "except SystemExit: pass\nprint('pandas' in sys.modules)"],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    assert "Usage:" in help_run.stdout
    assert help_run.stdout.strip().splitlines()[-1] == "False"


def test_output_with_several_inputs_needs_stem(tmp_path: Path) -> None:
    result = run_cli("check", PENGUINS, PENGUINS, "--format", "json", "--output", str(tmp_path / "r.json"))
    _one_line_error(result)
    result = run_cli("check", PENGUINS, "--format", "json", "--output", str(tmp_path / "{stem}.json"))
    assert (tmp_path / "penguins.json").is_file()


def test_rows_out_lists_every_flagged_row(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    frame = pd.DataFrame({"a": [1.0] * 1500 + [float("inf")] * 1500, "b": range(3000)})
    frame.to_csv(data, index=False)
    rows = tmp_path / "rows.csv"
    result = run_cli("check", str(data), "--select", "DQ007", "--rows-out", str(rows), "--format", "json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["findings"][0]["row_count"] == 1500
    assert len(report["findings"][0]["rows"]) == 1000  # capped in the report
    listed = pd.read_csv(rows)
    assert listed["row"].tolist() == list(range(1500, 3000))  # not capped
    assert set(listed["codes"]) == {"DQ007"}


def test_hostile_column_names_do_not_reach_the_terminal(tmp_path: Path) -> None:
    data = tmp_path / "h.csv"
    pd.DataFrame({"\x1b[31mred\x1b[0m": [1.0, None, 2.0], "y": [0, 1, 0]}).to_csv(data, index=False)
    result = run_cli("check", str(data), "--target", "y")
    assert "\x1b[31m" not in result.stdout
    assert "red" in result.stdout


@pytest.mark.parametrize("flag", ["--output", "--rows-out"])
def test_unwritable_output_is_a_clear_error(tmp_path: Path, flag: str) -> None:
    result = run_cli("check", PENGUINS, "--select", "DQ001", flag, str(tmp_path))
    _one_line_error(result)
    assert "is a directory" in result.stderr
    result = run_cli("check", PENGUINS, "--select", "DQ001", flag, "/proc/nope/report.json")
    _one_line_error(result)
