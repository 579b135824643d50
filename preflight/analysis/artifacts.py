"""The run's shared artifacts: each statistic or model several checks read, built
on first use and kept for the rest of the run.

One :class:`Artifacts` per run, made from the dataset, its profile and the config
(the check :class:`~preflight.checks.base.Context` exposes it as ``ctx.artifacts``). What
no selected check asks for is never computed; what two checks ask for is computed
once: one encoded matrix feeds outliers, capacity and label checks, one fold plan
every classification model, one set of out-of-fold probabilities label noise,
learnability and the label report.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property

import numpy as np

from preflight.analysis import column_model, flexible, oof, oof_regression
from preflight.analysis.column_model import ColumnModel
from preflight.analysis.conflicts import find_conflict_groups
from preflight.analysis.features import (
    EncodedFeatures,
    Encoder,
    FeatureLayout,
    encode,
    feature_layout,
    fit_encoder,
)
from preflight.analysis.folds import Folds, build_folds, sample_cap
from preflight.analysis.pred_probs import user_out_of_fold
from preflight.analysis.split import Aligned, HeldOut, Role, aligned_frames, load_heldout
from preflight.core.config import Config, worker_threads
from preflight.data.dataset import Dataset
from preflight.data.engines.rows import InMemory, RowBatches
from preflight.data.hashing import duplicate_mask
from preflight.data.numbers import to_number
from preflight.data.profile import ColumnProfile, Profile

# Sorted rows spanning at most this many times their count are encoded as one slice
# (see encoded_rows): outside the fit sample they span little more than themselves.
DENSE_SPAN = 1.25


class Artifacts:
    """Lazily computed, typed artifacts of one run (each built at most once)."""

    def __init__(self, dataset: Dataset, profile: Profile, config: Config) -> None:
        self.dataset = dataset
        self.profile = profile
        self.config = config
        self._members: dict[str, oof.Member] = {}
        self._heldout: dict[Role, HeldOut] = {}
        self._aligned: dict[Role, Aligned] = {}
        self._parsed_numbers: dict[str, ColumnProfile] = {}

    # ---- rows ---------------------------------------------------------------------

    @property
    def batches(self) -> RowBatches:
        """Every row of the file, batch by batch (the frame itself when in memory)."""
        return self.dataset.batches if self.dataset.batches is not None else InMemory(self.dataset.frame)

    def file_rows(self, frame_positions: np.ndarray) -> np.ndarray:
        """File positions of rows of ``dataset.frame`` (they differ when streaming,
        where the frame is a sample)."""
        rows = np.asarray(frame_positions, dtype=np.int64)
        positions = self.dataset.sample_positions
        return rows if positions is None else positions[rows]

    @cached_property
    def duplicate_mask(self) -> np.ndarray:
        """True for every row that repeats an earlier row (all columns). A streamed
        file's scan found them by hashing every row of the file."""
        if self.dataset.scan is not None:
            return self.dataset.scan.duplicate_mask()
        # Exact repeats of the rows as read (the cleaned view would merge '' and NaN).
        return duplicate_mask(self.dataset.frame_as_read)

    @cached_property
    def conflict_groups(self) -> list[np.ndarray]:
        """Groups of identical feature rows whose labels disagree (CP and LB)."""
        return find_conflict_groups(self.dataset)

    # ---- encoded features -----------------------------------------------------------

    @cached_property
    def encoder(self) -> Encoder:
        """The fitted codes of the encoded features (no matrix)."""
        return fit_encoder(self.profile)

    @cached_property
    def encoded(self) -> EncodedFeatures:
        """The encoded feature matrix of every row (regression models, SP checks); the
        classification models and OL002 read only the rows they need (encoded_rows)."""
        return encode(self.dataset, self.profile, self.encoder)

    def encoded_rows(self, rows: np.ndarray) -> np.ndarray:
        """The encoded matrix of ``dataset.frame``'s rows ``rows``: read off the whole
        matrix when it is built already, else built for those rows only."""
        if "encoded" in self.__dict__:
            return np.asarray(self.encoded.matrix[rows])
        frame = self.dataset.frame
        if rows.size and rows[-1] - rows[0] < DENSE_SPAN * rows.size and np.all(np.diff(rows) > 0):
            # Sorted rows filling most of their span (a batch of the rows the models
            # score): encoding the span's slice, a view, and keeping the rows asked for
            # is cheaper than gathering them (a take of every column) first.
            span = self.encoder.rows(frame.iloc[rows[0] : rows[-1] + 1])
            return np.ascontiguousarray(span[rows - rows[0]])
        return self.encoder.rows(frame.iloc[rows])

    @cached_property
    def layout(self) -> FeatureLayout:
        """The encoded matrix's columns, read off the matrix when it is built already,
        else from profile statistics (without building it)."""
        if "encoder" in self.__dict__:
            return FeatureLayout(names=self.encoder.names, sources=self.encoder.sources)
        return feature_layout(self.dataset, self.profile)

    @cached_property
    def column_models(self) -> Mapping[str, ColumnModel]:
        """The skew-aware robust model of every numeric feature column (OL001, OL002)."""
        return column_model.fit_columns(self.profile)

    def column_scores(self, name: str) -> np.ndarray:
        """Signed robust scores of every row of a modelled column (not kept)."""
        return column_model.column_scores(self.column_models, self.profile, name)

    def parsed_numbers(self, name: str) -> ColumnProfile:
        """A profile of the text column ``name`` read as numbers (``"3,750"`` -> 3750,
        a cell that is no number -> NaN): the values the plan's parse-numbers step
        feeds a model, by which the SN checks judge numbers stored as text. Several SN
        checks read the same column, so each is parsed once per run."""
        if name not in self._parsed_numbers:
            text = self.profile[name].series
            numbers = text.map(to_number, na_action="ignore").astype(float)
            self._parsed_numbers[name] = ColumnProfile(name, numbers)
        return self._parsed_numbers[name]

    # ---- classification models ------------------------------------------------------

    @cached_property
    def folds(self) -> Folds:
        """The fold plan every classification model is fitted on (the out-of-fold
        probabilities built on it carry its fit sample, ``OutOfFold.sampled_rows``)."""
        return build_folds(
            self.dataset.y,
            self.encoded_rows,
            self.encoder.n_features,
            sample_cap(self.config),
            self.config.seed,
        )

    def member(self, name: str, *, complete: bool = True) -> np.ndarray:
        """Out-of-fold probabilities of one ensemble member: of every labelled row, or
        with ``complete=False`` of the fit sample's rows only (the others 0 until a
        later call completes them; the same array, filled in place)."""
        if name not in self._members:
            self._members[name] = oof.Member(self.folds, name, self.config.seed, worker_threads(self.config))
        member = self._members[name]
        return member.complete() if complete else member.probs

    @cached_property
    def out_of_fold(self) -> oof.OutOfFold:
        """The linear model's out-of-fold probabilities (learnability), or your
        model's with ``--pred-probs``; the ensemble's own logistic member."""
        if self.config.pred_probs is not None:
            return user_out_of_fold(self.dataset, self.config.pred_probs)
        return oof.combine(self.folds, oof.LINEAR, self.member)

    @property
    def label_members(self) -> tuple[str, ...]:
        """The ensemble members the label check weighs (:func:`oof.label_members`)."""
        return oof.label_members(self.folds)

    @cached_property
    def label_out_of_fold(self) -> oof.OutOfFold:
        """The ensemble the label checks judge labels by, or your model's probabilities
        with ``--pred-probs``. The ensemble's ``pred_probs`` is the plain average of the
        members on the fit sample's rows and NaN on the others: LB001 weighs the members
        on the fit sample and then completes (:meth:`member`) only those it weighs."""
        if self.config.pred_probs is not None:
            return self.out_of_fold
        out = oof.combine(self.folds, self.label_members, lambda name: self.member(name, complete=False))
        if self.folds.sampled:
            out.pred_probs[~self.folds.in_fit] = np.nan
        return out

    # ---- regression and flexible models -----------------------------------------------

    @cached_property
    def out_of_fold_regression(self) -> oof_regression.OutOfFoldRegression:
        return oof_regression.out_of_fold_regression(self.dataset, self.config, self.encoded.matrix)

    @cached_property
    def target_copies(self) -> list[str]:
        """Numeric features that copy a numeric target (equal, a linear or a monotone
        transform of it: LB003's errors); no model of the target reads them."""
        from preflight.analysis.leakage_copies import derived_numeric_columns

        if self.dataset.target is None or self.dataset.task != "regression":
            return []
        target = self.dataset.y.to_numpy(dtype=float, na_value=np.nan)
        return derived_numeric_columns(list(self.profile.features()), target)

    @cached_property
    def label_out_of_fold_regression(self) -> oof_regression.OutOfFoldRegression:
        """The implausible-target check's predictions: the target's copies left out of the
        features, fitted on the log scale when the target is positive and right-skewed."""
        copies = set(self.target_copies)
        matrix = self.encoded.matrix
        if copies:
            keep = [i for i, source in enumerate(self.encoded.sources) if source not in copies]
            matrix = matrix[:, keep]
        return oof_regression.label_out_of_fold_regression(self.dataset, self.config, matrix)

    @cached_property
    def flexible_fit(self) -> flexible.FlexibleFit | None:
        """A flexible model's scores at growing fractions (None when nothing fits)."""
        return flexible.flexible_fit(self.dataset, self.config, self.encoded_rows, self.encoder.n_features)

    # ---- the split --------------------------------------------------------------------

    def heldout_files(self) -> list[HeldOut]:
        """The held-out files, ``valid`` before ``test``; each read once per run."""
        out: list[HeldOut] = []
        if self.config.valid is not None:
            out.append(self._heldout_file(self.config.valid, "valid"))
        if self.config.test is not None:
            out.append(self._heldout_file(self.config.test, "test"))
        return out

    def _heldout_file(self, path: str, role: Role) -> HeldOut:
        if role not in self._heldout:
            self._heldout[role] = load_heldout(path, self.dataset, role)
        return self._heldout[role]

    def aligned(self, heldout: HeldOut) -> Aligned:
        """Shared features of train and ``heldout``, types normalised (once per file)."""
        if heldout.role not in self._aligned:
            self._aligned[heldout.role] = aligned_frames(self.dataset, heldout.dataset)
        return self._aligned[heldout.role]
