from __future__ import annotations

from collections.abc import Iterator

from preflight.checks.base import Check, Context
from preflight.core.findings import Finding, Fix, Severity


class IdLikeColumns(Check):
    """Columns that identify rows instead of describing them.

    **What it does.** Reports the columns the semantics stage found to be identifiers:
    UUIDs; integers that count the rows (in order, or a shuffled run of consecutive
    integers); a counter that restarts in each group of rows (``Sample Number`` 1, 2,
    3 per species); unique short codes; unique or near-unique names (spaces allowed:
    passengers, districts, car models); a name like ``id``, ``key`` or ``number``
    backed by mostly distinct values. Continuous measurements, also unique per row,
    are not identifiers. preflight keeps these columns out of every check, model and
    the plan's features; ``fix`` passes them through unchanged, as keys.

    **Why it is bad.** A model can memorise an identifier instead of learning from
    the features; a counter also encodes row order, which leaks time or collection
    batch into the model and breaks on new data.

    **Fix.** Keep the column out of the features (declare it with ``--id-column``, or
    ``[tool.preflight.columns] NAME = "identifier"``). If it is a feature after all,
    say so: ``NAME = "numeric"`` (or ``"categorical"``).
    """

    code = "DQ006"
    name = "data-quality.id-like-columns"
    category = "data-quality"
    cause = 1
    severity = Severity.INFO
    applies_to = None

    def run(self, ctx: Context) -> Iterator[Finding]:
        for name in ctx.dataset.keys:
            sem = ctx.dataset.semantics[name]
            if sem.source != "inferred":
                continue  # the user said so: nothing to tell them
            yield self.finding(
                f"{name!r} identifies rows ({sem.evidence}): kept out of the features",
                columns=[name],
                evidence={"reason": sem.evidence, "confidence": sem.confidence},
                fix=Fix(
                    f"keep {name!r} out of the features (--id-column {name})",
                    step="keep-as-key",
                ),
            )
