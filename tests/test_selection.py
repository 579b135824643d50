from __future__ import annotations

import pytest

from preflight.core.errors import PreflightError
from preflight.core.selection import parse_codes, select_codes

CODES = ["DQ001", "DQ002", "DQ003", "LB001", "SC001"]


def test_ruff_semantics() -> None:
    assert select_codes(CODES) == CODES
    assert select_codes(CODES, ["DQ"], ["DQ002"]) == ["DQ001", "DQ003"]
    assert select_codes(CODES, ["DQ002"], ["DQ"]) == ["DQ002"]  # more specific select wins
    assert select_codes(CODES, ["DQ"], ["DQ"]) == []  # equal specificity: ignore wins
    assert select_codes(CODES, ["SC"], [], ["LB001"]) == ["LB001", "SC001"]
    assert select_codes(CODES, ["ALL"], ["LB", "SC"]) == ["DQ001", "DQ002", "DQ003"]


def test_parse_and_unknown() -> None:
    assert parse_codes(" dq, sn001 ,") == ("DQ", "SN001")
    with pytest.raises(PreflightError, match="did you mean"):
        select_codes(CODES, ["DQ0011"])
