"""The held-out files of a split (``--test``, ``--valid``) and what the SP checks share.

Each held-out file is read once per run (``Artifacts.heldout_files``) with
:func:`~preflight.data.dataset.load_dataset`, given the train file's roles:

- the **target** is the train target when the held-out file has that column. A test
  file without labels is allowed: the row, category, drift and separability checks
  need only the features; the label checks (SP002, SP005) then have nothing to
  compare and SP007 says so.
- **id columns** are the train id columns the file has; they are never features.
- the **task** is the train task, so labels are read the same way on both sides.

A held-out file that cannot be read raises :class:`~preflight.core.errors.PreflightError`
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
and datetimes; text otherwise) before any comparison (``Artifacts.aligned``, once
per held-out file).

Rows that repeat across the files are :mod:`preflight.analysis.overlap`; the
distribution shift statistics :mod:`preflight.analysis.drift`.
"""

from __future__ import annotations

import dataclasses
import datetime
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from preflight.core.errors import PreflightError
from preflight.data.dataset import Dataset, load_dataset
from preflight.data.profile import Profile
from preflight.data.semantics.clean import cleaned_frame

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
    # The held-out file is read as the train file is: its columns have the train file's
    # semantics, and the same markers, text numbers and dates are cleaned.
    semantics = {name: sem for name, sem in train.semantics.items() if name in columns}
    if semantics:
        ds = dataclasses.replace(
            ds, frame=cleaned_frame(ds.frame, semantics), raw_frame=ds.frame, semantics=semantics
        )
    return HeldOut(role=role, dataset=ds, profile=Profile(ds))


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


def aligned_target(train: Dataset, other: Dataset) -> tuple[np.ndarray, np.ndarray] | None:
    """Both files' labels in one representation, or None without a target on both sides."""
    if train.target is None or other.target is None:
        return None
    return normalise_pair(train.frame[train.target], other.frame[other.target])
