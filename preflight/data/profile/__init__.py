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

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self._columns: dict[str, ColumnProfile] = {}

    def __getitem__(self, name: str) -> ColumnProfile:
        col = self._columns.get(name)
        if col is None:
            col = self._make(name)
            self._columns[name] = col
        return col

    def _make(self, name: str) -> ColumnProfile:
        return ColumnProfile(name, self.dataset.frame[name])

    def __iter__(self) -> Iterator[ColumnProfile]:
        for name in self.dataset.frame.columns:
            yield self[name]

    def features(self) -> Iterator[ColumnProfile]:
        for name in self.dataset.features:
            yield self[name]
