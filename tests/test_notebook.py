"""preflight in a notebook: the report displays as HTML, its findings and rows come out as
data, and a polars DataFrame is checked like a pandas one.

On the raw Palmer penguins (examples/penguins-raw.csv) with problems planted at known
rows and two column names that are markup.
"""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest
from conftest import EXAMPLES, ROOT
from report_fixture import IMG, SCRIPT
from well_formed import _Balance

import preflight
from preflight.core.errors import PreflightError
from preflight.core.findings import Report
from preflight.core.wording import plural
from preflight.reporters import render

INFINITE_ROWS = [40, 60]  # "Flipper Length (mm)" = inf: DQ007
REPEATED = [300, 301, 302, 303]  # appended again at the end: DQ003 flags the repeats
MAX_ROWS = 5  # the reports list 5 rows per finding; rows(code) must give them all


def planted() -> pd.DataFrame:
    df = pd.read_csv(EXAMPLES / "penguins-raw.csv")
    df.loc[INFINITE_ROWS, "Flipper Length (mm)"] = np.inf
    df = pd.concat([df, df.iloc[REPEATED]], ignore_index=True)
    # Column names are data too: markup that would run if the HTML did not escape it.
    return df.rename(columns={"Comments": SCRIPT, "Island": IMG})


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return planted()


@pytest.fixture(scope="module")
def report(frame: pd.DataFrame) -> Report:
    return preflight.check(frame, target="Species", max_rows=MAX_ROWS)


