"""`preflight diff OLD NEW`: new, resolved and changed findings between two JSON reports,
in text, Markdown and JSON, on reports of the raw penguins file and of copies of it
(tests/penguins_raw_copies.py), and on hand-written reports with hostile strings."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from penguins_raw_copies import TARGET, copy_raw, inserted_at_top, with_new_problems

from preflight.core.baseline import Baseline, load_baseline
from preflight.core.diff import diff
from preflight.core.findings import Severity
from preflight.reporters.diff import DIFF_FORMATS, render_diff
from tests.conftest import ROOT, run_cli

CHEAP = ("--target", TARGET, "--no-models", "--ignore", "CP")
DIFF_SCHEMA = json.loads((ROOT / "schemas" / "diff.schema.json").read_text())


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """JSON reports of the raw file (raw.json), the raw file with 20 rows inserted at the
    top (inserted.json) and with new problems planted (planted.json)."""
    root = tmp_path_factory.mktemp("diff")
    for name, make in [("raw", copy_raw), ("inserted", inserted_at_top), ("planted", with_new_problems)]:
        make(root / f"{name}.csv")
        result = run_cli(
            "check", f"{name}.csv", *CHEAP, "--format", "json", "-o", f"{name}.json", "-q", cwd=root
        )
        assert result.returncode in (0, 1), result.stderr  # planted.csv fails: its new error
    return root


def _diff(root: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("diff", *args, "--format", "json", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    doc = json.loads(result.stdout)
    jsonschema.validate(doc, DIFF_SCHEMA)
    return result.returncode, doc


def _codes(items: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    return [(x["code"], x["columns"]) for x in items]


def test_a_report_against_itself_has_nothing_to_say(reports: Path) -> None:
    code, doc = _diff(reports, "raw.json", "raw.json", "--fail-on", "info")
    assert code == 0 and doc["status"] == "pass"
    assert doc["summary"] == {"new": 0, "resolved": 0, "changed": 0, "worse": 0, "unchanged": 16}
    text = run_cli("diff", "raw.json", "raw.json", cwd=reports)
    assert text.returncode == 0
    assert text.stdout.splitlines()[-1] == (
        "✔ PASS  0 new · 0 resolved · 0 changed · 16 unchanged  (fail-on: error)"
    )


def test_rows_inserted_above_change_messages_but_nothing_is_new(reports: Path) -> None:
    code, doc = _diff(reports, "raw.json", "inserted.json", "--fail-on", "info")
    assert code == 0
    assert doc["findings"]["new"] == [] and doc["findings"]["resolved"] == []
    # The messages quote the file's rows (344 -> 364), so findings change; none is worse.
    assert doc["summary"]["worse"] == 0
    comments = next(c for c in doc["findings"]["changed"] if c["columns"] == ["Comments"])
    assert comments["old"]["message"].endswith("of 344 rows (84.3%)")
    # (16 of the 20 new rows have no comment either: 306 of 364 is no worse than 290 of 344.)
    assert comments["new"]["message"].endswith("306 of 364 rows (84.1%)")
    assert comments["worse"] is False and comments["failing"] is False


def test_the_three_groups_when_problems_are_planted_and_resolved(reports: Path) -> None:
    code, doc = _diff(reports, "raw.json", "planted.json")
    assert code == 1 and doc["status"] == "fail" and doc["fail_on"] == "error"
    assert _codes(doc["findings"]["new"]) == [("DQ002", [TARGET])]
    assert doc["findings"]["new"][0]["failing"] is True  # an error, at the default fail-on
    assert doc["findings"]["resolved"] == []
    (sex,) = [c for c in doc["findings"]["changed"] if c["worse"]]
    assert (sex["code"], sex["columns"], sex["old"]["row_count"], sex["new"]["row_count"]) == (
        "DQ001", ["Sex"], 11, 21,
    )  # fmt: skip
    assert sex["failing"] is False  # worse, but a warning under fail-on error

    # The other way round, the planted problems are resolved and nothing fails.
    code, back = _diff(reports, "planted.json", "raw.json", "--fail-on", "info")
    assert code == 0
    assert _codes(back["findings"]["resolved"]) == [("DQ002", [TARGET])]
    assert back["findings"]["new"] == [] and back["summary"]["worse"] == 0
    text = run_cli("diff", "planted.json", "raw.json", cwd=reports).stdout
    assert "resolved\n  ✖ DQ002 error   the target 'Species' is missing in 3 of 344 rows\n" in text


def test_fail_on_decides_the_exit_code(reports: Path, tmp_path: Path) -> None:
    assert run_cli("diff", "raw.json", "planted.json", "--fail-on", "never", cwd=reports).returncode == 0
    # The worse warning fails at fail-on warning.
    code, doc = _diff(reports, "raw.json", "planted.json", "--fail-on", "warning")
    assert code == 1 and [c["failing"] for c in doc["findings"]["changed"] if c["worse"]] == [True]
    # The default is the config's fail-on, as for check.
    (tmp_path / "pyproject.toml").write_text('[tool.preflight]\nfail-on = "never"\n')
    for name in ("raw.json", "planted.json"):
        (tmp_path / name).write_bytes((reports / name).read_bytes())
    result = run_cli("diff", "raw.json", "planted.json", cwd=tmp_path)
    assert result.returncode == 0 and "(fail-on: never)" in result.stdout


def test_the_text_diff_lists_each_group(reports: Path) -> None:
    result = run_cli("diff", "raw.json", "planted.json", cwd=reports)
    assert result.returncode == 1 and result.stderr == ""
    out = result.stdout
    assert out.startswith("preflight diff · raw.json → planted.json\n")
    assert "new\n  ✖ DQ002 error   the target 'Species' is missing in 3 of 344 rows  (fails)\n" in out
    assert "  ▲ DQ001 warning 'Sex' is missing in 21 of 344 rows (6.1%)  (worse)\n" in out
    assert "      was warning, 11 rows: 'Sex' is missing in 11 of 344 rows (3.2%)\n" in out
    assert out.splitlines()[-1].startswith("✖ FAIL  1 new · 0 resolved · ")


def test_the_markdown_diff_is_a_summary_line_and_a_table(reports: Path) -> None:
    result = run_cli("diff", "raw.json", "planted.json", "--format", "markdown", cwd=reports)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "## preflight diff · raw.json → planted.json"
    assert lines[2].startswith("❌ **FAIL** · 1 new · 0 resolved · ")
    table = [line for line in lines if line.startswith("|")]
    assert table[0] == "| change | severity | check | columns | finding | rows |"
    assert table[2].startswith(
        "| 🆕 new (fails) | 🔴 error | `DQ002` data-quality.missing-target | Species |"
    )
    assert "| ⬆️ worse | 🟠 warning | `DQ001` data-quality.missing-values | Sex |" in result.stdout
    assert "| 11 → 21 |" in result.stdout


def test_output_writes_the_diff_to_a_file(reports: Path, tmp_path: Path) -> None:
    out = tmp_path / "diff.md"
    result = run_cli("diff", "raw.json", "planted.json", "--format", "markdown", "-o", str(out), cwd=reports)
    assert result.returncode == 1 and result.stdout == ""
    assert out.read_text().startswith("## preflight diff")
    # An output that is one of the inputs is refused, and the input is left as it was.
    before = (reports / "raw.json").read_bytes()
    refused = run_cli("diff", "raw.json", "planted.json", "-o", "raw.json", cwd=reports)
    assert refused.returncode == 2 and (reports / "raw.json").read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nope.json", "raw.json"), "preflight: error: report 'nope.json' not found"),
        (("raw.csv", "raw.json"), "preflight: error: report 'raw.csv' is not a preflight report or baseline"),
        (
            ("raw.json", "raw.json", "--format", "html"),
            "preflight: error: unknown format 'html'; choose from text, markdown, json",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(reports: Path, args: tuple[str, ...], message: str) -> None:
    result = run_cli("diff", *args, cwd=reports)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(message)


def test_a_baseline_file_diffs_against_a_report(reports: Path, tmp_path: Path) -> None:
    made = run_cli("baseline", "raw.csv", *CHEAP, "-o", str(tmp_path / "accepted.json"), cwd=reports)
    assert made.returncode == 0, made.stderr
    code, doc = _diff(reports, str(tmp_path / "accepted.json"), "planted.json")
    assert code == 1 and _codes(doc["findings"]["new"]) == [("DQ002", [TARGET])]


# ---- hostile strings ---------------------------------------------------------------------
HOSTILE = "a|b`c\x1b[31m\n::error::pwned <img src=x onerror=alert(1)> @org/team [x](http://e) \u202e"


def _hostile_reports(tmp_path: Path) -> tuple[Baseline, Baseline]:
    report = {
        "schema_version": 1,
        "dataset": {"path": "data.csv", "rows": 100},
        "columns": [{"name": HOSTILE}],
        "findings": [
            {"code": "DQ001", "name": "data-quality.missing-values", "severity": "warning",
             "columns": [HOSTILE], "rows": [1], "row_count": 1, "message": f"{HOSTILE!s} is missing"},
        ],
    }  # fmt: skip
    worse = copy.deepcopy(report)
    worse["findings"][0].update(row_count=50, severity="error", message=f"{HOSTILE} is missing a lot")
    worse["findings"].append(dict(report["findings"][0], code="DQ004", evidence={"markers": [HOSTILE]}))
    (tmp_path / "old.json").write_text(json.dumps(report))
    (tmp_path / "new.json").write_text(json.dumps(worse))
    return load_baseline(str(tmp_path / "old.json")), load_baseline(str(tmp_path / "new.json"))


def test_hostile_column_names_are_escaped_in_text_and_markdown(tmp_path: Path) -> None:
    old, new = _hostile_reports(tmp_path)
    result = diff(old, new, Severity.ERROR)
    assert (len(result.new), len(result.changed), result.worse, result.exit_code) == (1, 1, 1, 1)

    text = render_diff(result, "text")
    assert "\x1b" not in text and "\u202e" not in text
    assert not any(line.lstrip().startswith("::") for line in text.splitlines())
    assert "\\x1b[31m\\x0a::error::pwned" in text

    markdown = render_diff(result, "markdown")
    assert "\x1b" not in markdown and "<img" not in markdown and "@org" not in markdown
    assert "\n::error" not in markdown
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert len(rows) == 2 + 2  # header, rule, the new finding, the changed one: one line each
    # Every row has the table's 6 cells: the pipes from the data are escaped.
    assert all(len(re.findall(r"(?<!\\)\|", row)) == 7 for row in rows)

    doc = json.loads(render_diff(result, "json"))
    jsonschema.validate(doc, DIFF_SCHEMA)
    assert doc["findings"]["changed"][0]["columns"] == [HOSTILE]  # JSON keeps the name as it is


def test_every_diff_format_renders(tmp_path: Path) -> None:
    old, new = _hostile_reports(tmp_path)
    result = diff(old, new, None)
    for fmt in DIFF_FORMATS:
        assert render_diff(result, fmt).endswith("\n")
    assert result.exit_code == 0  # fail-on never
