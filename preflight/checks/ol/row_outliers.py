from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from preflight.analysis.row_outliers import (
    DEFAULT_SAMPLE,
    distance_contributors,
    relation_contributors,
    score_rows,
)
from preflight.checks.base import Check, Context
from preflight.checks.ol.common import row_cap
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.sections import Section

# Rows whose scores and contributing columns are spelled out in the evidence.
EVIDENCE_ROWS = 100
MESSAGE_ROWS = 5


class RowOutliers(Check):
    """Rows whose combination of values is unlike the rest of the data (multivariate outliers).

    **What it does.** Works on the shared encoded feature matrix, with numeric
    columns as skew-aware robust scores (as in OL001) and text one-hot encoded; fits
    on a seeded sample of ``--sample`` rows (default 2,000) and scores every row of
    the file with two signals:

    - *distance*: the mean distance to the row's ``neighbors`` nearest fit-sample
      rows in a whitened space, calibrated on the fit sample (0 is a typical row,
      1 the 95th percentile): a row that matches nothing else;
    - *relation*: each numeric column predicted linearly from all the others; the
      robust z of the row's residual: a row that breaks a relation the data obey
      (a perimeter that does not fit the radius, tall but very light) even when each
      of its values alone is plausible.

    A row's score is the stronger signal divided by its threshold, so 1 is the
    threshold. Rows above 1 are listed, highest first, with their score, which
    signal flagged them, and the columns that contribute most.

    **Why it is bad.** A row that matches nothing else is usually an entry error, a
    unit mix-up or a record from another population. A network spends capacity and
    large gradients fitting it; removing or correcting such rows is cheaper and
    more honest than clipping gradients.

    **Fix.** Look at the listed rows and correct them; otherwise drop them with
    ``preflight fix`` (which keeps every removed row in a separate file), or make
    the model robust to them (``RobustScaler``, clipped features).

    **Options.** ``threshold`` (3.5): calibrated distance score that flags a row
    (clean Gaussian data of 100,000 rows and 2 to 30 columns stays below 3.2; rows
    with gross errors in breast-cancer data score 3.6 and up). ``relation-threshold``
    (8.0): robust z of a residual that flags a row (clean Gaussian data of 100,000
    rows and 30 columns stays below 5.2; diabetes, wine and penguins below 6).
    ``neighbors`` (10): neighbours averaged per row. ``max-share`` (0.005) and
    ``min-cap`` (20): at most ``max(min-cap, max-share × rows)`` rows are listed;
    when more rows exceed the threshold the data are heavy-tailed rather than
    contaminated, and the finding lists only the highest-scoring ones, as info.
    ``min-rows`` (50): smaller tables are not scored.
    """

    code = "OL002"
    name = "outliers.row-outliers"
    category = "outliers"
    cause = 1
    severity = Severity.WARNING
    model_based = True
    file_rows = True

    @dataclass(frozen=True)
    class Options(NoOptions):
        threshold: float = 3.5
        relation_threshold: float = 8.0
        neighbors: int = option(10, minimum=1)
        max_share: float = option(0.005, share=True)
        min_cap: int = 20
        min_rows: int = 50

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding | Section]:
        n = ctx.dataset.rows_in_file
        if ctx.dataset.n_rows < int(self.opts.min_rows):
            return
        sample = ctx.config.sample or DEFAULT_SAMPLE
        k = max(1, int(self.opts.neighbors))
        threshold = float(self.opts.threshold)
        relation_threshold = float(self.opts.relation_threshold)
        result = yield from score_rows(
            ctx.artifacts,
            k=k,
            sample=sample,
            distance_threshold=threshold,
            relation_threshold=relation_threshold,
        )
        if result is None or result.hits.rows.size == 0:
            return
        hits = result.hits
        # One score per row: how far past its threshold the stronger signal is (1 = at it).
        beyond = hits.rows
        scores = dict(zip(beyond.tolist(), hits.scores.tolist(), strict=True))
        cap = row_cap(n, float(self.opts.max_share), int(self.opts.min_cap))
        order = np.lexsort((beyond, -hits.scores))
        heavy = beyond.size > cap
        listed = beyond[order][:cap]
        shown_at = order[:cap][:EVIDENCE_ROWS]
        shown = beyond[shown_at]
        # A row far from every other row is described by its distance even if it
        # also breaks relations (a gross error does both); "relation" is kept for
        # rows that only break a relation, the impossible combinations.
        only_relation = hits.distance[shown_at] <= 1.0
        kinds = {
            int(r): "relation" if flag else "distance" for r, flag in zip(shown, only_relation, strict=True)
        }
        tops = {
            **distance_contributors(result, shown[~only_relation], hits.matrix[shown_at[~only_relation]]),
            **relation_contributors(result, shown[only_relation], hits.matrix[shown_at[only_relation]]),
        }

        def describe(r: int) -> str:
            cols = ", ".join(repr(c) for c in tops.get(r, []))
            what = "breaks the relation of" if kinds[r] == "relation" else "far from every row in"
            return f"row {r} (score {scores[r]:.1f}, {what} {cols})"

        named = "; ".join(describe(int(r)) for r in listed[:MESSAGE_ROWS])
        more = f"; and {listed.size - MESSAGE_ROWS} more" if listed.size > MESSAGE_ROWS else ""
        if heavy:
            message = (
                f"{beyond.size} rows ({beyond.size / n:.2%}) score above 1: the data look heavy-tailed "
                f"rather than contaminated; the {listed.size} most unusual: {named}{more}"
            )
        else:
            message = (
                f"{beyond.size} row{'s' if beyond.size > 1 else ''} unlike the rest of the data "
                f"(score above 1, up to {scores[listed[0]]:.1f}): {named}{more}"
            )
        yield self.finding(
            message,
            rows=listed,
            row_count=int(listed.size),
            severity=Severity.INFO if heavy else None,
            evidence={
                "method": (
                    f"fitted on {result.scorer.reference.size} rows: mean distance to the {k} nearest rows "
                    f"(whitened robust features; threshold {threshold:g}) and each numeric column's "
                    f"residual from its linear relation to the others (robust z; threshold "
                    f"{relation_threshold:g}); score = the larger, divided by its threshold"
                ),
                "threshold": 1.0,
                "distance_threshold": threshold,
                "relation_threshold": relation_threshold,
                "fit_rows": int(result.scorer.reference.size),
                "above_threshold": int(beyond.size),
                "heavy_tailed": heavy,
                "scores": {int(r): float(scores[r]) for r in shown},
                "kind": kinds,
                "contributors": {int(r): tops.get(int(r), []) for r in shown},
            },
            fix=Fix(
                "look at the listed rows and correct them; otherwise drop them with `preflight fix` "
                "(removed rows are kept in a separate file)",
                step="drop-rows",
                params={"rows": "flagged"},
            ),
        )
