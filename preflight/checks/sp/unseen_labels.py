from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from preflight.analysis.split import aligned_target
from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions
from preflight.checks.sp._common import file_evidence, rows_of, show_value
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import quote_list


class UnseenLabels(Check):
    """Test labels never seen in training, and training classes missing from the test file.

    **What it does.** Compares the classes of the target in the training file with
    those of the test file (and ``--valid``), after normalising types (``1`` and
    ``1.0`` are one class). Test rows whose label never occurs in training are listed
    (``rows`` are positions in the held-out file named by evidence ``rows_refer_to``).
    Training classes absent from the test file are named; a class is a warning when
    a random split would almost surely have drawn it (its expected count in the test
    file is at least ``min-expected``), else info. A held-out file without the target
    column is not judged (SP007 says so).

    **Why it is bad.** A classifier can never predict a class it was not trained on,
    so every unseen-label row is an error that no amount of training removes; and a
    class missing from the test file is never measured, so the test loss says
    nothing about it. Both mean the files were not split from one labelled pool.

    **Fix.** Re-split with stratification on the target, or drop/relabel the rows
    whose class exists only in the test file.

    **Options.** ``min-expected`` (5.0): a training class missing from the test file
    is a warning when its training share times the labelled test rows reaches this.
    """

    code = "SP002"
    name = "split.unseen-labels"
    category = "split"
    cause = None
    severity = Severity.ERROR
    needs = frozenset({"test", "classification"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        min_expected: float = 5.0

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        target = ctx.dataset.target
        assert target is not None
        for heldout in ctx.artifacts.heldout_files():
            pair = aligned_target(ctx.dataset, heldout.dataset)
            if pair is None:
                continue
            a, b = pd.Series(pair[0], dtype=object), pd.Series(pair[1], dtype=object)
            train_counts = a.dropna().value_counts()
            other_present = b.notna().to_numpy()
            unseen = other_present & ~b.isin(train_counts.index).to_numpy()
            role = heldout.role
            if unseen.any():
                classes = [show_value(v) for v in pd.unique(b[unseen])]
                yield self.finding(
                    f"{rows_of(int(unseen.sum()), role)} with labels never seen in train: "
                    f"{quote_list(str(c) for c in classes)}",
                    columns=[target],
                    rows=np.flatnonzero(unseen),
                    evidence=file_evidence(heldout, unseen_classes=classes),
                    fix=Fix(f"re-split with stratification, or drop the {role} rows of unseen classes"),
                )
            n_labelled = int(other_present.sum())
            if n_labelled == 0:
                continue
            seen = set(b.dropna())
            missing = [(v, int(c)) for v, c in train_counts.items() if v not in seen]
            if not missing:
                continue
            total = int(train_counts.sum())
            expected = {show_value(v): c / total * n_labelled for v, c in missing}
            severity = Severity.WARNING if max(expected.values()) >= self.opts.min_expected else Severity.INFO
            verb = "class never appears" if len(missing) == 1 else "classes never appear"
            yield self.finding(
                f"{len(missing)} train {verb} in the {role} file "
                f"({quote_list(str(k) for k in expected)}): the {role} score says nothing about them",
                columns=[target],
                evidence=file_evidence(heldout, missing_classes=list(expected), expected_counts=expected),
                fix=Fix("re-split with stratification on the target"),
                severity=severity,
            )
