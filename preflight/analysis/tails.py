"""One pass over every row for what OL001 judges beyond the fence: each column's most
extreme values on both sides (to tell an isolated value from a long tail) and the
cells that break the column's bound (:mod:`preflight.analysis.bounds`).

Batch by batch when streaming; the parts are picklable for the Dask engine and merge
into the same result in any batch order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from preflight.analysis.bounds import Bound


@dataclass
class TailValues:
    """Per column: its ``m`` largest and ``m`` smallest finite values (any order), and
    the file positions and values of the cells outside its bound."""

    largest: dict[str, np.ndarray] = field(default_factory=dict)
    smallest: dict[str, np.ndarray] = field(default_factory=dict)
    breaking: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)


def extreme(values: np.ndarray, m: int, *, largest: bool) -> np.ndarray:
    """The ``m`` largest (or smallest) values along the first axis, any order: of a
    column, or of each column of a matrix (all of them when there are ``m`` or fewer)."""
    n = values.shape[0]
    if n <= m:
        return values
    if largest:
        return np.partition(values, n - m, axis=0)[n - m :]
    return np.partition(values, m - 1, axis=0)[:m]


@dataclass(frozen=True)
class TailPass:
    """Collects :class:`TailValues` from one batch of rows (picklable)."""

    tails: Mapping[str, int]  # column -> values kept per side
    bounds: Mapping[str, Bound]

    @property
    def columns(self) -> list[str]:
        return sorted(set(self.tails) | set(self.bounds))

    def __call__(self, batch: pd.DataFrame) -> TailValues:
        out = TailValues()
        for name in self.columns:
            values = np.asarray(batch[name].to_numpy(dtype=float, na_value=np.nan), dtype=float)
            if name in self.tails:
                finite = values[np.isfinite(values)]
                m = self.tails[name]
                out.largest[name] = extreme(finite, m, largest=True)
                out.smallest[name] = extreme(finite, m, largest=False)
            if name in self.bounds:
                hit = np.flatnonzero(self.bounds[name].breaks(values))
                out.breaking[name] = (np.asarray(batch.index[hit], dtype=np.int64), values[hit])
        return out

    def then(self, earlier: TailValues, later: TailValues) -> TailValues:
        """Two batches' values as one (a pass folds them as they come: what it holds is
        the values kept so far, not every batch's)."""
        return self.merge([earlier, later])

    def merge(self, parts: Sequence[TailValues]) -> TailValues:
        out = TailValues()
        for name, m in self.tails.items():
            out.largest[name] = extreme(np.concatenate([p.largest[name] for p in parts]), m, largest=True)
            out.smallest[name] = extreme(np.concatenate([p.smallest[name] for p in parts]), m, largest=False)
        for name in self.bounds:
            rows = np.concatenate([p.breaking[name][0] for p in parts])
            values = np.concatenate([p.breaking[name][1] for p in parts])
            order = np.argsort(rows, kind="stable")
            out.breaking[name] = (rows[order], values[order])
        return out
