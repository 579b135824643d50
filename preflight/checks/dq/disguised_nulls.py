from __future__ import annotations

from collections.abc import Iterator

from preflight.checks.base import Check, Context, positions
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import plural, value_text
from preflight.data.semantics.clean import marker_mask


class DisguisedNulls(Check):
    """Missing values disguised as data: ``"NA"``, ``"?"``, ``"unknown"``, ``-999``.

    **What it does.** Reports the cells the semantics stage reads as missing-value
    markers: in text columns a null marker (``"null"``, ``"?"``, ``" ?"``, ``"-"``,
    ``"missing"``, ``"n/a "``, ...) that the file reader did not already turn into a
    real null; in numeric columns an all-nines sentinel (``-999``, ``9999``, ...) that
    repeats and sits far outside the rest of the column (a negative one below a
    non-negative column, a positive one at least 5 times the largest other value).
    ``'none'`` in a column of at most 20 levels is a level ("no airbags"), not a
    marker, and a pile-up just above the rest (99 hours next to 98) is a top-code
    (censoring), not a marker. Every other check reads these cells as missing.

    **Why it is bad.** Training code takes a sentinel at face value: ``-999`` becomes
    a huge negative measurement that drags weights, and ``"?"`` becomes a category.
    Neither gets imputed, because nothing looks missing.

    **Fix.** Declare the markers as nulls when reading (``na_values=[...]`` in
    pandas), then treat them as missing values (see DQ001). A marker that is a real
    level: ``[tool.preflight.columns] NAME = { none-is-value = true }`` or
    ``{ missing-markers = [...] }``.
    """

    code = "DQ004"
    name = "data-quality.disguised-nulls"
    category = "data-quality"
    cause = 1
    severity = Severity.WARNING
    applies_to = frozenset({"numeric", "string", "mixed", "categorical", "text", "boolean"})

    def run(self, ctx: Context) -> Iterator[Finding]:
        raw = ctx.dataset.frame_as_read
        for name in ctx.dataset.features:
            sem = ctx.dataset.semantics.get(name)
            if sem is None or not sem.missing_markers:
                continue
            mask = marker_mask(raw[name], sem.missing_markers)
            count = int(mask.sum())
            if not count:
                continue
            markers = [m if isinstance(m, str) else float(m) for m in sem.missing_markers]
            shown = ", ".join(value_text(m) for m in markers)  # -999, not -999.0
            yield self.finding(
                f"{name!r} uses {shown} for missing values in {plural(count, 'row')}",
                columns=[name],
                rows=positions(mask),
                evidence={"markers": [str(m) for m in markers], "count": count},
                fix=Fix(
                    f"read {shown} as missing (pandas: na_values), then impute",
                    step="replace-values",
                    params={"to_missing": markers},
                ),
            )
