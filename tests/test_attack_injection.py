"""Injection through output: hostile column names, values and file names, run through
the real command line in every format, and through ``--rows-out``.

What must hold: nothing from the data drives the terminal (no raw ESC, C1 or bidi
control, no stray carriage return or tab); no line of output starts with ``::`` (a
GitHub Actions workflow command) unless it is a genuine annotation of the github
format, one line each, its data percent-encoded; the structured formats parse with
real parsers; HTML has no markup from the data; Markdown tables keep their shape;
the rows-out CSV opens in a spreadsheet without running a formula.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, run_cli

from preflight.core.escape import SafeFormatter, json_safe, safe, safe_lines, safe_path
from preflight.core.outputs.rows import spreadsheet_safe
from preflight.reporters import FORMATS

NEWLINE_COMMAND = "k\n::error title=x::"
ESC_NAME = "\x1b[31mred"
CR_NAME = "a\rb"
SCRIPT_NAME = "</script><script>alert(1)</script>"
FORMULA_NAME = "=cmd|' /C calc'!A0"
BIDI_NAME = "bidi\u202eevil"
HOSTILE_NAMES = (NEWLINE_COMMAND, ESC_NAME, CR_NAME, SCRIPT_NAME, FORMULA_NAME, BIDI_NAME)
# A category spelled with a trailing ESC (and one with a bidi override): DQ008 pairs it
# with the clean spelling. A disguised null made of C0 controls around "?": DQ004.
ESC_CATEGORY = "Biscoe\x1b"
MARKER = "\x1c?\x1d"
# Starts with a workflow command, breaks the line, recolours the terminal.
FILE_NAME = "::warning title=f::\n\x1b[31mdata.parquet"
CSV_NAME = "::warning title=f::\n\x1b[31mdata.csv"

# Everything a terminal or a log reader could act on, except the newline between lines.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
ANNOTATION = re.compile(r"^::(error|warning|notice) file=([^,:]*),title=([^,:]*)::(.*)$")


def hostile_frame(n: int = 240) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    island = np.array(["Biscoe", "Dream", "Torgersen"], dtype=object)[rng.integers(0, 3, n)]
    island[::40] = ESC_CATEGORY
    island[1::40] = "Dream\u202e"
    missing = rng.normal(size=n)
    missing[::17] = np.nan
    marked = rng.normal(size=n).round(2).astype(str).astype(object)
    marked[::20] = MARKER
    return pd.DataFrame(
        {
            NEWLINE_COMMAND: missing,
            ESC_NAME: rng.normal(1e6, 1e5, size=n),
            CR_NAME: island,
            SCRIPT_NAME: rng.exponential(size=n) ** 3,
            FORMULA_NAME: np.where(np.arange(n) % 13 == 0, np.nan, rng.normal(size=n)),
            BIDI_NAME: rng.normal(size=n),
            "m": marked,
            "y": rng.integers(0, 2, n),
        }
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory holding the hostile table as parquet and CSV, under hostile names."""
    folder = tmp_path_factory.mktemp("injection")
    frame = hostile_frame()
    frame.to_parquet(folder / FILE_NAME, index=False)
    # Hostile input is not this module's subject: the CSV's names have no line breaks, which
    # the CSV reader refuses in a header (pyarrow's newlines_in_values is off).
    frame.rename(columns={NEWLINE_COMMAND: "k::error title=x::", CR_NAME: "ab"}).to_csv(
        folder / CSV_NAME, index=False
    )
    return folder


def assert_inert(text: str, *, annotations: bool = False) -> None:
    """No control character but the newline; no line a CI runner would execute."""
    found = UNSAFE.search(text)
    assert found is None, (
        f"raw {found.group()!r} in output: {text[max(0, found.start() - 60) : found.end() + 60]!r}"
    )
    for line in text.split("\n"):
        # GitHub's runner trims leading blanks before it looks for "::".
        if line.lstrip().startswith("::"):
            assert annotations and ANNOTATION.match(line), f"a workflow command from the data: {line!r}"


def check(workdir: Path, *args: str, name: str = FILE_NAME) -> tuple[int, str, str]:
    result = run_cli("check", name, "--target", "y", "--no-models", *args, cwd=workdir)
    assert result.returncode in (0, 1), result.stderr
    return result.returncode, result.stdout, result.stderr


