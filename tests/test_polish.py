"""Terminal polish: counts in the singular and plural, numbers as people read them,
early errors for missing input files, and ``preflight rule`` rendered for a terminal."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLES, run_cli
from planted_penguins import planted_penguins

from preflight.cli.terminal_doc import render_markdown, use_color
from preflight.core.wording import agree, number, percent, plural, value_text

# ---- the helpers -------------------------------------------------------------------


def test_plural_agrees_with_the_count() -> None:
    assert plural(1, "error") == "1 error"
    assert plural(0, "error") == "0 errors"
    assert plural(2, "row") == "2 rows"
    assert plural(1234, "row") == "1,234 rows"
    assert plural(3, "info", "info") == "3 info"
    assert agree(1, "needs --test") == "needs --test"
    assert agree(7, "needs --test") == "need --test"
    assert agree(2, "model-based, left out") == "model-based, left out"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (-999.0, "-999"),  # an integral float without .0
        (2009.0, "2,009"),
        (1e308, "1e+308"),  # never 309 digits
        (-1e308, "-1e+308"),
        (4.879e307, "4.88e+307"),
        (10**300, "1e+300"),  # a 301-digit integer, abbreviated
        (123456789012345678, "1.23e+17"),
        (1234567, "1,234,567"),
        (0.5, "0.5"),
        (2 / 3, "0.667"),
        (5e-7, "5e-07"),
        (0.0, "0"),
        (float("inf"), "inf"),
        (float("nan"), "nan"),
        (np.float64(3.5), "3.5"),
        (np.int64(7), "7"),
        ("x", "x"),
    ],
)
def test_number_is_short_and_exact_where_it_matters(value: object, text: str) -> None:
    assert number(value) == text


def test_every_number_stays_short() -> None:
    for exponent in range(-320, 309, 7):
        for mantissa in (1.0, -9.99, 5.5):
            assert len(number(mantissa * 10.0**exponent)) <= 22
    assert len(number(-(10**400))) < 12


@pytest.mark.parametrize(
    ("share", "digits", "text"),
    [
        (0.9996, 1, "99.96%"),  # not 100.0%
        (0.9996, 0, "99.96%"),  # not 100%
        (0.843, 1, "84.3%"),
        (0.843, 0, "84%"),
        (1.0, 1, "100.0%"),
        (0.0, 1, "0.0%"),
        (0.00001, 1, "0.001%"),  # not 0.0%
        (1e-12, 1, "<0.0000001%"),
        (0.999999999999, 1, ">99.9999999%"),
    ],
)
def test_percent_never_rounds_to_all_or_nothing(share: float, digits: int, text: str) -> None:
    assert percent(share, digits) == text


def test_value_text_quotes_text_and_writes_numbers() -> None:
    assert value_text("Anvers") == "'Anvers'"
    assert value_text(-999.0) == "-999"
    assert value_text(np.float64(1.0)) == "1"
    assert value_text(None) == "None"


# ---- the terminal report -----------------------------------------------------------


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return planted_penguins(tmp_path_factory.mktemp("planted") / "planted.csv")


def test_text_report_counts_in_singular_and_plural(planted: Path) -> None:
    # DQ002 is the one error; SP001 and SP002 both need --test.
    r = run_cli("check", str(planted), "--target", "species", "--select", "DQ002,SP001,SP002")
    assert r.returncode == 1, r.stderr
    assert "skipped 2 checks: 2 need --test (-v lists them)" in r.stdout
    assert "✖ FAIL  1 error · 0 warnings · 0 info  (fail-on: error; 1 check ran)" in r.stdout
    assert "1 errors" not in r.stdout and "2 needs" not in r.stdout
    quiet = run_cli("check", str(planted), "--target", "species", "--select", "DQ002", "-q")
    assert quiet.stdout.strip().endswith("fail (1 error, 0 warnings)")


def test_skipped_reasons_keep_one_for_one(planted: Path) -> None:
    r = run_cli("check", str(planted), "--target", "species", "--select", "DQ002,SP001,SC003")
    assert "skipped 2 checks: 1 needs --schema; 1 needs --test (-v lists them)" in r.stdout


@pytest.fixture(scope="module")
def extreme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1e308 cells beside a normal column, a -999 marker and a column missing in 4,998
    of 5,000 rows: the numbers a message must not print raw."""
    rng = np.random.default_rng(1)
    n = 5000
    df = pd.DataFrame(
        {
            "big": np.where(np.arange(n) < 3, 1e308, rng.normal(10, 2, n)),
            "age": np.where(np.arange(n) % 50 == 7, -999.0, rng.integers(18, 90, n).astype(float)),
            "mostly_missing": np.where(np.arange(n) < 2, 1.5, np.nan),
            "y": rng.choice(["p", "q"], n),
        }
    )
    path = tmp_path_factory.mktemp("extreme") / "extreme.csv"
    df.to_csv(path, index=False)
    return path


