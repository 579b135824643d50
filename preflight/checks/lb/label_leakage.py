from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
import pandas as pd

from preflight.check import Check, Context
from preflight.findings import Finding, Fix, Severity
from preflight.profile import ColumnProfile
from preflight.text import as_text

N_FOLDS = 5
# Rows looked at first when a distinct count can settle a question cheaply.
_PREFIX = 20_000
# Screening of the one-feature models on large files (docs/limits.md). With more
# than SCREEN_ROWS labelled rows, each feature is first scored on a seeded uniform
# sample of SCREEN_ROWS of them; only a feature scoring within SCREEN_MARGIN of the
# lowest threshold (id-score or max-single-score) is scored again on every row, and
# that full score decides, so every reported score is computed on all rows. A leak
# is missed only if its sample score falls SCREEN_MARGIN below its full score. The
# screen is used only when each class has at least SCREEN_MIN_CLASS sampled rows
# (a class recall's sampling standard deviation is then at most 0.5/sqrt(2000) =
# 0.011, so the margin is 9 of them), and for a regression target only when the
# sample's target variance is within a factor 2 of the full one (heavy tails that
# the sample misses would make its R² incomparable).
SCREEN_ROWS = 100_000
SCREEN_MARGIN = 0.1
SCREEN_MIN_CLASS = 2_000
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


@dataclass(frozen=True)
class _Target:
    codes: np.ndarray  # class index per row (classification); -1 where missing
    values: np.ndarray  # float target per row (regression); NaN where missing
    k: int
    classification: bool
    present: np.ndarray  # rows with a target

    @cached_property
    def n_present(self) -> int:
        return int(self.present.sum())

    @cached_property
    def ranks(self) -> np.ndarray:
        """Average ranks of the regression target over the rows that have one."""
        return _ranks(self.values[self.present])


@dataclass(frozen=True)
class _Screen:
    rows: np.ndarray  # sorted sampled row positions, each with a target
    target: _Target  # the target restricted to those rows
    folds: np.ndarray  # their folds (the full run's fold of each row)


