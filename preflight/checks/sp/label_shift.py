from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from preflight.analysis.drift import binned_counts, population_stability
from preflight.analysis.split import aligned_target
from preflight.checks.base import Check, Context
from preflight.checks.sp._common import DriftOptions, file_evidence, show_value
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import percent


class LabelShift(Check):
    """The target's distribution differs between the training and test files.

    **What it does.** Measures the shift of the target between the files by its
    size, the population stability index (PSI; see SP004): one bin per training class
    (plus one for classes unseen in training) for classification, quantile bins of
    the training target for regression. As in SP004, the shift must also clear the
    chance level of two samples of one distribution at these sizes (evidence
    ``noise_floor``). The class shares of both files are in evidence. A held-out file
    without the target column is not judged.

    **Why it is bad.** A model learns the training base rates; when the test file's
    class balance (or target range) differs, the test loss mixes the model's error
    with the shift, and the train/test gap no longer measures overfitting alone.

    **Fix.** Re-split with stratification on the target; if the shift is real (the
    deployment population differs), re-weight classes or calibrate on data like the
    test file.

    **Options.** ``warn-psi`` (0.25), ``info-psi`` (0.1), ``max-bins`` (10, regression),
    ``min-per-bin`` (20, regression), ``min-rows`` (50: fewer labelled rows in either
    file are not judged), ``noise-z`` (4.0): as in SP004.
    """

    code = "SP005"
    name = "split.label-shift"
    category = "split"
    cause = None
    severity = Severity.WARNING
    needs = frozenset({"test", "target"})

    @dataclass(frozen=True)
    class Options(DriftOptions):
        """The PSI options every population-stability check shares."""

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        target = ctx.dataset.target
        assert target is not None
        for heldout in ctx.artifacts.heldout_files():
            pair = aligned_target(ctx.dataset, heldout.dataset)
            if pair is None:
                continue
            a, b = pair
            if min(int(pd.notna(a).sum()), int(pd.notna(b).sum())) < self.opts.min_rows:
                continue
            role = heldout.role
            detail: dict[str, Any]
            if ctx.dataset.task == "classification":
                ca, cb, detail, text = _class_counts(a, b, role)
            else:
                ca, cb = binned_counts(a, b, max_bins=self.opts.max_bins, min_per_bin=self.opts.min_per_bin)
                detail, text = _medians(a, b, role)
            shift = population_stability(ca, cb, self.opts.noise_z)
            if shift.psi < self.opts.info_psi or shift.psi <= shift.noise_floor:
                continue
            major = shift.psi >= self.opts.warn_psi
            yield self.finding(
                f"the target {target!r} {'shifted' if major else 'moved'} between train and {role}: "
                f"PSI {shift.psi:.2f}{text}",
                columns=[target],
                evidence=file_evidence(
                    heldout, psi=shift.psi, bins=shift.bins, noise_floor=shift.noise_floor, **detail
                ),
                fix=Fix("re-split with stratification on the target, or re-weight for the test population"),
                severity=Severity.WARNING if major else Severity.INFO,
            )


def _class_counts(
    a: np.ndarray, b: np.ndarray, role: str
) -> tuple[np.ndarray, np.ndarray, dict[str, Any], str]:
    sa = pd.Series(a, dtype=object).dropna()
    sb = pd.Series(b, dtype=object).dropna()
    classes = list(sa.value_counts().index)
    ca = sa.value_counts().reindex(classes).to_numpy(dtype=np.int64)
    vb = sb.value_counts()
    cb = vb.reindex(classes, fill_value=0).to_numpy(dtype=np.int64)
    unseen = int(len(sb) - cb.sum())
    ca = np.append(ca, 0)
    cb = np.append(cb, unseen)
    share_a = {str(show_value(c)): n / len(sa) for c, n in zip(classes, ca[:-1], strict=True)}
    share_b = {str(show_value(c)): n / len(sb) for c, n in zip(classes, cb[:-1], strict=True)}
    biggest = max(share_a, key=lambda c: (abs(share_a[c] - share_b[c]), c))
    train_share, other_share = percent(share_a[biggest], 0), percent(share_b[biggest], 0)
    text = f"; {biggest!r} is {train_share} of train and {other_share} of {role}"
    return ca, cb, {"train_shares": share_a, "other_shares": share_b, "unseen_rows": unseen}, text


def _medians(a: np.ndarray, b: np.ndarray, role: str) -> tuple[dict[str, Any], str]:
    if a.dtype.kind != "f" or b.dtype.kind != "f":
        return {}, ""
    fa, fb = a[np.isfinite(a)], b[np.isfinite(b)]
    if fa.size == 0 or fb.size == 0:
        return {}, ""
    ma, mb = float(np.median(fa)), float(np.median(fb))
    return {"train_median": ma, "other_median": mb}, f" (median {ma:.4g} in train, {mb:.4g} in {role})"
