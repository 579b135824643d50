"""Rows of one file that repeat rows of another: the split's row overlap.

SP001 lists the held-out rows that repeat train rows; ``preflight fix --test``
drops exactly those rows (:func:`drop_leaked_rows`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from preflight.analysis.split import aligned_frames
from preflight.data.dataset import Dataset
from preflight.data.hashing import row_hashes


@dataclass(frozen=True)
class Overlap:
    """Rows of a held-out file whose shared features exactly repeat a reference row."""

    positions: np.ndarray  # 0-based positions in the held-out file, sorted
    matches: np.ndarray  # for each, the first matching position in the reference file
    reference_repeat_share: float  # share of reference rows that repeat another reference row
    columns: tuple[str, ...]
    near: int = 0  # how many of ``positions`` are near-duplicates rather than exact repeats


def _equal_rows(left: pd.DataFrame, right: pd.DataFrame) -> np.ndarray:
    """Row-wise equality of two aligned frames; missing equals missing."""
    equal = np.ones(len(left), dtype=bool)
    for c in left.columns:
        a = left[c].to_numpy()
        b = right[c].to_numpy()
        na_a = pd.isna(a)
        na_b = pd.isna(b)
        same = np.zeros(len(a), dtype=bool)
        both = ~na_a & ~na_b
        same[both] = a[both] == b[both]
        equal &= same | (na_a & na_b)
    return equal


def overlapping_rows(reference: pd.DataFrame, other: pd.DataFrame, near_tolerance: float = 0.0) -> Overlap:
    """Rows of ``other`` that repeat a row of ``reference`` (same columns, aligned).

    Hashes every row of both frames (:func:`~preflight.data.hashing.row_hashes`)
    and confirms each hash match on the values, so a hash collision can never report a
    leak. With ``near_tolerance`` > 0, rows that are not exact repeats but whose text
    columns are equal and whose numeric columns all lie within ``near_tolerance``
    robust standard deviations (of the reference column) of one reference row are
    near-duplicates and are added.
    """
    columns = tuple(str(c) for c in reference.columns)
    empty = np.zeros(0, np.int64)
    if not columns or len(reference) == 0 or len(other) == 0:
        return Overlap(empty, empty, 0.0, columns)
    ref_hash = row_hashes(reference).to_numpy()
    other_hash = row_hashes(other).to_numpy()
    repeat_share = float(pd.Series(ref_hash).duplicated(keep=False).mean())
    first = pd.Series(np.arange(len(ref_hash)), index=ref_hash)
    first = first[~first.index.duplicated(keep="first")]
    candidate = np.flatnonzero(np.isin(other_hash, first.index.to_numpy()))
    positions, matches = empty, empty
    if candidate.size:
        match = first.loc[other_hash[candidate]].to_numpy().astype(np.int64)
        same = _equal_rows(
            reference.iloc[match].reset_index(drop=True), other.iloc[candidate].reset_index(drop=True)
        )
        positions, matches = candidate[same].astype(np.int64), match[same]
    near = 0
    if near_tolerance > 0:
        exact = np.zeros(len(other), dtype=bool)
        exact[positions] = True
        near_pos, near_match = _near_matches(reference, other, near_tolerance, exact)
        near = int(near_pos.size)
        if near:
            order = np.argsort(np.r_[positions, near_pos], kind="stable")
            positions = np.r_[positions, near_pos][order]
            matches = np.r_[matches, near_match][order]
    return Overlap(positions, matches, repeat_share, columns, near)


def _near_matches(
    reference: pd.DataFrame, other: pd.DataFrame, tolerance: float, skip: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(positions in other, matching reference positions) of near-duplicate rows."""
    from sklearn.neighbors import KDTree

    numeric = [c for c in reference.columns if reference[c].dtype.kind == "f"]
    text = [c for c in reference.columns if c not in numeric]
    empty = np.zeros(0, np.int64)
    if not numeric:
        return empty, empty
    ref_num = reference[numeric].to_numpy(dtype=float)
    oth_num = other[numeric].to_numpy(dtype=float)
    scaled_ref = np.empty_like(ref_num)
    scaled_oth = np.empty_like(oth_num)
    for j in range(len(numeric)):
        col = ref_num[:, j]
        finite = col[np.isfinite(col)]
        center, scale = 0.0, 1.0
        if finite.size:
            q25, q50, q75 = np.quantile(finite, [0.25, 0.5, 0.75])
            center, scale = float(q50), float(q75 - q25) / 1.349 or float(finite.std()) or 1.0
        # Missing and infinite cells sit far from every number, so they only match their kind.
        scaled_ref[:, j] = _far_for_missing((col - center) / scale, col)
        scaled_oth[:, j] = _far_for_missing((oth_num[:, j] - center) / scale, oth_num[:, j])
    ref_text = row_hashes(reference[text]).to_numpy() if text else np.zeros(len(reference), np.uint64)
    oth_text = row_hashes(other[text]).to_numpy() if text else np.zeros(len(other), np.uint64)
    query = np.flatnonzero(~skip)
    if query.size == 0:
        return empty, empty
    tree = KDTree(scaled_ref, metric="chebyshev")
    hits = tree.query_radius(scaled_oth[query], r=tolerance, return_distance=False)
    positions: list[int] = []
    matches: list[int] = []
    for q, found in zip(query, hits, strict=True):
        same_text = found[ref_text[found] == oth_text[q]]
        if same_text.size:
            positions.append(int(q))
            matches.append(int(same_text.min()))
    return np.asarray(positions, dtype=np.int64), np.asarray(matches, dtype=np.int64)


def _far_for_missing(z: np.ndarray, raw: np.ndarray) -> np.ndarray:
    out = np.where(np.isfinite(z), z, 0.0)
    out = np.where(np.isnan(raw), 1e12, out)
    out = np.where(np.isposinf(raw), 2e12, out)
    return np.where(np.isneginf(raw), -2e12, out)


@dataclass(frozen=True)
class LeakedRows:
    """A held-out frame split into the rows to keep and the rows already in train."""

    kept: pd.DataFrame  # held-out rows not found in train (original columns, index = positions)
    removed: pd.DataFrame  # held-out rows that repeat a train row (index = positions)
    positions: np.ndarray  # 0-based held-out positions of the removed rows
    train_positions: np.ndarray  # the first train row each removed row repeats


def drop_leaked_rows(train: Dataset, heldout: Dataset, near_tolerance: float = 0.0) -> LeakedRows:
    """Split ``heldout`` into rows to keep and rows whose features repeat a train row.

    Uses exactly the matching of SP001 (shared feature columns, types normalised,
    target and id columns ignored; ``near_tolerance`` as SP001's option of that name),
    so ``positions`` equals the rows SP001 lists against train. Neither dataset is
    modified; ``kept`` and ``removed`` are new frames with the held-out file's
    columns, indexed by held-out positions.
    """
    al = aligned_frames(train, heldout)
    overlap = overlapping_rows(al.train, al.other, near_tolerance)
    mask = np.zeros(heldout.n_rows, dtype=bool)
    mask[overlap.positions] = True
    frame = heldout.frame
    return LeakedRows(
        kept=frame.loc[~mask].copy(),
        removed=frame.loc[mask].copy(),
        positions=overlap.positions,
        train_positions=overlap.matches,
    )
