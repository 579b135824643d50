"""The statistics of one column, as ``cached_property`` attributes: each computed at most
once and only when a check asks. The arithmetic sits beside it by subject (kinds,
quantiles, moments, text_classes); a streamed file's columns subclass it
(:mod:`preflight.data.engines.scanned`) to answer from the full-file scan.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np
import pandas as pd

from preflight.data.profile.kinds import Kind, kind_of, python_types_of
from preflight.data.profile.moments import moments_of
from preflight.data.profile.quantiles import (
    COUNTED_QUANTILES,
    EXACT_QUANTILE_LIMIT,
    QUANTILE_GRID,
    Quantiles,
    counted_quantiles,
    sample_positions,
    sampled_majority,
    sorted_counts,
)
from preflight.data.profile.text_classes import cells_per_class, classify_texts

# Rows looked at first when a bound on the distinct count can settle a question.
_PREFIX_ROWS = 5000


class ColumnProfile:
    """Lazily computed statistics of one column."""

    def __init__(self, name: str, series: pd.Series) -> None:
        self.name = name
        self.series = series

    @cached_property
    def kind(self) -> Kind:
        return kind_of(self.series.dtype, lambda: self.python_types)

    def read_as(self, kind: Kind) -> None:
        """Set the kind the semantics stage decided (free text is ``text``, not a
        ``string`` column of levels)."""
        self.__dict__["kind"] = kind

    @cached_property
    def python_types(self) -> set[str]:
        """Distinct Python type names among non-null cells of an object column."""
        return python_types_of(self.series)

    # ---- counts ---------------------------------------------------------------
    @cached_property
    def missing_mask(self) -> np.ndarray:
        return np.asarray(self.series.isna().to_numpy(), dtype=bool)

    @property
    def file_missing_mask(self) -> np.ndarray:
        """Missing cells over every row of the file (the frame is the file here; a
        streamed file's profile answers from its scan while ``missing_mask`` follows
        the sampled frame)."""
        return self.missing_mask

    @cached_property
    def n(self) -> int:
        return len(self.series)

    @cached_property
    def n_missing(self) -> int:
        return int(self.missing_mask.sum())

    @cached_property
    def n_present(self) -> int:
        return self.n - self.n_missing

    @cached_property
    def factorized(self) -> tuple[np.ndarray, pd.Index]:
        """(codes, uniques) of ``pd.factorize``: a code per row (-1 where missing) and the
        distinct values in order of first appearance.

        One hash pass over a text column that serves its value counts and LB003's
        categories and text comparisons. The codes are kept in the smallest signed
        integer type that holds them (a byte per row for up to 127 values): cast them
        to int64 before arithmetic. Raises TypeError on unhashable cells.
        """
        codes, uniques = pd.factorize(self.series, use_na_sentinel=True)
        kept = np.asarray(codes, dtype=np.min_scalar_type(-max(len(uniques), 1)))
        kept.flags.writeable = False  # shared by every check: never written in place
        return kept, pd.Index(uniques)

    @cached_property
    def value_counts(self) -> pd.Series:
        """Counts of distinct non-null values, most common first (ties by value order)."""
        if isinstance(self.series.dtype, pd.StringDtype):
            # Typed text: counted off the shared factorization (the same hash pass), in
            # the order pandas' own value_counts gives (first appearance, stable sort).
            codes, uniques = self.factorized
            tally = np.bincount(codes[codes >= 0] if self.n_missing else codes, minlength=len(uniques))
            index = pd.Index(uniques, name=self.series.name)
            return pd.Series(tally, index=index, name="count").sort_values(ascending=False, kind="stable")
        try:
            counts = self.series.value_counts(dropna=True, sort=True)
            # A categorical lists its unobserved categories with 0: not values of the column.
            return counts[counts > 0] if isinstance(self.series.dtype, pd.CategoricalDtype) else counts
        except TypeError:  # unhashable cells (lists, dicts): count their text form
            return self.series.dropna().map(repr).value_counts(sort=True)

    @cached_property
    def n_unique(self) -> int:
        return len(self.value_counts)

    def distinct_exceeds(self, m: int) -> bool:
        """Whether the column has more than ``m`` distinct non-null values (``n_unique > m``).

        Exact, and cheap on continuous columns: a prefix of the rows holding more than
        ``m`` distinct values settles it without counting a million floats; only when
        the prefix does not do the full :attr:`value_counts` run.
        """
        if "value_counts" in self.__dict__ or self.n <= _PREFIX_ROWS:
            return self.n_unique > m
        head = self.series.iloc[:_PREFIX_ROWS].dropna()
        try:
            if len(pd.unique(head)) > m:  # a subset's distinct values are the column's
                return True
        except TypeError:  # unhashable cells: value_counts counts their text form
            pass
        return self.n_unique > m

    def top_count_exceeds(self, limit: float) -> bool:
        """Whether the commonest non-null value is held by more than ``limit`` cells.

        From :attr:`dominant` (no distinct count) when ``limit`` is at least half the
        non-null cells: only a majority value can exceed it.
        """
        if 2 * limit >= self.n_present and "value_counts" not in self.__dict__:
            dominant = self.dominant
            return dominant is not None and dominant[1] > limit
        return self.n_present > 0 and int(self.value_counts.iloc[0]) > limit

    @cached_property
    def dominant(self) -> tuple[object, int] | None:
        """The value held by more than half of the non-null cells, with its count.

        Numeric columns find it without hashing: a majority value must be the median,
        so one vectorised comparison counts it (a value_counts of a million distinct
        floats costs far more).
        """
        if self.n_present == 0:
            return None
        # Integers beyond 2**53 are not all distinct as float64: count them exactly.
        peak = max(abs(self.min or 0.0), abs(self.max or 0.0))
        wide = pd.api.types.is_integer_dtype(self.series.dtype) and peak > 2**53
        numeric = self.kind in ("numeric", "boolean") and self.values.size > 0 and not wide
        # A numeric column of only infinities has no quantiles: it counts its values.
        if numeric and self.quantiles is not None:
            if self.quantiles_sampled:
                return sampled_majority(self.quantile_sample, self.quantile_grid, self.values, self.n_present)
            median = self.quantiles.q50  # shared with every check that reads quantiles
            count = int(np.count_nonzero(self.values == median))
            if self.kind == "boolean":
                median = bool(median)  # False, not 0.0, in messages
        else:
            counts = self.value_counts
            median, count = counts.index[0], int(counts.iloc[0])
        return (median, count) if 2 * count > self.n_present else None

    # ---- numeric --------------------------------------------------------------
    @cached_property
    def values(self) -> np.ndarray:
        """Non-null values as float64 (numeric and boolean columns only)."""
        if self.kind not in ("numeric", "boolean"):
            return np.empty(0)
        s = self.series
        if self.n_missing == 0:
            # No mask to apply, and no missing value to fill: a float64 column is
            # returned as it is stored, without a copy (read-only: it is the data).
            stored: np.ndarray = np.asarray(s.to_numpy(dtype=float), float).view()
            stored.flags.writeable = False
            return stored
        # Mask the float array, not the Series: a boolean Series index costs far more.
        full = np.asarray(s.to_numpy(dtype=float, na_value=np.nan), float)
        present: np.ndarray = full[~self.missing_mask]
        return present

    @cached_property
    def inf_mask(self) -> np.ndarray:
        """Full-length mask of +/-inf cells."""
        mask = np.zeros(len(self.series), dtype=bool)
        if self.kind == "numeric" and self.finite.size < self.values.size:  # some infinities
            present = ~self.missing_mask
            mask[present] = np.isinf(self.values)
        return mask

    @property
    def file_inf_mask(self) -> np.ndarray:
        """Infinite cells over every row of the file (see :attr:`file_missing_mask`)."""
        return self.inf_mask

    @cached_property
    def finite(self) -> np.ndarray:
        v = self.values
        mask = np.isfinite(v)
        if mask.all():
            return v  # the common case: no second copy of the column
        finite: np.ndarray = v[mask]
        return finite

    @cached_property
    def is_integral(self) -> bool:
        f = self.finite
        if f.size == 0:
            return False
        head = f[:_PREFIX_ROWS]
        if not np.all(head == np.round(head)):
            return False  # settled by the prefix: a continuous column costs no full pass
        return bool(np.all(f == np.round(f)))

    @cached_property
    def quantiles_sampled(self) -> bool:
        """Whether the quantiles come from a sample: more than EXACT_QUANTILE_LIMIT finite
        values, and more than COUNTED_QUANTILES distinct ones (fewer are counted exactly)."""
        return bool(self.finite.size > EXACT_QUANTILE_LIMIT and self.counted_values is None)

    @cached_property
    def counted_values(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(sorted distinct finite values, their counts) of a column above
        EXACT_QUANTILE_LIMIT finite values with at most COUNTED_QUANTILES distinct
        values, whose quantiles are read off them (see
        :mod:`~preflight.data.profile.quantiles`); else None."""
        if self.finite.size <= EXACT_QUANTILE_LIMIT or self.distinct_exceeds(COUNTED_QUANTILES):
            return None
        return sorted_counts(self.value_counts)

    @cached_property
    def quantile_sample(self) -> np.ndarray:
        """The finite values the quantiles are read from: all of them (:attr:`finite`
        itself), or above EXACT_QUANTILE_LIMIT a seeded uniform sample of
        QUANTILE_SAMPLE of them (with replacement). Not sorted."""
        f = self.finite
        if not self.quantiles_sampled:
            return f
        sample: np.ndarray = f[sample_positions(f.size)]
        return sample

    @cached_property
    def quantile_grid(self) -> dict[float, float]:
        """Quantiles of the finite values at :data:`QUANTILE_GRID` (empty if none).

        One partition serves them all: each quantile is the same whichever others are
        asked with it, and a partition for 38 costs little more than one for 7.
        """
        f = self.finite
        if f.size == 0:
            return {}
        # Exact up to the limit (the sample is then every finite value) and on counted
        # discrete columns; sampled above.
        quantiles = self._quantiles(np.asarray(QUANTILE_GRID))
        return {p: float(q) for p, q in zip(QUANTILE_GRID, quantiles, strict=True)}

    def _quantiles(self, probabilities: np.ndarray) -> np.ndarray:
        counted = self.counted_values
        if counted is not None:
            return counted_quantiles(*counted, probabilities)
        return np.asarray(np.quantile(self.quantile_sample, probabilities), dtype=float)

    def quantiles_at(self, probabilities: np.ndarray) -> np.ndarray | None:
        """Quantiles of the finite values (None if there are none), from the grid when it has them."""
        if self.finite.size == 0:
            return None
        grid = self.quantile_grid
        if all(float(p) in grid for p in probabilities):
            return np.array([grid[float(p)] for p in probabilities])
        return self._quantiles(np.asarray(probabilities, dtype=float))

    @cached_property
    def quantiles(self) -> Quantiles | None:
        return Quantiles.from_grid(self.quantile_grid) if self.quantile_grid else None

    @cached_property
    def moments(self) -> tuple[float, float, float] | None:
        """(mean, standard deviation, skewness) of the finite values."""
        return moments_of(self.finite)

    @cached_property
    def min(self) -> float | None:
        return float(self.finite.min()) if self.finite.size else None

    @cached_property
    def max(self) -> float | None:
        return float(self.finite.max()) if self.finite.size else None

    # ---- text -----------------------------------------------------------------
    @cached_property
    def text_classes(self) -> pd.Series:
        """For each distinct string value, its :data:`~preflight.data.profile.text_classes.TextClass`."""
        if self.kind not in ("string", "mixed", "categorical"):
            return pd.Series([], dtype=object)
        values = [v for v in self.value_counts.index if isinstance(v, str)]
        return classify_texts(values)

    def text_class_counts(self) -> dict[str, int]:
        """Cells per text class (counting repeats)."""
        classes = self.text_classes
        return {} if classes.empty else cells_per_class(classes, self.value_counts)
