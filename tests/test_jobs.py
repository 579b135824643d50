"""`jobs`: the threads of the model-based checks change their speed, never the report."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn import datasets

import preflight
from preflight.core.config import Config, worker_threads
from preflight.core.errors import PreflightError
from preflight.reporters import render


def _digits_with_wrong_labels() -> tuple[object, np.ndarray]:
    frame = datasets.load_digits(as_frame=True).frame
    rng = np.random.default_rng(7)
    flipped = np.sort(rng.choice(len(frame), size=120, replace=False))
    frame.loc[flipped, "target"] = (frame.loc[flipped, "target"] + 1 + rng.integers(0, 9, 120)) % 10
    return frame, flipped


@pytest.mark.slow
def test_the_report_is_the_same_on_one_thread_and_on_two() -> None:
    # Trees (LB001, CP004/CP006/CP007) fitted on threads, neighbour queries (LB001,
    # OL002) on OpenMP threads, the fit sample below the file (the rest scored too).
    frame, flipped = _digits_with_wrong_labels()
    reports = [
        preflight.check(frame, target="target", select="LB,CP,OL", sample=1000, jobs=jobs, config=Config())
        for jobs in (1, 2)
    ]
    one, two = (json.loads(render(r, "json")) for r in reports)
    assert one["findings"] == two["findings"] and one["label_health"] == two["label_health"]
    [lb001] = [f for f in reports[0].findings if f.code == "LB001"]
    assert np.intersect1d(lb001.rows, flipped).size >= 0.8 * flipped.size


def test_jobs_defaults_to_every_usable_cpu_and_must_be_positive() -> None:
    assert worker_threads(Config()) >= 1
    assert worker_threads(Config(jobs=3)) == 3
    with pytest.raises(PreflightError, match="jobs must be an integer of at least 1"):
        preflight.check(datasets.load_iris(as_frame=True).frame, target="target", jobs=0, config=Config())
