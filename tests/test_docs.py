"""The docs match the code: every check is in the README's table, every format documented."""

from __future__ import annotations

from preflight.checks import REGISTRY
from preflight.reporters import FORMATS
from tests.conftest import ROOT


def test_every_check_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = [code for code in REGISTRY if f"| {code} |" not in readme]
    assert not missing, f"add these checks to README.md's table: {missing}"


def test_every_format_is_documented() -> None:
    docs = (ROOT / "docs" / "reports.md").read_text() + (ROOT / "README.md").read_text()
    assert all(f"`{fmt}`" in docs for fmt in FORMATS)
