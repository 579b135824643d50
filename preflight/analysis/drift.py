"""Distribution shift between train and a held-out file: binned counts and the
population stability index with its noise floor (SP003, SP005)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from preflight.data.text import as_text


@dataclass(frozen=True)
class Shift:
    """Population stability index between two samples of one column."""

    psi: float
    bins: int  # non-empty bins compared
    noise_floor: float  # PSI an identical distribution reaches by chance at these sizes
    n_reference: int
    n_other: int


def population_stability(counts_ref: np.ndarray, counts_other: np.ndarray, noise_z: float) -> Shift:
    """PSI of two binned samples, with the noise floor of the same sizes.

    PSI = sum((q - p) * ln(q / p)) over bins (a symmetric KL divergence). Bins get half
    a count each so an empty bin stays finite. For two samples of one distribution,
    PSI is about (1/n1 + 1/n2) times a chi-square with bins-1 degrees of freedom; the
    noise floor is that chi-square's upper quantile at ``noise_z`` on the normal scale
    (Wilson-Hilferty; 4.0 is exceeded by chance about 3 times in 100,000), so a small
    test file cannot pass sampling noise off as drift. On large files the floor is
    negligible and the PSI thresholds alone decide.
    """
    keep = (counts_ref + counts_other) > 0
    a = counts_ref[keep].astype(float)
    b = counts_other[keep].astype(float)
    k = int(keep.sum())
    n1, n2 = float(a.sum()), float(b.sum())
    if k < 2 or n1 == 0 or n2 == 0:
        return Shift(0.0, k, 0.0, int(n1), int(n2))
    p = (a + 0.5) / (n1 + 0.5 * k)
    q = (b + 0.5) / (n2 + 0.5 * k)
    psi = float(np.sum((q - p) * np.log(q / p)))
    df = k - 1
    quantile = df * (1.0 - 2.0 / (9 * df) + noise_z * np.sqrt(2.0 / (9 * df))) ** 3
    floor = (1.0 / n1 + 1.0 / n2) * quantile
    return Shift(psi, k, float(floor), int(n1), int(n2))


def binned_counts(
    reference: np.ndarray, other: np.ndarray, *, max_bins: int, min_per_bin: int
) -> tuple[np.ndarray, np.ndarray]:
    """Counts per bin for two samples of one column (floats or text), missing as a bin.

    Numbers: quantile bins of the reference sample, as many as keep about
    ``min_per_bin`` rows of the smaller sample per bin (2 to ``max_bins``). Text: the
    most frequent reference values, one bin each, and one bin for every other value.
    """
    n_small = min(len(reference), len(other))
    bins = int(np.clip(n_small // max(min_per_bin, 1), 2, max_bins))
    if reference.dtype.kind == "f" and other.dtype.kind == "f":
        finite = reference[np.isfinite(reference)]
        if finite.size == 0:
            edges = np.zeros(0)
        else:
            edges = np.unique(np.quantile(finite, np.linspace(0, 1, bins + 1)[1:-1]))
        missing_bin = len(edges) + 1

        def codes_num(x: np.ndarray) -> np.ndarray:
            idx = np.searchsorted(edges, x, side="right")
            return np.where(np.isnan(x), missing_bin, idx)

        ca, cb = codes_num(reference), codes_num(other)
        size = missing_bin + 1
    else:
        ref = pd.Series(reference, dtype=object)
        oth = pd.Series(other, dtype=object)
        top = as_text(ref.dropna()).value_counts().index[: bins - 1]
        other_bin, missing_bin = len(top), len(top) + 1

        lookup = {v: i for i, v in enumerate(top)}

        def codes_text(s: pd.Series) -> np.ndarray:
            codes = as_text(s).map(lookup).fillna(other_bin).to_numpy(dtype=np.int64)
            return np.where(s.isna().to_numpy(), missing_bin, codes)

        ca, cb = codes_text(ref), codes_text(oth)
        size = missing_bin + 1
    return np.bincount(ca, minlength=size), np.bincount(cb, minlength=size)
