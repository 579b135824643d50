"""Plain data that crosses layers: severities, fixes, findings and the report.

Nothing here computes statistics or renders output; checks build these objects,
the engine assembles a :class:`Report`, reporters render it.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from preflight.core.columns import ColumnSemantics

if TYPE_CHECKING:
    import pandas as pd

Category = Literal["schema", "data-quality", "outliers", "scale", "capacity", "labels", "split"]
Task = Literal["classification", "regression"]

CAUSES: dict[int, str] = {
    1: "data not preprocessed / not clean",
    2: "no normalization",
    3: "sample space too big for the data",
    4: "labels set wrongly",
}


class Severity(enum.Enum):
    """How bad a finding is. Ordered: ``ERROR > WARNING > INFO``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True)
class Fix:
    """A suggested remedy. ``step`` is a plan verb (impute, drop-columns, scale, ...)."""

    summary: str
    step: str | None = None
    transformer: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "step": self.step,
            "transformer": self.transformer,
            "params": jsonable(self.params),
        }


@dataclass(frozen=True)
class Finding:
    """One problem found by one check.

    ``rows`` holds *every* flagged 0-based row position (sorted); reporters cap the
    list they print, ``--rows-out`` writes all of them. ``accepted`` marks a finding a
    baseline of accepted findings already holds (preflight/core/baseline.py): it is
    still reported, but it never fails the run.
    """

    code: str
    name: str
    category: Category
    cause: int | None
    severity: Severity
    message: str
    columns: tuple[str, ...] = ()
    rows: tuple[int, ...] = ()
    row_count: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    fix: Fix | None = None
    accepted: bool = False

    @property
    def flagged_rows(self) -> int:
        return self.row_count if self.row_count is not None else len(self.rows)

    def sort_key(self) -> tuple[int, int, str, tuple[str, ...]]:
        return (-self.severity.rank, self.cause or 99, self.code, self.columns)

    def to_dict(self, max_rows: int) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "category": self.category,
            "cause": self.cause,
            "severity": self.severity.value,
            "message": self.message,
            "columns": list(self.columns),
            "rows": list(self.rows[:max_rows]),
            "row_count": self.flagged_rows,
            "evidence": jsonable(self.evidence),
            "fix": self.fix.to_dict() if self.fix else None,
            "accepted": self.accepted,
        }


@dataclass(frozen=True)
class DatasetInfo:
    path: str
    rows: int
    columns: int
    target: str | None
    task: Task | None
    sampled_rows: int | None = None
    # Streaming: rows of the seeded sample the value-level checks read (None: all rows).
    profiled_rows: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "rows": self.rows,
            "columns": self.columns,
            "target": self.target,
            "task": self.task,
            "sampled_rows": self.sampled_rows,
            "profiled_rows": self.profiled_rows,
        }


@dataclass(frozen=True)
class Skipped:
    code: str
    reason: str


@dataclass(frozen=True)
class SkippedColumns:
    """The features one per-column check ran past: their kind is not one it examines.

    ``by_kind`` is ``((kind, (column, ...)), ...)``, kinds and columns sorted.
    """

    code: str
    by_kind: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(kind for kind, _ in self.by_kind)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(sorted(c for _, cols in self.by_kind for c in cols))


def skipped_columns_dict(skips: tuple[SkippedColumns, ...]) -> dict[str, Any]:
    """The JSON form: each skipped column named once under its kind, each check by kinds.

    ``{"kinds": {kind: [column, ...]}, "checks": {code: [kind, ...]}}``. Listing the
    columns per check instead would repeat a 5,000-column file's names once per check.
    """
    kinds: dict[str, list[str]] = {}
    for skip in skips:
        for kind, cols in skip.by_kind:
            kinds[kind] = list(cols)  # a column's kind is the same for every check
    return {
        "kinds": {k: kinds[k] for k in sorted(kinds)},
        "checks": {s.code: list(s.kinds) for s in sorted(skips, key=lambda s: s.code)},
    }


@dataclass(frozen=True)
class CheckError:
    """A check that raised: recorded, never fatal to the other checks."""

    code: str
    error: str


@dataclass(frozen=True)
class RuleInfo:
    """What a reporter may say about a check: its identity and its documentation."""

    code: str
    name: str
    category: str
    cause: int | None
    severity: str
    summary: str
    doc: str


