"""Per-column statistics, each computed at most once and only when a check asks.

A :class:`Profile` is shared by every check in a run. Statistics are
``cached_property`` attributes of :class:`ColumnProfile`, so the first check that
needs, say, a column's quantiles pays for them and the rest reuse them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Literal

import numpy as np
import pandas as pd

from preflight.dataset import Dataset

Kind = Literal["numeric", "boolean", "datetime", "categorical", "string", "mixed", "other"]

# Python types of cells that hold a structure or raw bytes, not a value: parquet
# list/struct/map/binary columns arrive as these. A column of only these is "other".
_CONTAINER_TYPES = frozenset({"list", "tuple", "dict", "set", "ndarray", "bytes", "bytearray", "memoryview"})

# Strings that mean "no value" when they appear as data (compared case-insensitively,
# after stripping). CSV readers already turn some of them into nulls; see Dataset.
NULL_LIKE_STRINGS: frozenset[str] = frozenset(
    ["", "na", "n/a", "n.a.", "nan", "null", "none", "nil", "missing", "unknown", "?", "-",
     "--", "---", ".", "#n/a", "#na", "undefined", "not available", "no data", "<na>"]
)  # fmt: skip

# A plain number as text: optional sign, digits, decimals, exponent.
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
# A number dressed for people: currency, thousands separators, percent, spaces.
# (The no-break space is written as itself: the pattern also runs in pyarrow's RE2.)
_FORMATTED_NUMBER = re.compile(
    r"^\(?[+-]?\s*[$€£¥]?\s*[+-]?(\d{1,3}([,\u00a0' ]\d{3})+|\d+)(\.\d+)?\s*(%|[$€£¥])?\)?$".replace(
        "\\u00a0", "\u00a0"
    )
)

try:
    import pyarrow  # noqa: F401

    _HAS_PYARROW = True
except ImportError:  # pragma: no cover - pyarrow is a dependency
    _HAS_PYARROW = False

# Quantiles computed together per numeric column: the summary percentiles of
# :class:`Quantiles` and every 1/32 (LB003's default bin edges).
QUANTILE_GRID: tuple[float, ...] = tuple(
    sorted({0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99} | {i / 32 for i in range(1, 32)})
)

# Rows looked at first when a bound on the distinct count can settle a question.
_PREFIX_ROWS = 5000

# Approximate quantiles above this many finite values (docs/limits.md). A column with
# more finite values than EXACT_QUANTILE_LIMIT takes its quantiles (the whole
# QUANTILE_GRID, hence the profile summary's percentiles, OL001's fences, SN's shape
# statistics and LB003's bin edges) from a seeded uniform sample of QUANTILE_SAMPLE
# of them, drawn with replacement. By the Dvoretzky-Kiefer-Wolfowitz inequality,
# P(sup |F_sample - F_column| > eps) <= 2 exp(-2 m eps^2): with m = 100,000 every
# sampled quantile's rank in the column is within +-0.52% of the asked probability
# at 99% confidence (+-0.74% at 1 - 1e-6). At or below the limit every quantile is
# exact, so small datasets get the same answers as before. Counts, minimum,
# maximum and moments are always computed on every value.
EXACT_QUANTILE_LIMIT = 100_000
QUANTILE_SAMPLE = 100_000
# Fixed seed of that sample: the same file gives the same quantiles in every run.
QUANTILE_SEED = 20_251_126
# Above EXACT_QUANTILE_LIMIT, columns with at most this many distinct values read their
# quantiles exactly off their value counts (see ColumnProfile.counted_values).
COUNTED_QUANTILES = 1024
# Moments are accumulated over blocks of this many values (no column-sized temporaries).
_MOMENT_BLOCK = 1 << 16

TextClass = Literal["null-like", "number", "formatted-number", "text"]


def classify_text(value: str) -> TextClass:
    """What a string cell holds: a null marker, a number, a formatted number or text."""
    result: TextClass = classify_texts([value]).iloc[0]
    return result


def classify_texts(values: list[str]) -> pd.Series:
    """:func:`classify_text` for many distinct values at once (index = value).

    Vectorised through pandas string methods, which run in pyarrow's regex engine
    when pandas uses pyarrow strings: a column of a million distinct ids or
    free-text cells costs one pass in C++, not a million Python regex calls.
    """
    s = pd.Series(values, dtype="string[pyarrow]" if _HAS_PYARROW else "string")
    stripped = s.str.strip()
    null_like = stripped.str.lower().isin(NULL_LIKE_STRINGS)
    plain = stripped.str.fullmatch(_PLAIN_NUMBER.pattern).fillna(False)
    formatted = stripped.str.fullmatch(_FORMATTED_NUMBER.pattern).fillna(False)
    exact = stripped == s
    out = np.full(len(values), "text", dtype=object)
    out[(plain | formatted).to_numpy(dtype=bool)] = "formatted-number"
    out[(plain & exact).to_numpy(dtype=bool)] = "number"
    out[null_like.to_numpy(dtype=bool)] = "null-like"
    return pd.Series(out, index=pd.Index(values, dtype=object), dtype=object)


def parse_formatted_number(value: str) -> float | None:
    """``"$3,750.50"`` -> 3750.5, ``"12%"`` -> 0.12, ``"(5)"`` -> -5; None if not a number."""
    s = value.strip()
    negative = s.startswith("(") and s.endswith(")")
    s = s.strip("()").strip()
    percent = s.endswith("%")
    s = re.sub(r"[$€£¥%\s\u00a0',]", "", s)
    try:
        number = float(s)
    except ValueError:
        return None
    if percent:
        number /= 100.0
    return -number if negative else number


@dataclass(frozen=True)
class Quantiles:
    q01: float
    q05: float
    q25: float
    q50: float
    q75: float
    q95: float
    q99: float

    @property
    def iqr(self) -> float:
        return self.q75 - self.q25


class ColumnProfile:
    """Lazily computed statistics of one column."""

    def __init__(self, name: str, series: pd.Series) -> None:
        self.name = name
        self.series = series

    @cached_property
    def kind(self) -> Kind:
        s = self.series
        dtype = s.dtype
        if isinstance(dtype, pd.CategoricalDtype):
            return "categorical"
        if pd.api.types.is_bool_dtype(dtype):
            return "boolean"
        if pd.api.types.is_numeric_dtype(dtype):
            return "numeric"
        if pd.api.types.is_datetime64_any_dtype(dtype) or isinstance(dtype, pd.PeriodDtype):
            return "datetime"
        if pd.api.types.is_string_dtype(dtype):
            types = self.python_types
            if types and types <= _CONTAINER_TYPES:
                return "other"  # lists, structs, raw bytes: no check models these cells
            if not types or types == {"str"}:
                return "string"
            if types <= {"bool"}:
                return "boolean"
            if types <= {"number"}:
                return "numeric"
            if types <= {"date", "datetime", "Timestamp"}:
                return "datetime"
            return "mixed"
        return "other"

    @cached_property
    def python_types(self) -> set[str]:
        """Distinct Python type names among non-null cells of an object column."""
        values = self.series.dropna()
        if values.dtype != object:
            return {"str"} if pd.api.types.is_string_dtype(values.dtype) else set()
        names: set[str] = set()
        for t in values.map(type).unique():
            name = t.__name__
            if name in ("int", "float", "int64", "float64", "int32", "float32", "Decimal"):
                name = "number"
            names.add(name)
        return names

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
        if self.kind in ("numeric", "boolean") and self.values.size and not wide:
            if self.quantiles is None:  # only infinities
                counts = self.value_counts
                return (counts.index[0], int(counts.iloc[0])) if 2 * counts.iloc[0] > self.n_present else None
            if self.quantiles_sampled:
                return self._sampled_majority()
            median = self.quantiles.q50  # shared with every check that reads quantiles
            count = int(np.count_nonzero(self.values == median))
            if self.kind == "boolean":
                median = bool(median)  # False, not 0.0, in messages
        else:
            counts = self.value_counts
            median, count = counts.index[0], int(counts.iloc[0])
        return (median, count) if 2 * count > self.n_present else None

    def _sampled_majority(self) -> tuple[object, int] | None:
        """:attr:`dominant` of a column whose quantiles are sampled.

        A value held by more than half of the cells fills more than 40% of the sample
        but with probability below exp(-2 m 0.1^2) (Hoeffding; e^-2000 at m =
        100,000); such a value covers the sample's median or one of its quartiles. Only
        those candidates are counted, exactly, over every value: a continuous column
        costs no pass over the rows, and the count reported is always exact.
        """
        sample = self.quantile_sample
        grid = self.quantile_grid
        for value in dict.fromkeys((grid[0.5], grid[0.25], grid[0.75])):
            if np.count_nonzero(sample == value) >= 0.4 * sample.size:
                count = int(np.count_nonzero(self.values == value))
                if 2 * count > self.n_present:
                    return float(value), count
        return None

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
        values; None otherwise.

        A discrete column's quantiles sit on steps: a sampled quantile could land a
        whole step off (a count column's 95% at 7 instead of 8), so such columns read
        exact quantiles off their value counts (one hash pass) instead.
        """
        if self.finite.size <= EXACT_QUANTILE_LIMIT or self.distinct_exceeds(COUNTED_QUANTILES):
            return None
        counts = self.value_counts
        values = np.asarray(counts.index.to_numpy(dtype=float, na_value=np.nan), dtype=float)
        finite = np.isfinite(values)
        order = np.argsort(values[finite], kind="stable")
        return values[finite][order], np.asarray(counts.to_numpy()[finite][order], dtype=np.int64)

    @cached_property
    def quantile_sample(self) -> np.ndarray:
        """The finite values the quantiles are read from: all of them (:attr:`finite`
        itself), or above EXACT_QUANTILE_LIMIT a seeded uniform sample of
        QUANTILE_SAMPLE of them (with replacement). Not sorted."""
        f = self.finite
        if not self.quantiles_sampled:
            return f
        sample: np.ndarray = f[_sample_positions(f.size)]
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
        grid = self.quantile_grid
        if not grid:
            return None
        return Quantiles(*(grid[p] for p in (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)))

    @cached_property
    def moments(self) -> tuple[float, float, float] | None:
        """(mean, standard deviation, skewness) of the finite values."""
        f = self.finite
        if f.size == 0:
            return None
        mean = float(f.mean())
        if f.size > EXACT_QUANTILE_LIMIT:
            # Same sums, accumulated block by block into two small buffers: a
            # column-sized temporary costs more in fresh pages than in arithmetic.
            sum2, sum3 = _central_sums(f, mean)
        else:
            centred = f - mean
            squares = centred * centred
            # Dot products instead of `** 3` temporaries: one pass each, in BLAS.
            sum2, sum3 = float(squares.sum()), float(np.dot(squares, centred))
        std = float(np.sqrt(sum2 / f.size))
        if std == 0.0 or f.size < 3:
            return mean, std, 0.0
        skew = float(sum3 / f.size / std**3)
        return mean, std, skew

    @cached_property
    def min(self) -> float | None:
        return float(self.finite.min()) if self.finite.size else None

    @cached_property
    def max(self) -> float | None:
        return float(self.finite.max()) if self.finite.size else None

    # ---- text -----------------------------------------------------------------
    @cached_property
    def text_classes(self) -> pd.Series:
        """For each distinct string value, its :data:`TextClass` (index = value)."""
        if self.kind not in ("string", "mixed", "categorical"):
            return pd.Series([], dtype=object)
        values = [v for v in self.value_counts.index if isinstance(v, str)]
        return classify_texts(values)

    def text_class_counts(self) -> dict[str, int]:
        """Cells per text class (counting repeats)."""
        classes = self.text_classes
        if classes.empty:
            return {}
        counts = self.value_counts.reindex(classes.index)
        return {str(k): int(v) for k, v in counts.groupby(classes.to_numpy()).sum().items()}


