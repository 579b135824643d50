from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from preflight.check import Check, Context
from preflight.checks.ol.column_model import column_models, column_scores, row_cap
from preflight.features import encoded_features
from preflight.findings import Finding, Fix, Severity

# Fit-sample size when the run sets no --sample: the reference rows every row is
# compared with. 2,000 keeps scoring a million rows well under a minute on 2 cores.
DEFAULT_SAMPLE = 2000
# Rows scored per nearest-neighbour query (bounds memory on large files).
CHUNK = 50_000
# Rows whose scores and contributing columns are spelled out in the evidence.
EVIDENCE_ROWS = 100
MESSAGE_ROWS = 5
# Contributing columns named per row.
TOP_COLUMNS = 3
# Whitening: eigenvalues are floored at this share of the mean eigenvalue, so
# near-collinear columns do not turn rounding noise into distance.
EIGEN_FLOOR = 0.01
# Robust scores are clipped to this for the covariance only, so the gross errors
# being looked for cannot shape the metric that finds them.
COV_CLIP = 5.0


@dataclass(frozen=True)
class RowScores:
    scores: np.ndarray  # calibrated score of every row (0 = typical, 1 = the fit sample's 95th percentile)
    matrix: np.ndarray  # the feature matrix scored (rows x features)
    reference: np.ndarray  # row positions of the fit sample
    sources: tuple[str, ...]  # source column of each matrix column
    k: int
    project: np.ndarray  # whitening matrix (features x features)


def _feature_matrix(ctx: Context) -> tuple[np.ndarray, tuple[str, ...]]:
    """The shared encoded matrix, with each numeric column replaced by its signed
    skew-aware robust score (OL001's model), so a log-normal column is measured on
    the log scale here too. Missing cells score 0 (the median), as in the encoding."""
    enc = encoded_features(ctx)
    models = column_models(ctx)
    # Missing indicators are left out: a rare missing pattern is DQ001's finding,
    # not an outlier, and would otherwise make every such row unique.
    keep = [j for j, name in enumerate(enc.names) if not name.endswith("__missing")]
    matrix = enc.matrix[:, keep]
    sources = tuple(enc.sources[j] for j in keep)
    for i, j in enumerate(keep):
        name, source = enc.names[j], enc.sources[j]
        if name == source and source in models:
            matrix[:, i] = np.nan_to_num(column_scores(ctx, source), nan=0.0)
    return matrix, sources


def score_rows(ctx: Context, k: int, sample: int) -> RowScores | None:
    """Mean distance of every row to its ``k`` nearest fit-sample rows, in a whitened
    space, calibrated on the fit sample: ``(log d - median) / (p95 - median)``."""
    from sklearn.neighbors import NearestNeighbors
    from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

    matrix, sources = _feature_matrix(ctx)
    n, width = matrix.shape
    if width == 0 or n <= k + 1:
        return None
    rng = np.random.default_rng(ctx.config.seed)
    if n > sample:
        reference = np.sort(rng.choice(n, size=sample, replace=False))
        previous = ctx.published.get("sampled_rows")
        ctx.publish("sampled_rows", max(int(previous or 0), sample))
    else:
        reference = np.arange(n)
    in_reference = np.zeros(n, dtype=bool)
    in_reference[reference] = True

    with threadpool_limits(limits=1):
        # Whitening (a regularised Mahalanobis metric) lets the distance see rows
        # whose combination breaks a correlation even when each value is typical.
        ref = np.clip(matrix[reference], -COV_CLIP, COV_CLIP)
        cov = np.atleast_2d(np.cov(ref, rowvar=False))
        eigval, eigvec = np.linalg.eigh(cov)
        floor = EIGEN_FLOOR * max(float(eigval.mean()), 1e-12)
        project = eigvec / np.sqrt(np.maximum(eigval, floor))
        index = NearestNeighbors(n_neighbors=k + 1).fit(matrix[reference] @ project)
        mean_dist = np.empty(n)
        for start in range(0, n, CHUNK):
            stop = min(start + CHUNK, n)
            dist, _ = index.kneighbors(matrix[start:stop] @ project)
            # A fit-sample row finds itself first: leave it out (leave-one-out).
            own = in_reference[start:stop]
            mean_dist[start:stop] = np.where(own, dist[:, 1:].mean(axis=1), dist[:, :k].mean(axis=1))
    positive = mean_dist[mean_dist > 0]
    if positive.size == 0:
        return None
    # Exact duplicates sit at distance 0; a floor far below any real gap keeps log finite.
    log_dist = np.log(np.maximum(mean_dist, 1e-6 * float(np.median(positive))))
    q50, q95 = np.quantile(log_dist[reference], [0.5, 0.95])
    if not q95 > q50:
        return None
    return RowScores(
        scores=(log_dist - q50) / (q95 - q50),
        matrix=matrix,
        reference=reference,
        sources=sources,
        k=k,
        project=project,
    )


