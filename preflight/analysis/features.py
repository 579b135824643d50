"""The encoded feature matrix shared by every model-based check.

One numeric matrix per run (``Artifacts.encoded``): numeric columns robust-standardised
with their missing cells imputed (plus a missing indicator), datetimes as numbers,
low-cardinality text one-hot encoded, free text as TF-IDF latent directions. Outliers,
label noise and capacity checks all read this one matrix, so it is built once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from preflight.analysis.text_features import fit_text, text_block
from preflight.data.dataset import Dataset
from preflight.data.profile import ColumnProfile, Profile

# One-hot at most this many most frequent categories per column; rarer ones share
# the all-zeros code. Keeps the matrix narrow on high-cardinality columns.
MAX_CATEGORIES = 20
# Text columns whose distinct values exceed this share of rows are free text or ids.
MAX_DISTINCT_SHARE = 0.5
# Standardised values are clipped to this magnitude: a value near the float limit
# (1e308) next to a tight bulk would otherwise give inf, or overflow the float32 that
# tree models convert to. Anything this far out is an extreme outlier either way.
MAX_ABS_Z = 1e12
# Columns whose largest magnitude exceeds this are divided by it before the median,
# quantiles and std are taken, so q75 - q25 and x - median cannot overflow to inf.
# Standardising is scale-free, so this changes nothing else.
_RESCALE_ABOVE = 1e100


@dataclass(frozen=True)
class ColumnCode:
    """How one feature column becomes encoded columns: fitted on ``Dataset.frame``,
    applicable to any batch of rows (so a check fitted on a sample can score every row
    of a streamed file). Picklable, for the Dask engine."""

    name: str
    kind: Literal["numeric", "datetime", "onehot", "text"]
    names: tuple[str, ...]
    peak: float = 0.0  # values are divided by it first when it is set (near-float-limit columns)
    median: float = 0.0
    scale: float = 1.0
    levels: tuple[object, ...] = ()
    model: Any = None  # text: the fitted TF-IDF + SVD pipeline (analysis.text_features)

    def apply(self, series: pd.Series) -> np.ndarray:
        """The encoded block of ``series`` (rows x len(names))."""
        if self.kind == "text":
            return text_block(self.model, series)
        if self.kind == "onehot":
            return _one_hot(series.astype(object).to_numpy(), self.levels)
        x = _as_numbers(series, self.kind)
        x = np.where(np.isfinite(x), x, np.nan)
        if self.peak:
            x = x / self.peak
        missing = np.isnan(x)
        z = np.clip((np.where(missing, self.median, x) - self.median) / self.scale, -MAX_ABS_Z, MAX_ABS_Z)
        if len(self.names) == 2:
            return np.column_stack([z, missing.astype(float)])
        return z[:, None]


def _one_hot(values: np.ndarray, levels: tuple[object, ...]) -> np.ndarray:
    """Indicator columns of ``levels`` (a value equal to none of them is all zeros)."""
    try:
        index = pd.Index(levels, dtype=object)
        # One hash lookup per value instead of one comparison per value and level.
        code = index.get_indexer(pd.Index(values, dtype=object)) if index.is_unique else None
    except TypeError:  # unhashable cells (lists): compared one by one below
        code = None
    if code is None:
        # Levels that compare equal (1 and 1.0), or cells that cannot be hashed.
        return np.column_stack([(values == v).astype(float) for v in levels])
    out = np.zeros((values.size, len(levels)))
    hit = np.flatnonzero(code >= 0)
    out[hit, code[hit]] = 1.0
    return out


def transform(codes: Sequence[ColumnCode], frame: pd.DataFrame) -> np.ndarray:
    """The encoded matrix of ``frame``'s rows under fitted ``codes``, filled block by
    block (stacking the blocks at the end copies every value once more)."""
    return _fill(codes, len(frame), lambda name: frame[name])


def _fill(codes: Sequence[ColumnCode], n: int, column: Callable[[str], pd.Series]) -> np.ndarray:
    """The (n, encoded columns) matrix, each code's block written in place."""
    matrix = np.empty((n, sum(len(code.names) for code in codes)), dtype=np.float64)
    start = 0
    for code in codes:
        width = len(code.names)
        matrix[:, start : start + width] = code.apply(column(code.name))
        start += width
    return matrix


@dataclass(frozen=True)
class EncodedFeatures:
    matrix: np.ndarray  # float64, shape (n_rows, n_encoded), no NaN or inf
    names: tuple[str, ...]  # encoded column names, e.g. "island=Biscoe", "bill_mm"
    sources: tuple[str, ...]  # the source feature column of each encoded column
    skipped: tuple[str, ...]  # feature columns left out (free text, all missing, other types)
    codes: tuple[ColumnCode, ...] = ()  # how to encode other rows the same way

    @property
    def n_features(self) -> int:
        return int(self.matrix.shape[1])


@dataclass(frozen=True)
class FeatureLayout:
    """The encoded matrix's columns without the matrix (what counting checks need)."""

    names: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def n_features(self) -> int:
        return len(self.names)


def feature_layout(dataset: Dataset, profile: Profile) -> FeatureLayout:
    """The columns :func:`encode` gives (or would give), without building the matrix.

    Checks that only count encoded features (CP001) ask for this: the matrix costs
    n_rows x n_encoded floats, the layout a few profile statistics.
    """
    names: list[str] = []
    sources: list[str] = []
    for col in profile.features():
        column_names = _column_names(col, dataset.n_rows)
        names.extend(column_names)
        sources.extend([col.name] * len(column_names))
    return FeatureLayout(names=tuple(names), sources=tuple(sources))


