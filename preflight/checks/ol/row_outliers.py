from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from preflight.analysis.isolation import MIN_GAP, MIN_SPACING, TAIL, Isolation, isolated_top
from preflight.analysis.row_outliers import (
    DEFAULT_SAMPLE,
    RowScores,
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
    """Rows that break a relation the other rows obey (multivariate outliers).

    **What it does.** Works on the shared encoded feature matrix, with numeric
    columns as skew-aware robust scores (as in OL001) and text one-hot encoded; fits
    on a seeded sample of ``--sample`` rows (default 2,000) and scores every row of
    the file with two signals:

    - *relation*: each numeric column predicted linearly from all the others; the
      robust z of the row's residual: a row that breaks a relation the data obey
      (a perimeter that does not fit the radius, tall but very light, more full-time
      students than applicants) even when each of its values alone is plausible;
    - *distance*: the mean distance to the row's ``neighbors`` nearest fit-sample
      rows in a whitened space, calibrated on the fit sample (0 is a typical row,
      1 the 95th percentile): a row that matches nothing else.

    A row is reported as a warning when its residual is beyond
    ``relation-threshold`` *and isolated* from the residuals of every other row of
    the file by OL001's gap test (``min-gap``, ``min-spacing``;
    ``preflight.analysis.isolation``): a broken record stands alone, while the
    residuals of a coarse survey or of heavy-tailed measures spread out
    continuously. Rows that are only rare (far by distance, or off a relation
    without a gap) are one info finding: rare is not wrong. Rows listed with their
    score (the stronger signal over its threshold, so 1 is the threshold), which
    signal flagged them and the columns that contribute most. A row OL001 already
    reports is folded into OL001's finding (``evidence.also.OL002``).

    **Why it is bad.** A record whose values contradict each other is usually an
    entry error or a unit mix-up in one of them. A network spends capacity and large
    gradients fitting it; correcting such rows is cheaper and more honest than
    clipping gradients.

    **Fix.** Look at the listed rows and correct them; otherwise drop them with
    ``preflight fix --drop-rows OL002`` (which keeps every removed row in a separate
    file).

    **Options.** ``threshold`` (3.5): calibrated distance score that makes a row
    rare (clean Gaussian data of 100,000 rows and 2 to 30 columns stays below 3.2).
    ``relation-threshold`` (8.0): robust z of a residual that is scored (clean
    Gaussian data of 100,000 rows and 30 columns stays below 5.2; diabetes, wine and
    penguins below 6). ``min-gap`` (3.0) and ``min-spacing`` (2.0): the isolation
    test. ``neighbors`` (10): neighbours averaged per row. ``max-share`` (0.005) and
    ``min-cap`` (20): at most ``max(min-cap, max-share × rows)`` rows are listed.
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
        min_gap: float = MIN_GAP
        min_spacing: float = MIN_SPACING
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
        cap = row_cap(n, float(self.opts.max_share), int(self.opts.min_cap))
        result = yield from score_rows(
            ctx.artifacts,
            k=k,
            sample=sample,
            distance_threshold=float(self.opts.threshold),
            relation_threshold=float(self.opts.relation_threshold),
            tail=cap + TAIL,
        )
        if result is None or result.hits.rows.size == 0:
            return
        broken, isolation = self._broken(result, cap)
        if broken.any():
            yield self._finding(result, np.flatnonzero(broken), cap, isolation, rare=False)
        if (~broken).any():
            yield self._finding(result, np.flatnonzero(~broken), cap, isolation, rare=True)

    def _broken(self, result: RowScores, cap: int) -> tuple[np.ndarray, dict[str, Isolation]]:
        """Which hits break a relation beyond a gap, and each isolated relation's test."""
        hits = result.hits
        broken = np.zeros(hits.rows.size, dtype=bool)
        isolation: dict[str, Isolation] = {}
        rel = result.scorer.relations
        if rel is None:
            return broken, isolation
        threshold = float(self.opts.relation_threshold)
        for j, column in enumerate(rel.columns):
            found = isolated_top(
                hits.tails[:, j],
                threshold,
                min_gap=float(self.opts.min_gap),
                min_spacing=float(self.opts.min_spacing),
                max_count=cap,
            )
            if found is not None:
                isolation[result.sources[column]] = found
                broken |= hits.relation_z[:, j] > max(found.next_score, threshold)
        return broken, isolation

    def _finding(
        self, result: RowScores, at: np.ndarray, cap: int, isolation: dict[str, Isolation], *, rare: bool
    ) -> Finding:
        hits = result.hits
        order = at[np.lexsort((hits.rows[at], -hits.scores[at]))]
        listed_at = order[:cap]
        listed = hits.rows[listed_at]
        scores = {int(r): float(v) for r, v in zip(hits.rows[at], hits.scores[at], strict=True)}
        shown_at = listed_at[:EVIDENCE_ROWS]
        shown = hits.rows[shown_at]
        # A broken relation names the relation; a rare row is described by its
        # distance unless only a relation (without a gap) set it apart.
        by_relation = np.ones(shown.size, dtype=bool) if not rare else hits.distance[shown_at] <= 1.0
        kinds = {
            int(r): "relation" if flag else "distance" for r, flag in zip(shown, by_relation, strict=True)
        }
        tops = {
            **distance_contributors(result, shown[~by_relation], hits.matrix[shown_at[~by_relation]]),
            **relation_contributors(result, shown[by_relation], hits.matrix[shown_at[by_relation]]),
        }
        total = int(at.size)
        scorer = result.scorer
        evidence: dict[str, Any] = {
            "method": (
                f"fitted on {scorer.reference.size} rows: each numeric column's residual from its "
                f"linear relation to the others (robust z; threshold {scorer.relation_threshold:g}, "
                f"isolated by a gap of {float(self.opts.min_gap):g} robust SDs) and the mean distance "
                f"to the {scorer.k} nearest rows (whitened robust features; threshold "
                f"{scorer.distance_threshold:g}); score = the larger, divided by its threshold"
            ),
            "threshold": 1.0,
            "distance_threshold": scorer.distance_threshold,
            "relation_threshold": scorer.relation_threshold,
            "fit_rows": int(scorer.reference.size),
            "above_threshold": total,
            "rare": rare,
            "isolation": {
                name: {"rows": iso.count, "gap": iso.gap, "spacing": iso.spacing}
                for name, iso in sorted(isolation.items())
            },
            "scores": {int(r): scores[int(r)] for r in shown},
            "kind": kinds,
            "contributors": {int(r): tops.get(int(r), []) for r in shown},
        }
        return self.finding(
            describe_rows([int(r) for r in listed], total, evidence),
            rows=listed,
            row_count=int(listed.size),
            severity=Severity.INFO if rare else None,
            evidence=evidence,
            fix=Fix("keep these rows: they are unusual, not contradictory")
            if rare
            else Fix(
                "look at the listed rows and correct them; otherwise drop them with `preflight fix "
                "--drop-rows OL002` (removed rows are kept in a separate file)",
                step="drop-rows",
                params={"rows": "flagged"},
            ),
        )

    @classmethod
    def restate(cls, finding: Finding, rows: Sequence[int]) -> Finding | None:
        """``finding`` cut to ``rows`` (the others are reported by OL001); None if none is left."""
        keep = set(rows)
        left = [r for r in _ranked(finding) if r in keep]
        if not left:
            return None
        per_row = ("scores", "kind", "contributors")
        evidence = {
            **finding.evidence,
            **{key: {r: v for r, v in finding.evidence[key].items() if r in keep} for key in per_row},
            "above_threshold": len(left),
        }
        return replace(
            finding,
            message=describe_rows(left, len(left), evidence),
            rows=tuple(sorted(left)),
            row_count=len(left),
            evidence=evidence,
        )


def _ranked(finding: Finding) -> list[int]:
    """The finding's rows, highest score first (rows beyond the evidence last, in order)."""
    scores = finding.evidence.get("scores", {})
    return sorted(finding.rows, key=lambda r: (-scores.get(r, 0.0), r))


def describe_rows(listed: Sequence[int], total: int, evidence: Mapping[str, Any]) -> str:
    """OL002's message, from its ranked rows and evidence."""
    scores, kinds, tops = evidence["scores"], evidence["kind"], evidence["contributors"]

    def describe(r: int) -> str:
        cols = ", ".join(repr(c) for c in tops.get(r, []))
        what = "breaks the relation of" if kinds.get(r) == "relation" else "far from every row in"
        return f"row {r} (score {scores[r]:.1f}, {what} {cols})"

    named = "; ".join(describe(r) for r in listed[:MESSAGE_ROWS] if r in scores)
    more = f"; and {len(listed) - MESSAGE_ROWS} more" if len(listed) > MESSAGE_ROWS else ""
    plural = total > 1
    if evidence["rare"]:
        return (
            f"{total} row{'s' if plural else ''} rare but not wrong (score above 1, no gap sets "
            f"{'them' if plural else 'it'} apart from the other rows): {named}{more}"
        )
    return (
        f"{total} row{'s' if plural else ''} break{'' if plural else 's'} a relation the other rows obey, "
        f"beyond a gap (score up to {scores[listed[0]]:.1f}): {named}{more}"
    )
