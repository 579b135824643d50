"""The held-out files of a split (``--test``, ``--valid``) and what the SP checks share.

Each held-out file is read once per run (``ctx.shared``) with
:func:`~preflight.dataset.load_dataset`, given the train file's roles:

- the **target** is the train target when the held-out file has that column. A test
  file without labels is allowed: the row, category, drift and separability checks
  need only the features; the label checks (SP002, SP005) then have nothing to
  compare and SP007 says so.
- **id columns** are the train id columns the file has; they are never features.
- the **task** is the train task, so labels are read the same way on both sides.

A held-out file that cannot be read raises :class:`~preflight.errors.PreflightError`
(exit code 2), like a bad train file.

**Row positions.** The ``rows`` of an SP finding are 0-based positions in the
held-out file named by its evidence ``rows_refer_to`` (``"test"`` or ``"valid"``),
never positions in the train file; ``--rows-out`` writes them with ``file`` set to
that role.

**Matching after normalising types.** The two files of a split are written by
different code, so the same value often arrives as different types: an integer
column read as floats because the test file has a gap, a categorical against plain
text, numbers against numbers-as-text. :func:`aligned_frames` brings the shared
feature columns of both files to one representation (floats for numbers, booleans
and datetimes; text otherwise) before any comparison.
"""

from __future__ import annotations

import datetime
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from preflight.check import Context
from preflight.checks.dq.duplicate_rows import row_hashes
from preflight.dataset import Dataset, load_dataset
from preflight.errors import PreflightError
from preflight.profile import Profile
from preflight.text import as_text

Role = Literal["test", "valid"]


@dataclass(frozen=True)
class HeldOut:
    """One held-out file of the split, read with the train file's roles."""

    role: Role
    dataset: Dataset
    profile: Profile

    @property
    def has_target(self) -> bool:
        return self.dataset.target is not None


def load_heldout(path: str, train: Dataset, role: Role = "test") -> HeldOut:
    """Read a held-out file with the train roles (see the module docstring)."""
    try:
        ds = load_dataset(path)
    except PreflightError as exc:  # say which file of the split is bad (exit code 2)
        raise PreflightError(f"{role} file {exc}") from exc
    columns = set(ds.frame.columns)
    ds.target = train.target if train.target is not None and train.target in columns else None
    ds.id_columns = tuple(c for c in train.id_columns if c in columns)
    ds.task = train.task if ds.target is not None else None
    return HeldOut(role=role, dataset=ds, profile=Profile(ds))


def heldout_files(ctx: Context) -> list[HeldOut]:
    """The run's held-out files, ``valid`` before ``test``; each read once per run."""
    out: list[HeldOut] = []
    if ctx.config.valid is not None:
        out.append(_shared_heldout(ctx, ctx.config.valid, "valid"))
    if ctx.config.test is not None:
        out.append(_shared_heldout(ctx, ctx.config.test, "test"))
    return out


def _shared_heldout(ctx: Context, path: str, role: Role) -> HeldOut:
    return ctx.shared(f"{role}_dataset", lambda: load_heldout(path, ctx.dataset, role))


def shared_features(train: Dataset, other: Dataset) -> list[str]:
    """Train feature columns that the other file also has, in train order."""
    columns = set(other.frame.columns)
    skip = set(other.id_columns)
    if other.target is not None:
        skip.add(other.target)
    return [c for c in train.features if c in columns and c not in skip]


# ---- normalising types -------------------------------------------------------


def _is_number(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype)


def _is_datetime(s: pd.Series) -> bool:
    """Datetimes, or dates: pyarrow reads ISO dates in CSV files as Python ``date`` cells."""
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return True
    if s.dtype != object:
        return False
    present = s.dropna()
    return len(present) > 0 and all(isinstance(v, (datetime.date, pd.Timestamp)) for v in present.iloc[:100])


def _as_float(s: pd.Series) -> np.ndarray:
    x = np.asarray(s.to_numpy(dtype=float, na_value=np.nan), dtype=float)
    # One NaN and one zero: -0.0 and NaN payloads must hash like their twins.
    return np.where(np.isnan(x), np.nan, x + 0.0)


