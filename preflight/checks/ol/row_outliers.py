from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from preflight.check import Check, Context
from preflight.checks.ol.column_model import ColumnModel, column_models, column_scores, row_cap
from preflight.features import ColumnCode, encoded_features, transform
from preflight.findings import Finding, Fix, Severity

# Fit-sample size when the run sets no --sample: the reference rows every row is
# compared with. 2,000 keeps scoring a million rows well under a minute on 2 cores.
DEFAULT_SAMPLE = 2000
# Rows scored at a time (encoded, projected, queried): bounds memory on large files.
CHUNK = 8192
# scikit-learn's working memory (MB) for the neighbour queries: its default (1 GB)
# lets a brute-force query hold a 50,000 x 2,000 distance block at once.
WORKING_MEMORY_MB = 64
# Rows whose scores and contributing columns are spelled out in the evidence.
EVIDENCE_ROWS = 100
MESSAGE_ROWS = 5
# Contributing columns named per row.
TOP_COLUMNS = 3
# Whitening: eigenvalues are floored at this share of the mean eigenvalue, so
# near-collinear columns do not turn rounding noise into distance.
EIGEN_FLOOR = 0.01
# Robust scores are clipped to this for the covariance and the relations' inputs,
# so the gross errors being looked for cannot shape the metric that finds them.
COV_CLIP = 5.0
# Ridge added to the standardised correlation matrix: keeps the relations defined
# when columns are collinear (one-hot groups, a column that is a sum of others).
RIDGE = 1e-3
# Relations are fitted only with at least this many fit-sample rows per feature.
ROWS_PER_FEATURE = 5
MAX_LEVERAGE = 0.9
_Z75, _Z95 = 0.6745, 1.6449


@dataclass(frozen=True)
class Relations:
    """Each numeric column predicted linearly from all the others (ridge), with the
    robust spread of its residual: a row far off a relation the data obey (perimeter
    against radius, weight against height) breaks it even if each value is typical."""

    columns: np.ndarray  # matrix column indices that are predicted
    mean: np.ndarray  # per matrix column, of the clipped fit sample
    std: np.ndarray
    coef: np.ndarray  # (features, len(columns)): standardised coefficients, 0 on the own column
    center: np.ndarray  # median residual per predicted column
    upper: np.ndarray  # robust sd of the residual above / below the median
    lower: np.ndarray
    leverage: np.ndarray  # of each fit-sample row (in the order of the reference positions)

    def residual_scores(self, block: np.ndarray, leverage: np.ndarray | None = None) -> np.ndarray:
        """|robust z| of each predicted column's residual, rows of ``block``.

        ``leverage`` (fit-sample rows only) turns their in-sample residuals into
        leave-one-out ones, comparable with the residuals of every other row."""
        clipped = (np.clip(block, -COV_CLIP, COV_CLIP) - self.mean) / self.std
        # The predicted column itself is not clipped: a gross error in it must show.
        own = (block[:, self.columns] - self.mean[self.columns]) / self.std[self.columns]
        d = own - clipped @ self.coef
        if leverage is not None:
            d = d / (1.0 - leverage)[:, None]
        d = d - self.center
        with np.errstate(divide="ignore", invalid="ignore"):
            z = np.where(d >= 0, d / self.upper, -d / self.lower)
        return np.asarray(np.nan_to_num(z, nan=0.0, posinf=0.0), dtype=float)


