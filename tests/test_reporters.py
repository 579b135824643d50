"""Every --format from one fixed report: golden files, validity, and hostile strings.

Golden files live in tests/golden/report.FORMAT.*; regenerate them after an
intended change with ``UPDATE_GOLDEN=1 python -m pytest tests/test_reporters.py``
and review the diff. The version string is pinned to GOLDEN_VERSION so a release
does not break them.
"""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from report_fixture import GOLDEN_VERSION, HOSTILE_STRINGS, RULES, fixed_report, hostile_report

import preflight
import preflight.core.version
from preflight.core.findings import Report
from preflight.reporters import FORMATS, render

GOLDEN = Path(__file__).parent / "golden"
SCHEMAS = Path(__file__).parent / "schemas"
ROOT = Path(__file__).resolve().parent.parent
SUFFIX = {
    "text": "txt",
    "json": "json",
    "html": "html",
    "markdown": "md",
    "junit": "xml",
    "sarif": "sarif",
    "github": "log",
}


@pytest.fixture(autouse=True)
def _pinned_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(preflight.core.version, "__version__", GOLDEN_VERSION)


def _render(report: Report, fmt: str) -> str:
    return render(report, fmt, rules=RULES, color=False)


def test_every_format_has_a_golden_file() -> None:
    assert set(FORMATS) == set(SUFFIX)


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_golden(fmt: str) -> None:
    path = GOLDEN / f"report.{SUFFIX[fmt]}"
    got = _render(fixed_report(), fmt)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run with UPDATE_GOLDEN=1"
    assert got == path.read_text(encoding="utf-8"), f"{fmt} output changed; UPDATE_GOLDEN=1 to accept"


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_version_does_not_leak_into_golden(fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A version bump changes only the version string, which the golden test pins."""
    a = _render(fixed_report(), fmt)
    monkeypatch.setattr(preflight.core.version, "__version__", "9.9.9")
    b = _render(fixed_report(), fmt)
    assert a.replace(GOLDEN_VERSION, "9.9.9") == b


# ---- JSON --------------------------------------------------------------------------
def test_json_report_with_profile_validates_against_report_schema() -> None:
    schema = json.loads((ROOT / "schemas" / "report.schema.json").read_text())
    for report in (fixed_report(), hostile_report()):
        doc = json.loads(_render(report, "json"))
        jsonschema.Draft202012Validator(schema).validate(doc)
        assert doc["profile"]["target"]["class_counts"] == report.profile["target"]["class_counts"]  # type: ignore[index]


# ---- SARIF -------------------------------------------------------------------------
def _sarif_validator() -> jsonschema.Draft4Validator:
    # The OASIS SARIF 2.1.0 schema (errata01), vendored: the test validates offline.
    schema = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    return jsonschema.Draft4Validator(schema)


@pytest.mark.parametrize("make", [fixed_report, hostile_report])
def test_sarif_validates_against_sarif_2_1_0_schema(make: Any) -> None:
    report = make()
    doc = json.loads(_render(report, "sarif"))
    errors = sorted(_sarif_validator().iter_errors(doc), key=str)
    assert not errors, [e.message for e in errors[:5]]
    run = doc["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert rule_ids == sorted(set(rule_ids))  # one rule per check
    assert set(rule_ids) >= set(report.checks_run) | {f.code for f in report.findings}
    assert len(run["results"]) == len(report.findings)  # one result per finding
    for result, finding in zip(run["results"], report.findings, strict=True):
        assert rule_ids[result["ruleIndex"]] == result["ruleId"] == finding.code
        assert result["message"]["text"].startswith(finding.message)
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert unquote(uri) == report.dataset.path and " " not in uri and '"' not in uri
        assert result["properties"]["rowCount"] == finding.flagged_rows
    levels = {r["ruleId"]: r["level"] for r in run["results"]}
    assert levels["LB001"] == "error" and levels["CP003"] == "note"
    help_text = {r["id"]: r.get("help", {}).get("text", "") for r in run["tool"]["driver"]["rules"]}
    assert "What it does" in help_text["SN001"]
    assert run["invocations"][0]["executionSuccessful"] is (not report.errors)


def test_sarif_rules_default_to_the_registry_documentation() -> None:
    from preflight.checks import REGISTRY

    # A real run carries its checks' documentation (Report.rules): no rules= needed.
    report = preflight.check(ROOT / "examples" / "penguins-raw.csv", target="Species", select="DQ")
    doc = json.loads(render(report, "sarif"))
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["DQ001"]["name"] == REGISTRY["DQ001"].name
    assert "Why it is bad" in rules["DQ001"]["help"]["text"]


def test_sarif_fingerprints_are_the_baseline_fingerprints(tmp_path: Path) -> None:
    """Code scanning and `--baseline` must agree on which finding is which: the SARIF
    fingerprints are the ones a baseline of the same report holds, and survive rows
    inserted above the problems (a row shift)."""
    from preflight.core.baseline import load_baseline

    raw = ROOT / "examples" / "penguins-raw.csv"
    report = preflight.check(raw, target="Species")
    sarif = json.loads(render(report, "sarif"))["runs"][0]["results"]
    fingerprints = [r["partialFingerprints"]["preflightFinding/v2"] for r in sarif]
    assert len(set(fingerprints)) == len(fingerprints) == len(report.findings)
    baseline = tmp_path / "report.json"
    baseline.write_text(render(report, "json"), encoding="utf-8")
    recorded = load_baseline(str(baseline)).datasets[0]
    assert {e.fingerprint for e in recorded.entries} == set(fingerprints)
    # Rows 40-49 copied to the top: every row below moves, the missing-value problems stay.
    lines = raw.read_text(encoding="utf-8").splitlines(keepends=True)
    shifted = tmp_path / "shifted.csv"
    shifted.write_text("".join([lines[0], *lines[40:50], *lines[1:]]), encoding="utf-8")
    moved = json.loads(render(preflight.check(shifted, target="Species"), "sarif"))["runs"][0]["results"]
    missing = [
        r["partialFingerprints"]["preflightFinding/v2"] for r in moved if r["ruleId"] in ("DQ001", "DQ004")
    ]
    assert missing and set(missing) <= set(fingerprints)


# ---- JUnit -------------------------------------------------------------------------
def test_junit_one_case_per_check_and_parses_as_junit() -> None:
    from junitparser import Error, Failure, JUnitXml, Skipped

    report = hostile_report()
    text = _render(report, "junit")
    xml = JUnitXml.fromstring(text.encode("utf-8"))
    suites = list(xml)
    assert len(suites) == 1
    cases = {c.name.split()[0]: c for c in suites[0]}
    assert sorted(cases) == sorted(set(report.checks_run) | {"SP001"})
    kinds = {code: {type(r) for r in case.result} for code, case in cases.items()}
    assert kinds["LB001"] == {Failure}  # error >= fail-on error
    assert kinds["SN001"] == set()  # warning < fail-on: passes, listed in system-out
    assert "standardize the features" in (cases["SN001"].system_out or "")
    assert kinds["SP001"] == {Skipped}
    assert kinds["DQ003"] == {Error}  # crashed
    suite = suites[0]
    assert (suite.tests, suite.failures, suite.errors, suite.skipped) == (len(cases), 1, 1, 1)


def test_junit_keeps_hostile_strings_as_text() -> None:
    report = hostile_report()
    root = ET.fromstring(_render(report, "junit"))
    texts = [el.text or "" for el in root.iter()] + [v for el in root.iter() for v in el.attrib.values()]
    blob = "\n".join(texts)
    for s in HOSTILE_STRINGS:
        assert s in blob  # round-trips as character data, not markup
    assert not [el for el in root.iter() if el.tag in ("script", "img", "svg")]
    assert "\\x1b" in blob and "\\x00" in blob  # control characters XML cannot hold, made visible


# ---- GitHub annotations ------------------------------------------------------------
_COMMAND = re.compile(r"^::(error|warning|notice) ([^:]*)::(.*)$")


def _unescape(text: str) -> str:
    return (
        text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


def test_github_annotations_one_line_per_finding_with_escaped_properties() -> None:
    report = hostile_report()
    lines = _render(report, "github").splitlines()
    assert len(lines) == len(report.findings) + len(report.errors) + 1
    for line, finding in zip(lines, report.findings, strict=False):
        m = _COMMAND.match(line)
        assert m, line
        kind, props, message = m.groups()
        assert kind == {"error": "error", "warning": "warning", "info": "notice"}[finding.severity.value]
        pairs = dict(p.split("=", 1) for p in props.split(","))
        assert set(pairs) == {"file", "title"}
        assert _unescape(pairs["file"]) == report.dataset.path
        assert _unescape(message).startswith(finding.message)
    assert not lines[-1].startswith("::")
    assert "::error::injected" not in "\n".join(lines).replace("%0A::error::injected", "")


# ---- Markdown ----------------------------------------------------------------------
def _outside_code_blocks(text: str) -> str:
    return re.sub(r"^(`{3,}).*?^\1$", "", text, flags=re.S | re.M)


def test_markdown_escapes_pipes_backticks_and_html() -> None:
    report = hostile_report()
    text = _render(report, "markdown")
    prose = _outside_code_blocks(text)
    for s in HOSTILE_STRINGS:
        assert s not in prose
    assert not re.search(r"<(script|img|svg|b|i)\b", prose, re.I)
    assert "@org" not in prose  # no mention pings from a column name
    assert "\x1b" not in text and "\x00" not in text.replace("\\x00", "")
    table_rows = [line for line in prose.splitlines() if line.startswith("| ")]
    # A header and a rule per cause table and the label-health table, one line per finding and row.
    groups = len({f.cause for f in report.findings}) + 1
    health_rows = min(10, len(report.label_health["issue_rows"]))  # type: ignore[index]
    assert len(table_rows) == 2 * groups + len(report.findings) + health_rows
    for row in table_rows:
        cells = len(re.findall(r"(?<!\\)\|", row))  # escaped pipes do not add cells
        assert cells == (4 if row.startswith(("| row ", "| ---: ")) or row[2].isdigit() else 6), row
    # The generated code keeps the column names (it is code), inside a fence they cannot close.
    fences = re.findall(r"^(`{3,})python$", text, re.M)
    assert fences and len(fences[0]) > 3


def test_markdown_lists_findings_by_cause() -> None:
    text = _render(fixed_report(), "markdown")
    heads = re.findall(r"^### (.*)$", text, re.M)
    assert heads[:4] == [
        "1 · data not preprocessed / not clean",
        "2 · no normalization",
        "3 · sample space too big for the data",
        "4 · labels set wrongly",
    ]
    assert "❌ **FAIL**" in text


# ---- HTML --------------------------------------------------------------------------
class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.handlers: list[tuple[str, str]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.handlers += [(tag, k) for k, _ in attrs if k.lower().startswith("on")]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    p.close()
    return p


def test_html_escapes_every_string_from_the_data() -> None:
    html = _render(hostile_report(), "html")
    parsed = _parse(html)
    assert "script" not in parsed.tags and "img" not in parsed.tags
    assert not parsed.handlers
    assert parsed.tags.count("svg") == len(re.findall(r"<svg ", html))  # only the plots' own svg elements
    assert "<script" not in html.lower() and "<img" not in html.lower()
    text = "".join(parsed.text)
    for s in HOSTILE_STRINGS:
        assert s in text or s.replace("\n", " ") in text or s[:20] in text  # shown to the reader, as text


def test_html_sections_follow_the_report() -> None:
    report = fixed_report()
    html = _render(report, "html")
    parsed = _parse(html)
    text = " ".join("".join(parsed.text).split())
    assert "✖ FAIL" in text
    assert 'http-equiv="Content-Security-Policy"' in html and "default-src 'none'" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing fetched from the network
    for section in ("scale", "balance", "missing", "labels", "outliers", "findings", "preprocessing"):
        assert f'id="{section}"' in html, section
    # The unscaled column is drawn in the flagged colour, the others are not.
    assert re.search(r'font-weight:700">proline</text>', html)
    assert not re.search(r'font-weight:700">hue</text>', html)
    # Given and likely labels of the most suspicious row, and the noise matrix cells.
    assert '<td class="num">110</td><td>class_1</td><td><b>class_0</b></td>' in html
    assert "given class_1, likely class_0: 5" in html
    assert "row 121: score 0.71" in html
    assert "StandardScaler()" in html


def test_html_omits_label_and_outlier_sections_when_absent() -> None:
    import dataclasses

    report = fixed_report()
    plain = dataclasses.replace(
        report, label_health=None, findings=tuple(f for f in report.findings if not f.code.startswith("OL"))
    )
    html = _render(plain, "html")
    assert 'id="labels"' not in html and 'id="outliers"' not in html
    assert 'id="scale"' in html


# ---- every format ------------------------------------------------------------------
@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_no_hostile_string_survives_unescaped(fmt: str) -> None:
    report = hostile_report()
    out = _render(report, fmt)
    assert "\x1b" not in out and "\x07" not in out
    if fmt in ("json", "sarif"):
        json.loads(out)  # the JSON encoder is the escaping; strings round-trip
        assert all(json.dumps(s, ensure_ascii=False)[1:-1] in out for s in HOSTILE_STRINGS)
    elif fmt == "junit":
        ET.fromstring(out)
        assert not any(s in out for s in HOSTILE_STRINGS)
    elif fmt == "markdown":
        assert not any(s in _outside_code_blocks(out) for s in HOSTILE_STRINGS)
    elif fmt == "html":
        assert not any(s in out for s in HOSTILE_STRINGS)
    elif fmt == "github":
        assert all(line.startswith(("::", "preflight ")) for line in out.splitlines())
    elif fmt == "text":
        assert all(len(line) < 2000 for line in out.splitlines())


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_renders_a_report_without_profile_or_findings(fmt: str) -> None:
    import dataclasses

    empty = dataclasses.replace(
        fixed_report(),
        findings=(),
        label_health=None,
        preprocessing=None,
        profile=None,
        skipped=(),
        errors=(),
    )
    out = _render(empty, fmt)
    assert out.strip()
    if fmt == "html":
        assert "✔ PASS" in out


def test_markdown_summarises_a_long_tail_of_findings() -> None:
    import dataclasses

    from preflight.core.findings import Finding, Severity

    many = tuple(
        Finding(
            code="DQ001",
            name="data-quality.missing-values",
            category="data-quality",
            cause=1,
            severity=Severity.WARNING if i % 7 else Severity.ERROR,
            message=f"'c{i:03d}' is missing",
            columns=(f"c{i:03d}",),
            rows=(i,),
        )
        for i in range(120)
    )
    report = dataclasses.replace(fixed_report(), findings=tuple(sorted(many, key=Finding.sort_key)))
    text = _render(report, "markdown")
    assert sum(line.startswith("| 🟠") or line.startswith("| 🔴") for line in text.splitlines()) == 50
    assert "… and 70 more (warning at worst)" in text
    assert len(text) < 65_536  # fits a pull-request comment


@pytest.mark.parametrize(
    "health",
    [
        {"issue_rows": 5, "noise_matrix": "n/a"},
        {"issue_rows": [1, 2], "noise_matrix": {"a": 3, "b": 1}, "suggested_labels": {"1": "b"}},
        {"estimated_noise_rate": "high", "noise_matrix": {"labels": ["a"], "matrix": [[1, 2]]}},
    ],
)
def test_html_survives_label_health_shapes_it_cannot_draw(health: dict[str, Any]) -> None:
    import dataclasses

    report = dataclasses.replace(fixed_report(), label_health=health)
    html = _render(report, "html")
    assert 'id="findings"' in html and "✖ FAIL" in html
    assert "label noise matrix" not in html  # no heatmap from a shape it cannot read


def test_a_check_without_documentation_still_makes_valid_sarif_and_junit() -> None:
    import dataclasses

    from preflight.core.findings import Finding, Severity

    stranger = Finding(
        code="XX001",
        name="x.new-check",
        category="schema",
        cause=None,
        severity=Severity.WARNING,
        message="something new",
    )
    report = dataclasses.replace(fixed_report(), findings=(stranger,), checks_run=("XX001",), skipped=())
    doc = json.loads(render(report, "sarif", rules={}))
    assert not list(_sarif_validator().iter_errors(doc))
    rule = doc["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["id"] == "XX001" and rule["fullDescription"]["text"] == "x.new-check"
    case = ET.fromstring(render(report, "junit", rules={})).find("testsuite/testcase")
    assert case is not None and case.get("name") == "XX001 x.new-check"
    assert "beyond the four causes" in render(report, "markdown")


def test_html_draws_the_learning_curve_from_cp007_evidence() -> None:
    report = preflight.check(ROOT / "examples" / "penguins.csv", target="species", select="CP007")
    curve = next(f for f in report.findings if f.code == "CP007").evidence["curve"]
    html = render(report, "html")
    assert 'aria-label="learning curve"' in html
    assert html.count("<circle") >= len(curve)  # one marker per point of the curve
    assert f"{curve[-1]['rows']:,} training rows" in html
