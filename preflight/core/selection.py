"""Which checks run: ruff's ``select`` / ``ignore`` / ``extend-select`` semantics.

A selector is ``ALL``, a family (``DQ``), any code prefix (``DQ00``) or a code
(``DQ003``). For each check the most specific matching selector decides; when a
``select`` and an ``ignore`` selector are equally specific, ``ignore`` wins. So
``select=["DQ"], ignore=["DQ003"]`` runs every DQ check but DQ003, and
``select=["DQ003"], ignore=["DQ"]`` runs DQ003 alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from preflight.core.errors import PreflightError, did_you_mean


def parse_codes(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"DQ, sn001"`` -> ``("DQ", "SN001")``."""
    if text is None:
        return ()
    parts = text.split(",") if isinstance(text, str) else [p for t in text for p in t.split(",")]
    return tuple(p.strip().upper() for p in parts if p.strip())


def _specificity(selector: str, code: str) -> int:
    """Length of the match, 0 for ALL, -1 when the selector does not match."""
    if selector == "ALL":
        return 0
    return len(selector) if code.startswith(selector) else -1


def validate_selectors(selectors: Iterable[str], codes: Sequence[str]) -> None:
    for sel in selectors:
        if sel != "ALL" and not any(c.startswith(sel) for c in codes):
            raise PreflightError(f"unknown check code or prefix {sel!r}" + did_you_mean(sel, codes))


def select_codes(
    codes: Sequence[str],
    select: Sequence[str] = ("ALL",),
    ignore: Sequence[str] = (),
    extend_select: Sequence[str] = (),
) -> list[str]:
    """The codes that run, in the order of ``codes``."""
    chosen = [*select, *extend_select]
    validate_selectors([*chosen, *ignore], codes)
    result = []
    for code in codes:
        best_select = max((_specificity(s, code) for s in chosen), default=-1)
        best_ignore = max((_specificity(s, code) for s in ignore), default=-1)
        if best_select >= 0 and best_select > best_ignore:
            result.append(code)
    return result
