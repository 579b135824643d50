"""Statistics of the label-leakage check (LB003): is a feature a copy of the target,
a one-to-one recoding of its classes, or an exact transform of a numeric target?

Comparisons run on the profile's shared factorizations where they can (one hash
pass per column), and are skipped when the column provably cannot be a copy.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from preflight.analysis.leakage import Target, average_ranks, hashable
from preflight.data.dataset import Dataset
from preflight.data.profile import ColumnProfile, Profile
from preflight.data.text import as_text

# Rows looked at first when a distinct count can settle a question cheaply.
_PREFIX = 20_000
# Numeric feature vs regression target: the Spearman correlation (a rank per row of
# both) is computed over all rows only when the Pearson correlation already reaches
# ``derived-correlation`` or when, on a seeded sample of SPEARMAN_SCREEN_ROWS rows,
# |Spearman| reaches SPEARMAN_SCREEN. 1 - rho estimated on a sample has about the
# full data's 1 - rho as its mean, so a transform at 0.9999 (1 - rho = 1e-4) shows a
# 500-fold larger 1 - rho of 0.05 with probability below 0.2% by Markov's inequality
# alone (in practice never): the screen costs no monotone transform.
SPEARMAN_SCREEN_ROWS = 20_000
SPEARMAN_SCREEN = 0.95
_SPEARMAN_SEED = 17


def target_labels(dataset: Dataset, profile: Profile) -> tuple[np.ndarray, pd.Index] | None:
    """(codes, uniques) of a typed target, from the profile's shared factorization;
    None for an object target (its cells are compared as before)."""
    assert dataset.target is not None
    col = profile[dataset.target]
    if col.series.dtype == object:
        return None
    try:
        return col.factorized
    except TypeError:
        return None


Codes = tuple[np.ndarray, pd.Index, np.ndarray, pd.Index]


def pair_codes(
    col: ColumnProfile, labels: tuple[np.ndarray, pd.Index] | None, both: np.ndarray, every: bool
) -> Codes | None:
    """(column codes, column uniques, label codes, label uniques) on the rows of
    ``both``, for typed columns and targets; None otherwise.

    Factorizing the whole column and cutting the codes to ``both`` labels the same
    pairs of values as factorizing ``both``'s rows (some uniques may go unused), and
    the comparisons below depend only on which rows share a value.
    """
    if labels is None or col.series.dtype == object:
        return None
    try:
        xc, xu = col.factorized
    except TypeError:
        return None
    tc, tu = labels
    if every:
        return xc, xu, tc, tu
    return xc[both], xu, tc[both], tu


def one_to_one(x: pd.Series, t: pd.Series, codes: Codes | None) -> dict[str, object] | None:
    """The column-to-label mapping (first 10 pairs, in row order) when the column
    maps one-to-one onto the labels; None otherwise."""
    if codes is None:
        pairs = pd.DataFrame({"x": hashable(x), "t": hashable(t)})
        if pairs.groupby("x")["t"].nunique().max() == 1 and pairs.groupby("t")["x"].nunique().max() == 1:
            mapping = pairs.drop_duplicates().head(10)
            return {str(a): b for a, b in zip(mapping["x"], mapping["t"], strict=True)}
        return None
    # One contingency table of (value, label) counts instead of two groupbys: the
    # relation is one-to-one when each used row and column of it has one non-zero.
    xc, xu, tc, tu = codes
    pair_codes = np.asarray(xc, dtype=np.int64) * len(tu) + np.asarray(tc, dtype=np.int64)
    table = np.bincount(pair_codes, minlength=len(xu) * len(tu)).reshape(len(xu), len(tu)) > 0
    per_value, per_label = table.sum(axis=1), table.sum(axis=0)
    if per_value.max() != 1 or per_label[per_label > 0].max() != 1:
        return None
    # Distinct pairs in order of first appearance = distinct values in that order.
    order = pd.unique(xc)[:10]
    label_of = table.argmax(axis=1)
    first = pd.DataFrame({"x": pd.Series(xu.take(order)), "t": pd.Series(tu.take(label_of[order]))})
    return {str(a): b for a, b in zip(first["x"], first["t"], strict=True)}


def may_be_monotone(x: np.ndarray, t: np.ndarray) -> bool:
    """Whether |Spearman| of x and t may reach the derived-correlation threshold: always
    on small inputs; above SPEARMAN_SCREEN_ROWS, when a seeded sample reaches SPEARMAN_SCREEN."""
    if x.size <= SPEARMAN_SCREEN_ROWS:
        return True
    pick = _spearman_rows(x.size)
    xs, ts = x[pick], t[pick]
    if np.std(xs) == 0 or np.std(ts) == 0:
        return True  # the sample cannot tell: compute it on every row
    return bool(abs(np.corrcoef(average_ranks(xs), average_ranks(ts))[0, 1]) >= SPEARMAN_SCREEN)


@lru_cache(maxsize=4)
def _spearman_rows(n: int) -> np.ndarray:
    rng = np.random.default_rng(_SPEARMAN_SEED)
    rows = np.sort(rng.choice(n, SPEARMAN_SCREEN_ROWS, replace=False))
    rows.flags.writeable = False
    return rows


def cannot_equal(
    col: ColumnProfile,
    x: pd.Series,
    t: pd.Series,
    target: Target,
    rows: int,
    label_texts: frozenset[str] | None = None,
) -> bool:
    """Whether a numeric column surely equals the text target in under 99.9% of ``rows``.

    Comparing a numeric column with a text target means formatting every number as
    text (seconds per column at a million rows). Distinct numbers format to distinct
    strings, so at most ``target.k`` of the column's distinct values can match a
    label: when even the commonest ``k`` of them cover under 99.9% of the rows, the
    column cannot be a copy and the formatting is skipped. Exact, since only the
    ``>= 0.999`` verdict depends on the share; limited to string-typed targets, whose
    distinct values are distinct strings. Cheaper still, and for booleans and dates
    too: when no label's text could be any cell's text (:func:`_unmatchable`).
    """
    dtype = col.series.dtype
    if _real(t) and not _real(col.series):
        # A numeric target's cells write as numbers: a date never does, and text only
        # where one of its distinct values reads as a number.
        return _never_a_number(col)
    if not target.classification or not isinstance(t.dtype, pd.StringDtype):
        return False
    if label_texts is not None and _unmatchable(col.series, label_texts):
        return True
    if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
        return False
    # Each distinct value beyond the k that may match holds a row that does not: more
    # than k + 0.1% of rows distinct values (in a prefix, which is cheap) settle it.
    head = x.iloc[:_PREFIX].to_numpy()
    if len(pd.unique(head)) > target.k + 0.001 * rows:
        return True
    # Counts over all rows bound the counts over the ``rows`` that have both values.
    best = int(col.value_counts.iloc[: target.k].sum())
    return best < 0.999 * rows


def _unmatchable(cells: pd.Series, label_texts: frozenset[str]) -> bool:
    """Whether no cell of a typed column, written as text, can equal any of the labels'
    texts (as :func:`_equal_share_by_pairs` writes both): then none of the column's
    cells equals the target, known from the k labels alone.

    Booleans write as "True"/"False"; real numbers as text that ``float()`` reads
    back ("3", "0.25", "1e+20", "inf"); dates with their digits.
    """
    if pd.api.types.is_bool_dtype(cells):
        return not ({"True", "False"} & label_texts)
    if pd.api.types.is_numeric_dtype(cells) and not pd.api.types.is_complex_dtype(cells):
        return not any(_reads_as_number(text) for text in label_texts)
    if pd.api.types.is_datetime64_any_dtype(cells):
        return not any(ch.isdigit() for text in label_texts for ch in text)
    return False


def _real(cells: pd.Series) -> bool:
    """A column of real numbers (not booleans, not complex)."""
    dtype = cells.dtype
    return (
        pd.api.types.is_numeric_dtype(dtype)
        and not pd.api.types.is_bool_dtype(dtype)
        and not pd.api.types.is_complex_dtype(dtype)
    )


def _never_a_number(col: ColumnProfile) -> bool:
    """Whether no cell of a non-numeric column, written as text, reads as a number."""
    if pd.api.types.is_datetime64_any_dtype(col.series.dtype):
        return True  # "2020-01-01 ...": dashes, never a number
    if not isinstance(col.series.dtype, pd.StringDtype) or col.distinct_exceeds(100_000):
        return False
    texts = pd.Series(col.value_counts.index, dtype=object).astype(str).str.strip()
    return not any(_reads_as_number(text) for text in texts)


def _reads_as_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def equal_share(x: pd.Series, t: pd.Series, codes: Codes | None = None) -> float:
    try:
        if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(t):
            eq = x.to_numpy(dtype=float, na_value=np.nan) == t.to_numpy(dtype=float, na_value=np.nan)
        elif x.dtype != object and t.dtype != object and len(x):
            return _equal_share_by_pairs(x, t, codes)
        else:
            eq = as_text(x).str.strip().to_numpy() == as_text(t).str.strip().to_numpy()
    except (TypeError, ValueError):
        return 0.0
    return float(np.mean(eq)) if len(eq) else 0.0


def _equal_share_by_pairs(x: pd.Series, t: pd.Series, codes: Codes | None = None) -> float:
    """:func:`equal_share` of two typed columns, formatting each distinct pair once.

    Whether a row's two cells are equal as text depends only on the pair of values,
    so the text comparison runs on the distinct (value, label) pairs, weighted by
    their counts: a few hundred strings instead of a million. Typed columns only:
    in an object column, values that hash alike (1, 1.0, True) format differently.
    """
    if codes is None:
        xc, xu = pd.factorize(x)
        tc, tu = pd.factorize(t)
    else:  # the same codes, from the shared factorizations
        xc, xu, tc, tu = codes
    pairs = np.asarray(xc, dtype=np.int64) * len(tu) + np.asarray(tc, dtype=np.int64)
    if len(xu) * len(tu) <= 4 * len(pairs):
        counts = np.bincount(pairs, minlength=len(xu) * len(tu))
        present = np.flatnonzero(counts)
        counts = counts[present]
    else:
        present, counts = np.unique(pairs, return_counts=True)
    xs = pd.Series(xu).astype(str).str.strip().to_numpy()[present // len(tu)]
    ts = pd.Series(tu).astype(str).str.strip().to_numpy()[present % len(tu)]
    return float(counts[xs == ts].sum() / len(pairs))


def derived_numeric_columns(
    features: list[ColumnProfile], target: np.ndarray, *, limit: float = 0.9999, min_rows: int = 30
) -> list[str]:
    """Numeric features that are a copy, a linear or a monotone transform of a numeric
    ``target`` (|Pearson| or |Spearman| at least ``limit`` on the rows where both are
    finite): the copies LB003 reports as errors, which no model of the target may read."""
    out: list[str] = []
    for col in features:
        if col.kind != "numeric" or not col.distinct_exceeds(2):
            continue
        x = col.series.to_numpy(dtype=float, na_value=np.nan)
        ok = np.isfinite(x) & np.isfinite(target)
        if ok.sum() < min_rows:
            continue
        xo, to = x[ok], target[ok]
        if np.std(xo) == 0 or np.std(to) == 0:
            continue
        if abs(float(np.corrcoef(xo, to)[0, 1])) >= limit:
            out.append(col.name)
        elif may_be_monotone(xo, to):
            spearman = float(np.corrcoef(average_ranks(xo), average_ranks(to))[0, 1])
            if abs(spearman) >= limit:
                out.append(col.name)
    return out