def test_messages_write_numbers_for_people(extreme: Path, tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    r = run_cli(
        "check", str(extreme), "--target", "y", "--select", "DQ001,DQ004,OL001",
        "--format", "json", "--output", str(report),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert not re.search(r"\d{16}", r.stdout), r.stdout  # no 309-digit number anywhere
    findings = {(f["code"], tuple(f["columns"])): f for f in json.loads(report.read_text())["findings"]}
    missing = findings[("DQ001", ("mostly_missing",))]
    assert "missing in 4,998 of 5,000 rows (99.96%)" in missing["message"]
    assert "99.96% of it is missing" in missing["fix"]["summary"]
    marker = findings[("DQ004", ("age",))]
    assert "'age' uses -999 for missing values in 100 rows" in marker["message"]
    assert "-999.0" not in marker["message"]
    outlier = findings[("OL001", ("big",))]
    assert "row 0 = 1e+308" in outlier["message"] and "e+307 robust SDs" in outlier["message"]
    # The JSON keeps the exact values: formatting is for text only.
    assert missing["evidence"] == {"missing": 4998, "share": 4998 / 5000}
    assert marker["evidence"]["markers"] == ["-999.0"]
    assert outlier["evidence"]["by_column"]["big"]["values"]["0"] == 1e308
    assert outlier["evidence"]["by_column"]["big"]["isolation"]["upper"]["gap"] > 1e300


# ---- input paths checked before any work --------------------------------------------


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--test", "missing.csv"], "test file missing.csv: no such file"),
        (["--test", "nothing-*.csv"], "test file nothing-*.csv: no files match this pattern"),
        (["--test", "{data}", "--valid", "missing.csv"], "valid file missing.csv: no such file"),
        (["--schema", "missing.yaml"], "schema file 'missing.yaml' not found"),
        (["--pred-probs", "missing.npy"], "--pred-probs: missing.npy: no such file"),
    ],
)
def test_a_missing_input_option_fails_before_the_data_is_read(
    tmp_path: Path, option: list[str], message: str
) -> None:
    # The data file is empty: were it read first, that would be the error.
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    data = str(EXAMPLES / "penguins.csv")
    args = [a.replace("{data}", data) for a in option]
    r = run_cli("check", str(empty), "--target", "species", *args, cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr == f"preflight: error: {message}\n"
    assert r.stdout == ""


def test_fix_refuses_a_missing_test_file_first(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    r = run_cli(
        "fix", str(empty), "--target", "species", "--test", "missing.csv", "-o", "out.csv", cwd=tmp_path
    )
    assert (r.returncode, r.stderr) == (2, "preflight: error: test file missing.csv: no such file\n")
    assert not (tmp_path / "out.csv").exists()


# ---- --output as documented -----------------------------------------------------------


def test_output_writes_the_format_and_prints_the_whole_text_report(planted: Path, tmp_path: Path) -> None:
    """docs/reports.md: with --output and a format other than text, the whole text
    report still prints; with text, the file holds it and nothing is printed."""
    args = ["check", str(planted), "--target", "species", "--select", "DQ,SC"]
    r = run_cli(*args, "--format", "json", "--output", str(tmp_path / "r.json"))
    assert json.loads((tmp_path / "r.json").read_text())["status"] == "fail"
    assert "DQ004 warning 'sex' uses '?' for missing values in 2 rows" in r.stdout  # a finding
    assert "suggested preprocessing" in r.stdout and "✖ FAIL" in r.stdout
    text = run_cli(*args, "--output", str(tmp_path / "r.txt"))
    assert text.stdout == ""
    assert "DQ004 warning" in (tmp_path / "r.txt").read_text()
    quiet = run_cli(*args, "--format", "json", "--output", str(tmp_path / "q.json"), "-q")
    assert quiet.stdout.count("\n") == 1 and ": fail (2 errors," in quiet.stdout


def test_output_help_says_what_prints() -> None:
    r = run_cli("check", "--help")
    assert "the text report still prints" in " ".join(r.stdout.split())


# ---- preflight rule ------------------------------------------------------------------


def test_rule_piped_is_plain_wrapped_text() -> None:
    r = run_cli("rule", "OL001")
    assert r.returncode == 0
    out = r.stdout
    assert "\x1b" not in out  # no escape codes into a pipe
    assert "**" not in out and "`" not in out  # no Markdown marks
    assert "What it does. Judges every numeric feature" in out
    assert "  • it breaks the column's bound (preflight.analysis.bounds)" in out  # bullets
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "options ([tool.preflight.checks.OL001]):" in out


def test_rule_wraps_to_the_terminal_width() -> None:
    doc = "**What it does.** " + "word " * 40 + "\n\n- first item " + "more " * 20 + "\n- second"
    lines = render_markdown(doc, width=40).splitlines()
    assert max(len(line) for line in lines) <= 40
    assert lines[0].startswith("What it does. word")
    bullet = next(i for i, line in enumerate(lines) if line.startswith("  • first item"))
    assert lines[bullet + 1].startswith("    more")  # hanging indent
    assert "  • second" in lines


def test_rule_markdown_blocks_render_as_text() -> None:
    doc = (
        "# Heading\n\nSee [the docs](https://example.org/d) or <https://example.org/x>.\n\n"
        "```toml\n[tool.preflight]\nkey = 1\n```\n\n1. one\n2. two `code span`"
    )
    out = render_markdown(doc, width=80)
    assert out.splitlines()[0] == "Heading"
    assert "See the docs (https://example.org/d) or https://example.org/x." in out
    assert "    [tool.preflight]\n    key = 1" in out  # code indented, not wrapped
    assert "  1. one\n  2. two code span" in out


def test_rule_styles_only_a_terminal_that_wants_them(monkeypatch: pytest.MonkeyPatch) -> None:
    styled = render_markdown("**Fix.** Use `log1p`.", width=60, color=True)
    assert "\x1b[1mFix.\x1b[0m" in styled and "\x1b[36mlog1p\x1b[0m" in styled

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(Tty()) is True
    assert use_color(io.StringIO()) is False
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(Tty()) is False
