"""The semantics stage of a run: infer what every column is, then clean the frame."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from preflight.core.columns import ColumnOverride
from preflight.data.dataset import Dataset
from preflight.data.profile import Profile
from preflight.data.semantics.clean import CleanedBatches, cleaned_frame
from preflight.data.semantics.infer import infer_semantics


def with_semantics(dataset: Dataset, raw: Profile, overrides: Mapping[str, ColumnOverride]) -> Dataset:
    """``dataset`` with its ``semantics`` and the cleaned view as ``frame`` (the frame
    as read kept as ``raw_frame``). ``raw`` is the profile of the frame as read."""
    semantics = infer_semantics(dataset, raw, overrides)
    frame = cleaned_frame(dataset.frame, semantics)
    batches = dataset.batches if dataset.batches is None else CleanedBatches(dataset.batches, semantics)
    return dataclasses.replace(
        dataset, frame=frame, raw_frame=dataset.frame, semantics=semantics, batches=batches
    )
