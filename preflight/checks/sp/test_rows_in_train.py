from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from preflight.analysis.overlap import Overlap, overlapping_rows
from preflight.analysis.split import HeldOut, aligned_frames, aligned_target, shared_features
from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions, option
from preflight.checks.sp._common import file_evidence
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import percent


class LeakedRows(Check):
    """Test rows that also appear in the training file.

    **What it does.** Compares every row of the test file (and of ``--valid``) with
    every training row on the feature columns both files share, after normalising
    types (an integer column read as floats, numbers stored as text and categoricals
    match their twins); the target and id columns are left out, so a copied row
    with a changed label or a new id is still found. Rows are hashed and each hash
    match is confirmed on the values. With ``--valid``, validation rows that repeat
    in the test file are reported too. ``rows`` are 0-based positions in the
    held-out file named by evidence ``rows_refer_to``; evidence ``examples`` pairs a
    few of them with the training row they repeat.

    **Why it is bad.** A model has already seen a leaked row; its test loss on that
    row measures memory, not generalisation, so the gap between train and test loss
    reads smaller than it is: the classic leak that makes test loss lie.

    **Fix.** Drop the leaked rows from the test file (``preflight fix`` writes them
    to a separate file), or split again by entity so copies land on one side.

    **Options.** ``error-share`` (0.05): at or above this share of held-out rows the
    finding is an error (the test loss is materially memory), below it a warning (a
    real dataset that holds one duplicated record can put one copy on each side).
    ``honest-ratio`` (2.0): when the training file repeats its own rows about as
    often (the overlap share is at most this many times the share of training rows
    that repeat another training row), the features are too coarse to tell examples
    apart and an honest random split overlaps that much too; the finding is then
    info. ``near-tolerance`` (0.0, off):
    above 0, a held-out row whose text features equal a training row's and whose
    numeric features all lie within this many robust standard deviations of that
    row's (0.01, say) is a near-duplicate and is listed too (evidence
    ``near_duplicates``): a copy that was rounded, re-scaled by a tiny amount or
    re-exported with other precision.
    """

    code = "SP001"
    name = "split.test-rows-in-train"
    category = "split"
    cause = None
    severity = Severity.ERROR
    needs = frozenset({"test"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        error_share: float = option(0.05, share=True)
        honest_ratio: float = 2.0
        near_tolerance: float = 0.0

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        files = ctx.artifacts.heldout_files()
        for heldout in files:
            al = ctx.artifacts.aligned(heldout)
            overlap = overlapping_rows(al.train, al.other, self.opts.near_tolerance)
            yield from self._judge(ctx, heldout, "train", overlap)
        valid = [h for h in files if h.role == "valid"]
        test = [h for h in files if h.role == "test"]
        if valid and test:
            v, t = valid[0], test[0]
            cols = [c for c in shared_features(ctx.dataset, t.dataset) if c in v.dataset.frame.columns]
            al = aligned_frames(v.dataset, t.dataset, cols)
            overlap = overlapping_rows(al.train, al.other, self.opts.near_tolerance)
            yield from self._judge(ctx, t, "valid", overlap)

    def _judge(self, ctx: Context, heldout: HeldOut, against: str, overlap: Overlap) -> Iterator[Finding]:
        count = int(overlap.positions.size)
        if count == 0:
            return
        n = heldout.dataset.n_rows
        share = count / n
        expected = overlap.reference_repeat_share
        if share <= self.opts.honest_ratio * expected:
            severity = Severity.INFO
        elif share >= self.opts.error_share:
            severity = Severity.ERROR
        else:
            severity = Severity.WARNING
        evidence = file_evidence(
            heldout,
            against=against,
            leaked=count,
            share=share,
            reference_repeat_share=expected,
            compared_columns=len(overlap.columns),
            near_duplicates=overlap.near,
            examples=[
                [int(t), int(r)] for t, r in zip(overlap.positions[:10], overlap.matches[:10], strict=True)
            ],
        )
        same_label = self._same_label(ctx, heldout, against, overlap.positions, overlap.matches)
        if same_label is not None:
            evidence["same_label"] = same_label
        role = heldout.role
        yield self.finding(
            f"{count} of {n} {role} rows ({percent(share)}) repeat a {against} row "
            + (f"({overlap.near} nearly, the rest exactly)" if overlap.near else "exactly")
            + (
                ""
                if severity is Severity.INFO
                else f": {role} loss on them measures memory, not generalisation"
            ),
            rows=overlap.positions,
            evidence=evidence,
            fix=Fix(
                f"drop the leaked rows from the {role} file (preflight fix writes them to a separate file)",
                params={"file": role},
            ),
            severity=severity,
        )

    @staticmethod
    def _same_label(
        ctx: Context, heldout: HeldOut, against: str, positions: np.ndarray, matches: np.ndarray
    ) -> int | None:
        """How many leaked rows also carry the same label (None without labels on both sides)."""
        reference = ctx.dataset
        if against == "valid":
            reference = next(h.dataset for h in ctx.artifacts.heldout_files() if h.role == "valid")
        pair = aligned_target(reference, heldout.dataset)
        if pair is None:
            return None
        a, b = pair
        la, lb = a[matches], b[positions]
        same = (la == lb) | (np.asarray(la != la) & np.asarray(lb != lb))
        return int(np.sum(same))
