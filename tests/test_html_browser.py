"""The HTML report in a real headless browser (Debian's Chromium): it renders, quietly, offline.

Skipped when Chromium is not installed; ``make browser`` installs it (CI runs it
before the tests, so there these tests always run).

The real report's test also takes the screenshot in docs: ``make screenshot`` runs it
with ``PREFLIGHT_WRITE_SCREENSHOT=1``, which writes docs/report-screenshot.png, so the
picture in the README is today's report, as the test saw it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser import Chromium, PageResult, find_chromium
from conftest import ROOT, run_cli
from report_fixture import HOSTILE_STRINGS, RULES, fixed_report, hostile_report

from preflight.core.findings import Report
from preflight.reporters import render

EXE = find_chromium()
# Asked for the screenshot, a missing Chromium is a failure, not a quiet skip.
WRITE_SCREENSHOT = os.environ.get("PREFLIGHT_WRITE_SCREENSHOT") == "1"
SCREENSHOT = ROOT / "docs" / "report-screenshot.png"
SCREENSHOT_HEIGHT = 1500  # the verdict, the pictures and the first findings
pytestmark = pytest.mark.skipif(
    EXE is None and not WRITE_SCREENSHOT, reason="chromium is not installed (`make browser` installs it)"
)

PROBES = {
    "verdict": "document.querySelector('#verdict .badge').textContent",
    "scripts": "document.scripts.length",
    "images": "document.images.length",
    "handlers": "[...document.querySelectorAll('*')].filter(e => [...e.attributes]"
    ".some(a => a.name.startsWith('on'))).length",
    "svgs": "document.querySelectorAll('svg').length",
    "findings": "document.querySelectorAll('article.finding').length",
    "text": "document.body.innerText",
    "plots": "[...document.querySelectorAll('section.panel')].map(s => s.id).filter(Boolean)",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    assert EXE is not None, "chromium is not installed (`make browser` installs it)"
    with Chromium(EXE) as b:
        yield b


def _open(browser: Chromium, report: Report, tmp_path: Path) -> PageResult:
    page = tmp_path / "report.html"
    page.write_text(render(report, "html", rules=RULES), encoding="utf-8")
    return browser.open(page.as_uri(), probes=PROBES)


def _assert_quiet_and_offline(result: PageResult, url_prefix: str) -> None:
    assert result.problems() == []
    # The page fetched nothing but itself: inline CSS, inline SVG, no fonts, no images.
    assert all(u.startswith(url_prefix) for u in result.requests), result.requests


def test_fixed_report_renders_without_console_errors(browser: Chromium, tmp_path: Path) -> None:
    report = fixed_report()
    result = _open(browser, report, tmp_path)
    _assert_quiet_and_offline(result, tmp_path.as_uri())
    v = result.values
    assert v["verdict"].strip() == "✖ FAIL"
    assert v["scripts"] == 0 and v["images"] == 0 and v["handlers"] == 0
    assert v["findings"] == len(report.findings)
    assert v["svgs"] >= 5  # scale, balance, missing, noise matrix, outlier scores
    assert {"scale", "balance", "missing"} <= set(v["plots"])
    assert "Most suspicious rows" in v["text"] and "Label health" in v["text"]


def test_hostile_report_runs_nothing_and_shows_the_strings_as_text(browser: Chromium, tmp_path: Path) -> None:
    result = _open(browser, hostile_report(), tmp_path)
    # An injected <script>/onerror/onload would log 'xss-…' (or a CSP violation if blocked).
    _assert_quiet_and_offline(result, tmp_path.as_uri())
    v = result.values
    assert v["scripts"] == 0 and v["images"] == 0 and v["handlers"] == 0
    assert v["verdict"].strip() == "✖ CRASHED"
    for s in HOSTILE_STRINGS:
        assert s.split("'")[0] in v["text"]  # visible to the reader as the characters it is


def test_report_of_a_real_dataset_renders(browser: Chromium, tmp_path: Path) -> None:
    out = tmp_path / "penguins.html"
    # A relative path, from the project root: the report's header shows it as `make demo` does.
    proc = run_cli(
        "check",
        "examples/penguins-raw.csv",
        "--target",
        "Species",
        "--format",
        "html",
        "--output",
        str(out),
        cwd=ROOT,
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert "PASS" in proc.stdout or "FAIL" in proc.stdout  # the terminal summary still printed
    result = browser.open(out.as_uri(), probes=PROBES, screenshot=True, max_height=SCREENSHOT_HEIGHT)
    _assert_quiet_and_offline(result, out.as_uri())
    v = result.values
    assert {"scale", "balance", "missing"} <= set(v["plots"])
    text = v["text"]
    for species in ("Adelie Penguin", "Gentoo penguin", "Chinstrap penguin"):
        assert species in text
    assert "Body Mass (g)" in text and "Comments" in text  # the largest scale, the emptiest column
    assert "examples/penguins-raw.csv" in text
    ran = re.search(r"(\d+) checks ran", proc.stdout)
    assert ran and f"{ran.group(1)} checks ran" in text  # the page and the terminal agree
    shot = result.screenshot
    assert shot is not None and shot.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(shot[16:20], "big"), int.from_bytes(shot[20:24], "big")
    assert (width, height) == (1280, SCREENSHOT_HEIGHT)  # the page is longer than the picture
    if WRITE_SCREENSHOT:
        partial = SCREENSHOT.with_suffix(".png.partial")
        partial.write_bytes(shot)
        partial.replace(SCREENSHOT)  # the docs hold the old picture or the new one, whole
