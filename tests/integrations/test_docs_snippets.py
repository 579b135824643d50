"""The integration snippets in the docs are copies of the files the integration tests run.

A snippet is a fenced block right after ``<!-- snippet: PATH -->``; a line ``...`` in it
stands for left-out lines, and every part between them must appear verbatim in PATH.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "docs" / "integrations.md", ROOT / "README.md"]
SNIPPET = re.compile(r"<!-- snippet: (?P<path>\S+) -->\n```\w*\n(?P<body>.*?)\n```", re.S)


def _snippets() -> list[object]:
    found = []
    for doc in DOCS:
        if doc.exists():
            for match in SNIPPET.finditer(doc.read_text()):
                found.append(pytest.param(match["path"], match["body"], id=f"{doc.name}:{match['path']}"))
    return found


def test_the_integration_docs_have_both_snippets() -> None:
    paths = {param.values[0] for param in _snippets()}  # type: ignore[attr-defined]
    assert {"examples/pre-commit-config.yaml", "examples/airflow_dag.py"} <= paths


@pytest.mark.parametrize(("path", "body"), _snippets())
def test_a_snippet_is_copied_from_its_file(path: str, body: str) -> None:
    source = (ROOT / path).read_text()
    parts = re.split(r"^\.\.\.$", body, flags=re.M)
    for part in parts:
        part = part.strip("\n")
        assert part in source, f"this part of the snippet is not in {path}:\n{part}"
