from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from preflight.checks.base import Check, Context
from preflight.checks.cp.common import plain
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import quote_list


class RareClasses(Check):
    """Classes with too few rows to learn, or even to split.

    **What it does.** Counts the labelled rows of every class and flags those
    below three levels.

    **Why it is bad.** A class with a single row cannot be on both sides of a
    train/validation split: ``train_test_split(stratify=y)`` and stratified K-fold
    refuse it, and the model never sees it validated. A class with fewer rows than
    the K of a stratified K-fold split is missing from some validation folds, so
    its score is undefined there. A class with a few dozen rows leaves each
    validation fold a handful of examples: its recall moves in big jumps and a
    network learns it last, if at all.

    **Thresholds and why.** An error below 2 rows (no split can hold the class on
    both sides). A warning below ``folds`` (5, the usual K) rows. Info below
    ``min-class-rows`` (20): with 5 folds that leaves at most 4 validation
    examples per fold, so a single mistake moves the class's recall by 25 points.

    **Fix.** Collect more rows of the rare classes; or merge them into a related
    class or an "other" class, or drop them; use class weights, and a stratified
    split with fewer folds.

    **Options.** ``folds`` (5), ``min-class-rows`` (20).
    """

    code = "CP002"
    name = "capacity.rare-classes"
    category = "capacity"
    cause = 3
    severity = Severity.WARNING
    needs = frozenset({"classification"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        folds: int = option(5, minimum=2)
        min_class_rows: int = 20

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        assert ctx.dataset.target is not None
        target = ctx.dataset.target
        counts = ctx.profile[target].value_counts
        if len(counts) < 2:
            return  # one class: DQ009's finding
        folds = int(self.opts.folds)
        tiers = (
            (2, Severity.ERROR, "cannot be split: a class needs a row on each side of a split"),
            (folds, Severity.WARNING, f"is too rare to stratify a {folds}-fold split"),
            (int(self.opts.min_class_rows), Severity.INFO, "is too rare to learn or validate reliably"),
        )
        lower = 0
        y = ctx.dataset.y
        for limit, severity, why in tiers:
            rare = counts[(counts >= lower) & (counts < limit)]
            lower = max(lower, limit)
            if rare.empty:
                continue
            names = [plain(c) for c in rare.index]
            shown = ", ".join(f"{c!r} ({n})" for c, n in zip(names[:5], rare.to_list()[:5], strict=False))
            more = f" and {len(names) - 5} more" if len(names) > 5 else ""
            verb = "class" if len(rare) == 1 else "classes"
            rows = y.isin(list(rare.index)).to_numpy()
            yield self.finding(
                f"{verb} {shown}{more} of {target!r} {why if len(rare) == 1 else _plural(why)}"
                f" (fewer than {limit} rows)",
                columns=[target],
                rows=rows.nonzero()[0],
                evidence={
                    "classes": {str(c): int(n) for c, n in rare.items()},
                    "threshold": limit,
                    "class_counts": {str(c): int(n) for c, n in counts.items()},
                },
                fix=Fix(
                    "collect more rows of "
                    + quote_list([str(c) for c in names])
                    + ", or merge them into a related class or drop them; use class weights and a "
                    "stratified split with fewer folds"
                ),
                severity=severity,
            )


def _plural(why: str) -> str:
    return why.replace("cannot be split: a class needs", "cannot be split: each needs").replace(
        "is too rare", "are too rare"
    )
