"""The row-outlier model (OL002): whitened nearest-neighbour distance and linear
relations, fitted on a seeded sample and scoring every row of the file.

Numeric columns enter as OL001's skew-aware robust scores
(:mod:`preflight.analysis.column_model`), text one-hot encoded (the shared encoded
matrix). The fitted :class:`RowScorer` is picklable, so the Dask engine scores
partitions with it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from preflight.analysis.artifacts import Artifacts
from preflight.analysis.column_model import ColumnModel
from preflight.analysis.features import ColumnCode, transform
from preflight.analysis.relations import COV_CLIP, Relations, fit_relations
from preflight.analysis.tails import extreme
from preflight.core.config import worker_threads
from preflight.core.sections import SampledRows

# Fit-sample size when the run sets no --sample: the reference rows every row is
# compared with. 2,000 keeps scoring a million rows well under a minute on 2 cores.
DEFAULT_SAMPLE = 2000
# Rows scored at a time (encoded, projected, queried): bounds memory on large files.
CHUNK = 8192
# scikit-learn's working memory (MB) for the neighbour queries: its default (1 GB)
# lets a brute-force query hold a 50,000 x 2,000 distance block at once.
WORKING_MEMORY_MB = 64
# Fit-sample rows of the coarse search that bounds every row's distance from above
# (RowScorer._score): the exact search against all the reference rows is then run only
# for the rows the bound cannot clear, a few in a thousand on the benchmark files.
COARSE_ROWS = 200
# A row is cleared by the bound only this far below the threshold (score units), so
# rounding in the bound's matrix products never clears a row the exact search would flag.
COARSE_MARGIN = 1e-3
# Contributing columns named per row.
TOP_COLUMNS = 3
# Whitening: eigenvalues are floored at this share of the mean eigenvalue, so
# near-collinear columns do not turn rounding noise into distance.
EIGEN_FLOOR = 0.01


def feature_map(art: Artifacts) -> tuple[FeatureMap, tuple[str, ...], np.ndarray]:
    """How to build the row-outlier matrix of any batch of rows: the shared encoding,
    with each numeric column replaced by its signed skew-aware robust score (OL001's
    model), so a log-normal column is measured on the log scale here too. Missing
    cells score 0 (the median), as in the encoding. Also the source column of each
    matrix column and the robust-scored columns (those the relations predict)."""
    enc = art.encoder
    models = art.column_models
    # Missing indicators are left out: a rare missing pattern is DQ001's finding,
    # not an outlier, and would otherwise make every such row unique.
    keep = [j for j, name in enumerate(enc.names) if not name.endswith("__missing")]
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
            numeric.append(i)
            robust.append((i, model))
        elif name == source:
            # Scaled by its standard deviation, a rare non-zero in a mostly-zero
            # column would sit tens of units out; bound its weight in distances.
            clipped.append(i)
    feature_map = FeatureMap(
        enc.codes, np.array(keep, dtype=np.int64), tuple(robust), np.array(clipped, np.int64)
    )
    return feature_map, sources, np.array(numeric, dtype=np.int64)


@dataclass(frozen=True)
class FeatureMap:
    """Builds the row-outlier matrix (:func:`feature_map`) of any batch of rows (picklable)."""

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
    relation_z: np.ndarray  # their |robust z| per relation (rows x relations)
    tails: np.ndarray  # the batch's largest |z| per relation (up to RowScorer.tail rows x relations)


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
    tail: int  # largest residual scores kept per relation (OL002's isolation test)
    coarse: np.ndarray  # whitened rows of a seeded subset of the fit sample (the bound)
    # Threads a batch's slices are scored on (each row's score the same for any count),
    # or, with one slice, the OpenMP threads of its neighbour query; 1 on Dask, whose
    # workers are the parallelism.
    jobs: int = 1

    def __call__(self, batch: pd.DataFrame) -> Hits:
        from threadpoolctl import threadpool_limits

        # Slices of CHUNK rows: the matrix, its projection and the neighbour distances
        # of a slice are all that is held at once (per thread). The slices run on
        # ``jobs`` threads (the matrix products and partial sorts release the GIL);
        # each row's score is the same whichever thread computes it.
        slices = [batch.iloc[start : start + CHUNK] for start in range(0, len(batch), CHUNK)] or [batch]
        threads = min(self.jobs, len(slices))
        limits = {"blas": 1, "openmp": self.jobs if threads == 1 else 1}
        with threadpool_limits(limits=limits):
            if threads == 1:
                return self.gather([self._score(part) for part in slices])
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(threads) as pool:
                return self.gather(list(pool.map(self._score, slices)))

    def gather(self, parts: list[Hits]) -> Hits:
        """One :class:`Hits` from the parts of a file (any order, same result)."""
        rows, scores, distance, matrix, relation_z = (
            np.concatenate([getattr(p, f) for p in parts])
            for f in ("rows", "scores", "distance", "matrix", "relation_z")
        )
        return Hits(
            rows,
            scores,
            distance,
            matrix,
            relation_z,
            extreme(np.concatenate([p.tails for p in parts]), self.tail, largest=True),
        )

    def _score(self, rows: pd.DataFrame) -> Hits:
        positions = np.asarray(rows.index, dtype=np.int64)
        matrix = self.features.matrix(rows)
        projected = matrix @ self.project
        slot = np.searchsorted(self.reference, positions)
        own = (slot < self.reference.size) & (
            self.reference[np.minimum(slot, self.reference.size - 1)] == positions
        )
        width = 0 if self.relations is None else self.relations.columns.size
        z = np.zeros((len(rows), width))
        if self.relations is not None:
            z = self.relations.residual_scores(matrix)
            if own.any():
                leverage = self.relations.leverage[slot[own]]
                z[own] = self.relations.residual_scores(matrix[own], leverage)
        relation = z.max(axis=1) if width else np.zeros(len(rows))
        # The k nearest of a subset of the reference rows are each at least as far as
        # the k nearest of them all, so their mean bounds a row's distance from above:
        # a row whose bound stays under the threshold is no outlier, and only the others
        # (and the fit sample's own rows, left out of their own neighbours) are searched
        # exactly. The same rows are flagged, with the same scores, at a fraction of the cost.
        distance = self._distance_score(_mean_nearest(projected, self.coarse, self.k))
        near = 1.0 - COARSE_MARGIN
        exact = np.flatnonzero(own | (distance > near) | (relation > self.relation_threshold * near))
        if exact.size:
            from sklearn import config_context

            # sklearn's configuration is per thread: set where the query runs.
            with config_context(working_memory=WORKING_MEMORY_MB):
                dist, _ = self.index.kneighbors(projected[exact])
            # A fit-sample row finds itself first: leave it out (leave-one-out).
            mean_dist = np.where(own[exact], dist[:, 1:].mean(axis=1), dist[:, : self.k].mean(axis=1))
            distance[exact] = self._distance_score(mean_dist)
        scores = np.maximum(distance, relation / self.relation_threshold)
        hit = np.flatnonzero(scores > 1.0)
        return Hits(
            positions[hit],
            scores[hit],
            distance[hit],
            matrix[hit],
            z[hit],
            extreme(z, self.tail, largest=True),
        )

    def _distance_score(self, mean_dist: np.ndarray) -> np.ndarray:
        """Mean neighbour distance on the calibrated scale, over its threshold (1 = the threshold)."""
        log_dist = np.log(np.maximum(mean_dist, self.floor))
        score: np.ndarray = (log_dist - self.q50) / (self.q95 - self.q50) / self.distance_threshold
        return score


def _mean_nearest(rows: np.ndarray, reference: np.ndarray, k: int) -> np.ndarray:
    """Mean Euclidean distance of each row to its ``k`` nearest ``reference`` rows: one
    matrix product and a partial sort (a small reference is cheaper this way than
    through a neighbour index)."""
    k = min(k, reference.shape[0])
    squared = (
        np.einsum("ij,ij->i", rows, rows)[:, None]
        - 2.0 * (rows @ reference.T)
        + np.einsum("ij,ij->i", reference, reference)[None, :]
    )
    nearest = np.partition(squared, k - 1, axis=1)[:, :k]
    mean: np.ndarray = np.sqrt(np.maximum(nearest, 0.0)).mean(axis=1)
    return mean


@dataclass(frozen=True)
class _Pass:
    """The scores of the batches so far: their hits (in row order, without residual
    tails) and the ``size`` largest residual scores per relation over all of them, so a
    pass holds no batch's residuals of every row once that batch is merged."""

    parts: tuple[Hits, ...]
    tails: np.ndarray
    size: int

    def then(self, later: _Pass) -> _Pass:
        tails = extreme(np.concatenate([self.tails, later.tails]), self.size, largest=True)
        return _Pass((*self.parts, *later.parts), tails, self.size)

    def hits(self, scorer: RowScorer) -> Hits:
        return dataclasses.replace(scorer.gather(list(self.parts)), tails=self.tails)


