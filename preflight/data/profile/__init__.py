"""Per-column statistics, each computed at most once and only when a check asks.

A :class:`Profile` is shared by every check in a run. It hands out one
:class:`~preflight.data.profile.columns.ColumnProfile` per column, whose statistics are
cached on first use, so the first check that needs, say, a column's quantiles pays for
them and the rest reuse them.

- ``columns``: :class:`ColumnProfile`, the statistics of one column;
- ``kinds``: what a column holds (:data:`Kind`);
- ``quantiles``: exact, counted and sampled quantiles (the limits of docs/limits.md);
- ``moments``: mean, standard deviation and skewness;
- ``text_classes``: null markers, numbers and formatted numbers among string cells;
- ``summary``: the report's JSON ``profile`` section, built from these statistics.
"""

from __future__ import annotations

from collections.abc import Iterator

from preflight.data.dataset import Dataset
from preflight.data.profile.columns import ColumnProfile
from preflight.data.profile.kinds import Kind

__all__ = ["ColumnProfile", "Kind", "Profile"]


class Profile:
    """Column profiles of a dataset, created on first access."""

    def __init__(self, dataset: Dataset, inherit: Profile | None = None) -> None:
        self.dataset = dataset
        self._columns: dict[str, ColumnProfile] = {}
        self._inherit = inherit

    def __getitem__(self, name: str) -> ColumnProfile:
        col = self._columns.get(name)
        if col is None:
            col = self._inherited(name) or self._make(name)
            sem = self.dataset.semantics.get(name)
            if sem is not None and sem.semantic == "text":
                col.read_as("text")  # free text: no per-column check reads it as levels
            self._columns[name] = col
        return col

    def _inherited(self, name: str) -> ColumnProfile | None:
        """The profile of the frame as read, for a column the cleaning left as it was:
        its statistics are already paid for (the semantics stage read them)."""
        if self._inherit is None or name not in self._inherit._columns:
            return None
        sem = self.dataset.semantics.get(name)
        if sem is None or sem.changes_cells or sem.semantic == "text":
            return None
        return self._inherit._columns[name]

    def _make(self, name: str) -> ColumnProfile:
        return ColumnProfile(name, self.dataset.frame[name])

    def __iter__(self) -> Iterator[ColumnProfile]:
        for name in self.dataset.frame.columns:
            yield self[name]

    def features(self) -> Iterator[ColumnProfile]:
        for name in self.dataset.features:
            yield self[name]
