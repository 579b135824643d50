from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from preflight.analysis.drift import Shift, binned_counts, population_stability
from preflight.analysis.split import day_text
from preflight.checks.base import Check, Context
from preflight.checks.sp._common import DriftOptions, file_evidence
from preflight.core.findings import Finding, Fix, Severity


class FeatureDrift(Check):
    """Features whose distribution differs between the training and test files.

    **What it does.** For every feature both files share, bins the values (quantile
    bins of the training values for numbers and datetimes, the most frequent
    training values for text, missing values as a bin of their own) and measures
    the shift by its size, the population stability index (PSI), not by a p-value:
    on large files a test flags every harmless difference. PSI below 0.1 is
    conventionally stable, 0.1 to 0.25 a moderate shift, above 0.25 a major one. The
    number of bins shrinks with the smaller file (about ``min-per-bin`` rows per bin),
    and a shift must also clear the PSI that two samples of one distribution reach by
    chance at these sizes (the noise floor, in evidence), so a small test file does
    not pass noise off as drift. Each finding names one feature and its rank among
    the drifted features (``rank`` 1 = most drifted).

    **Why it is bad.** The gap between train and test loss is read as a measure of
    generalisation; when a feature moved between the files, part of that gap is the
    shift, not the model. A feature that drifts strongly is often a time stamp, a
    counter or a source marker.

    **Fix.** Split the files at random from one pool (or stratify on the drifting
    feature); if the shift is real (the future looks different), keep it and expect
    the test loss to say so; drop time or ID columns from the features.

    **Options.** ``warn-psi`` (0.25): a PSI at or above this is a warning.
    ``info-psi`` (0.1): the smallest PSI reported (info). ``max-bins`` (10),
    ``min-per-bin`` (20): binning. ``min-rows`` (50): the minimum sample size; with
    fewer rows in either file drift is not judged. ``noise-z`` (4.0): the noise
    floor is the PSI that two samples of one distribution, at these sizes, exceed
    with the chance of a normal value beyond this z (4.0: about 3 in 100,000).
    """

    code = "SP004"
    name = "split.feature-drift"
    category = "split"
    cause = None
    severity = Severity.WARNING
    needs = frozenset({"test"})

    @dataclass(frozen=True)
    class Options(DriftOptions):
        """The PSI options every population-stability check shares."""

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        for heldout in ctx.artifacts.heldout_files():
            if min(ctx.dataset.n_rows, heldout.dataset.n_rows) < self.opts.min_rows:
                continue
            al = ctx.artifacts.aligned(heldout)
            drifted: list[tuple[str, Shift, dict[str, Any]]] = []
            for column in al.columns:
                a = al.train[column].to_numpy()
                b = al.other[column].to_numpy()
                ca, cb = binned_counts(a, b, max_bins=self.opts.max_bins, min_per_bin=self.opts.min_per_bin)
                shift = population_stability(ca, cb, self.opts.noise_z)
                if shift.psi < self.opts.info_psi or shift.psi <= shift.noise_floor:
                    continue
                drifted.append((column, shift, _describe(a, b, column in al.dates)))
            drifted.sort(key=lambda d: (-d[1].psi, d[0]))
            role = heldout.role
            for rank, (column, shift, described) in enumerate(drifted, 1):
                major = shift.psi >= self.opts.warn_psi
                detail = ""
                if "train_median" in described:
                    ma, mb = described["train_median"], described["other_median"]
                    if isinstance(ma, str):
                        detail = f" (median {ma} in train, {mb} in {role})"
                    else:
                        detail = f" (median {ma:.4g} in train, {mb:.4g} in {role})"
                yield self.finding(
                    f"{column!r} {'drifted' if major else 'shifted'} between train and {role}: "
                    f"PSI {shift.psi:.2f}{detail}",
                    columns=[column],
                    evidence=file_evidence(
                        heldout,
                        psi=shift.psi,
                        rank=rank,
                        drifted_features=len(drifted),
                        bins=shift.bins,
                        noise_floor=shift.noise_floor,
                        n_train=shift.n_reference,
                        n_other=shift.n_other,
                        **described,
                    ),
                    fix=Fix(
                        "split train and test at random from one pool, or drop the column if it is a "
                        "time stamp, counter or source marker"
                    ),
                    severity=Severity.WARNING if major else Severity.INFO,
                )


def _describe(a: np.ndarray, b: np.ndarray, dates: bool) -> dict[str, Any]:
    """Medians of both sides for numeric and date columns (the direction of the shift)."""
    if a.dtype.kind != "f" or b.dtype.kind != "f":
        return {}
    fa, fb = a[np.isfinite(a)], b[np.isfinite(b)]
    if fa.size == 0 or fb.size == 0:
        return {}
    ma, mb = float(np.median(fa)), float(np.median(fb))
    if dates:
        return {"train_median": day_text(ma), "other_median": day_text(mb)}
    return {"train_median": ma, "other_median": mb}