@dataclass(frozen=True)
class _Scoring:
    """A batch's :class:`_Pass` (picklable, for Dask)."""

    scorer: RowScorer

    def __call__(self, batch: pd.DataFrame) -> _Pass:
        hits = self.scorer(batch)
        # A fresh empty block: a slice of the tails would keep the whole array alive.
        none = np.empty((0, hits.tails.shape[1]))
        return _Pass((dataclasses.replace(hits, tails=none),), hits.tails, self.scorer.tail)


@dataclass(frozen=True)
class RowScores:
    """Every row above the threshold in the whole file, and the fitted model."""

    hits: Hits
    scorer: RowScorer
    reference_matrix: np.ndarray  # the fit sample's feature matrix
    sources: tuple[str, ...]  # source column of each matrix column


def score_rows(
    art: Artifacts, k: int, sample: int, distance_threshold: float, relation_threshold: float, tail: int
) -> Generator[SampledRows, None, RowScores | None]:
    """Fit on a seeded sample of ``Dataset.frame`` and score every row of the file
    (batch by batch): the mean distance to its ``k`` nearest fit-sample rows in a
    whitened space, calibrated as ``(log d - median) / (p95 - median)`` over the fit
    sample, and the largest robust z of a numeric column's residual from its linear
    relation to the other columns; and the ``tail`` largest residual scores of each
    relation over the file (for the isolation test).

    A generator so that OL002 reports the fit sample (``result = yield from
    score_rows(...)``) once it is drawn, whether or not a model comes of it."""
    from sklearn.neighbors import NearestNeighbors
    from threadpoolctl import threadpool_limits

    features, sources, numeric = feature_map(art)
    n, width = art.dataset.n_rows, features.keep.size
    if width == 0 or n <= k + 1:
        return None
    rng = np.random.default_rng(art.config.seed)
    if n > sample:
        reference = np.sort(rng.choice(n, size=sample, replace=False))
        yield SampledRows(sample, "largest")
    else:
        reference = np.arange(n)
    # Only the fit sample's rows are built here; every other row is built batch by
    # batch as it is scored (a matrix of every row would double the encoding's memory).
    matrix = features.matrix(art.dataset.frame.iloc[reference])
    reference_rows = np.arange(reference.size)

    with threadpool_limits(limits=1):
        # Whitening (a regularised Mahalanobis metric) lets the distance see rows
        # whose combination breaks a correlation even when each value is typical.
        ref = np.clip(matrix, -COV_CLIP, COV_CLIP)
        cov = np.atleast_2d(np.cov(ref, rowvar=False))
        eigval, eigvec = np.linalg.eigh(cov)
        floor = EIGEN_FLOOR * max(float(eigval.mean()), 1e-12)
        project = eigvec / np.sqrt(np.maximum(eigval, floor))
        whitened = matrix @ project
        index = NearestNeighbors(n_neighbors=k + 1).fit(whitened)
        relations = fit_relations(matrix, numeric, reference_rows)
        # Leave-one-out distances of the fit sample calibrate the score.
        dist, _ = index.kneighbors(whitened)
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
        reference=art.file_rows(reference),
        floor=smallest,
        q50=float(q50),
        q95=float(q95),
        distance_threshold=distance_threshold,
        relation_threshold=relation_threshold,
        tail=tail,
        coarse=whitened[_coarse_subset(reference.size, k, art.config.seed)],
        jobs=1 if art.config.engine == "dask" else worker_threads(art.config),
    )
    # Folded batch by batch: the hits so far and the largest residuals per relation are
    # all a pass over a streamed file holds (each batch's residuals of every row are not).
    scored = art.batches.fold(_Scoring(scorer), _Pass.then, columns=features.columns)
    if scored is None:
        return None
    hits = scored.hits(scorer)
    return RowScores(hits=hits, scorer=scorer, reference_matrix=matrix, sources=sources)


def _coarse_subset(n: int, k: int, seed: int) -> np.ndarray:
    """Sorted seeded indices of the fit-sample rows the coarse bound is searched on
    (all of them when there are few: the bound is then exact)."""
    size = max(COARSE_ROWS, k)
    if n <= size:
        return np.arange(n)
    return np.sort(np.random.default_rng(seed + 1).choice(n, size=size, replace=False))


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
