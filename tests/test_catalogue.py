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
from preflight.checks.options import NoOptions, option_specs
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


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda c: c.code)
def test_options_are_a_frozen_dataclass_and_documented(check: type[Check]) -> None:
    options = check.Options
    assert issubclass(options, NoOptions), f"{check.code}: Options must extend NoOptions"
    # Decorated itself (a plain subclass would inherit NoOptions' empty field list) and frozen.
    assert "__dataclass_fields__" in vars(options), f"{check.code}: Options is not a @dataclass"
    assert options.__dataclass_params__.frozen, f"{check.code}: Options must be frozen"
    specs = option_specs(options)  # a field that is no bool, int, float or str with a default raises
    if specs:
        # So that self.opts.<field> is typed as this check's options, not NoOptions.
        opts = inspect.get_annotations(check).get("opts")
        assert opts in ("Options", options), f"{check.code}: declare opts: Options"
    for spec in specs:
        assert spec.accepts(spec.default), f"{check.code}: {spec.key}'s default is not a {spec.kind.__name__}"
        assert spec.problem(spec.default) is None, f"{check.code}: {spec.key}'s default fails its own check"
    doc = inspect.cleandoc(check.__doc__ or "")
    section = re.search(r"\*\*Options\.\*\*(.*)", doc, re.S)
    if not specs:
        assert section is None, f"{check.code}: an **Options.** section but no options"
        return
    assert section, f"{check.code}: has options but no **Options.** section"
    # Each option is documented as ``key`` (default...), under its kebab-case name; every
    # key documented that way is a field.
    documented = dict(re.findall(r"``([a-z][a-z0-9-]*)``\s+\(([^),:]*)", section.group(1)))
    for spec in specs:
        assert spec.key in documented, f"{check.code}: option {spec.key!r} is undocumented"
        shown = documented[spec.key]
        assert shown == repr(spec.default), f"{check.code}: {spec.key} is documented as ({shown})"
    unknown = set(documented) - {spec.key for spec in specs}
    assert not unknown, f"{check.code}: the docstring documents options it does not have: {sorted(unknown)}"


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