@pytest.fixture(scope="module")
def report(workdir: Path) -> dict:
    """The JSON report of the hostile file (also checks that the JSON is inert)."""
    _, out, err = check(workdir, "--format", "json")
    assert_inert(out + err)
    doc: dict = json.loads(out)
    return doc


# ---- every format through the real CLI -----------------------------------------------
def test_json_round_trips_the_hostile_strings(report: dict) -> None:
    assert report["dataset"]["path"] == FILE_NAME
    names = [c["name"] for c in report["profile"]["columns"]]
    assert set(HOSTILE_NAMES) <= set(names)
    # The hostile values were found: the ESC category (DQ008) and the control-character marker (DQ004).
    assert {"DQ001", "DQ004", "DQ008"} <= {f["code"] for f in report["findings"]}
    evidence = set(_strings([f["evidence"] for f in report["findings"]]))
    assert MARKER in evidence and ESC_CATEGORY in evidence  # kept as data: json.loads restores them


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_is_inert(workdir: Path, fmt: str, report: dict) -> None:
    _, out, err = check(workdir, "--format", fmt)
    assert_inert(err)
    assert_inert(out, annotations=fmt == "github")
    if fmt in ("json", "sarif"):
        json.loads(out)
    if fmt == "sarif":
        import jsonschema

        schema = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
        jsonschema.Draft4Validator(schema).validate(json.loads(out))
    elif fmt == "junit":
        from junitparser import JUnitXml

        root = ET.fromstring(out)
        assert root.tag == "testsuites"
        assert len(list(JUnitXml.fromstring(out.encode("utf-8")))) == 1
        blob = " ".join(
            [el.text or "" for el in root.iter()] + [v for el in root.iter() for v in el.attrib.values()]
        )
        assert "\\x1b[31mred" in blob and "\\u202e" in blob  # visible, not raw
    elif fmt == "html":
        _assert_no_markup_from_data(out)
    elif fmt == "markdown":
        _assert_tables_keep_their_shape(out)
        # Outside fenced code (shown literally) no tag from the data: GitHub renders inline HTML.
        prose = re.sub(r"^(`{3,}).*?^\1$", "", out, flags=re.S | re.M)
        assert "<script" not in prose.lower() and "&lt;/script&gt;&lt;script&gt;" in prose
    elif fmt == "github":
        _assert_annotations(out, report)
    elif fmt == "text":
        assert "\\x1b[31mred" in out and "\\u202e" in out  # shown, escaped
        assert out.startswith("preflight · ::warning title=f::\\x0a\\x1b[31mdata.parquet · ")


def _assert_no_markup_from_data(html: str) -> None:
    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[str] = []
            self.text: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append(tag)

        def handle_data(self, data: str) -> None:
            self.text.append(data)

    parsed = Tags()
    parsed.feed(html)
    parsed.close()
    assert "script" not in parsed.tags
    assert "<script" not in html.lower() and "</script" not in html.lower()
    assert SCRIPT_NAME in "".join(parsed.text)  # shown to the reader, as text


def _assert_tables_keep_their_shape(markdown: str) -> None:
    """Each table's rows have as many (unescaped) pipes as its header."""
    width = None
    for line in markdown.split("\n"):
        if not line.startswith("|"):
            width = None
            continue
        cells = len(re.findall(r"(?<!\\)\|", line))
        if width is None:
            width = cells
        assert cells == width, line
    assert "\\x1b\\[31mred" in markdown  # the name, escaped for the terminal and for Markdown


def _unescape(text: str) -> str:
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def _assert_annotations(out: str, report: dict) -> None:
    lines = out.rstrip("\n").split("\n")
    assert len(lines) == len(report["findings"]) + len(report["errors"]) + 1
    for line, finding in zip(lines, report["findings"], strict=False):
        m = ANNOTATION.match(line)
        assert m, line
        _, file, title, message = m.groups()
        assert _unescape(file) == FILE_NAME.replace("\x1b", "\\x1b")
        assert _unescape(title) == f"preflight {finding['code']} {finding['name']}"
        assert _unescape(message).startswith(safe(finding["message"]))
    assert lines[-1].startswith("preflight ")  # the plain summary line


def test_text_verbose_from_csv_is_inert(workdir: Path) -> None:
    """-v adds the generated code and the skipped list; the CSV reader keeps the names
    (but the line breaks: pyarrow's CSV reader does not take a quoted line break in the
    header, see CSV_NAME)."""
    _, out, err = check(workdir, "-v", name=CSV_NAME)
    assert_inert(out + err)
    assert "ColumnTransformer" in out