class _Frame(HTMLParser):
    """The notebook output's tags, with their attributes unescaped as a browser reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.handlers: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_report_is_a_report_and_displays_as_one_sandboxed_frame(report: Report) -> None:
    assert isinstance(report, Report)
    out = report._repr_html_()  # type: ignore[attr-defined]
    assert out is not None
    outer = _Frame()
    outer.feed(out)
    outer.close()
    # One element and nothing else: no <script>, no <style> or <html> to fight the notebook's.
    assert [tag for tag, _ in outer.tags] == ["iframe"]
    attrs = outer.tags[0][1]
    assert attrs["sandbox"] == ""  # no scripts, no same-origin, even if escaping failed
    assert "height:" in (attrs["style"] or "")
    page = attrs["srcdoc"]
    assert page is not None
    assert page == render(report, "html", rules=report.rules)  # the HTML report itself, intact


def test_the_embedded_page_is_well_formed_and_shows_hostile_names_as_text(report: Report) -> None:
    out = report._repr_html_()  # type: ignore[attr-defined]
    outer = _Frame()
    outer.feed(out)
    page = outer.tags[0][1]["srcdoc"]
    assert page is not None
    balance = _Balance()
    balance.feed(page)
    balance.close()
    assert balance.problems == [] and balance.stack == []
    tags = _Tags()
    tags.feed(page)
    tags.close()
    assert "script" not in tags.tags and "img" not in tags.tags
    assert tags.handlers == []
    text = "".join(tags.text)
    assert SCRIPT in text and IMG in text  # the reader sees the names as the characters they are
    # And in the notebook's own markup the page is one attribute: no tag of it is live there.
    assert "<script" not in out and "<img" not in out


def test_to_frame_has_one_row_per_finding_as_in_the_json_report(report: Report) -> None:
    table = report.to_frame()
    findings = json.loads(render(report, "json"))["findings"]
    assert list(table.columns) == ["code", "severity", "cause", "columns", "row_count", "message", "fix"]
    assert len(table) == len(findings) > 10
    for row, f in zip(table.itertuples(index=False), findings, strict=True):
        assert row.code == f["code"] and row.severity == f["severity"]
        assert (None if pd.isna(row.cause) else int(row.cause)) == f["cause"]
        assert list(row.columns) == f["columns"]
        assert row.row_count == f["row_count"]
        assert row.message == f["message"]
        assert row.fix == (f["fix"]["summary"] if f["fix"] else None)
    # The table answers notebook questions directly.
    assert table.loc[table["code"] == "DQ007", "columns"].tolist() == [("Flipper Length (mm)",)]
    assert table.loc[table["code"] == "DQ003", "row_count"].tolist() == [len(REPEATED)]
    assert table["cause"].isna().tolist() == [f["cause"] is None for f in findings]


def test_rows_gives_the_planted_rows_every_one_not_only_the_listed(
    report: Report, frame: pd.DataFrame
) -> None:
    n = len(frame) - len(REPEATED)
    assert report.rows("DQ007") == INFINITE_ROWS
    assert report.rows("DQ003") == list(range(n, n + len(REPEATED)))
    assert (
        frame.iloc[report.rows("DQ003")]
        .reset_index(drop=True)
        .equals(frame.iloc[REPEATED].reset_index(drop=True))
    )
    # DQ001: one finding per column; the JSON lists MAX_ROWS of each, rows() the union of all.
    missing = [f for f in json.loads(render(report, "json"))["findings"] if f["code"] == "DQ001"]
    assert len(missing) > 1 and all(len(f["rows"]) <= MAX_ROWS for f in missing)
    expected = frame[[f["columns"][0] for f in missing]].isna().any(axis=1)
    assert report.rows("DQ001") == np.flatnonzero(expected.to_numpy()).tolist()
    assert len(report.rows("DQ001")) > 290  # 'Comments' alone is missing in 290 rows
    # A check that ran and found nothing: no rows; one that did not run: an error, not [].
    assert report.rows("DQ002") == []
    with pytest.raises(ValueError, match="'DQ01' did not run"):
        report.rows("DQ01")


def test_rows_of_split_findings_name_their_file(report: Report) -> None:
    from dataclasses import replace

    from preflight.core.findings import Finding, Severity

    def split(file: str, rows: tuple[int, ...]) -> Finding:
        evidence = {"rows_refer_to": file}
        return Finding(
            "SP001", "test-train-overlap", "split", None, Severity.ERROR, "m", rows=rows, evidence=evidence
        )

    both = replace(report, findings=(split("test", (1, 3)), split("valid", (2,))))
    with pytest.raises(ValueError, match="different files"):
        both.rows("SP001")
    assert both.rows("SP001", file="test") == [1, 3]
    assert both.rows("SP001", file="valid") == [2]


def test_polars_input_gives_the_same_report_as_pandas(report: Report, frame: pd.DataFrame) -> None:
    pl = pytest.importorskip("polars")
    from_polars = preflight.check(pl.from_pandas(frame), target="Species", max_rows=MAX_ROWS)
    assert isinstance(from_polars, Report)
    assert render(from_polars, "json") == render(report, "json")


def test_polars_is_imported_only_for_a_polars_frame() -> None:
    code = (
        "import sys, pandas as pd, preflight\n"
        "df = pd.DataFrame({'x': [1.0, 2.0, 3.0, 4.0] * 5, 'y': ['a', 'b'] * 10})\n"
        "preflight.check(df, target='y', select='DQ')\n"
        "print('polars' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False"


def test_what_is_not_a_frame_is_refused_in_one_sentence() -> None:
    pl = pytest.importorskip("polars")
    with pytest.raises(PreflightError, match=r"LazyFrame is a query.*collect\(\)"):
        preflight.check(pl.DataFrame({"x": [1, 2]}).lazy(), target="x")
    with pytest.raises(PreflightError, match="cannot check a ndarray: pass a path, a pandas DataFrame"):
        preflight.check(np.zeros((3, 2)), target="x")  # type: ignore[arg-type]


def test_repr_is_the_verdict_line(report: Report) -> None:
    # Jupyter computes the plain-text repr beside the HTML; the dataclass one runs to pages.
    summary = report.summary
    assert repr(report) == (
        f"<preflight Report FAIL: {plural(summary['error'], 'error')} · {summary['warning']} warnings · "
        f"{summary['info']} info · '<dataframe>', {len(report.checks_run)} checks ran>"
    )
    assert summary["error"] >= 1  # the infinities


def test_the_example_file_through_polars_reads_as_it_does_from_pandas() -> None:
    # Dates, categoricals and nulls keep their meaning through Arrow.
    pl = pytest.importorskip("polars")
    df = pd.read_csv(EXAMPLES / "penguins-raw.csv", parse_dates=["Date Egg"])
    df["Island"] = df["Island"].astype("category")
    a = preflight.check(df, target="Species", models=False)
    b = preflight.check(pl.from_pandas(df), target="Species", models=False)
    assert [(f.code, f.columns, f.rows) for f in b.findings] == [
        (f.code, f.columns, f.rows) for f in a.findings
    ]
    assert [c.semantic for c in b.columns] == [c.semantic for c in a.columns]
