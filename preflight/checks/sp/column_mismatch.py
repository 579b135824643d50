from __future__ import annotations

from collections.abc import Iterator

import pandas as pd

from preflight.checks.base import Check, Context
from preflight.checks.sp._common import file_evidence
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import quote_list


class ColumnMismatch(Check):
    """The test file's columns do not match the training file's.

    **What it does.** Compares the columns of the test file (and ``--valid``) with
    the training file: training features the held-out file lacks (error: a model
    trained on them cannot score it), columns only the held-out file has (info), a
    missing target column (info: the label checks SP002 and SP005 have nothing to
    compare, the other split checks still run), and features that hold numbers in
    one file but text in the other (warning: numbers stored as text on one side
    that do not all parse).

    **Why it is bad.** The split checks and the model compare like with like; a
    column that is missing or typed differently in the test file breaks the
    preprocessing fitted on train, or silently turns the column into something else.

    **Fix.** Write both files from one schema (same columns, same types); declare
    columns that identify rows with ``--id-column``.
    """

    code = "SP007"
    name = "split.column-mismatch"
    category = "split"
    cause = None
    severity = Severity.ERROR
    needs = frozenset({"test"})

    def run(self, ctx: Context) -> Iterator[Finding]:
        train = ctx.dataset
        for heldout in ctx.artifacts.heldout_files():
            other = heldout.dataset
            role = heldout.role
            present = set(other.frame.columns)
            missing = [c for c in train.features if c not in present]
            if missing:
                yield self.finding(
                    f"the {role} file lacks {len(missing)} training features: {quote_list(missing)}",
                    columns=missing,
                    evidence=file_evidence(heldout, missing=missing),
                    fix=Fix(f"write the {role} file with the training columns"),
                )
            known = set(train.frame.columns)
            extra = [c for c in other.frame.columns if c not in known]
            if extra:
                yield self.finding(
                    f"the {role} file has {len(extra)} columns the training file lacks: {quote_list(extra)}",
                    columns=extra,
                    evidence=file_evidence(heldout, extra=extra),
                    fix=Fix("drop them, or add them to the training file if they are features"),
                    severity=Severity.INFO,
                )
            if train.target is not None and other.target is None:
                yield self.finding(
                    f"the {role} file has no target column {train.target!r}: label checks (SP002, SP005) "
                    "have nothing to compare",
                    columns=[train.target],
                    evidence=file_evidence(heldout),
                    fix=Fix(f"add the labels to the {role} file to check label shift and unseen classes"),
                    severity=Severity.INFO,
                )
            al = ctx.artifacts.aligned(heldout)
            for column in al.columns:
                if al.numeric(column):
                    continue  # both sides hold numbers after normalising types
                in_train, in_other = _holds_numbers(train.frame[column]), _holds_numbers(other.frame[column])
                if in_train == in_other:
                    continue
                numbers, text = ("train", role) if in_train else (role, "train")
                yield self.finding(
                    f"{column!r} holds numbers in {numbers} but text in {text}",
                    columns=[column],
                    evidence=file_evidence(heldout, numbers_in=numbers, text_in=text),
                    fix=Fix("parse the column as numbers in both files (see SC002)"),
                    severity=Severity.WARNING,
                )


def _holds_numbers(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)