def test_quiet_verdict_line(workdir: Path) -> None:
    _, out, err = check(workdir, "-q")
    assert_inert(out + err)
    # One line; the path starts with "::", so it is written "./::..." (the same file).
    assert out.count("\n") == 1
    assert re.fullmatch(
        r"\./::warning title=f::\\x0a\\x1b\[31mdata\.parquet: pass \(0 errors, \d+ warnings?\)\n", out
    )


@pytest.mark.parametrize("fail_on", ["warning", "never"])
def test_pre_commit(workdir: Path, fail_on: str) -> None:
    """A failing file prints its whole report, a passing one its verdict line."""
    code, out, err = check(workdir, "--pre-commit", "--fail-on", fail_on)
    assert code == (1 if fail_on == "warning" else 0)
    assert_inert(out + err)
    if fail_on == "never":
        assert out.startswith("./::warning title=f::\\x0a")


def test_usage_error_quoting_the_argument_is_inert(workdir: Path) -> None:
    result = run_cli("check", FILE_NAME, "--task", "\x1b[31m\n::error::x", cwd=workdir)
    assert result.returncode == 2
    assert_inert(result.stdout + result.stderr)
    assert "\\x1b[31m" in result.stderr


def test_error_line_is_inert(workdir: Path) -> None:
    result = run_cli("check", FILE_NAME, "--target", "\x1b[2Jnope\n::error::x", cwd=workdir)
    assert result.returncode == 2
    assert_inert(result.stdout + result.stderr)
    assert result.stderr.count("\n") == 1


