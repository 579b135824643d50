"""The peers benchmark's table (benchmarks/peers/run.py): what the READMEs show from the JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from benchmarks.peers import run


def _results() -> dict[str, Any]:
    read = {"seconds": 2.0, "peak_mb": 1200.4, "tree_peak_mb": 1210.0, "processes": 2}
    ge_line = {
        "tool": "Great Expectations",
        "version": "1.24.1",
        "unit": "failed expectations",
        "found": 3,
        "expectations": 102,
        "names": ["between(num_2)", "between(a|b)", "not_null(with_missing)"],
    }
    report = {
        "preflight_version": "0.1.0",
        "findings": [
            {"code": "SN006", "severity": "warning"},
            {"code": "DQ001", "severity": "warning"},
            {"code": "SN006", "severity": "info"},
            {"code": "CP004", "severity": "error"},
        ],
    }
    return {
        "machine": "2 cores",
        "sizes": {
            "200000": {
                "rows": 200_000,
                "columns": 50,
                "date": "2026-12-02 08:00 UTC",
                "commit": "abc1234",
                "steps": {"pandas read": {**read, "seconds": 4.0}},
            },
            "20000": {
                "rows": 20_000,
                "columns": 50,
                "date": "2026-12-02 07:00 UTC",
                "commit": "abc1234",
                "steps": {
                    "pandas read": read,
                    "preflight": {"seconds": 9.0, "peak_mb": 400.0, "line": run.summarize_report(report)},
                    "great-expectations": {"seconds": 30.0, "peak_mb": 350.0, "line": ge_line},
                    "deepchecks": {"failed": "timed out after 3600 s", "exit": "killed", "seconds": 3600},
                    # A peer with worker processes: the tree's summed peak is shown beside its own.
                    "datalab": {"seconds": 5.0, "peak_mb": 100.0, "tree_peak_mb": 900.0, "processes": 4},
                },
            },
        },
    }


def _rows(lines: list[str]) -> list[list[str]]:
    # Split on column bars that are not escaped.
    return [[c.strip() for c in line.strip("|").replace("\\|", "\0").split("|")] for line in lines[2:]]


def test_rows_are_sizes_ascending_with_ratios_to_that_sizes_read() -> None:
    rows = _rows(run.table(_results()))
    assert [r[0] for r in rows] == ["20,000 × 50"] * 5 + ["200,000 × 50"]
    by_tool = {r[1]: r for r in rows[:5]}
    assert by_tool["preflight"][2:5] == ["9.0", "4.5×", "400"]
    assert by_tool["Great Expectations"][3] == "15.0×"
    assert rows[5][2:4] == ["4.0", "1.0×"]


def test_a_step_that_did_not_finish_shows_why_and_no_figures() -> None:
    deepchecks = next(r for r in _rows(run.table(_results())) if r[1] == "Deepchecks data_integrity")
    assert deepchecks[2:5] == ["–", "–", "–"]
    assert deepchecks[5] == "did not finish: timed out after 3600 s"


def test_what_was_found_is_counted_grouped_and_escaped() -> None:
    rows = {r[1]: r for r in _rows(run.table(_results()))}
    assert rows["preflight"][5] == "4 findings (1 error, 2 warnings, 1 info): CP004, SN006 ×2, DQ001"
    # The column named "a|b" stays inside its cell.
    assert rows["Great Expectations"][5] == (
        "3 of 102 expectations failed: between ×2 (num_2, a\0b), not_null (with_missing)"
    )
    assert rows["cleanlab Datalab"][4] == "100 (tree 900)"


def test_readme_block_is_replaced_between_the_markers_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("before\n\n<!-- peers:begin -->\nold table\n<!-- peers:end -->\n\nafter\n")
    untouched = tmp_path / "OTHER.md"
    untouched.write_text("no markers here\n")
    monkeypatch.setattr(run, "READMES", (readme, untouched))
    monkeypatch.setattr(run, "ROOT", tmp_path)
    run.write_readmes(_results())
    text = readme.read_text()
    assert text.startswith("before\n\n" + run.BEGIN) and text.endswith(run.END + "\n\nafter\n")
    assert "old table" not in text and "| 20,000 × 50 | preflight | 9.0 |" in text
    run.write_readmes(_results())  # idempotent
    assert readme.read_text() == text
    assert untouched.read_text() == "no markers here\n"


def test_the_floor_is_the_median_of_its_runs_and_fails_if_one_did() -> None:
    runs = [{"seconds": s, "peak_mb": 150.0 + s, "load": f"{s}/0/0 -> {s}/0/0"} for s in (1.0, 9.0, 1.2, 1.1)]
    read = run.floor(runs)
    assert read["seconds"] == 1.15 and read["peak_mb"] == 159.0
    assert read["runs_s"] == [1.0, 9.0, 1.2, 1.1] and read["load"] == "1.0/0/0 -> 1.1/0/0"
    assert run.floor([*runs, {"failed": "boom", "seconds": 0.1}])["failed"] == "boom"
