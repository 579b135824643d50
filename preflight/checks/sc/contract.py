from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions
from preflight.core.findings import Finding, Fix, Severity
from preflight.data.contracts import Violation, load_contract, validate_contract


class SchemaContract(Check):
    """Rows and columns that break the pandera contract given with ``--schema``.

    **What it does.** Loads the pandera YAML contract named by ``--schema`` (or
    ``schema = "..."`` in ``[tool.preflight]``), validates the whole table against it
    lazily, so every failure is collected rather than the first, and reports one
    finding per column and failing check: a value outside the allowed categories
    (``isin``), a number outside its range (``in_range``, ``greater_than``, ...), a null
    in a column the contract says is never null, a duplicate in a ``unique`` column,
    cells that cannot be converted to the contract's dtype. Each finding lists the
    failing rows (0-based positions in the file) and a few failing values. Problems
    with the table's shape (a required column missing, a column the contract does
    not know when it is ``strict``, a column of the wrong type) are findings without
    rows. ``preflight infer-schema`` writes a contract from data you trust.

    **Why it is bad.** A contract states what the training data must look like. A
    break means the data changed under the model: a new category it never saw, a
    sensor sending negative masses, a join that lost a column. The model still
    trains, on data that no longer means what it meant.

    **Fix.** Correct or drop the listed rows, or, when the data is right and the
    contract is out of date, edit the contract (add the category to ``isin``, widen
    ``in_range``, set ``nullable: true``) and commit it with the data.

    **Options.** ``max-examples`` (5): how many failing values a message and its
    evidence quote. The contract file is loaded safely (``yaml.safe_load``; only
    pandera's built-in checks; nothing is evaluated or unpickled); a missing,
    unreadable or invalid contract stops the run with exit code 2.
    """

    code = "SC003"
    name = "schema.contract"
    category = "schema"
    cause = 1
    severity = Severity.ERROR
    needs = frozenset({"schema"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        max_examples: int = 5

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        path = ctx.config.schema
        if path is None:  # the engine skips this check without --schema
            return
        schema = load_contract(path)
        # A contract is about the file's cells: judged on the frame as read, not the cleaned view.
        raw = ctx.dataset.frame_as_read
        for violation in validate_contract(raw, schema):
            yield self._finding(violation, path)

    def _finding(self, v: Violation, path: str) -> Finding:
        limit = max(0, int(self.opts.max_examples))
        examples = list(v.examples[:limit])
        shown = ", ".join(_show(e) for e in examples)
        col = repr(v.column) if v.column is not None else "the table"
        n = v.count
        rows_word = "row" if n == 1 else "rows"
        message, fix = _MESSAGES.get(v.kind, _generic)(v, col, n, rows_word, shown)
        evidence: dict[str, Any] = {"check": v.check, "failure_count": n, "examples": examples}
        evidence.update(v.details)
        evidence["contract"] = path
        return self.finding(
            message,
            columns=[v.column] if v.column is not None else [],
            rows=v.rows,
            row_count=len(v.rows),
            evidence=evidence,
            fix=fix,
        )


def _show(value: Any) -> str:
    return "null" if value is None else repr(value)


def _nullable(v: Violation, col: str, n: int, rows: str, shown: str) -> tuple[str, Fix]:
    return (
        f"{col} has {n} missing {'value' if n == 1 else 'values'}, but the contract says it is never null",
        Fix("fill or drop the missing values, or set nullable: true in the contract", step="impute"),
    )


def _isin(v: Violation, col: str, n: int, rows: str, shown: str) -> tuple[str, Fix]:
    return (
        f"{col} has {n} {rows} outside the contract's allowed values: {shown}",
        Fix("correct the values, or add them to the column's isin list in the contract"),
    )


def _range(v: Violation, col: str, n: int, rows: str, shown: str) -> tuple[str, Fix]:
    return (
        f"{col} has {n} {rows} failing {v.check}: {shown}",
        Fix("correct or drop the out-of-range rows, or widen the range in the contract"),
    )


def _dtype(v: Violation, col: str, n: int, rows: str, shown: str) -> tuple[str, Fix]:
    expected = v.details.get("expected")
    if v.rows:
        message = f"{col} has {n} {rows} that cannot be read as {expected}: {shown}"
    else:
        message = f"{col} should be {expected} but is {v.details.get('actual')}"
    numeric = str(expected).lower().startswith(("int", "float", "uint"))
    return message, Fix(
        f"convert the column to {expected}, correcting the cells that do not convert",
        step="parse-numbers" if numeric and v.rows else None,
    )


def _missing_column(v: Violation, col: str, n: int, rows: str, shown: str) -> tuple[str, Fix]:
    return (
        f"column {col} required by the contract is missing",
        Fix("add the column, or remove it from the contract (or set required: false)"),
    )


def _extra_column(v: Violation, col: str, n: int, rows: str, shown: str) -> tuple[str, Fix]:
    return (
        f"column {col} is not in the contract, which is strict",
        Fix("drop the column, or add it to the contract (or set strict: false)"),
    )


def _unique(v: Violation, col: str, n: int, rows: str, shown: str) -> tuple[str, Fix]:
    return (
        f"{col} must be unique, but {n} {rows} share values: {shown}",
        Fix("remove the duplicate rows or correct the repeated identifiers"),
    )


def _generic(v: Violation, col: str, n: int, rows: str, shown: str) -> tuple[str, Fix]:
    where = f"on {n} {rows}" if v.rows else ""
    return (
        " ".join(p for p in (f"{col} fails {v.check}", where) if p) + (f": {shown}" if shown else ""),
        Fix("correct the data, or the check in the contract"),
    )


_MESSAGES = {
    "nullable": _nullable,
    "isin": _isin,
    "range": _range,
    "dtype": _dtype,
    "missing-column": _missing_column,
    "extra-column": _extra_column,
    "unique": _unique,
}