def _fit_relations(matrix: np.ndarray, numeric: np.ndarray, reference: np.ndarray) -> Relations | None:
    # Too few fit rows per feature and the regressions would fit noise.
    if numeric.size == 0 or matrix.shape[1] < 2 or reference.size < ROWS_PER_FEATURE * matrix.shape[1]:
        return None
    ref = np.clip(matrix[reference], -COV_CLIP, COV_CLIP)
    mean = ref.mean(axis=0)
    std = ref.std(axis=0)
    std[std == 0] = 1.0
    z = (ref - mean) / std
    # Ridge through the precision matrix of the standardised sample: column j's
    # regression on the others has coefficients -P[j, i] / P[j, j].
    corr = z.T @ z / len(z) + RIDGE * np.eye(z.shape[1])
    precision = np.linalg.inv(corr)
    coef = -precision[:, numeric] / np.diag(precision)[numeric]
    coef[numeric, np.arange(numeric.size)] = 0.0
    clipped = (np.clip(matrix[reference], -COV_CLIP, COV_CLIP) - mean) / std
    own = (matrix[reference][:, numeric] - mean[numeric]) / std[numeric]
    # Leave-one-out residuals (r / (1 - h), h from the full design): the spread the
    # rows outside the sample are judged against, not the in-sample one.
    leverage = np.minimum(np.einsum("ij,jk,ik->i", z, precision, z) / len(z), MAX_LEVERAGE)
    signed = (own - clipped @ coef) / (1.0 - leverage)[:, None]
    q05, q25, q50, q75, q95 = np.quantile(signed, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    upper = np.maximum((q75 - q50) / _Z75, (q95 - q50) / _Z95)
    lower = np.maximum((q50 - q25) / _Z75, (q50 - q05) / _Z95)
    # A column predicted exactly (a sum of others) has no spread: leave it out.
    keep = (upper > 0) & (lower > 0)
    if not keep.any():
        return None
    return Relations(numeric[keep], mean, std, coef[:, keep], q50[keep], upper[keep], lower[keep], leverage)


def _feature_matrix(ctx: Context) -> tuple[np.ndarray, tuple[str, ...], np.ndarray, FeatureMap]:
    """The shared encoded matrix, with each numeric column replaced by its signed
    skew-aware robust score (OL001's model), so a log-normal column is measured on
    the log scale here too. Missing cells score 0 (the median), as in the encoding.
    Also returns how to build the same matrix for any other batch of rows."""
    enc = encoded_features(ctx)
    models = column_models(ctx)
    # Missing indicators are left out: a rare missing pattern is DQ001's finding,
    # not an outlier, and would otherwise make every such row unique.
    keep = [j for j, name in enumerate(enc.names) if not name.endswith("__missing")]
    matrix = enc.matrix[:, keep]
    sources = tuple(enc.sources[j] for j in keep)
    numeric: list[int] = []
    robust: list[tuple[int, ColumnModel]] = []
    clipped: list[int] = []
    for i, j in enumerate(keep):
        name, source = enc.names[j], enc.sources[j]
        model = models.get(source) if name == source else None
        # Columns with a spread on both sides of the median enter as their robust
        # scores and are predicted from the others; a zero-inflated column keeps the
        # shared encoding (its non-zero values still count in distances) and is not
        # predicted (it has no residual scale to judge against).
        if model is not None and model.upper > 0 and model.lower > 0:
            matrix[:, i] = np.nan_to_num(column_scores(ctx, source), nan=0.0)
            numeric.append(i)
            robust.append((i, model))
        elif name == source:
            # Scaled by its standard deviation, a rare non-zero in a mostly-zero
            # column would sit tens of units out; bound its weight in distances.
            matrix[:, i] = np.clip(matrix[:, i], -COV_CLIP, COV_CLIP)
            clipped.append(i)
    feature_map = FeatureMap(
        enc.codes, np.array(keep, dtype=np.int64), tuple(robust), np.array(clipped, np.int64)
    )
    return matrix, sources, np.array(numeric, dtype=np.int64), feature_map


@dataclass(frozen=True)
class FeatureMap:
    """Builds :func:`_feature_matrix`'s columns for any batch of rows (picklable)."""

    codes: tuple[ColumnCode, ...]
    keep: np.ndarray  # encoded columns kept
    robust: tuple[tuple[int, ColumnModel], ...]  # kept column -> its OL001 model
    clipped: np.ndarray  # kept columns clipped to COV_CLIP

    @property
    def columns(self) -> list[str]:
        return sorted({code.name for code in self.codes})

    def matrix(self, batch: pd.DataFrame) -> np.ndarray:
        matrix = transform(self.codes, batch)[:, self.keep]
        for i, model in self.robust:
            values = np.asarray(batch[model.name].to_numpy(dtype=float, na_value=np.nan), dtype=float)
            matrix[:, i] = np.nan_to_num(model.scores(values), nan=0.0)
        if self.clipped.size:
            matrix[:, self.clipped] = np.clip(matrix[:, self.clipped], -COV_CLIP, COV_CLIP)
        return matrix


@dataclass(frozen=True)
class Hits:
    """The rows of one batch whose score passes 1, with what describes them."""

    rows: np.ndarray  # file positions
    scores: np.ndarray  # the stronger signal over its threshold
    distance: np.ndarray  # distance score over its threshold
    matrix: np.ndarray  # their feature-matrix rows (for the contributing columns)


@dataclass(frozen=True)
class RowScorer:
    """The fitted model: scores every row of any batch (picklable, for Dask)."""

    features: FeatureMap
    project: np.ndarray  # whitening matrix (features x features)
    index: Any  # sklearn NearestNeighbors fitted on the whitened fit sample
    relations: Relations | None
    k: int
    reference: np.ndarray  # file positions of the fit-sample rows, sorted
    floor: float  # smallest mean distance used (exact duplicates sit at 0)
    q50: float  # calibration of log mean distance over the fit sample
    q95: float
    distance_threshold: float
    relation_threshold: float

    def __call__(self, batch: pd.DataFrame) -> Hits:
        from sklearn import config_context
        from threadpoolctl import threadpool_limits

        # Slices of CHUNK rows: the matrix, its projection and the neighbour distances
        # of a slice are all that is held at once.
        with threadpool_limits(limits=1), config_context(working_memory=WORKING_MEMORY_MB):
            parts = [self._score(batch.iloc[start : start + CHUNK]) for start in range(0, len(batch), CHUNK)]
        return _gather(parts) if parts else _gather([self._score(batch)])

    def _score(self, rows: pd.DataFrame) -> Hits:
        positions = np.asarray(rows.index, dtype=np.int64)
        matrix = self.features.matrix(rows)
        slot = np.searchsorted(self.reference, positions)
        own = (slot < self.reference.size) & (
            self.reference[np.minimum(slot, self.reference.size - 1)] == positions
        )
        dist, _ = self.index.kneighbors(matrix @ self.project)
        # A fit-sample row finds itself first: leave it out (leave-one-out).
        mean_dist = np.where(own, dist[:, 1:].mean(axis=1), dist[:, : self.k].mean(axis=1))
        relation = np.zeros(len(rows))
        if self.relations is not None:
            relation = self.relations.residual_scores(matrix).max(axis=1)
            if own.any():
                leverage = self.relations.leverage[slot[own]]
                relation[own] = self.relations.residual_scores(matrix[own], leverage).max(axis=1)
        distance = (np.log(np.maximum(mean_dist, self.floor)) - self.q50) / (self.q95 - self.q50)
        distance = distance / self.distance_threshold
        scores = np.maximum(distance, relation / self.relation_threshold)
        hit = np.flatnonzero(scores > 1.0)
        return Hits(positions[hit], scores[hit], distance[hit], matrix[hit])


@dataclass(frozen=True)
class RowScores:
    """Every row above the threshold in the whole file, and the fitted model."""

    hits: Hits
    scorer: RowScorer
    reference_matrix: np.ndarray  # the fit sample's feature matrix
    sources: tuple[str, ...]  # source column of each matrix column


def _gather(parts: list[Hits]) -> Hits:
    return Hits(
        *(np.concatenate([getattr(p, f) for p in parts]) for f in ("rows", "scores", "distance", "matrix"))
    )


def score_rows(
    ctx: Context, k: int, sample: int, distance_threshold: float, relation_threshold: float
) -> RowScores | None:
    """Fit on a seeded sample of ``Dataset.frame`` and score every row of the file
    (batch by batch): the mean distance to its ``k`` nearest fit-sample rows in a
    whitened space, calibrated as ``(log d - median) / (p95 - median)`` over the fit
    sample, and the largest robust z of a numeric column's residual from its linear
    relation to the other columns."""
    from sklearn.neighbors import NearestNeighbors
    from threadpoolctl import threadpool_limits

    matrix, sources, numeric, features = _feature_matrix(ctx)
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

    with threadpool_limits(limits=1):
        # Whitening (a regularised Mahalanobis metric) lets the distance see rows
        # whose combination breaks a correlation even when each value is typical.
        ref = np.clip(matrix[reference], -COV_CLIP, COV_CLIP)
        cov = np.atleast_2d(np.cov(ref, rowvar=False))
        eigval, eigvec = np.linalg.eigh(cov)
        floor = EIGEN_FLOOR * max(float(eigval.mean()), 1e-12)
        project = eigvec / np.sqrt(np.maximum(eigval, floor))
        index = NearestNeighbors(n_neighbors=k + 1).fit(matrix[reference] @ project)
        relations = _fit_relations(matrix, numeric, reference)
        # Leave-one-out distances of the fit sample calibrate the score.
        dist, _ = index.kneighbors(matrix[reference] @ project)
        ref_dist = dist[:, 1:].mean(axis=1)
    positive = ref_dist[ref_dist > 0]
    if positive.size == 0:
        return None
    # Exact duplicates sit at distance 0; a floor far below any real gap keeps log finite.
    smallest = 1e-6 * float(np.median(positive))
    q50, q95 = np.quantile(np.log(np.maximum(ref_dist, smallest)), [0.5, 0.95])
    if not q95 > q50:
        return None
    scorer = RowScorer(
        features=features,
        project=project,
        index=index,
        relations=relations,
        k=k,
        reference=ctx.file_rows(reference),
        floor=smallest,
        q50=float(q50),
        q95=float(q95),
        distance_threshold=distance_threshold,
        relation_threshold=relation_threshold,
    )
    hits = _gather(ctx.batches.map(scorer, columns=features.columns))
    return RowScores(hits=hits, scorer=scorer, reference_matrix=matrix[reference], sources=sources)


def distance_contributors(result: RowScores, rows: np.ndarray, matrix: np.ndarray) -> dict[int, list[str]]:
    """For each row (file position, its feature-matrix row in ``matrix``), the source
    columns that set it apart most from its nearest fit-sample neighbours (largest
    squared gaps on the robust scale)."""
    from sklearn import config_context
    from threadpoolctl import threadpool_limits

    if rows.size == 0:
        return {}
    scorer = result.scorer
    ref = result.reference_matrix
    with threadpool_limits(limits=1), config_context(working_memory=WORKING_MEMORY_MB):
        _, neighbours = scorer.index.kneighbors(matrix @ scorer.project)
    names = sorted(set(result.sources))
    position = {name: i for i, name in enumerate(names)}
    col_of = np.array([position[s] for s in result.sources])
    out: dict[int, list[str]] = {}
    for i, row in enumerate(rows):
        # Drop the row itself if it is in the fit sample.
        nb = [j for j in neighbours[i] if scorer.reference[j] != row][: scorer.k]
        gap = (matrix[i] - ref[nb].mean(axis=0)) ** 2
        per_source = np.bincount(col_of, weights=gap, minlength=len(names))
        top = np.argsort(-per_source, kind="stable")[:TOP_COLUMNS]
        out[int(row)] = [names[t] for t in top if per_source[t] > 0]
    return out


def relation_contributors(result: RowScores, rows: np.ndarray, matrix: np.ndarray) -> dict[int, list[str]]:
    """For each row, the numeric columns whose relation to the others it breaks most."""
    rel = result.scorer.relations
    if rel is None or rows.size == 0:
        return {}
    z = rel.residual_scores(matrix)
    out: dict[int, list[str]] = {}
    for i, row in enumerate(rows):
        top = np.argsort(-z[i], kind="stable")[:TOP_COLUMNS]
        out[int(row)] = [result.sources[rel.columns[t]] for t in top if z[i, t] > 0]
    return out


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
    options = {
        "threshold": 3.5,
        "relation_threshold": 8.0,
        "neighbors": 10,
        "max_share": 0.005,
        "min_cap": 20,
        "min_rows": 50,
    }

    def run(self, ctx: Context) -> Iterator[Finding]:
        n = ctx.dataset.rows_in_file
        if ctx.dataset.n_rows < int(self.opts["min_rows"]):
            return
        sample = ctx.config.sample or DEFAULT_SAMPLE
        k = max(1, int(self.opts["neighbors"]))
        threshold = float(self.opts["threshold"])
        relation_threshold = float(self.opts["relation_threshold"])
        result = score_rows(
            ctx, k=k, sample=sample, distance_threshold=threshold, relation_threshold=relation_threshold
        )
        if result is None or result.hits.rows.size == 0:
            return
        hits = result.hits
        # One score per row: how far past its threshold the stronger signal is (1 = at it).
        beyond = hits.rows
        scores = dict(zip(beyond.tolist(), hits.scores.tolist(), strict=True))
        cap = row_cap(n, float(self.opts["max_share"]), int(self.opts["min_cap"]))
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
