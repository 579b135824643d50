from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from preflight.analysis.leakage import (
    N_FOLDS,
    SCREEN_MARGIN,
    Screen,
    Target,
    average_ranks,
    bin_codes,
    encode_target,
    one_feature_score,
    screen_sample,
)
from preflight.analysis.leakage_copies import (
    Codes,
    cannot_equal,
    equal_share,
    may_be_monotone,
    one_to_one,
    pair_codes,
    target_labels,
)
from preflight.checks.base import Check, Context
from preflight.checks.lb.structural_leaks import missingness_leaks, pair_leaks, zero_split_leaks
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import percent
from preflight.data.profile import ColumnProfile


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
      (or the pattern of missing columns) alone scores at least ``missing-score``;
      when it predicts almost perfectly (``max-single-score``) the missingness is
      the label and the column is to be dropped (imputing keeps the leak);
    - *zero or not reveals the class* (warning): whether a numeric feature is zero
      alone scores at least ``missing-score`` (a spend amount recorded only for
      card holders);
    - *two features rebuild the target* (error, regression): an exact linear fit
      of the target on two features, or on their logs (a midpoint, a ratio, a
      product), reaches an R² of ``pair-r2`` (``preflight.analysis.leakage_pairs``).

    **Why it is bad.** A leaked feature makes training look perfect and the model
    useless: the information will not exist when the model is used. The
    validation score lies, so the real failure shows up only in production.

    **Fix.** Drop the column (or declare an id with ``--id-column``); for a
    missingness leak, find out why the values are missing and impute in a way that
    does not depend on the label.

    **Options.** ``max-single-score`` (0.99): on clean real data (iris, wine, breast
    cancer, digits, penguins) the best single feature scored at most 0.94 (iris
    petal width), so 0.99 leaves a margin. ``id-score`` (0.9). ``missing-score``
    (0.95). ``derived-correlation`` (0.9999). ``pair-r2`` (0.9999): three
    parameters fitted on 30 or more rows do not reach it by chance. ``bins`` (32). ``min-rows`` (30):
    fewer rows with a target are not judged.
    """

    code = "LB003"
    name = "labels.label-leakage"
    category = "labels"
    cause = 4
    severity = Severity.ERROR
    needs = frozenset({"target"})
    applies_to = frozenset(
        {"numeric", "boolean", "datetime", "categorical", "string", "text", "mixed", "other"}
    )

    @dataclass(frozen=True)
    class Options(NoOptions):
        max_single_score: float = option(0.99, share=True)
        id_score: float = option(0.9, share=True)
        missing_score: float = option(0.95, share=True)
        derived_correlation: float = option(0.9999, share=True)
        pair_r2: float = option(0.9999, share=True)
        bins: int = option(32, minimum=2)
        min_rows: int = 30

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        ds = ctx.dataset
        assert ds.target is not None
        labels = target_labels(ds, ctx.profile) if ds.task == "classification" else None
        target = encode_target(ds.y, ds.task == "classification", labels)
        if target.present.sum() < self.opts.min_rows or (target.classification and target.k < 2):
            return
        rng = np.random.default_rng(ctx.config.seed)
        folds = rng.permutation(target.present.size) % N_FOLDS
        screen = screen_sample(target, folds, ctx.config.seed)
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
        yield from missingness_leaks(
            self,
            ctx,
            target,
            folds,
            flagged,
            limit=float(self.opts.missing_score),
            perfect=float(self.opts.max_single_score),
        )
        yield from zero_split_leaks(self, ctx, target, folds, flagged, float(self.opts.missing_score))
        yield from pair_leaks(self, ctx, target, flagged, float(self.opts.pair_r2), int(self.opts.min_rows))

    def _missing_predicts(self, col: ColumnProfile, target: Target, folds: np.ndarray) -> bool:
        """Whether the column's missingness alone predicts the target (reported apart)."""
        if not 0 < col.n_missing < col.n:
            return False
        score = one_feature_score(col.missing_mask.astype(np.int64), target, folds)
        return bool(score >= self.opts.missing_score)

    # ---- copies and recodings -------------------------------------------------
    def _derived(
        self,
        col: ColumnProfile,
        y: pd.Series,
        target: Target,
        labels: tuple[np.ndarray, pd.Index] | None,
        label_texts: frozenset[str] | None,
    ) -> Finding | None:
        if col.n_missing == 0:  # the target's rows: no mask to build and count
            both, n_both = target.present, target.n_present
        else:
            both = ~col.missing_mask & target.present
            n_both = int(both.sum())
        if n_both < self.opts.min_rows:
            return None
        every = n_both == both.size  # no row to leave out: no copies
        x = col.series if every else col.series[both]
        t = y if every else y[both]
        fix = Fix(f"drop {col.name!r}: it is the label in disguise", step="drop-columns")
        # Factorizations of the whole column and target, cut to ``both``: codes per
        # row of the pairs compared below (from the profile's one hash pass), taken
        # only when a comparison needs them.
        codes: Codes | None = None
        if cannot_equal(col, x, t, target, n_both, label_texts):
            same = 0.0
        else:
            numeric = pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(t)
            codes = None if numeric else pair_codes(col, labels, both, every)
            same = equal_share(x, t, codes)
        if same >= 0.999:
            return self.finding(
                f"{col.name!r} equals the target{'' if same == 1 else f' in {percent(same)} of rows'}",
                columns=[col.name],
                evidence={"reason": "equal to the target", "equal_share": same},
                fix=fix,
            )
        if target.classification and not col.distinct_exceeds(target.k) and col.n_unique == target.k > 1:
            mapping = one_to_one(x, t, codes or pair_codes(col, labels, both, every))
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
            if xo.size >= self.opts.min_rows and np.std(xo) > 0 and np.std(to) > 0:
                pearson = float(np.corrcoef(xo, to)[0, 1])
                limit = self.opts.derived_correlation
                if abs(pearson) < limit and not may_be_monotone(xo, to):
                    return None
                # The target's ranks over all its rows are shared by every column that
                # has a finite value in each of them.
                t_ranks = target.ranks if every and whole else average_ranks(to)
                spearman = float(np.corrcoef(average_ranks(xo), t_ranks)[0, 1])
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
        self, col: ColumnProfile, target: Target, folds: np.ndarray, screen: Screen | None
    ) -> Finding | None:
        if screen is not None:
            sampled = bin_codes(col, self.opts.bins, screen.rows)
            if sampled is None:
                return None
            lowest = min(self.opts.id_score, self.opts.max_single_score)
            if one_feature_score(sampled, screen.target, screen.folds) < lowest - SCREEN_MARGIN:
                return None  # far below every threshold: not worth a pass over all rows
        codes = bin_codes(col, self.opts.bins)
        if codes is None:
            return None
        score = one_feature_score(codes, target, folds)
        metric = "balanced accuracy" if target.classification else "R²"
        # Whether the column is unique per row (an id) is asked only of a high score:
        # counting a million distinct floats is the dear part.
        if score >= self.opts.id_score and self._id_like(col):
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
        if score >= self.opts.max_single_score:
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
        if col.n_present < self.opts.min_rows:
            return False
        if not (col.kind in ("string", "categorical") or col.is_integral):
            return False
        return col.n_unique == col.n_present