@lru_cache(maxsize=4)
def _sample_positions(size: int) -> np.ndarray:
    """QUANTILE_SAMPLE seeded uniform positions in ``range(size)``, sorted (for locality);
    columns of the same length share them."""
    rng = np.random.default_rng(QUANTILE_SEED)
    positions = np.sort(rng.integers(0, size, QUANTILE_SAMPLE))
    positions.flags.writeable = False
    return positions


def counted_quantiles(values: np.ndarray, counts: np.ndarray, probabilities: np.ndarray) -> np.ndarray:
    """``np.quantile`` (linear method) of the multiset where ``values[i]`` occurs
    ``counts[i]`` times, without spelling it out: the same order statistics, found in
    the cumulative counts, and numpy's own interpolation."""
    n = int(counts.sum())
    ends = np.cumsum(counts)  # order statistics 0 .. ends[i] - 1 hold values[..i]
    # numpy's virtual index for the linear method, in its own arithmetic.
    virtual = n * probabilities + (1 + probabilities * -1) - 1
    below = np.clip(np.floor(virtual), 0, n - 1)
    above = np.clip(below + 1, 0, n - 1)
    gamma = virtual - np.floor(virtual)
    a = values[np.searchsorted(ends, below, side="right")]
    b = values[np.searchsorted(ends, above, side="right")]
    diff = b - a
    result: np.ndarray = np.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma)
    return result


def _central_sums(f: np.ndarray, mean: float) -> tuple[float, float]:
    """(sum of (f - mean)^2, sum of (f - mean)^3), block by block.

    Plain ufuncs, not ``np.dot``: a BLAS call per block wakes its thread pool, which
    on a busy machine costs more than the arithmetic.
    """
    block = min(f.size, _MOMENT_BLOCK)
    centred = np.empty(block)
    squares = np.empty(block)
    cubes = np.empty(block)
    sum2 = 0.0
    sum3 = 0.0
    for start in range(0, f.size, block):
        chunk = f[start : start + block]
        c = centred[: chunk.size]
        sq = squares[: chunk.size]
        cu = cubes[: chunk.size]
        np.subtract(chunk, mean, out=c)
        np.multiply(c, c, out=sq)
        np.multiply(sq, c, out=cu)
        sum2 += float(sq.sum())
        sum3 += float(cu.sum())
    return sum2, sum3


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