class LabelLeakage(Check):
    """Features that leak the label: the target itself, a recoding of it, or a near-perfect stand-in.

    **What it does.** Looks at each feature column on its own, without fitting a
    model on all features:

    - *copy or recoding of the target* (error): the column equals the target, or
      maps one-to-one onto its classes, or (numeric target) is an exact linear or
      monotone transform of it (|Pearson| or |Spearman| correlation at least
      ``derived-correlation``);
    - *alone predicts the target almost perfectly* (warning): a one-feature model
      (the majority label of each of up to ``bins`` quantile bins or categories,
      scored out-of-fold) reaches a balanced accuracy (classification) or R²
      (regression) of at least ``max-single-score``;
    - *an id or row-order column predicts the target* (warning): a column unique
      per row (a row number, an id) scores at least ``id-score``: the file is
      sorted or grouped by the label, and a model would learn row order;
    - *missing values reveal the target* (warning): whether a column is missing
      (or the pattern of missing columns) alone scores at least ``missing-score``.

    **Why it is bad.** A leaked feature makes training look perfect and the model
    useless: the information will not exist when the model is used. The
    validation score lies, so the real failure shows up only in production.

    **Fix.** Drop the column (or declare an id with ``--id-column``); for a
    missingness leak, find out why the values are missing and impute in a way that
    does not depend on the label.

    **Options.** ``max-single-score`` (0.99): on clean real data (iris, wine, breast
    cancer, digits, penguins) the best single feature scored at most 0.94 (iris
    petal width), so 0.99 leaves a margin. ``id-score`` (0.9). ``missing-score``
    (0.95). ``derived-correlation`` (0.9999). ``bins`` (32). ``min-rows`` (30):
    fewer rows with a target are not judged.
    """

    code = "LB003"
    name = "labels.label-leakage"
    category = "labels"
    cause = 4
    severity = Severity.ERROR
    needs = frozenset({"target"})
    options = {
        "max_single_score": 0.99,
        "id_score": 0.9,
        "missing_score": 0.95,
        "derived_correlation": 0.9999,
        "bins": 32,
        "min_rows": 30,
    }
    applies_to = frozenset({"numeric", "boolean", "datetime", "categorical", "string", "mixed", "other"})

    def run(self, ctx: Context) -> Iterator[Finding]:
        ds = ctx.dataset
        assert ds.target is not None
        # Class codes of a typed target (a regression target has no classes to name).
        labels = _labels(ctx) if ds.task == "classification" else None
        target = _encode_target(ds.y, ds.task == "classification", labels)
        if target.present.sum() < self.opts["min_rows"] or (target.classification and target.k < 2):
            return
        rng = np.random.default_rng(ctx.config.seed)
        folds = rng.permutation(target.present.size) % N_FOLDS
        screen = _screen(target, folds, ctx.config.seed)
        # The labels as text, as the pairwise comparison writes them.
        label_texts = None if labels is None else frozenset(pd.Series(labels[1]).astype(str).str.strip())
        flagged: set[str] = set()
        for col in ctx.profile.features():
            if col.n_present == 0:
                continue
            finding = self._derived(col, ds.y, target, labels, label_texts)
            if finding is None and not self._missing_predicts(col, target, folds):
                finding = self._predictive(col, target, folds, screen)
            if finding is not None:
                flagged.add(col.name)
                yield finding
        yield from self._missingness(ctx, target, folds, flagged)

    def _missing_predicts(self, col: ColumnProfile, target: _Target, folds: np.ndarray) -> bool:
        """Whether the column's missingness alone predicts the target (reported apart)."""
        if not 0 < col.n_missing < col.n:
            return False
        score = _one_feature_score(col.missing_mask.astype(np.int64), target, folds)
        return bool(score >= self.opts["missing_score"])

    # ---- copies and recodings -------------------------------------------------
    def _derived(
        self,
        col: ColumnProfile,
        y: pd.Series,
        target: _Target,
        labels: tuple[np.ndarray, pd.Index] | None,
        label_texts: frozenset[str] | None,
    ) -> Finding | None:
        if col.n_missing == 0:  # the target's rows: no mask to build and count
            both, n_both = target.present, target.n_present
        else:
            both = ~col.missing_mask & target.present
            n_both = int(both.sum())
        if n_both < self.opts["min_rows"]:
            return None
        every = n_both == both.size  # no row to leave out: no copies
        x = col.series if every else col.series[both]
        t = y if every else y[both]
        fix = Fix(f"drop {col.name!r}: it is the label in disguise", step="drop-columns")
        # Factorizations of the whole column and target, cut to ``both``: codes per
        # row of the pairs compared below (from the profile's one hash pass), taken
        # only when a comparison needs them.
        codes: _Codes | None = None
        if _cannot_equal(col, x, t, target, n_both, label_texts):
            same = 0.0
        else:
            numeric = pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(t)
            codes = None if numeric else _pair_codes(col, labels, both, every)
            same = _equal_share(x, t, codes)
        if same >= 0.999:
            return self.finding(
                f"{col.name!r} equals the target{'' if same == 1 else f' in {same:.1%} of rows'}",
                columns=[col.name],
                evidence={"reason": "equal to the target", "equal_share": same},
                fix=fix,
            )
        if target.classification and not col.distinct_exceeds(target.k) and col.n_unique == target.k > 1:
            mapping = _one_to_one(x, t, codes or _pair_codes(col, labels, both, every))
            if mapping is not None:
                return self.finding(
                    f"{col.name!r} is a one-to-one recoding of the target",
                    columns=[col.name],
                    evidence={
                        "reason": "one-to-one recoding of the target",
                        "mapping": mapping,
                    },
                    fix=fix,
                )
        if col.kind == "numeric" and not target.classification and col.distinct_exceeds(2):
            xv = x.to_numpy(dtype=float, na_value=np.nan)
            tv = target.values[both]
            ok = np.isfinite(xv) & np.isfinite(tv)
            whole = bool(ok.all())  # no copies of the pairs to make
            xo, to = (xv, tv) if whole else (xv[ok], tv[ok])
            if xo.size >= self.opts["min_rows"] and np.std(xo) > 0 and np.std(to) > 0:
                pearson = float(np.corrcoef(xo, to)[0, 1])
                limit = self.opts["derived_correlation"]
                if abs(pearson) < limit and not _may_be_monotone(xo, to):
                    return None
                # The target's ranks over all its rows are shared by every column that
                # has a finite value in each of them.
                t_ranks = target.ranks if every and whole else _ranks(to)
                spearman = float(np.corrcoef(_ranks(xo), t_ranks)[0, 1])
                if abs(pearson) >= limit or abs(spearman) >= limit:
                    kind = "linear" if abs(pearson) >= limit else "monotone"
                    return self.finding(
                        f"{col.name!r} is a {kind} transform of the target "
                        f"(correlation {pearson if kind == 'linear' else spearman:+.5f})",
                        columns=[col.name],
                        evidence={
                            "reason": f"{kind} transform of the target",
                            "pearson": pearson,
                            "spearman": spearman,
                        },
                        fix=fix,
                    )
        return None

    # ---- one-feature models ---------------------------------------------------
    def _predictive(
        self, col: ColumnProfile, target: _Target, folds: np.ndarray, screen: _Screen | None
    ) -> Finding | None:
        if screen is not None:
            sampled = _bin_codes(col, self.opts["bins"], screen.rows)
            if sampled is None:
                return None
            lowest = min(self.opts["id_score"], self.opts["max_single_score"])
            if _one_feature_score(sampled, screen.target, screen.folds) < lowest - SCREEN_MARGIN:
                return None  # far below every threshold: not worth a pass over all rows
        codes = _bin_codes(col, self.opts["bins"])
        if codes is None:
            return None
        score = _one_feature_score(codes, target, folds)
        metric = "balanced accuracy" if target.classification else "R²"
        # Whether the column is unique per row (an id) is asked only of a high score:
        # counting a million distinct floats is the dear part.
        if score >= self.opts["id_score"] and self._id_like(col):
            return self.finding(
                f"{col.name!r} is unique per row (an id or row number) yet predicts the target "
                f"({metric} {score:.3f}): the rows are ordered or grouped by label",
                columns=[col.name],
                evidence={
                    "reason": "id or row-order column predicts the target",
                    "metric": metric,
                    "score": score,
                },
                fix=Fix(
                    f"drop {col.name!r} (or pass --id-column {col.name}) and shuffle the rows",
                    step="drop-columns",
                ),
                severity=Severity.WARNING,
            )
        if score >= self.opts["max_single_score"]:
            return self.finding(
                f"{col.name!r} alone predicts the target almost perfectly ({metric} {score:.3f})",
                columns=[col.name],
                evidence={
                    "reason": "one feature alone predicts the target",
                    "metric": metric,
                    "score": score,
                    "bins": int(codes.max() + 1),
                },
                fix=Fix(
                    f"check how {col.name!r} is recorded; drop it if it is known only after the label",
                    step="drop-columns",
                ),
                severity=Severity.WARNING,
            )
        return None

    def _id_like(self, col: ColumnProfile) -> bool:
        """A column unique per row (an id or row number)."""
        if col.n_present < self.opts["min_rows"]:
            return False
        if not (col.kind in ("string", "categorical") or col.is_integral):
            return False
        return col.n_unique == col.n_present

    # ---- missingness ------------------------------------------------------------
    def _missingness(
        self, ctx: Context, target: _Target, folds: np.ndarray, flagged: set[str]
    ) -> Iterator[Finding]:
        cols = [c for c in ctx.profile.features() if 0 < c.n_missing < c.n and c.name not in flagged]
        metric = "balanced accuracy" if target.classification else "R²"
        limit = self.opts["missing_score"]
        hits = []
        for col in cols:
            score = _one_feature_score(col.missing_mask.astype(np.int64), target, folds)
            if score >= limit:
                hits.append(col.name)
                yield self.finding(
                    f"whether {col.name!r} is missing predicts the target ({metric} {score:.3f})",
                    columns=[col.name],
                    evidence={
                        "reason": "missing values predict the target",
                        "metric": metric,
                        "score": score,
                        "missing": col.n_missing,
                    },
                    fix=Fix(f"find out why {col.name!r} is missing; impute without looking at the label"),
                    severity=Severity.WARNING,
                )
        rest = [c for c in cols if c.name not in hits]
        if len(rest) < 2:
            return
        pattern = np.column_stack([c.missing_mask for c in rest])
        _, codes = np.unique(pattern, axis=0, return_inverse=True)
        score = _one_feature_score(np.asarray(codes, dtype=np.int64).ravel(), target, folds)
        if score >= limit:
            yield self.finding(
                f"the pattern of missing values across {len(rest)} columns predicts the target "
                f"({metric} {score:.3f})",
                columns=[c.name for c in rest],
                evidence={
                    "reason": "missing-value pattern predicts the target",
                    "metric": metric,
                    "score": score,
                },
                fix=Fix("find out why these values are missing; impute without looking at the label"),
                severity=Severity.WARNING,
            )


