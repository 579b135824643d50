from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import number, percent, value_text


class ConstantColumns(Check):
    """Columns with one value (constant) or almost only one (near-constant).

    **What it does.** Counts distinct non-null values per feature column; also
    measures the share of the most common value.

    **Why it is bad.** A constant column carries no information: it adds a weight
    that can only learn a bias, and after standardisation it divides by a zero
    standard deviation (NaN). A near-constant column carries almost none, and a
    random split may leave it constant in one part.

    **Fix.** Drop constant columns. Review near-constant ones.

    **Options.** ``near-share`` (0.995): the most common value's share at or above
    which a column is near-constant (info). ``min-rows`` (200): near-constant is
    only judged on at least this many rows, as small samples repeat values by chance.
    """

    code = "DQ005"
    name = "data-quality.constant-columns"
    category = "data-quality"
    cause = 1
    severity = Severity.WARNING
    applies_to = frozenset(
        {"numeric", "boolean", "datetime", "categorical", "string", "text", "mixed", "other"}
    )

    @dataclass(frozen=True)
    class Options(NoOptions):
        near_share: float = option(0.995, share=True)
        min_rows: int = 200

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        for col in ctx.profile.features():
            if col.n_present == 0:
                continue  # all-missing: DQ001 reports it
            dominant = col.dominant
            if dominant is None:
                continue
            value, top = dominant
            if top == col.n_present:
                note = f" (besides {number(col.n_missing)} missing)" if col.n_missing else ""
                yield self.finding(
                    f"{col.name!r} has one value, {value_text(value)}, in every row{note}",
                    columns=[col.name],
                    evidence={"value": str(value), "missing": col.n_missing},
                    fix=Fix(f"drop {col.name!r}", step="drop-columns"),
                )
                continue
            if col.n < self.opts.min_rows:
                continue
            share = top / col.n
            if share >= self.opts.near_share:
                yield self.finding(
                    f"{col.name!r} is {value_text(value)} in {percent(share)} of rows (near-constant)",
                    columns=[col.name],
                    evidence={"value": str(value), "share": share},
                    fix=Fix(f"review {col.name!r}; drop it if the rare values are noise"),
                    severity=Severity.INFO,
                )
