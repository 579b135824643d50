from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from preflight.checks.base import Check, Context, positions
from preflight.checks.options import NoOptions
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import quote_list
from preflight.data.profile import ColumnProfile

# All-nines numbers (-99, 999, -9999, ...) are the classic numeric stand-ins for "missing".
_SENTINELS = np.array([s * (10**k - 1) for k in range(2, 10) for s in (1, -1)], dtype=float)


class DisguisedNulls(Check):
    """Missing values disguised as data: ``"NA"``, ``"?"``, ``"unknown"``, ``-999``.

    **What it does.** In text columns, finds cells that hold a null marker
    (``"null"``, ``"none"``, ``"?"``, ``"-"``, ``"missing"``, ``"n/a "``, ...) that the
    file reader did not already turn into a real null. In numeric columns, finds
    all-nines sentinels (``-999``, ``9999``, ...) that repeat and sit far outside the
    rest of the column.

    **Why it is bad.** Training code takes a sentinel at face value: ``-999`` becomes
    a huge negative measurement that drags weights, and ``"?"`` becomes a category.
    Neither gets imputed, because nothing looks missing.

    **Fix.** Declare the markers as nulls when reading (``na_values=[...]`` in
    pandas), then treat them as missing values (see DQ001).

    **Options.** ``min-count`` (2): a numeric sentinel must repeat at least this often.
    ``fence`` (3.0): a sentinel must lie this many IQRs beyond the other values'
    quartiles (or be negative in an otherwise non-negative column).
    """

    code = "DQ004"
    name = "data-quality.disguised-nulls"
    category = "data-quality"
    cause = 1
    severity = Severity.WARNING
    applies_to = frozenset({"numeric", "string", "mixed", "categorical"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        min_count: int = 2
        fence: float = 3.0

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        parsed = ctx.dataset.null_tokens_already_parsed
        for col in ctx.profile.features():
            if col.kind in ("string", "mixed", "categorical"):
                classes = col.text_classes
                markers = [v for v in classes.index[classes == "null-like"] if v not in parsed]
                if markers:
                    yield self._found(col, markers)
            elif col.kind == "numeric":
                sentinels = self._numeric_sentinels(col)
                if sentinels:
                    yield self._found(col, sentinels)

    def _numeric_sentinels(self, col: ColumnProfile) -> list[float]:
        found: list[float] = []
        if col.min is None or col.max is None:
            return found
        # Only sentinels inside the column's range can occur: usually none or a few.
        candidates = _SENTINELS[(col.min <= _SENTINELS) & (col.max >= _SENTINELS)].tolist()
        whole = col.finite
        if len(candidates) > 2:
            # Sentinels are whole numbers: count them among the whole-number cells, in
            # a continuous column a handful, instead of a pass over all cells each.
            whole = whole[whole == np.round(whole)]
        for number in candidates:
            count = int(np.count_nonzero(whole == number))
            if count < self.opts.min_count:
                continue
            others = col.finite[col.finite != number]
            if others.size < 10:
                continue
            q1, q3 = np.quantile(others, [0.25, 0.75])
            fence = self.opts.fence * max(q3 - q1, 1e-12)
            below = number < 0 and (others.min() >= 0 or number < q1 - fence)
            above = number > 0 and number > q3 + fence and number > others.max()
            if below or above:
                found.append(number)
        return found

    def _found(self, col: ColumnProfile, markers: Sequence[object]) -> Finding:
        mask = col.series.isin(markers).to_numpy(dtype=bool, na_value=False)
        count = int(mask.sum())
        shown = quote_list([str(m) for m in markers])
        return self.finding(
            f"{col.name!r} uses {shown} for missing values in {count} rows",
            columns=[col.name],
            rows=positions(mask),
            evidence={"markers": [str(m) for m in markers], "count": count},
            fix=Fix(
                f"read {shown} as missing (pandas: na_values), then impute",
                step="replace-values",
                params={"to_missing": [m if isinstance(m, str) else float(m) for m in markers]},  # type: ignore[arg-type]
            ),
        )
