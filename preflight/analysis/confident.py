"""Wrong labels on out-of-fold probabilities, judged against a null (see ``noise_channel``).

The members' out-of-fold probabilities are weighted and calibrated, a noise
channel is fitted beside the plain calibrated model, and the rows whose given
label the channel's posterior calls more likely wrong than right are flagged; the
same flagger on labels simulated from the calibrated model (right by construction)
gives the null the finding is judged against. Rows of classes with fewer than
``min_class_rows`` rows are not judged (their probabilities come from too few
examples).

The ranking is by label quality: the posterior probability that the given label
is the true one (0 = surely wrong, 1 = surely right).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from preflight.analysis import noise_channel
from preflight.analysis.noise_channel import Channel
from preflight.analysis.oof import OutOfFold


@dataclass(frozen=True)
class LabelNoise:
    estimated_noise_rate: float  # the channel's share of wrong labels when beyond the null, else 0
    issue_index: np.ndarray  # indices into oof rows, ranked worst first
    quality: np.ndarray  # label quality score of every oof row (0 = surely wrong, 1 = surely right)
    suggested: np.ndarray  # likely true class index for every oof row
    joint: np.ndarray  # (K, K) estimated joint P(given label = i, true label = j)
    rows_scored: int  # rows that took part (rows of classes too rare to judge are left out)
    channel: Channel | None = None  # the calibration, channel and null test (None: nothing judged)
    probabilities: np.ndarray | None = None  # the calibrated clean probabilities of every oof row
    clean_skill: float = 0.0  # the clean probabilities' skill against the channel's true labels

    def issue_positions(self, oof: OutOfFold) -> np.ndarray:
        out: np.ndarray = oof.positions[self.issue_index]
        return out


def analyse(
    oof: OutOfFold,
    members: Mapping[str, np.ndarray],
    *,
    min_class_rows: int = 5,
    replicas: int = 8,
    seed: int = 0,
    min_z: float = 3.0,
    fit_rows: np.ndarray | None = None,
    complete: Callable[[str], np.ndarray] | None = None,
) -> LabelNoise:
    """Judge the labels of ``oof`` by the members' probabilities (each aligned with its rows).

    On a sampled fold plan the members hold probabilities of the ``fit_rows`` only
    (indices into ``oof``'s rows): the weights, calibration and channel are fitted
    there, and ``complete(name)`` then gives every row's probabilities of each member
    the weights keep (a member weighed 0 never scores the rest of the file). Rows of
    classes too rare to judge are all in the fit sample (it keeps them whole)."""
    labels = oof.labels
    k = len(oof.classes)
    counts = np.bincount(labels, minlength=k)
    judged = counts[labels] >= min_class_rows
    n = int(judged.sum())
    quality = np.ones(labels.size)
    suggested = _suggest(oof.pred_probs, labels)
    if k < 2 or n == 0 or (counts >= min_class_rows).sum() < 2:
        prior = np.diag(counts / max(counts.sum(), 1))
        return LabelNoise(0.0, np.zeros(0, dtype=np.int64), quality, suggested, prior, n)
    # Judge the classes with enough rows only: re-index them 0..K'-1.
    kept = np.flatnonzero(counts >= min_class_rows)
    remap = np.full(k, -1, dtype=np.int64)
    remap[kept] = np.arange(kept.size)
    sub_labels = remap[labels[judged]]
    sub_members = {name: _renormalise(probs[judged][:, kept]) for name, probs in members.items()}
    weights = None
    if fit_rows is not None and fit_rows.size < labels.size and complete is not None:
        # The weights from the fit sample's rows; then the members they keep score the
        # rest, and the calibration, channel and null test run as on a whole file.
        in_fit = np.zeros(labels.size, dtype=bool)
        in_fit[fit_rows] = True
        rows = noise_channel.calibration_rows(np.flatnonzero(in_fit[judged]), seed)
        weights = noise_channel.search_weights(sub_members, sub_labels, kept.size, rows)[0]
        for name, weight in weights.items():
            if weight > 0:
                sub_members[name] = _renormalise(complete(name)[judged][:, kept])
    channel = noise_channel.fit(
        sub_members, sub_labels, kept.size, replicas=replicas, seed=seed, weights=weights
    )
    clean = noise_channel.temper(noise_channel.mix(sub_members, channel.weights), channel.temperature)
    post = noise_channel.posterior(clean, channel.matrix, sub_labels)
    mask = noise_channel.flags(post, sub_labels)
    judged_idx = np.flatnonzero(judged)
    quality[judged] = post[np.arange(sub_labels.size), sub_labels]
    suggested[judged] = kept[_suggest(post, sub_labels)]
    flow = noise_channel.flow(post, sub_labels, kept.size)  # [true, given] expected counts
    joint = np.zeros((k, k))
    joint[np.ix_(kept, kept)] = flow.T / labels.size
    probabilities = np.zeros((labels.size, k))
    probabilities[np.ix_(judged_idx, kept)] = clean
    flagged = judged_idx[mask]
    # Worst first; ties broken by position so the order is deterministic.
    order = np.lexsort((flagged, quality[flagged]))
    beyond = channel.ratio_z >= min_z
    return LabelNoise(
        estimated_noise_rate=channel.noise_rate if beyond else 0.0,
        issue_index=flagged[order],
        quality=quality,
        suggested=suggested,
        joint=joint,
        rows_scored=n,
        channel=channel,
        probabilities=probabilities,
        clean_skill=noise_channel.clean_skill(clean, post),
    )


def _renormalise(probs: np.ndarray) -> np.ndarray:
    sums = probs.sum(axis=1, keepdims=True)
    out: np.ndarray = np.where(sums > 0, probs / np.where(sums > 0, sums, 1.0), 1.0 / probs.shape[1])
    return out


def _suggest(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The most probable class other than the given one when the given one wins."""
    best = probs.argmax(axis=1)
    masked = probs.copy()
    masked[np.arange(labels.size), labels] = -1.0
    other = masked.argmax(axis=1)
    out: np.ndarray = np.where(best == labels, other, best)
    return out


def class_summary(oof: OutOfFold, noise: LabelNoise) -> list[dict[str, Any]]:
    """Per class: rows, flagged rows, flagged share and mean label quality."""
    flagged = np.zeros(oof.labels.size, dtype=bool)
    flagged[noise.issue_index] = True
    out = []
    for j, value in enumerate(oof.classes):
        members = oof.labels == j
        size = int(members.sum())
        if size == 0:
            continue
        out.append(
            {
                "label": value,
                "rows": size,
                "flagged": int(flagged[members].sum()),
                "flagged_share": float(flagged[members].mean()),
                "mean_quality": float(noise.quality[members].mean()),
            }
        )
    return out


def confused_pairs(oof: OutOfFold, noise: LabelNoise, top: int = 10) -> list[dict[str, Any]]:
    """Class pairs (given -> likely true) among the flagged rows, most frequent first."""
    given = oof.labels[noise.issue_index]
    likely = noise.suggested[noise.issue_index]
    k = len(oof.classes)
    counts = np.bincount(given * k + likely, minlength=k * k).reshape(k, k)
    pairs = [(int(counts[i, j]), i, j) for i in range(k) for j in range(k) if i != j and counts[i, j] > 0]
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    total = max(int(given.size), 1)
    return [
        {
            "given": oof.classes[i],
            "likely": oof.classes[j],
            "rows": c,
            "share_of_flagged": c / total,
            "estimated_joint": float(noise.joint[i, j]),
        }
        for c, i, j in pairs[:top]
    ]


def noise_matrix(oof: OutOfFold, noise: LabelNoise) -> dict[str, dict[str, float]]:
    """The noise channel's matrix P(given label | true label) from the estimated joint,
    as ``{given: {true: p}}`` (each true label's column sums to 1)."""
    joint = noise.joint
    col = joint.sum(axis=0)
    names = [str(c) for c in oof.classes]
    return {
        names[i]: {names[j]: float(joint[i, j] / col[j]) for j in range(len(names)) if col[j] > 0}
        for i in range(len(names))
    }
