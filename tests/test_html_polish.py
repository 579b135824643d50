"""The HTML report's pictures on a planted table: numbers stored as text in the scale
plot, missing-value markers in the missing panel, a learning-curve axis that fits its
scores, and long tables that fill the width (the layout in a real browser)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from browser import Chromium, find_chromium
from conftest import EXAMPLES
from planted_penguins import QUESTION_ROWS, SENTINEL_ROWS, planted_penguins
from report_fixture import RULES, fixed_report

import preflight
from preflight.core.findings import Finding, Report, Severity
from preflight.reporters import render
from preflight.reporters.html import context
from preflight.reporters.html.plots import learning_curve, score_axis


@pytest.fixture(scope="module")
def planted_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    path = planted_penguins(tmp_path_factory.mktemp("planted") / "planted.csv")
    # The cheap checks are enough: the profile section is built whatever ran.
    return preflight.check(path, target="species", select="DQ,SC,SN")


def test_numbers_stored_as_text_are_in_the_scale_plot(planted_report: Report) -> None:
    assert any(f.code == "SC002" and f.columns == ("body_mass_g",) for f in planted_report.findings)
    rows = {r["name"]: r for r in context(planted_report)["scale"]["rows"]}
    # "3,750" parsed: the body mass is the widest feature, as in the clean penguins.
    assert rows["body_mass_g"]["magnitude"] == pytest.approx(5650)
    assert rows["body_mass_g"]["flagged"]
    assert max(rows, key=lambda n: rows[n]["magnitude"]) == "body_mass_g"
    html = render(planted_report, "html")
    assert "<title>body_mass_g: 5th–95th percentile 3,150 … 5,650," in html


def test_identifiers_are_not_drawn_as_features() -> None:
    report = preflight.check(EXAMPLES / "penguins-raw.csv", target="Species", select="DQ006")
    profile = {c["name"]: c for c in (report.profile or {})["columns"]}
    assert profile["Sample Number"]["role"] == "id"  # counts 1, 2, 3 … in each study
    names = {r["name"] for r in context(report)["scale"]["rows"]}
    assert "Sample Number" not in names and "Body Mass (g)" in names


def test_the_missing_panel_counts_markers_beside_true_nulls(planted_report: Report) -> None:
    missing = context(planted_report)["missing"]
    rows = {r["name"]: r for r in missing["rows"]}
    length = rows["bill_length_mm"]  # 2 empty cells (rows 3, 271) and three -999
    assert (length["missing"], length["nulls"], length["markers"]) == (2 + len(SENTINEL_ROWS), 2, 3)
    sex = rows["sex"]  # 11 empty cells and two "?"
    assert (sex["missing"], sex["markers"]) == (11 + len(QUESTION_ROWS), 2)
    assert rows["bill_depth_mm"]["markers"] == 0
    assert length["null_width"] + length["marker_width"] == pytest.approx(length["width"], abs=0.11)
    assert missing["any_markers"]
    html = render(planted_report, "html")
    assert "<title>bill_length_mm: 5 missing (1.4%): 2 empty, 3 markers</title>" in html
    assert "<title>sex: 13 missing (3.7%): 11 empty, 2 markers</title>" in html
    assert html.count('<rect class="markers"') == 2
    assert "missing-value markers" in html  # the legend
    # The JSON report carries the count the picture is drawn from.
    profile = {c["name"]: c for c in planted_report.to_dict()["profile"]["columns"]}
    assert (profile["bill_length_mm"]["missing"], profile["bill_length_mm"]["markers"]) == (5, 3)


def _curve_finding(scores: list[float], train: list[float] | None = None) -> Finding:
    points = [
        {"fraction": r / 400, "rows": r, "score": s, **({"train_score": train[i]} if train else {})}
        for i, (r, s) in enumerate(zip([25, 50, 100, 200, 400], scores, strict=True))
    ]
    return Finding(
        code="CP007",
        name="capacity.learning-curve",
        category="capacity",
        cause=3,
        severity=Severity.INFO,
        message="the held-out score at growing fractions of the data",
        evidence={"metric": "balanced accuracy", "curve": points},
    )


def test_the_learning_curve_axis_fits_its_scores() -> None:
    curve = learning_curve([_curve_finding([0.95, 0.96, 0.975, 0.985, 0.99])])
    assert curve is not None
    assert (curve["low"], curve["high"]) == (0.94, 1.0)  # not 0 .. 1
    ticks = [t["value"] for t in curve["ticks"]]
    assert ticks[0] == curve["low"] and ticks[-1] == curve["high"] and len(ticks) >= 3
    ys = [p["y"] for p in curve["labels"]]
    top, bottom = curve["y_top"], curve["y_bottom"]
    assert all(top < y < bottom for y in ys)  # a margin on both sides
    assert max(ys) - min(ys) > 0.5 * (bottom - top)  # the data use the plot's height
    html = render(
        dataclasses.replace(fixed_report(), findings=(_curve_finding([0.95, 0.96, 0.975, 0.985, 0.99]),)),
        "html",
        rules=RULES,
    )
    labels = re.findall(
        r'text-anchor="end" class="small">([0-9.]+)</text>', html.split('aria-label="learning curve"')[1]
    )
    assert labels[0] == "0.94" and labels[-1] == "1"


def test_the_learning_curve_axis_covers_scores_outside_zero_one() -> None:
    low, high, _ = score_axis(-0.3, 0.8)  # an R² below zero
    assert low <= -0.3 - 0.1 and high >= 0.8
    low, high, _ = score_axis(0.2, 0.9)
    assert (low, high) == (0.0, 1.0)  # balanced accuracy stays inside [0, 1]
    curve = learning_curve([_curve_finding([0.9, 0.93, 0.95, 0.96, 0.97], [1.0] * 5)])
    assert curve is not None and curve["high"] == 1.0 and curve["train_points"]


EXE = find_chromium()


@pytest.mark.skipif(EXE is None, reason="chromium is not installed (`make browser` installs it)")
def test_a_long_table_leaves_no_empty_half_page(tmp_path: Path) -> None:
    report = fixed_report()
    health = dict(report.label_health or {})
    rows = list(range(100, 150))
    health["issue_rows"] = rows
    health["suggested_labels"] = {str(r): "class_0" for r in rows}
    health["given_labels"] = {str(r): "class_1" for r in rows}
    health["label_quality"] = {str(r): 0.01 * i for i, r in enumerate(rows)}
    page = tmp_path / "report.html"
    page.write_text(render(dataclasses.replace(report, label_health=health), "html", rules=RULES))
    probes = {
        "tables": "[...document.querySelectorAll('#label-health table')].map(t => {"
        " const r = t.getBoundingClientRect(); return [r.left, r.top, r.height]; })",
        "panel": "document.querySelector('#label-health').getBoundingClientRect().height",
        "figure": "document.querySelector('#label-health figure').getBoundingClientRect().height",
    }
    assert EXE is not None
    with Chromium(EXE) as browser:
        result = browser.open(page.as_uri(), probes=probes, width=1280)
    assert result.problems() == []
    tables = result.values["tables"]
    assert len(tables) == 5  # 50 rows in tables of 12
    first_line = [t for t in tables if t[1] == tables[0][1]]
    assert len(first_line) >= 2  # side by side, beside the matrix
    one_long_table = sum(t[2] for t in tables)  # the height one 50-row table would take
    assert result.values["panel"] < 0.6 * one_long_table + result.values["figure"]


def test_the_noise_matrix_never_paints_a_near_zero_share_red() -> None:
    from preflight.reporters.html.label_health import _heatmap

    def cells(matrix: list[list[float]]) -> dict[tuple[str, str], dict[str, object]]:
        out = _heatmap({"labels": ["a", "b"], "matrix": matrix})
        assert out is not None
        return {(c["given"], c["likely"]): c for c in out["cells"]}

    # Noise of 0.2% of the rows: faint, and written as a share that is not 0.
    quiet = cells([[0.600, 0.002], [0.001, 0.397]])
    assert quiet["a", "b"]["text"] == "<0.01" and float(quiet["a", "b"]["opacity"]) < 0.1  # type: ignore[arg-type]
    # Real noise (10% of the rows) keeps the full colour on its largest cell.
    noisy = cells([[0.45, 0.10], [0.05, 0.40]])
    assert noisy["a", "b"]["text"] == "0.10" and noisy["a", "b"]["opacity"] == 1.0
    assert noisy["b", "a"]["opacity"] == 0.5
    # Counts scale the same way: 3 of 1,000 rows is faint.
    counts = cells([[600.0, 3.0], [0.0, 397.0]])
    assert counts["a", "b"]["text"] == "3" and float(counts["a", "b"]["opacity"]) < 0.1  # type: ignore[arg-type]