# ---- infer-schema and fix ------------------------------------------------------------
def test_infer_schema_wrote_line(workdir: Path, tmp_path: Path) -> None:
    out = "o::x\n::error::\x1b[31m.yaml"
    result = run_cli("infer-schema", FILE_NAME, "--target", "y", "-o", str(tmp_path / out), cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert_inert(result.stdout + result.stderr)
    assert (tmp_path / out).exists()
    assert "wrote " in result.stderr


def test_infer_schema_to_stdout_is_inert(workdir: Path) -> None:
    result = run_cli("infer-schema", FILE_NAME, "--target", "y", "-o", "-", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert_inert(result.stdout + result.stderr)
    # The hostile names are escapes inside double quotes, and still the same names.
    import yaml

    columns = yaml.safe_load(result.stdout)["columns"]
    assert set(pd.read_parquet(workdir / FILE_NAME).columns) <= set(columns)


def test_fix_summary_and_plan_code(workdir: Path, tmp_path: Path) -> None:
    out = tmp_path / "o::error::\n\x1b[31m.parquet"
    result = run_cli("fix", FILE_NAME, "--target", "y", "-o", str(out), cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert_inert(result.stdout + result.stderr)
    assert result.stdout.startswith("preflight fix · ::warning title=f::\\x0a\\x1b[31mdata.parquet")
    # The generated code names the columns as literals: no invisible bidi control in it.
    code = (tmp_path / "o::error::\n\x1b[31m.plan.py").read_text(encoding="utf-8")
    assert "\u202e" not in code and "\\u202e" in code
    compile(code, "plan.py", "exec")


# ---- the progress line -----------------------------------------------------------------
def test_progress_line_escapes_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    from preflight.cli.progress import ProgressLine

    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    line = ProgressLine(enabled=True)
    line.show(f"reading {FILE_NAME}")
    line.clear()
    written = err.getvalue()
    # Only the line's own control: carriage return and erase-line.
    assert written == "\r\x1b[Kreading ::warning title=f::\\x0a\\x1b[31mdata.parquet\r\x1b[K"


@pytest.mark.skipif(os.name != "posix", reason="needs a pseudo-terminal")
def test_progress_line_on_a_terminal(workdir: Path) -> None:
    """Under a real pty (stderr a terminal: progress and colour on) the path is escaped."""
    import pty
    import subprocess

    leader, follower = pty.openpty()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen(
        [sys.executable, "-m", "preflight", "check", FILE_NAME, "--target", "y", "--no-models"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        cwd=workdir,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert proc.wait(timeout=120) in (0, 1)
    seen = b"".join(chunks).decode("utf-8")
    assert "reading ::warning title=f::\\x0a\\x1b[31mdata.parquet" in seen
    # Every ESC is preflight's own: erase-line or a colour (SGR) from click.style, and the
    # hostile ones never reach the terminal as such (here "ESC[31m" followed by "red").
    assert FILE_NAME not in seen and "\x1b[31mred" not in seen and "\x1b[31mdata" not in seen
    assert not re.search(r"\x1b(?!\[K|\[[0-9;]*m)", seen)
    assert "\u202e" not in seen


# ---- rows-out ------------------------------------------------------------------------
def test_rows_out_csv_is_spreadsheet_safe(workdir: Path, tmp_path: Path) -> None:
    rows_csv, rows_pq, doc = tmp_path / "rows.csv", tmp_path / "rows.parquet", tmp_path / "r.json"
    check(workdir, "--format", "json", "--output", str(doc), "--rows-out", str(rows_csv))
    check(workdir, "--format", "json", "--output", str(doc), "--rows-out", str(rows_pq))
    report = json.loads(doc.read_text(encoding="utf-8"))
    flagged = {
        (f["evidence"].get("rows_refer_to", "train"), r) for f in report["findings"] for r in f["rows"]
    }
    assert all(f["row_count"] == len(f["rows"]) for f in report["findings"])  # nothing capped here

    with rows_csv.open(newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    assert table[0] == ["row", "codes", "columns", "file"]
    assert len(table) - 1 == len(flagged)
    for row in table[1:]:
        assert row[0].isdigit()
        for cell in row[1:]:
            for item in cell.split(";"):
                assert not item[:1] or item[0] not in "=+-@\t\r", cell
    raw = rows_csv.read_text(encoding="utf-8")
    assert re.search(r"^\d+,", raw.split("\n", 2)[1])  # the row number is not quoted: a number

    frame = pd.read_csv(rows_csv, keep_default_na=False)
    assert len(frame) == len(flagged)
    assert frame["row"].dtype.kind == "i"
    listed = {item for cell in frame["columns"] for item in cell.split(";")}
    assert "'" + FORMULA_NAME in listed and FORMULA_NAME not in listed
    assert NEWLINE_COMMAND in listed and CR_NAME in listed  # line breaks stay inside their cell

    # Parquet is not a spreadsheet format: the names stay as they are.
    parquet = pd.read_parquet(rows_pq)
    assert len(parquet) == len(flagged)
    assert FORMULA_NAME in {item for cell in parquet["columns"] for item in cell.split(";")}


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a;=b;c", "a;'=b;c"),
        ("DQ001;OL001", "DQ001;OL001"),
        ("x=1", "x=1"),
        ("", ""),
    ],
)
def test_spreadsheet_safe(cell: str, written: str) -> None:
    assert spreadsheet_safe(cell) == written


# ---- the escaping functions ------------------------------------------------------------
def test_safe_is_one_visible_line() -> None:
    assert (
        safe("k\n::x\r\t\x1b[31m\x7f\x9b\u202e\u2028")
        == "k\\x0a::x\\x0d\\x09\\x1b[31m\\x7f\\x9b\\u202e\\u2028"
    )
    assert safe("\udcff") == "\\udcff"  # a non-UTF-8 file name: printable, not a crash
    assert safe("naïve 名前 😀") == "naïve 名前 😀"
    assert safe_lines("a\x1b\nb\r") == "a\\x1b\nb\\x0d"
    assert safe_path("::error::x.csv") == "./::error::x.csv"
    assert safe_path(" ::x") == "./ ::x"
    assert safe_path("data/a::b.csv") == "data/a::b.csv"


def test_json_safe_is_the_same_json() -> None:
    value = {"k": "a\u202e\x85\u2028\x1b😀 é"}
    dumped = json_safe(json.dumps(value, ensure_ascii=False))
    assert json.loads(dumped) == value
    assert not re.search("[\x7f-\x9f\u202e\u2028]", dumped) and "😀 é" in dumped


def test_log_records_are_escaped_and_cannot_pass_for_a_line() -> None:
    formatter = SafeFormatter("preflight: %(name)s: %(message)s")
    record = logging.LogRecord(
        "preflight.x", logging.WARNING, __file__, 1, "bad %s", (NEWLINE_COMMAND,), None
    )
    text = formatter.format(record)
    assert_inert(text)
    assert text == "preflight: preflight.x: bad k\n  | ::error title=x::"
