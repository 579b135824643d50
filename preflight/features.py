"""The encoded feature matrix shared by every model-based check.

One numeric matrix per run (``ctx.shared``): numeric columns robust-standardised
with their missing cells imputed (plus a missing indicator), datetimes as numbers,
low-cardinality text one-hot encoded. Outliers, label noise and capacity checks
all read this one matrix, so it is built once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from preflight.check import Context
from preflight.dataset import Dataset
from preflight.profile import ColumnProfile, Profile

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
class EncodedFeatures:
    matrix: np.ndarray  # float64, shape (n_rows, n_encoded), no NaN or inf
    names: tuple[str, ...]  # encoded column names, e.g. "island=Biscoe", "bill_mm"
    sources: tuple[str, ...]  # the source feature column of each encoded column
    skipped: tuple[str, ...]  # feature columns left out (free text, all missing, other types)

    @property
    def n_features(self) -> int:
        return int(self.matrix.shape[1])


def encoded_features(ctx: Context) -> EncodedFeatures:
    """The run's shared encoded matrix (built on first use)."""
    return ctx.shared("encoded_features", lambda: encode(ctx.dataset, ctx.profile))


@dataclass(frozen=True)
class FeatureLayout:
    """The encoded matrix's columns without the matrix (what counting checks need)."""

    names: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def n_features(self) -> int:
        return len(self.names)


def encoded_layout(ctx: Context) -> FeatureLayout:
    """The columns :func:`encoded_features` has (or would have), without building it.

    Checks that only count encoded features (CP001) ask for this: the matrix costs
    n_rows x n_encoded floats, the layout a few profile statistics. When a model-based
    check has already built the matrix, its layout is read off it.
    """

    def build() -> FeatureLayout:
        if "encoded_features" in ctx._cache:
            built = encoded_features(ctx)
            return FeatureLayout(names=built.names, sources=built.sources)
        names: list[str] = []
        sources: list[str] = []
        for col in ctx.profile.features():
            column_names = _column_names(col, ctx.dataset.n_rows)
            names.extend(column_names)
            sources.extend([col.name] * len(column_names))
        return FeatureLayout(names=tuple(names), sources=tuple(sources))

    return ctx.shared("encoded_layout", build)


def _column_names(col: ColumnProfile, n: int) -> list[str]:
    """The names :func:`_encode_column` gives ``col``'s block ([] when it is left out)."""
    if col.n_present == 0:
        return []
    if col.kind in ("numeric", "boolean"):
        # Mirrors _numeric_block: no finite value, or a zero robust scale and a zero
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
    encoded = _encode_column(col, n)  # datetimes: as cheap to encode as to reason about
    return [] if encoded is None else encoded[1]


def _category_levels(col: ColumnProfile) -> list[object] | None:
    """The one-hot levels of a text column, or None when it is left out."""
    if col.n_unique == 1 and col.n_missing == 0:
        return None  # a constant carries nothing
    if col.n_unique > MAX_CATEGORIES and col.n_unique > MAX_DISTINCT_SHARE * col.n_present:
        return None
    return [v for v in col.value_counts.index[:MAX_CATEGORIES]]


def encode(dataset: Dataset, profile: Profile) -> EncodedFeatures:
    blocks: list[np.ndarray] = []
    names: list[str] = []
    sources: list[str] = []
    skipped: list[str] = []
    n = dataset.n_rows
    for col in profile.features():
        encoded = _encode_column(col, n)
        if encoded is None:
            skipped.append(col.name)
            continue
        block, block_names = encoded
        blocks.append(block)
        names.extend(block_names)
        sources.extend([col.name] * len(block_names))
    matrix = np.column_stack(blocks) if blocks else np.zeros((n, 0))
    return EncodedFeatures(
        matrix=np.ascontiguousarray(matrix, dtype=np.float64),
        names=tuple(names),
        sources=tuple(sources),
        skipped=tuple(skipped),
    )


def _encode_column(col: ColumnProfile, n: int) -> tuple[np.ndarray, list[str]] | None:
    if col.n_present == 0:
        return None
    if col.kind in ("numeric", "boolean"):
        x = col.series.to_numpy(dtype=float, na_value=np.nan)
        return _numeric_block(np.asarray(x, dtype=float), col.name)
    if col.kind == "datetime":
        stamps = pd.to_datetime(col.series, errors="coerce", utc=True)
        x = (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(dtype=float, na_value=np.nan)
        return _numeric_block(np.asarray(x, dtype=float) / 86400.0, col.name)
    if col.kind in ("string", "categorical", "mixed"):
        top = _category_levels(col)
        if top is None:
            return None
        values = col.series.astype(object).to_numpy()
        block = np.column_stack([(values == v).astype(float) for v in top])
        return block, [f"{col.name}={v}" for v in top]
    return None


def _numeric_block(x: np.ndarray, name: str) -> tuple[np.ndarray, list[str]] | None:
    x = np.where(np.isfinite(x), x, np.nan)
    missing = np.isnan(x)
    present = x[~missing]
    if present.size == 0:
        return None
    peak = float(np.max(np.abs(present)))
    if peak > _RESCALE_ABOVE:
        x, present = x / peak, present / peak
    median = float(np.median(present))
    q25, q75 = np.quantile(present, [0.25, 0.75])
    # Robust scale: IQR of a normal is 1.349 sigma. Fall back to the std when more
    # than half the values are equal (IQR 0), and skip truly constant columns.
    scale = float(q75 - q25) / 1.349
    if scale == 0.0:
        scale = float(present.std())
    if not np.isfinite(scale) or scale == 0.0:
        return None
    z = np.clip((np.where(missing, median, x) - median) / scale, -MAX_ABS_Z, MAX_ABS_Z)
    if missing.any():
        return np.column_stack([z, missing.astype(float)]), [name, f"{name}__missing"]
    return z[:, None], [name]
