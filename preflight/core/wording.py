"""Wording shared by check messages and reporters (no heavy imports).

One home for how text shows counts and numbers to people: ``plural`` ("1 row", "2
rows"), ``number`` (no 309-digit floats, ``-999`` not ``-999.0``) and ``percent``
(99.96% is never shown as 100%). Formatting is for text only: the JSON report keeps
the exact values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

# Integers up to this many digits print in full (with separators); longer ones as 1.23e+300.
_MAX_INT_DIGITS = 15
# Floats at or beyond these magnitudes print in exponent form.
_BIG, _SMALL = 1e15, 1e-4


def quote_list(names: Iterable[str], limit: int = 5) -> str:
    """``'a', 'b' and 3 more`` for messages."""
    items = [repr(n) for n in names]
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"


def plural(n: int, singular: str, many: str | None = None) -> str:
    """``1 row``, ``2 rows``, ``1,234 rows`` (``many`` for irregular plurals: ``1 info``)."""
    word = singular if n == 1 else (many if many is not None else singular + "s")
    return f"{n:,} {word}"


def agree(n: int, phrase: str) -> str:
    """``phrase`` (written for one: "needs --test") agreeing with ``n`` subjects
    ("need --test"); only the leading verbs this project writes are changed."""
    if n == 1:
        return phrase
    for one, many in (("needs ", "need "), ("is ", "are "), ("has ", "have "), ("was ", "were ")):
        if phrase.startswith(one):
            return many + phrase[len(one) :]
    return phrase


def number(value: object, digits: int = 3) -> str:
    """A number as people read it: ``1,234`` · ``-999`` · ``3.14`` · ``0.00123`` · ``1e+308``.

    Integers (and integral floats) keep every digit with thousands separators up to 15
    digits and are abbreviated beyond (never a 309-digit line); other floats keep
    ``digits`` significant digits (3 for a statistic; 6 for a value the reader looks
    up in the data, a bound or a cell), in exponent form from 1e15 and below 1e-4;
    non-numbers are ``str()``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        item = getattr(value, "item", None)
        if callable(item) and not isinstance(value, str):  # a numpy scalar
            return number(item(), digits)
        return str(value)
    if isinstance(value, int):
        if len(str(abs(value))) > _MAX_INT_DIGITS:
            return _big_int(value, digits)
        return f"{value:,}"
    if not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if value == 0:
        return "0"
    size = abs(value)
    if size >= _BIG or size < _SMALL:
        return f"{value:.{digits}g}"
    if value == int(value):
        return f"{int(value):,}"
    decimals = max(0, digits - 1 - math.floor(math.log10(size)))
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _big_int(value: int, digits: int) -> str:
    """An integer too large for a float, in ``1.23e+400`` form from its digits."""
    text = str(abs(value))
    head = text[0] + ("." + text[1:digits].rstrip("0") if text[1:digits].strip("0") else "")
    return f"{'-' if value < 0 else ''}{head}e+{len(text) - 1}"


def percent(share: float, digits: int = 1) -> str:
    """``share`` (a fraction) as a percentage: ``84.3%``, with more digits where fewer
    would round a share that is not 1 up to ``100%`` or one that is not 0 down to ``0%``."""
    if not math.isfinite(share):
        return f"{number(share)}%"
    value = share * 100
    places = digits
    text = f"{value:.{places}f}"
    # At most 6 extra places: a share closer than that to 0 or 1 is shown as "<" / ">".
    while places < digits + 6 and value != 0 and value != 100 and float(text) in (0.0, 100.0):
        places += 1
        text = f"{value:.{places}f}"
    if value != 0 and float(text) == 0.0:
        return f"<{1 / 10**places:.{places}f}%"
    if value != 100 and float(text) == 100.0:
        return f">{100 - 1 / 10**places:.{places}f}%"
    return f"{text}%"


def value_text(value: object) -> str:
    """A cell value in a message: text quoted (``'Anvers'``), a number as :func:`number`
    writes it with 6 significant digits, as ``:g`` would (``1``, ``-999``, ``396.9``: a
    value the reader looks up in the file), anything else as ``repr``."""
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(value, 6)
    item = getattr(value, "item", None)
    if callable(item):  # a numpy scalar
        return value_text(item())
    return repr(value)
