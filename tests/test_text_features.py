"""Free text in the model-based checks: TF-IDF latent directions of a ``text`` column
feed the shared models, so a review table's flipped labels are found."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import preflight

POSITIVE = "great excellent loved wonderful perfect happy delicious friendly fantastic amazing recommend best"
NEGATIVE = "terrible awful hated horrible worst rude cold bland disappointing slow dirty never"
NEUTRAL = "the food service place staff table we our visit dinner lunch menu order room time was and it a"


def _reviews(n: int, flip_share: float, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    texts = []
    for y in labels:
        words = [
            *rng.choice(NEUTRAL.split(), rng.integers(6, 14)),
            *rng.choice((POSITIVE if y else NEGATIVE).split(), rng.integers(2, 4)),
        ]
        rng.shuffle(words)
        texts.append(" ".join(words))
    frame = pd.DataFrame(
        {"review": texts, "visits": rng.integers(1, 6, n), "sentiment": np.where(labels, "pos", "neg")}
    )
    flipped = rng.choice(n, int(flip_share * n), replace=False)
    frame.loc[flipped, "sentiment"] = np.where(frame.loc[flipped, "sentiment"] == "pos", "neg", "pos")
    return frame, np.sort(flipped)


@pytest.mark.slow
def test_flipped_review_labels_are_found_through_the_text() -> None:
    frame, flipped = _reviews(3000, 0.05)
    report = preflight.check(frame, target="sentiment", select=["LB001"])
    assert [c.semantic for c in report.columns] == ["text", "numeric", "categorical"]
    (noise,) = [f for f in report.findings if f.code == "LB001"]
    found = set(noise.rows)
    hits = found & set(flipped.tolist())
    assert len(hits) / len(flipped) >= 0.8  # measured 0.93
    assert len(hits) / len(found) >= 0.9  # measured 1.00


@pytest.mark.slow
def test_clean_review_labels_pass() -> None:
    frame, _ = _reviews(2000, 0.0, seed=1)
    report = preflight.check(frame, target="sentiment", select=["LB001", "CP004"])
    assert not [f for f in report.findings if f.code == "LB001" and f.severity > preflight.Severity.INFO]
