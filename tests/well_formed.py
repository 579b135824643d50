"""Render a Report in every --format and assert each output is well-formed.

Shared by tests/test_awkward.py (a corpus of real-world file shapes) and
tests/test_properties.py (Hypothesis-generated tables). "Well-formed" is what the
consumer of each format relies on: strict JSON (no NaN/Infinity) valid against the
report schema, SARIF valid against SARIF 2.1.0, JUnit that parses as XML, HTML whose
non-void tags balance, Markdown tables whose rows all have the header's cell count,
GitHub annotations one per line.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jsonschema

from preflight.core.findings import Report
from preflight.reporters import FORMATS, render

ROOT = Path(__file__).resolve().parent.parent

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@cache
def _validator(path: Path) -> Any:
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


def _strict_json(text: str) -> Any:
    def reject(token: str) -> None:
        raise AssertionError(f"non-standard JSON constant {token} in output")

    return json.loads(text, parse_constant=reject)


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            if tag in self.stack:  # recover so one slip is reported once
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()


_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _markdown_tables_ok(text: str) -> None:
    block: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if block:
            widths = {len(_UNESCAPED_PIPE.findall(row)) for row in block}
            assert len(widths) == 1, f"markdown table rows have different cell counts: {block[:3]}"
            block = []


def render_all(report: Report) -> dict[str, str]:
    """Every format's output, each checked for well-formedness."""
    out = {fmt: render(report, fmt) for fmt in FORMATS}

    data = _strict_json(out["json"])
    _validator(ROOT / "schemas" / "report.schema.json").validate(data)

    sarif = _strict_json(out["sarif"])
    _validator(ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").validate(sarif)

    root = ET.fromstring(out["junit"])
    assert root.tag in ("testsuites", "testsuite")

    parser = _Balance()
    parser.feed(out["html"])
    parser.close()
    assert not parser.problems, parser.problems[:5]
    assert parser.stack == [], f"unclosed HTML tags: {parser.stack}"

    _markdown_tables_ok(out["markdown"])

    # One annotation line per finding and per crashed check, then one plain summary line.
    lines = out["github"].splitlines()
    assert len(lines) == len(report.findings) + len(report.errors) + 1, "a GitHub annotation spans lines"
    assert all(line.startswith("::") for line in lines[:-1])
    assert not lines[-1].startswith("::")
    return out


def digest(path: Path) -> str:
    """The file's bytes, hashed: the input must be unchanged by a run."""
    return hashlib.sha256(path.read_bytes()).hexdigest()
