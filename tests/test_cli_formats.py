"""Each --format through the real CLI: written with --output while the terminal summary still prints."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import EXAMPLES, run_cli

FORMATS = ("html", "markdown", "junit", "sarif", "github")


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_file_and_terminal_summary(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"report.{fmt}"
    proc = run_cli(
        "check",
        str(EXAMPLES / "penguins-raw.csv"),
        "--target",
        "Species",
        "--format",
        fmt,
        "--output",
        str(out),
        "--select",
        "DQ",  # a fixed set of findings: the counts below stay true as families grow
    )
    assert proc.returncode == 0, proc.stderr
    assert "PASS" in proc.stdout and "warnings" in proc.stdout  # the text summary
    text = out.read_text(encoding="utf-8")
    if fmt == "sarif":
        results = json.loads(text)["runs"][0]["results"]
        assert {r["ruleId"] for r in results} == {"DQ001", "DQ005", "DQ006"}  # DQ006: the two keys
    elif fmt == "junit":
        suite = ET.fromstring(text).find("testsuite")
        assert suite is not None and suite.get("failures") == "0"
    elif fmt == "github":
        assert sum(line.startswith("::warning ") for line in text.splitlines()) == 10
    elif fmt == "markdown":
        assert text.startswith("## preflight · ") and "penguins-raw.csv" in text.splitlines()[0]
        assert "✅ **PASS**" in text
    else:
        assert text.startswith("<!DOCTYPE html>")


def test_github_annotations_on_stdout_without_output() -> None:
    proc = run_cli(
        "check",
        str(EXAMPLES / "penguins-raw.csv"),
        "--target",
        "Species",
        "--format",
        "github",
        "--fail-on",
        "warning",
    )
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[-1].startswith("preflight ") and "FAIL" in lines[-1]
    assert all(line.startswith(("::warning file=", "::notice file=")) for line in lines[:-1])


def test_unknown_format_is_a_usage_error() -> None:
    proc = run_cli("check", str(EXAMPLES / "penguins-raw.csv"), "--format", "pdf")
    assert proc.returncode == 2
    assert "sarif" in proc.stderr