def _column_names(col: ColumnProfile, n: int) -> list[str]:
    """The names :func:`_fit_code` gives ``col``'s block ([] when it is left out)."""
    if col.n_present == 0:
        return []
    if col.kind in ("numeric", "boolean"):
        # Mirrors _fit_numeric: no finite value, or a zero robust scale and a zero
        # std, leaves the column out; a non-finite cell adds the missing indicator.
        finite = col.finite
        if finite.size == 0 or col.quantiles is None:
            return []
        if col.quantiles.iqr / 1.349 == 0.0 and float(finite.std()) == 0.0:
            return []
        return [col.name, f"{col.name}__missing"] if finite.size < n else [col.name]
    if col.kind in ("string", "categorical", "mixed"):
        top = _category_levels(col)
        return [] if top is None else [f"{col.name}={v}" for v in top]
    code = _fit_code(col)  # datetimes: as cheap to fit as to reason about
    return [] if code is None else list(code.names)


def _category_levels(col: ColumnProfile) -> list[object] | None:
    """The one-hot levels of a text column, or None when it is left out."""
    if col.n_unique == 1 and col.n_missing == 0:
        return None  # a constant carries nothing
    if col.n_unique > MAX_CATEGORIES and col.n_unique > MAX_DISTINCT_SHARE * col.n_present:
        return None
    return [v for v in col.value_counts.index[:MAX_CATEGORIES]]


@dataclass(frozen=True)
class Encoder:
    """The fitted codes of every encoded feature column, without the matrix: what
    builds the encoded rows of any batch (``Artifacts.encoded_rows``)."""

    codes: tuple[ColumnCode, ...]
    names: tuple[str, ...]
    sources: tuple[str, ...]
    skipped: tuple[str, ...]

    @property
    def n_features(self) -> int:
        return len(self.names)

    def rows(self, frame: pd.DataFrame) -> np.ndarray:
        """The encoded matrix of ``frame``'s rows (the same values as those rows of
        :func:`encode`'s matrix: every code is applied value by value)."""
        return transform(self.codes, frame)


def fit_encoder(profile: Profile) -> Encoder:
    """Fit the code of every feature column (medians, scales, levels, text models)."""
    codes: list[ColumnCode] = []
    skipped: list[str] = []
    for col in profile.features():
        code = _fit_code(col)
        if code is None:
            skipped.append(col.name)
        else:
            codes.append(code)
    return Encoder(
        codes=tuple(codes),
        names=tuple(name for code in codes for name in code.names),
        sources=tuple(code.name for code in codes for _ in code.names),
        skipped=tuple(skipped),
    )


def encode(dataset: Dataset, profile: Profile, encoder: Encoder | None = None) -> EncodedFeatures:
    """The encoded matrix of every row, filled column block by column block (a list of
    blocks stacked at the end would hold the matrix twice)."""
    encoder = encoder if encoder is not None else fit_encoder(profile)
    return EncodedFeatures(
        matrix=_fill(encoder.codes, dataset.n_rows, lambda name: profile[name].series),
        names=encoder.names,
        sources=encoder.sources,
        skipped=encoder.skipped,
        codes=encoder.codes,
    )


def _as_numbers(series: pd.Series, kind: str) -> np.ndarray:
    """A numeric or datetime column as float64 (datetimes in days since 1970), NaN where missing."""
    if kind == "datetime":
        stamps = pd.to_datetime(series, errors="coerce", utc=True)
        seconds = (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
        return np.asarray(seconds.to_numpy(dtype=float, na_value=np.nan), dtype=float) / 86400.0
    return np.asarray(series.to_numpy(dtype=float, na_value=np.nan), dtype=float)


def _fit_code(col: ColumnProfile) -> ColumnCode | None:
    """The fitted code of ``col``, or None when it is left out."""
    if col.n_present == 0:
        return None
    if col.kind in ("numeric", "boolean", "datetime"):
        kind: Literal["numeric", "datetime"] = "datetime" if col.kind == "datetime" else "numeric"
        return _fit_numeric(_as_numbers(col.series, kind), col.name, kind)
    if col.kind in ("string", "categorical", "mixed"):
        top = _category_levels(col)
        if top is None:
            return None
        return ColumnCode(col.name, "onehot", tuple(f"{col.name}={v}" for v in top), levels=tuple(top))
    if col.kind == "text":
        model = fit_text(col.series)
        if model is None:
            return None
        k = int(model[-1].n_components)
        return ColumnCode(col.name, "text", tuple(f"{col.name}__text{i}" for i in range(k)), model=model)
    return None


def _fit_numeric(x: np.ndarray, name: str, kind: Literal["numeric", "datetime"]) -> ColumnCode | None:
    x = np.where(np.isfinite(x), x, np.nan)
    missing = np.isnan(x)
    present = x[~missing]
    if present.size == 0:
        return None
    peak = float(np.max(np.abs(present)))
    if peak > _RESCALE_ABOVE:
        present = present / peak
    else:
        peak = 0.0
    median = float(np.median(present))
    q25, q75 = np.quantile(present, [0.25, 0.75])
    # Robust scale: IQR of a normal is 1.349 sigma. Fall back to the std when more
    # than half the values are equal (IQR 0), and skip truly constant columns.
    scale = float(q75 - q25) / 1.349
    if scale == 0.0:
        scale = float(present.std())
    if not np.isfinite(scale) or scale == 0.0:
        return None
    names = (name, f"{name}__missing") if missing.any() else (name,)
    return ColumnCode(name, kind, names, peak=peak, median=median, scale=scale)