def contributors(result: RowScores, rows: np.ndarray) -> dict[int, list[str]]:
    """For each row, the source columns that set it apart most from its nearest
    fit-sample neighbours (largest squared gaps on the robust scale)."""
    from sklearn.neighbors import NearestNeighbors

    if rows.size == 0:
        return {}
    ref = result.matrix[result.reference]
    index = NearestNeighbors(n_neighbors=result.k + 1).fit(ref @ result.project)
    _, neighbours = index.kneighbors(result.matrix[rows] @ result.project)
    names = sorted(set(result.sources))
    col_of = np.array([names.index(s) for s in result.sources])
    out: dict[int, list[str]] = {}
    for i, row in enumerate(rows):
        # Drop the row itself if it is in the fit sample.
        nb = [j for j in neighbours[i] if result.reference[j] != row][: result.k]
        gap = (result.matrix[row] - ref[nb].mean(axis=0)) ** 2
        per_source = np.bincount(col_of, weights=gap, minlength=len(names))
        top = np.argsort(-per_source, kind="stable")[:TOP_COLUMNS]
        out[int(row)] = [names[t] for t in top if per_source[t] > 0]
    return out


class RowOutliers(Check):
    """Rows whose combination of values is far from every other row (multivariate outliers).

    **What it does.** Scores every row by its mean distance to its ``k`` nearest
    neighbours among a seeded fit sample of rows, on the shared encoded feature
    matrix (numeric columns as skew-aware robust scores, text as one-hot) in a
    whitened space, so a row that breaks a correlation (tall but very light) stands
    out even when each value alone is plausible. The score is calibrated on the fit
    sample: 0 is a typical row, 1 the 95th percentile; rows beyond ``threshold``
    are listed, highest first, with their score and the columns that set them apart
    from their neighbours. The fit sample holds ``--sample`` rows (default 2,000);
    every row of the file is scored.

    **Why it is bad.** A row that matches nothing else is usually an entry error, a
    unit mix-up or a record from another population. A network spends capacity and
    large gradients fitting it; removing or correcting such rows is cheaper and
    more honest than clipping gradients.

    **Fix.** Look at the listed rows and correct them; otherwise drop them with
    ``preflight fix`` (which keeps every removed row in a separate file), or make
    the model robust to them (``RobustScaler``, clipped features).

    **Options.** ``threshold`` (3.5): calibrated score beyond which a row is
    listed (clean Gaussian data of 100,000 rows and 2 to 30 columns stays below
    3.2; rows with gross errors in breast-cancer data score 3.6 and up).
    ``neighbors`` (10): neighbours averaged per row. ``max-share`` (0.005) and ``min-cap`` (20): at most
    ``max(min-cap, max-share × rows)`` rows are listed; when more rows exceed the
    threshold the data are heavy-tailed rather than contaminated, and the finding
    lists only the highest-scoring ones, as info. ``min-rows`` (50): smaller
    tables are not scored.
    """

    code = "OL002"
    name = "outliers.row-outliers"
    category = "outliers"
    cause = 1
    severity = Severity.WARNING
    model_based = True
    options: ClassVar[Mapping[str, Any]] = {
        "threshold": 3.5,
        "neighbors": 10,
        "max_share": 0.005,
        "min_cap": 20,
        "min_rows": 50,
    }

    def run(self, ctx: Context) -> Iterator[Finding]:
        n = ctx.dataset.n_rows
        if n < int(self.opts["min_rows"]):
            return
        sample = ctx.config.sample or DEFAULT_SAMPLE
        k = max(1, int(self.opts["neighbors"]))
        result = score_rows(ctx, k=k, sample=sample)
        if result is None:
            return
        threshold = float(self.opts["threshold"])
        scores = result.scores
        beyond = np.flatnonzero(scores > threshold)
        if beyond.size == 0:
            return
        cap = row_cap(n, float(self.opts["max_share"]), int(self.opts["min_cap"]))
        ranked = beyond[np.lexsort((beyond, -scores[beyond]))]
        heavy = beyond.size > cap
        listed = ranked[:cap]
        shown = listed[:EVIDENCE_ROWS]
        tops = contributors(result, shown)
        named = "; ".join(
            f"row {r} (score {scores[r]:.1f}: {', '.join(repr(c) for c in tops.get(int(r), []))})"
            for r in listed[:MESSAGE_ROWS]
        )
        more = f"; and {listed.size - MESSAGE_ROWS} more" if listed.size > MESSAGE_ROWS else ""
        if heavy:
            message = (
                f"{beyond.size} rows ({beyond.size / n:.2%}) score above {threshold:g}: the data look "
                f"heavy-tailed rather than contaminated; the {listed.size} most unusual: {named}{more}"
            )
        else:
            message = (
                f"{beyond.size} row{'s' if beyond.size > 1 else ''} unlike every other row "
                f"(score above {threshold:g}, up to {scores[listed[0]]:.1f}): {named}{more}"
            )
        yield self.finding(
            message,
            rows=listed,
            row_count=int(listed.size),
            severity=Severity.INFO if heavy else None,
            evidence={
                "method": (
                    f"mean distance to the {k} nearest of {result.reference.size} fit-sample rows, "
                    "whitened robust features; 0 = median row, 1 = 95th percentile"
                ),
                "threshold": threshold,
                "fit_rows": int(result.reference.size),
                "above_threshold": int(beyond.size),
                "heavy_tailed": heavy,
                "scores": {int(r): float(scores[r]) for r in shown},
                "contributors": {int(r): cols for r, cols in tops.items()},
            },
            fix=Fix(
                "look at the listed rows and correct them; otherwise drop them with `preflight fix` "
                "(removed rows are kept in a separate file)",
                step="drop-rows",
                params={"rows": "flagged"},
            ),
        )
