"""The Check base class and the Context every check reads.

A check is a class with a code, a dotted name, the article cause it belongs to,
a category, a default severity and a docstring that *is* its user documentation
(shown by ``preflight rule CODE``). It reads a :class:`Context` and yields
:class:`~preflight.core.findings.Finding` objects, and the report sections that are not
findings as :mod:`preflight.core.sections` values: it never prints and never mutates
the data.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from preflight.analysis.artifacts import Artifacts
from preflight.checks.options import NoOptions, read_options
from preflight.core.config import Config
from preflight.core.findings import Category, Finding, Fix, RuleInfo, Severity
from preflight.core.sections import Section
from preflight.data.dataset import Dataset
from preflight.data.engines.rows import RowBatches
from preflight.data.profile import Kind, Profile

# What a check can need before it can run; the engine skips it with this reason.
NEEDS: dict[str, str] = {
    "target": "needs --target",
    "classification": "needs a classification target",
    "regression": "needs a regression target",
    "test": "needs --test",
    "schema": "needs --schema",
}


@dataclass
class Context:
    """What a check may read. ``artifacts`` holds the shared statistics and models
    (each built once per run)."""

    dataset: Dataset
    profile: Profile
    config: Config
    artifacts: Artifacts = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.artifacts = Artifacts(self.dataset, self.profile, self.config)

    @property
    def batches(self) -> RowBatches:
        """Every row of the file, batch by batch (the frame itself when in memory)."""
        return self.artifacts.batches

    def file_rows(self, frame_positions: np.ndarray) -> np.ndarray:
        """File positions of rows of ``dataset.frame`` (they differ when streaming,
        where the frame is a sample)."""
        return self.artifacts.file_rows(frame_positions)

    def file_row(self, frame_position: int) -> int:
        """:meth:`file_rows` of one row, for messages and evidence."""
        return int(self.file_rows(np.array([frame_position]))[0])


class Check:
    """Base class. Subclasses set the class attributes and implement :meth:`run`."""

    code: ClassVar[str]
    name: ClassVar[str]
    category: ClassVar[Category]
    cause: ClassVar[int | None]
    severity: ClassVar[Severity]
    needs: ClassVar[frozenset[str]] = frozenset()
    # Model-based checks fit models; the pre-commit hook leaves them out by default.
    model_based: ClassVar[bool] = False
    # True when the rows this check reports are file positions even when streaming
    # (it reads the full-file masks or scores every batch); otherwise the engine maps
    # its rows from the sampled frame to the file.
    file_rows: ClassVar[bool] = False
    # Documented, user-changeable options ([tool.preflight.checks.CODE] in pyproject.toml):
    # a frozen dataclass of typed defaults (preflight/checks/options.py). A check with
    # options nests ``class Options(NoOptions)`` and narrows ``opts: Options``.
    Options: ClassVar[type[NoOptions]] = NoOptions
    # This check's options: the defaults with the user's overrides, validated.
    opts: NoOptions
    # The column kinds (preflight.data.profile.Kind) a per-column check examines; the engine
    # reports the features of other kinds as not examined (Report.skipped_columns), so a
    # datetime or list column no check models is named rather than silently passed.
    # None: not a per-column check (whole rows, the target, models, the split files).
    applies_to: ClassVar[frozenset[Kind] | None] = None

    def __init__(self, overrides: Mapping[str, object] | None = None) -> None:
        self.opts = read_options(self.Options, self.code, overrides or {})

    def run(self, ctx: Context) -> Iterable[Finding | Section]:
        """Yield the findings, and any report section the check computes (the label
        health, a model's fit sample) at the point it is known: the run keeps a section
        yielded before a crash, and a finding only when the check finishes."""
        raise NotImplementedError

    @classmethod
    def summary(cls) -> str:
        """First line of the docstring."""
        first = (cls.__doc__ or "").strip().splitlines()[0] if cls.__doc__ else ""
        return first.replace("``", "`")

    @classmethod
    def rule_info(cls) -> RuleInfo:
        """The check's identity and documentation, as reporters show it."""
        return RuleInfo(
            code=cls.code,
            name=cls.name,
            category=cls.category,
            cause=cls.cause,
            severity=cls.severity.value,
            summary=cls.summary(),
            doc=inspect.cleandoc(cls.__doc__ or ""),
        )

    def finding(
        self,
        message: str,
        *,
        columns: Sequence[str] = (),
        rows: Iterable[int] | np.ndarray = (),
        row_count: int | None = None,
        evidence: Mapping[str, Any] | None = None,
        fix: Fix | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """A Finding stamped with this check's code, name, category and cause."""
        arr = rows if isinstance(rows, np.ndarray) else np.fromiter(rows, dtype=np.int64)
        row_tuple = tuple(np.unique(arr.astype(np.int64)).tolist())
        return Finding(
            code=self.code,
            name=self.name,
            category=self.category,
            cause=self.cause,
            severity=severity or self.severity,
            message=message,
            columns=tuple(columns),
            rows=row_tuple,
            row_count=row_count if row_count is not None else len(row_tuple),
            evidence=dict(evidence or {}),
            fix=fix,
        )


def severity_at(value: float, *, error_at: float, warn_at: float) -> Severity:
    """ERROR at or above ``error_at``, WARNING at or above ``warn_at``, else INFO."""
    if value >= error_at:
        return Severity.ERROR
    if value >= warn_at:
        return Severity.WARNING
    return Severity.INFO


def positions(mask: np.ndarray) -> np.ndarray:
    """0-based row positions where ``mask`` is true."""
    return np.flatnonzero(np.asarray(mask, dtype=bool))