def _encode_target(
    y: pd.Series, classification: bool, labels: tuple[np.ndarray, pd.Index] | None = None
) -> _Target:
    present = ~y.isna().to_numpy()
    codes = np.full(len(y), -1, dtype=np.int64)
    values = np.full(len(y), np.nan)
    k = 0
    if classification and labels is not None:
        # A typed target's factorization (the profile's) numbers the classes the same
        # way, in order of first appearance, with -1 where missing.
        codes, uniques = np.asarray(labels[0], dtype=np.int64), labels[1]
        k = len(uniques)
    elif classification:
        c, uniques = pd.factorize(_hashable(y[present]))
        codes[present] = c
        k = len(uniques)
    else:
        values = pd.to_numeric(y, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        present &= np.isfinite(values)
    return _Target(codes, values, k, classification, present)


def _screen(target: _Target, folds: np.ndarray, seed: int) -> _Screen | None:
    """The seeded row sample the one-feature models are screened on, or None when
    every row is scored directly (small files, rare classes, heavy-tailed targets)."""
    labelled = np.flatnonzero(target.present)
    if labelled.size <= SCREEN_ROWS:
        return None
    rng = np.random.default_rng([seed, 3])  # a stream of its own, apart from the folds
    rows = np.sort(rng.choice(labelled, SCREEN_ROWS, replace=False))
    sub = _Target(
        codes=target.codes[rows],
        values=target.values[rows],
        k=target.k,
        classification=target.classification,
        present=np.ones(rows.size, dtype=bool),
    )
    if target.classification:
        if np.bincount(sub.codes, minlength=target.k).min() < SCREEN_MIN_CLASS:
            return None
    else:
        full, part = float(np.var(target.values[labelled])), float(np.var(sub.values))
        if not (full > 0 and 0.5 <= part / full <= 2.0):
            return None
    return _Screen(rows=rows, target=sub, folds=folds[rows])


def _labels(ctx: Context) -> tuple[np.ndarray, pd.Index] | None:
    """(codes, uniques) of a typed target, from the profile's shared factorization;
    None for an object target (its cells are compared as before)."""
    assert ctx.dataset.target is not None
    col = ctx.profile[ctx.dataset.target]
    if col.series.dtype == object:
        return None
    try:
        return col.factorized
    except TypeError:
        return None


_Codes = tuple[np.ndarray, pd.Index, np.ndarray, pd.Index]


def _pair_codes(
    col: ColumnProfile, labels: tuple[np.ndarray, pd.Index] | None, both: np.ndarray, every: bool
) -> _Codes | None:
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


def _one_to_one(x: pd.Series, t: pd.Series, codes: _Codes | None) -> dict[str, object] | None:
    """The column-to-label mapping (first 10 pairs, in row order) when the column
    maps one-to-one onto the labels; None otherwise."""
    if codes is None:
        pairs = pd.DataFrame({"x": _hashable(x), "t": _hashable(t)})
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


def _ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks (ties share their mean rank), as ``Series.rank()`` gives them."""
    ranks: np.ndarray = pd.Series(values).rank().to_numpy()
    return ranks


def _may_be_monotone(x: np.ndarray, t: np.ndarray) -> bool:
    """Whether |Spearman| of x and t may reach the derived-correlation threshold: always
    on small inputs; above SPEARMAN_SCREEN_ROWS, when a seeded sample reaches SPEARMAN_SCREEN."""
    if x.size <= SPEARMAN_SCREEN_ROWS:
        return True
    pick = _spearman_rows(x.size)
    xs, ts = x[pick], t[pick]
    if np.std(xs) == 0 or np.std(ts) == 0:
        return True  # the sample cannot tell: compute it on every row
    return bool(abs(np.corrcoef(_ranks(xs), _ranks(ts))[0, 1]) >= SPEARMAN_SCREEN)


@lru_cache(maxsize=4)
def _spearman_rows(n: int) -> np.ndarray:
    rng = np.random.default_rng(_SPEARMAN_SEED)
    rows = np.sort(rng.choice(n, SPEARMAN_SCREEN_ROWS, replace=False))
    rows.flags.writeable = False
    return rows


def _hashable(s: pd.Series) -> pd.Series:
    if s.dtype != object:
        return s  # typed columns (numbers, strings, categories) hold hashable values
    try:
        s.map(hash)
        return s
    except TypeError:
        return as_text(s)


def _cannot_equal(
    col: ColumnProfile,
    x: pd.Series,
    t: pd.Series,
    target: _Target,
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


def _equal_share(x: pd.Series, t: pd.Series, codes: _Codes | None = None) -> float:
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


def _equal_share_by_pairs(x: pd.Series, t: pd.Series, codes: _Codes | None = None) -> float:
    """:func:`_equal_share` of two typed columns, formatting each distinct pair once.

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


def _bin_codes(col: ColumnProfile, bins: int, rows: np.ndarray | None = None) -> np.ndarray | None:
    """One small integer per row (of ``rows``, or every row): a quantile bin or a
    category; missing is its own code. Bin edges are the column's (all rows')."""

    def cells() -> pd.Series:
        return col.series if rows is None else col.series.iloc[rows]

    if col.kind in ("numeric", "boolean"):
        if col.n_missing == 0:  # the profile's float copy, shared
            values = col.values if rows is None else col.values[rows]
        else:
            values = cells().to_numpy(dtype=float, na_value=np.nan)
        few = not col.distinct_exceeds(bins)
        if few and rows is not None:
            # A value per code; which code a value gets does not change the score
            # (bins are only grouped), so a hash pass replaces np.unique's sort.
            codes: np.ndarray = np.asarray(pd.factorize(values, use_na_sentinel=True)[0], dtype=np.int64)
            codes[~np.isfinite(values)] = -1
            codes[codes < 0] = codes.max(initial=0) + 1
            return codes
        # The finite values are the profile's: its quantile grid holds the default edges.
        edges = col.quantiles_at(np.linspace(0, 1, bins + 1)[1:-1])
        return _quantile_codes(values, bins, few=few, edges=edges)
    if col.kind == "datetime":
        stamps = pd.to_datetime(cells(), errors="coerce", utc=True)
        seconds = (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds()
        few = not col.distinct_exceeds(bins)
        return _quantile_codes(seconds.to_numpy(dtype=float, na_value=np.nan), bins, few=few)
    if col.kind in ("string", "categorical", "mixed"):
        missing = col.missing_mask if rows is None else col.missing_mask[rows]
        if col.n_unique > bins and col.n_unique > 0.5 * max(col.n_present, 1):
            # Mostly unique text (codes, ids): its sort order is what can leak (a file
            # sorted by label with ids counting up), so bin the rank, not the values.
            text = as_text(cells()).where(~missing)
            return _quantile_codes(text.rank(method="dense").to_numpy(dtype=float, na_value=np.nan), bins)
        if rows is not None and isinstance(col.series.dtype, pd.StringDtype):
            # Typed text is its own text form: the profile's codes, cut to the rows,
            # name the same categories (codes of unsampled values go unused).
            cut: np.ndarray = col.factorized[0][rows].astype(np.int64)
            cut[cut < 0] = cut.max(initial=0) + 1
            return cut
        text = as_text(cells()).where(~missing)
        c, _ = pd.factorize(text, use_na_sentinel=True)
        c = np.asarray(c, dtype=np.int64)
        c[c < 0] = c.max(initial=0) + 1
        return c
    return None


def _quantile_codes(
    values: np.ndarray, bins: int, few: bool = False, edges: np.ndarray | None = None
) -> np.ndarray:
    """Bin codes of ``values`` at its ``bins`` quantiles (``edges``: those quantiles, if known)."""
    codes = np.zeros(values.size, dtype=np.int64)
    finite = np.isfinite(values)
    if few:
        _, inv = np.unique(values[finite], return_inverse=True)
        codes[finite] = inv
    elif finite.any():
        # values[finite] is a temporary: let np.quantile partition it in place (no copy).
        if edges is None:
            probabilities = np.linspace(0, 1, bins + 1)[1:-1]
            edges = np.quantile(values[finite], probabilities, overwrite_input=True)
        edges = np.unique(edges)
        codes[finite] = _edges_at_or_below(edges, values[finite])
    codes[~finite] = codes.max(initial=0) + 1
    return codes


def _edges_at_or_below(edges: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``np.searchsorted(edges, values, side="right")`` for a few sorted edges.

    One vectorised comparison per edge, block by block so each block stays in
    cache: several times faster than a binary search per value, whose branches the
    processor cannot predict on shuffled data. The same integers.
    """
    out = np.empty(values.size, dtype=np.int64)
    block = 1 << 16
    count = np.empty(min(block, values.size), dtype=np.int32)
    above = np.empty(min(block, values.size), dtype=bool)
    for start in range(0, values.size, block):
        chunk = values[start : start + block]
        c, a = count[: chunk.size], above[: chunk.size]
        c[:] = 0
        for edge in edges:
            np.greater_equal(chunk, edge, out=a)
            c += a
        out[start : start + chunk.size] = c
    return out


def _one_feature_score(codes: np.ndarray, target: _Target, folds: np.ndarray) -> float:
    """Out-of-fold score of predicting the target from ``codes`` alone (bin majority or mean)."""
    rows = np.flatnonzero(target.present)
    if rows.size < codes.size:  # every row has a target: no copies needed
        codes, f = codes[rows], folds[rows]
    else:
        f = folds
    nb = int(codes.max(initial=0)) + 1
    if target.classification:
        y = target.codes[rows] if rows.size < target.codes.size else target.codes
        k = target.k
        # One contingency table per fold in a single bincount; a fold's training table
        # is the total minus its own (integer counts: exact, and one pass, not five).
        index = codes * (N_FOLDS * k) + (f * k + y)
        per_fold = np.bincount(index, minlength=nb * N_FOLDS * k).reshape(nb, N_FOLDS, k).transpose(1, 0, 2)
        total = per_fold.sum(axis=0)
        labels_total = total.sum(axis=0)
        fold_rows = per_fold.sum(axis=(1, 2))
        best_per_fold = np.zeros((N_FOLDS, nb), dtype=np.int64)
        for fold in range(N_FOLDS):
            if fold_rows[fold] == 0 or fold_rows[fold] == rows.size:
                continue  # no test rows, or no training rows
            table = total - per_fold[fold]
            majority = int((labels_total - per_fold[fold].sum(axis=0)).argmax())
            best = table.argmax(axis=1)
            best[table.sum(axis=1) == 0] = majority
            best_per_fold[fold] = best
        # Correct predictions per class, read off the tables: a test row of bin b in
        # a fold is right when its label is that fold's best label for b.
        hits = np.take_along_axis(per_fold, best_per_fold[:, :, None], axis=2)[:, :, 0]
        correct = np.bincount(best_per_fold.ravel(), weights=hits.ravel(), minlength=k)
        recalls = [float(correct[c] / labels_total[c]) for c in range(k) if labels_total[c]]
        return float(np.mean(recalls))
    yv = target.values[rows] if rows.size < target.values.size else target.values
    # Every fold's training sums and counts per bin from one pair of bincounts: the
    # training table is the total minus the fold's own (as for classification).
    index = codes * N_FOLDS + f
    sums = np.bincount(index, weights=yv, minlength=nb * N_FOLDS).reshape(nb, N_FOLDS)
    counts = np.bincount(index, minlength=nb * N_FOLDS).reshape(nb, N_FOLDS)
    train_sums = sums.sum(axis=1, keepdims=True) - sums
    train_counts = counts.sum(axis=1, keepdims=True) - counts
    fold_rows = counts.sum(axis=0)
    # A bin no training row fell in predicts the fold's training mean.
    fallback = (yv.sum() - sums.sum(axis=0)) / np.maximum(rows.size - fold_rows, 1)
    means = np.where(train_counts > 0, train_sums / np.maximum(train_counts, 1), fallback)
    predv = means[codes, f]
    sst = float(np.sum((yv - yv.mean()) ** 2))
    return 1.0 - float(np.sum((yv - predv) ** 2)) / sst if sst > 0 else 0.0
