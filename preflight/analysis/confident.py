"""Confident learning on out-of-fold probabilities: which labels are probably wrong.

A thin, deterministic layer over cleanlab: the flagged rows come from
``cleanlab.filter.find_label_issues`` (prune by noise rate, the method of the
confident-learning paper), the ranking from ``cleanlab.rank.get_label_quality_scores``
(self-confidence: the out-of-sample probability of the given label), and the
class-pair structure from ``cleanlab.count.estimate_joint``.

The estimated noise rate is the share of rows confident learning flags: the
calibrated confident joint's off-diagonal mass, counted per class and pruned row by
row. On the label-noise benchmark it tracked the planted rate more closely than the
joint's off-diagonal sum itself (``benchmarks/README.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from preflight.analysis.oof import OutOfFold


@dataclass(frozen=True)
class LabelNoise:
    estimated_noise_rate: float
    issue_index: np.ndarray  # indices into oof rows, ranked worst first
    quality: np.ndarray  # label quality score of every oof row (0 = surely wrong, 1 = surely right)
    suggested: np.ndarray  # likely true class index for every oof row
    joint: np.ndarray  # (K, K) estimated joint P(given label = i, true label = j)
    rows_scored: int  # rows that took part (rows of classes too rare to judge are left out)

    def issue_positions(self, oof: OutOfFold) -> np.ndarray:
        out: np.ndarray = oof.positions[self.issue_index]
        return out


def analyse(oof: OutOfFold, *, min_class_rows: int = 5) -> LabelNoise:
    """Run confident learning on ``oof``; rows of classes below ``min_class_rows`` are not judged."""
    from cleanlab.count import estimate_joint
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    labels, probs = oof.labels, oof.pred_probs
    k = len(oof.classes)
    counts = np.bincount(labels, minlength=k)
    judged = counts[labels] >= min_class_rows
    n = int(judged.sum())
    quality = np.ones(labels.size)
    suggested = _suggest(probs, labels)
    if k < 2 or n == 0 or (counts >= min_class_rows).sum() < 2:
        prior = np.diag(counts / max(counts.sum(), 1))
        return LabelNoise(0.0, np.zeros(0, dtype=np.int64), quality, suggested, prior, n)
    # cleanlab wants classes 0..K'-1 all present: re-index the judged classes.
    kept = np.flatnonzero(counts >= min_class_rows)
    remap = np.full(k, -1, dtype=np.int64)
    remap[kept] = np.arange(kept.size)
    sub_labels = remap[labels[judged]]
    sub_probs = probs[judged][:, kept]
    sums = sub_probs.sum(axis=1, keepdims=True)
    sub_probs = np.where(sums > 0, sub_probs / np.where(sums > 0, sums, 1.0), 1.0 / kept.size)
    mask = find_label_issues(sub_labels, sub_probs, filter_by="prune_by_noise_rate", n_jobs=1)
    sub_quality = get_label_quality_scores(sub_labels, sub_probs, method="self_confidence")
    quality[judged] = sub_quality
    joint = np.zeros((k, k))
    joint[np.ix_(kept, kept)] = estimate_joint(sub_labels, sub_probs) * n / labels.size
    judged_idx = np.flatnonzero(judged)
    flagged = judged_idx[mask]
    # Worst first; ties broken by position so the order is deterministic.
    order = np.lexsort((flagged, quality[flagged]))
    return LabelNoise(
        estimated_noise_rate=float(mask.sum() / n),
        issue_index=flagged[order],
        quality=quality,
        suggested=suggested,
        joint=joint,
        rows_scored=n,
    )


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
    """cleanlab's noise matrix P(given label | true label) from the estimated joint,
    as ``{given: {true: p}}`` (each true label's column sums to 1)."""
    joint = noise.joint
    col = joint.sum(axis=0)
    names = [str(c) for c in oof.classes]
    return {
        names[i]: {names[j]: float(joint[i, j] / col[j]) for j in range(len(names)) if col[j] > 0}
        for i in range(len(names))
    }
