"""``preflight diff``: what changed between two recorded runs (reports or baselines).

Findings are matched as a baseline matches them (:mod:`preflight.core.fingerprint`):
*new* findings have no match in the old run, *resolved* ones none in the new run, and
*changed* ones are matched but differ in severity, flagged rows or message; a changed
finding that is :func:`~preflight.core.fingerprint.worse` gates like a new one. The data
files of the two runs are paired as :meth:`Baseline.lookup` pairs them (same path, else
same file name, else the only one on each side).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from preflight.core.baseline import Baseline, Recorded
from preflight.core.findings import Severity
from preflight.core.fingerprint import Entry, match, worse


@dataclass(frozen=True)
class Listed:
    """A new or resolved finding, with the data file it belongs to."""

    dataset: str
    entry: Entry


@dataclass(frozen=True)
class Change:
    """A finding found in both runs that changed."""

    dataset: str
    old: Entry
    new: Entry
    worse: bool


@dataclass(frozen=True)
class ReportDiff:
    old_file: str
    new_file: str
    new: tuple[Listed, ...]
    resolved: tuple[Listed, ...]
    changed: tuple[Change, ...]
    unchanged: int
    fail_on: Severity | None

    def failing(self, item: Listed | Change) -> bool:
        """True when this new (or worse) finding, on its own, fails the diff (ask it of
        new and changed findings only: a resolved one fails nothing)."""
        if self.fail_on is None or (isinstance(item, Change) and not item.worse):
            return False
        entry = item.new if isinstance(item, Change) else item.entry
        return entry.severity >= self.fail_on

    @property
    def failed(self) -> bool:
        items: list[Listed | Change] = [*self.new, *self.changed]
        return any(self.failing(x) for x in items)

    @property
    def status(self) -> Literal["pass", "fail"]:
        return "fail" if self.failed else "pass"

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    @property
    def worse(self) -> int:
        return sum(c.worse for c in self.changed)

    @property
    def summary(self) -> dict[str, int]:
        return {
            "new": len(self.new),
            "resolved": len(self.resolved),
            "changed": len(self.changed),
            "worse": self.worse,
            "unchanged": self.unchanged,
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, as documented in schemas/diff.schema.json."""
        from preflight.core.version import __version__

        def state(e: Entry) -> dict[str, Any]:
            return {"severity": e.severity.value, "row_count": e.row_count, "message": e.message}

        def changed(c: Change) -> dict[str, Any]:
            head = {
                k: v
                for k, v in c.new.to_dict().items()
                if k in ("fingerprint", "code", "name", "columns", "kind")
            }
            return {"dataset": c.dataset, **head, "worse": c.worse, "failing": self.failing(c),
                    "old": state(c.old), "new": state(c.new)}  # fmt: skip

        return {
            "schema_version": 1,
            "preflight_version": __version__,
            "old": self.old_file,
            "new": self.new_file,
            "status": self.status,
            "fail_on": self.fail_on.value if self.fail_on else "never",
            "summary": self.summary,
            "findings": {
                "new": [
                    {"dataset": x.dataset, **x.entry.to_dict(), "failing": self.failing(x)} for x in self.new
                ],
                "resolved": [{"dataset": x.dataset, **x.entry.to_dict()} for x in self.resolved],
                "changed": [changed(c) for c in self.changed],
            },
        }


def diff(old: Baseline, new: Baseline, fail_on: Severity | None) -> ReportDiff:
    added: list[Listed] = []
    resolved: list[Listed] = []
    changed: list[Change] = []
    unchanged = 0
    paired: set[int] = set()
    for recorded in new.datasets:
        before = _partner(old, recorded, alone=len(new.datasets) == 1)
        if before is None:
            added += [Listed(recorded.path, e) for e in recorded.entries]
            continue
        paired.add(id(before))
        pairs, fresh, gone = match(before.entries, recorded.entries)
        for i, j in pairs:
            a, b = before.entries[i], recorded.entries[j]
            if (a.severity, a.row_count, a.message) == (b.severity, b.row_count, b.message):
                unchanged += 1
            else:
                changed.append(Change(recorded.path, a, b, worse(a, b, before.rows, recorded.rows)))
        added += [Listed(recorded.path, recorded.entries[j]) for j in fresh]
        resolved += [Listed(recorded.path, before.entries[i]) for i in gone]
    for recorded in old.datasets:
        if id(recorded) not in paired:
            resolved += [Listed(recorded.path, e) for e in recorded.entries]
    return ReportDiff(
        old_file=old.file,
        new_file=new.file,
        new=tuple(added),
        resolved=tuple(resolved),
        changed=tuple(changed),
        unchanged=unchanged,
        fail_on=fail_on,
    )


def _partner(old: Baseline, recorded: Recorded, *, alone: bool) -> Recorded | None:
    """The old run's record of this data file. One file against one pairs whatever the
    names (a renamed or dated file is the same data); otherwise names must agree."""
    found, problems = old.lookup(recorded.path)
    return found if alone or not problems else None