def _datetime_days(s: pd.Series) -> np.ndarray:
    with warnings.catch_warnings():  # text that is not all dates: "could not infer format"
        warnings.simplefilter("ignore", UserWarning)
        stamps = pd.to_datetime(s, errors="coerce", utc=True)
    seconds = (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
    return _as_float(seconds) / 86400.0


def _numbers_from_text(s: pd.Series) -> np.ndarray | None:
    """The column as floats if every present cell parses as a plain number, else None."""
    parsed = pd.to_numeric(s.astype(object).where(s.notna(), None), errors="coerce")
    if int(parsed.notna().sum()) != int(s.notna().sum()):
        return None
    return _as_float(parsed)


def _as_text(s: pd.Series) -> np.ndarray:
    values = s.astype(object).to_numpy()
    missing = s.isna().to_numpy()
    out = np.empty(len(values), dtype=object)
    out[:] = [None if m else str(v) for v, m in zip(values, missing, strict=True)]
    return out


def normalise_pair(a: pd.Series, b: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """One column of two files in one representation: floats when both hold numbers
    (numbers as text that all parse included) or dates (days since 1970; dates as text
    that all parse included), else text."""
    if _is_datetime(a) and _is_datetime(b):
        return _datetime_days(a), _datetime_days(b)
    if _is_datetime(a) or _is_datetime(b):  # dates on one side, maybe dates as text on the other
        da, db = _datetime_days(a), _datetime_days(b)
        if np.isnan(da).sum() == a.isna().sum() and np.isnan(db).sum() == b.isna().sum():
            return da, db
    if _is_number(a) and _is_number(b):
        return _as_float(a), _as_float(b)
    if _is_number(a) or _is_number(b):
        fa = _as_float(a) if _is_number(a) else _numbers_from_text(a)
        fb = _as_float(b) if _is_number(b) else _numbers_from_text(b)
        if fa is not None and fb is not None:
            return fa, fb
    return _as_text(a), _as_text(b)


@dataclass(frozen=True)
class Aligned:
    """The shared feature columns of train and a held-out file, types normalised."""

    columns: tuple[str, ...]
    train: pd.DataFrame  # RangeIndex = train positions
    other: pd.DataFrame  # RangeIndex = held-out positions
    dates: frozenset[str] = frozenset()  # float columns that hold dates (days since 1970)

    def numeric(self, column: str) -> bool:
        return bool(self.train[column].dtype.kind == "f")


def aligned_frames(train: Dataset, other: Dataset, columns: Sequence[str] | None = None) -> Aligned:
    cols = list(columns) if columns is not None else shared_features(train, other)
    left: dict[str, np.ndarray] = {}
    right: dict[str, np.ndarray] = {}
    dates: set[str] = set()
    for c in cols:
        left[c], right[c] = normalise_pair(train.frame[c], other.frame[c])
        if left[c].dtype.kind == "f" and (_is_datetime(train.frame[c]) or _is_datetime(other.frame[c])):
            dates.add(c)
    return Aligned(
        columns=tuple(cols),
        train=pd.DataFrame(left, index=pd.RangeIndex(train.n_rows), columns=cols),
        other=pd.DataFrame(right, index=pd.RangeIndex(other.n_rows), columns=cols),
        dates=frozenset(dates),
    )


def day_text(days: float) -> str:
    """Days since 1970 (how datetimes are compared) as an ISO date for messages."""
    return str((pd.Timestamp(0) + pd.Timedelta(days=days)).date())


def aligned(ctx: Context, heldout: HeldOut) -> Aligned:
    """Shared features of train and ``heldout``, normalised once per run."""
    return ctx.shared(f"{heldout.role}_aligned", lambda: aligned_frames(ctx.dataset, heldout.dataset))


def aligned_target(train: Dataset, other: Dataset) -> tuple[np.ndarray, np.ndarray] | None:
    """Both files' labels in one representation, or None without a target on both sides."""
    if train.target is None or other.target is None:
        return None
    return normalise_pair(train.frame[train.target], other.frame[other.target])


# ---- rows of one file that repeat rows of another -------------------------------


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

    Hashes every row of both frames (:func:`~preflight.checks.dq.duplicate_rows.row_hashes`)
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


# ---- effect sizes ---------------------------------------------------------------


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
