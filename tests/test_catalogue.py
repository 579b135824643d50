"""The check catalogue holds together: unique codes, names that match their modules,
documentation in the fixed outline, and a YAML case file per check.

The registry is a dict keyed by code, so a duplicated code would silently drop a
check; these tests are what keeps the catalogue honest as it grows.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
import yaml

from preflight.checks import FAMILIES, FAMILY_MODULES, REGISTRY
from preflight.checks.base import Check
from preflight.core.findings import Severity

CASES_DIR = Path(__file__).parent / "cases"
ALL_CHECKS: list[type[Check]] = [c for family in FAMILY_MODULES for c in family.CHECKS]
CATEGORY_OF_FAMILY = {
    "DQ": "data-quality",
    "SC": "schema",
    "SN": "scale",
    "OL": "outliers",
    "CP": "capacity",
    "LB": "labels",
    "SP": "split",
}
# The fixed outline of a check's documentation (ruff's: what, why, fix; then options).
SECTIONS = (r"\*\*What it does\.\*\*", r"\*\*Why it (is bad|matters)\.\*\*", r"\*\*Fix\.\*\*")


def test_codes_are_unique_and_well_formed() -> None:
    codes = [c.code for c in ALL_CHECKS]
    duplicated = sorted({c for c in codes if codes.count(c) > 1})
    assert not duplicated, f"codes used twice (one check would be dropped): {duplicated}"
    assert len(REGISTRY) == len(ALL_CHECKS)
    for code in codes:
        assert re.fullmatch(r"[A-Z]{2}\d{3}", code), code
        assert code[:2] in FAMILIES, code


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.code)
def test_name_category_and_module_agree(check: type[Check]) -> None:
    family = check.__module__.split(".")[2]
    assert check.code[:2].lower() == family, f"{check.code} lives in the {family!r} family package"
    assert check.category == CATEGORY_OF_FAMILY[check.code[:2]]
    category, _, rule = check.name.partition(".")
    assert category == check.category, check.name
    module = check.__module__.rsplit(".", 1)[1]
    assert rule == module.replace("_", "-"), f"{check.name} is defined in {module}.py"


def test_names_are_unique() -> None:
    names = [c.name for c in ALL_CHECKS]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.code)
def test_documentation_follows_the_outline(check: type[Check]) -> None:
    doc = inspect.cleandoc(check.__doc__ or "")
    summary = doc.split("\n", 1)[0]
    assert summary.endswith((".", "?")), f"{check.code}: a one-line summary sentence first"
    positions = []
    for section in SECTIONS:
        match = re.search(section, doc)
        assert match, f"{check.code}: its docstring lacks the section {section!r}"
        positions.append(match.start())
    assert positions == sorted(positions), f"{check.code}: sections out of order"
    if check.options:
        options = re.search(r"\*\*Options\.\*\*(.*)", doc, re.S)
        assert options, f"{check.code}: has options but no **Options.** section"
        for key in check.options:
            kebab = key.replace("_", "-")
            assert f"``{kebab}``" in options.group(1), f"{check.code}: option {kebab!r} is undocumented"


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.code)
def test_every_check_has_passing_and_failing_cases(check: type[Check]) -> None:
    file = CASES_DIR / f"{check.code}.yaml"
    assert file.exists(), f"{check.code} has no case file tests/cases/{check.code}.yaml"
    spec = yaml.safe_load(file.read_text())
    assert spec["rule"] == check.code
    cases = spec["cases"]
    assert any(case.get("expect") for case in cases), f"{check.code}: no case where it fires"
    if check.severity is not Severity.INFO:  # a measurement (CP007) always reports
        passing = [c for c in cases if all(f.get("severity") == "info" for f in c.get("expect") or [])]
        assert passing, f"{check.code}: no case where the data passes (silent or info only)"
