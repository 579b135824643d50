"""Mean, standard deviation and skewness of a column's finite values."""

from __future__ import annotations

import numpy as np

from preflight.data.profile.quantiles import EXACT_QUANTILE_LIMIT

# Above this many values the central sums are accumulated block by block (the same
# threshold as exact quantiles, so small columns keep their BLAS dot products).
_BLOCKWISE_ABOVE = EXACT_QUANTILE_LIMIT
# Moments are accumulated over blocks of this many values (no column-sized temporaries).
_MOMENT_BLOCK = 1 << 16


def moments_of(f: np.ndarray) -> tuple[float, float, float] | None:
    """(mean, population standard deviation, skewness) of ``f``; None if empty."""
    if f.size == 0:
        return None
    mean = float(f.mean())
    if f.size > _BLOCKWISE_ABOVE:
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
    cube = std**3
    if cube == 0.0:
        # A spread of subnormal size (std below ~1e-103): its cube underflows to zero,
        # so the skewness comes from the standardised values instead.
        return mean, std, float(np.mean(((f - mean) / std) ** 3))
    skew = float(sum3 / f.size / cube)
    return mean, std, skew


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
