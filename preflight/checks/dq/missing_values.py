from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from preflight.checks.base import Check, Context, positions
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import number, percent, plural


class MissingValues(Check):
    """Feature columns with missing values.

    **What it does.** Counts null cells in every feature column.

    **Why it is bad.** A single NaN in an input makes a neural network's loss NaN;
    most scikit-learn estimators refuse NaN outright. Missing values must be
    imputed (or the column dropped) before training.

    **Fix.** Impute: the median for numeric columns, the most frequent value for
    categorical ones, with a missing-indicator column when many cells are missing
    (the fact that a value is missing often carries signal). Drop a column that is
    mostly empty.

    **Options.** ``drop-share`` (0.6): suggest dropping a column at or above this
    share of missing cells. ``indicator-share`` (0.05): add a missing indicator at
    or above this share. ``info-share`` (0.0): below or at this share the finding
    is only info (0 means any missing cell is a warning, as any NaN breaks training).
    """

    code = "DQ001"
    name = "data-quality.missing-values"
    category = "data-quality"
    cause = 1
    severity = Severity.WARNING
    file_rows = True
    applies_to = frozenset(
        {"numeric", "boolean", "datetime", "categorical", "string", "text", "mixed", "other"}
    )

    @dataclass(frozen=True)
    class Options(NoOptions):
        drop_share: float = option(0.6, share=True)
        indicator_share: float = option(0.05, share=True)
        info_share: float = option(0.0, share=True)

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        for col in ctx.profile.features():
            if col.n_missing == 0 or self._only_markers(ctx, col.name):
                continue
            share = col.n_missing / col.n
            numeric = col.kind in ("numeric", "boolean")
            if share >= self.opts.drop_share:
                fix = Fix(
                    f"drop {col.name!r}: {percent(share, 0)} of it is missing",
                    step="drop-columns",
                )
            else:
                strategy = "median" if numeric else "most_frequent"
                indicator = share >= self.opts.indicator_share
                fix = Fix(
                    f"impute with the {strategy.replace('_', ' ')}"
                    + (" and add a missing indicator" if indicator else ""),
                    step="impute",
                    transformer="sklearn.impute.SimpleImputer",
                    params={"strategy": strategy, "add_indicator": indicator},
                )
            severity = Severity.INFO if share <= self.opts.info_share else Severity.WARNING
            yield self.finding(
                f"{col.name!r} is missing in {number(col.n_missing)} of {plural(col.n, 'row')} "
                f"({percent(share)})",
                columns=[col.name],
                rows=positions(col.file_missing_mask),
                evidence={"missing": col.n_missing, "share": share},
                fix=fix,
                severity=severity,
            )

    @staticmethod
    def _only_markers(ctx: Context, name: str) -> bool:
        """True when every missing cell was a marker in the file: DQ004 reports those
        (one finding per root problem), and the plan imputes what it cleans."""
        sem = ctx.dataset.semantics.get(name)
        if sem is None or not sem.missing_markers:
            return False
        return not bool(ctx.dataset.frame_as_read[name].isna().any())