@dataclass(frozen=True)
class Report:
    dataset: DatasetInfo
    findings: tuple[Finding, ...]
    fail_on: Severity | None
    skipped: tuple[Skipped, ...] = ()
    errors: tuple[CheckError, ...] = ()
    checks_run: tuple[str, ...] = ()
    label_health: dict[str, Any] | None = None
    preprocessing: dict[str, Any] | None = None
    # Column statistics for pictures (see preflight/data/profile/summary.py); None when not built.
    profile: dict[str, Any] | None = None
    max_rows: int = 1000
    # Per check that ran, the features of kinds it does not examine (Check.applies_to).
    skipped_columns: tuple[SkippedColumns, ...] = ()
    # What every column is (the semantics stage), in column order.
    columns: tuple[ColumnSemantics, ...] = ()
    # The documentation of the checks the run selected, for reporters (not in the JSON).
    rules: Mapping[str, RuleInfo] = field(default_factory=dict)
    # The baseline file the findings were matched against (``--baseline``), or None.
    baseline: str | None = None

    @property
    def failed(self) -> bool:
        """True when a finding not accepted by the baseline reaches ``fail_on`` (never
        when ``fail_on`` is None)."""
        if self.fail_on is None:
            return False
        return any(f.severity >= self.fail_on and not f.accepted for f in self.findings)

    @property
    def accepted(self) -> int:
        """How many findings the baseline accepted."""
        return sum(f.accepted for f in self.findings)

    @property
    def status(self) -> Literal["pass", "fail"]:
        return "fail" if self.failed else "pass"

    @property
    def summary(self) -> dict[str, int]:
        counts = {s.value: 0 for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)}
        for f in self.findings:
            counts[f.severity.value] += 1
        return counts

    @property
    def exit_code(self) -> int:
        """The documented exit code: 3 if a check crashed, else 1 if failed, else 0."""
        if self.errors:
            return 3
        return 1 if self.failed else 0

    def to_frame(self) -> pd.DataFrame:
        """One row per finding, in report order (the JSON report's ``findings`` order).

        Columns: ``code``, ``severity`` (``"error"``, ``"warning"``, ``"info"``),
        ``cause`` (1-4, or missing for checks beyond the article's four), ``columns``
        (a tuple of names: a name may hold any character, so they are not joined),
        ``row_count`` (every flagged row, not the listed ones), ``message`` and ``fix``
        (the suggested step in words, None when the finding has none).
        """
        import pandas as pd

        return pd.DataFrame(
            {
                "code": pd.Series([f.code for f in self.findings], dtype=object),
                "severity": pd.Series([f.severity.value for f in self.findings], dtype=object),
                "cause": pd.Series([f.cause for f in self.findings], dtype="Int64"),
                "columns": pd.Series([f.columns for f in self.findings], dtype=object),
                "row_count": pd.Series([f.flagged_rows for f in self.findings], dtype="int64"),
                "message": pd.Series([f.message for f in self.findings], dtype=object),
                "fix": pd.Series([f.fix.summary if f.fix else None for f in self.findings], dtype=object),
            }
        )

    def rows(self, code: str, *, file: str | None = None) -> list[int]:
        """Every 0-based row position the findings of check ``code`` flag, sorted, as a
        list (``df.iloc[report.rows("DQ003")]`` selects them; a tuple would not).

        Not capped at ``max_rows``: a finding keeps all its rows, reporters only list
        fewer. Several findings of one code (DQ001 per column, say) give the union of
        their rows. Split findings (``SP``) count rows in a held-out file: ``file``
        (``"train"``, ``"test"``, ``"valid"``) picks one; without it the findings of
        ``code`` must all refer to one file. A check that ran and found nothing gives
        ``[]``; a code that did not run raises ValueError, so a typo is not an empty
        answer. If a finding counts more rows than it holds (``row_count`` beyond its
        ``rows``; no check of this package builds one) the rows it holds are returned
        and a warning says how many are missing.
        """
        import warnings

        from preflight.core.outputs.rows import row_file

        found = [f for f in self.findings if f.code == code]
        if not found and code not in self.checks_run:
            ran = ", ".join(sorted(self.checks_run)) or "none"
            raise ValueError(f"check {code!r} did not run in this report (checks run: {ran})")
        files = sorted({row_file(f) for f in found})
        if file is not None:
            found = [f for f in found if row_file(f) == file]
        elif len(files) > 1:
            raise ValueError(
                f"{code} rows are positions in different files ({', '.join(files)}); "
                f"pass file= one of them: report.rows({code!r}, file={files[0]!r})"
            )
        short = sum(f.flagged_rows - len(f.rows) for f in found if f.flagged_rows > len(f.rows))
        if short:
            warnings.warn(f"{code}: {short} flagged rows were not kept in the report", stacklevel=2)
        return sorted({r for f in found for r in f.rows})

    def to_dict(self) -> dict[str, Any]:
        from preflight.core.version import __version__

        return {
            "schema_version": 1,
            "preflight_version": __version__,
            "status": self.status,
            "dataset": self.dataset.to_dict(),
            "columns": [jsonable(c.to_dict()) for c in self.columns],
            "summary": self.summary,
            "findings": [f.to_dict(self.max_rows) for f in self.findings],
            "label_health": jsonable(self.label_health),
            "preprocessing": jsonable(self.preprocessing),
            "profile": jsonable(self.profile),
            "skipped": [{"code": s.code, "reason": s.reason} for s in self.skipped],
            "skipped_columns": skipped_columns_dict(self.skipped_columns),
            "errors": [{"code": e.code, "error": e.error} for e in self.errors],
            "baseline": None if self.baseline is None else {"path": self.baseline, "accepted": self.accepted},
        }


def jsonable(value: Any) -> Any:
    """Convert numpy scalars, tuples and non-finite floats into stable JSON values.

    Floats are rounded to 6 significant digits so that reports are byte-identical
    across platforms and BLAS builds; NaN/inf become null (JSON has no NaN).
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if hasattr(value, "item") and callable(value.item) and getattr(value, "ndim", 0) == 0:
        value = value.item()  # numpy scalar -> Python scalar
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return float(f"{value:.6g}")
    if hasattr(value, "tolist"):
        return jsonable(value.tolist())
    return str(value)
