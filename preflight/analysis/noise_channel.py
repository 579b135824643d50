"""Wrong labels against a null: a calibrated model, a noise channel and a parametric bootstrap.

Confident learning alone cannot tell a hard outcome (Bayes error: features that
cannot tell some rows apart) from wrong labels: both are labels the model
disagrees with. This module asks the question the other way round: *how many
rows would a flagger flag if every label were right?*

1. **Weighted, calibrated ensemble.** The members' out-of-fold probabilities are
   mixed with weights from a grid on the simplex (steps of :data:`WEIGHT_STEP`) and
   sharpened or softened by one temperature (``p ** (1/T)``, renormalised), both
   chosen by out-of-fold log loss. A member that classifies every row right takes
   all the weight; weak members no longer outvote it.
2. **Two models of the labels.** *H0, labels right:* the given label is drawn from
   the calibrated probabilities (temperature ``T0``). *H1, a noise channel:* a true
   label is drawn from the calibrated probabilities (their own temperature ``T1``)
   and then passed through a K x K channel ``M[true, given]`` (fitted by EM, the
   Dawid-Skene / forward-correction model). A hard outcome is explained by H0's
   temperature; wrong labels show as a *floor* of contrary labels even where the
   model is sure (instance-independent noise is spread over feature space, Bayes
   error sits where the features are ambiguous), which only the channel explains.
3. **The flagger** flags a row when H1's posterior probability that its given
   label is not its true label is at least one half; its label quality is the
   posterior probability that the given label is right.
4. **The null test.** Labels are simulated from H0 (right by construction, with
   the model's own calibrated uncertainty), and the *same* flagger (the channel's
   temperature and EM refitted on the simulated labels; the classifiers are not
   refitted, so it is cheap) is run on them, several seeded replicas. The excess
   of rows flagged on the real labels over the replicas' mean, with the replicas'
   standard deviation, is the evidence: it is what the labels add beyond what the
   model's uncertainty gives on correct labels.

The calibration, the channel and the null test run on at most
:data:`CALIBRATION_ROWS` seeded rows (the flagged rows of the whole file use the
fitted weights, temperature and channel). Everything is seeded and deterministic.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

# Member weights are searched on a grid of this step over the simplex.
WEIGHT_STEP = 0.25
# The calibration, the channel fit and the null replicas use at most this many rows
# (10,000 gave the same benchmark F1 at twice the cost: benchmarks/README.md).
CALIBRATION_ROWS = 5_000
# log(T) is searched in this interval (T from 0.018, very sharp, to 20, nearly flat).
_LOG_T = (-4.0, 3.0)
_PROB_FLOOR = 1e-6
_TINY = 1e-12


@dataclass(frozen=True)
class Channel:
    """The calibrated ensemble, its noise channel and the null test's replicas."""

    weights: dict[str, float]  # member -> weight (sum 1)
    null_temperature: float  # T0: H0's calibration (labels right)
    temperature: float  # T1: the clean part's calibration under H1
    matrix: np.ndarray  # (K, K) M[true, given] = P(given label | true label)
    log_loss_null: float  # mean log loss of H0 on the calibration rows
    log_loss_channel: float  # mean log loss of H1 on the calibration rows
    flagged: int  # rows flagged on the calibration rows (real labels)
    noise_rate: float  # expected share of wrong labels under H1 (mean posterior P(given is wrong))
    null_flagged: tuple[int, ...]  # rows flagged on each null replica
    null_noise_rate: tuple[float, ...]  # H1's noise rate on each null replica
    null_ratio: tuple[float, ...]  # the likelihood-ratio statistic on each null replica
    calibration_rows: int  # rows the calibration, channel and null test used

    @property
    def null_mean(self) -> float:
        return float(np.mean(self.null_flagged)) if self.null_flagged else 0.0

    @property
    def null_sd(self) -> float:
        return float(np.std(self.null_flagged, ddof=1)) if len(self.null_flagged) > 1 else 0.0

    @property
    def excess(self) -> float:
        """Rows flagged beyond the null's mean (on the calibration rows)."""
        return float(self.flagged) - self.null_mean

    @property
    def excess_rate(self) -> float:
        return self.excess / max(self.calibration_rows, 1)

    @property
    def excess_z(self) -> float:
        """The excess in units of the null's spread (at least one row, and at least
        the Poisson spread of its mean, so a null that flags nothing is no certainty)."""
        spread = max(self.null_sd, float(np.sqrt(max(self.null_mean, 1.0))))
        return self.excess / spread

    @property
    def log_likelihood_ratio(self) -> float:
        """2 x (log likelihood of H1 - that of H0), over the calibration rows."""
        return _ratio(self.calibration_rows, self.log_loss_null, self.log_loss_channel)

    @property
    def excess_noise_rate(self) -> float:
        """H1's noise rate beyond what it reads into labels that are right (the null's mean)."""
        return self.noise_rate - (float(np.mean(self.null_noise_rate)) if self.null_noise_rate else 0.0)

    @property
    def ratio_z(self) -> float:
        """The likelihood-ratio statistic against its null replicas, in their standard
        deviations (at least 1: a chi-square of one degree of freedom has sd 1.4)."""
        if not self.null_ratio:
            return 0.0
        mean = float(np.mean(self.null_ratio))
        sd = float(np.std(self.null_ratio, ddof=1)) if len(self.null_ratio) > 1 else 0.0
        return (self.log_likelihood_ratio - mean) / max(sd, 1.0)


def _ratio(n: int, loss0: float, loss1: float) -> float:
    return 2.0 * n * max(loss0 - loss1, 0.0)


def temper(p: np.ndarray, t: float) -> np.ndarray:
    """``p ** (1/t)``, renormalised per row (a temperature on the log probabilities)."""
    logp = np.log(np.clip(p, _PROB_FLOOR, 1.0)) / t
    logp -= logp.max(axis=1, keepdims=True)
    q = np.exp(logp)
    out: np.ndarray = q / q.sum(axis=1, keepdims=True)
    return out


def mix(members: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """The weighted average of the members' probabilities."""
    out: np.ndarray = sum(members[name] * w for name, w in weights.items() if w > 0)  # type: ignore[assignment]
    return out


def _log_loss(q: np.ndarray, labels: np.ndarray) -> float:
    return float(-np.mean(np.log(q[np.arange(labels.size), labels] + _TINY)))


def _search_log_t(loss: object) -> float:
    from scipy.optimize import minimize_scalar

    result = minimize_scalar(loss, bounds=_LOG_T, method="bounded", options={"xatol": 0.03})
    return float(result.x)


def fit_null(p: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """H0: the temperature minimising the log loss of the given labels, and that loss."""
    log_t = _search_log_t(lambda a: _log_loss(temper(p, float(np.exp(a))), labels))
    t = float(np.exp(log_t))
    return t, _log_loss(temper(p, t), labels)


def _em(
    s: np.ndarray, labels: np.ndarray, k: int, iterations: int, start: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """EM of the channel M[true, given] for clean probabilities ``s``: (mean log loss, M)."""
    if start is None:
        m = np.full((k, k), 0.01 / max(k - 1, 1))
        np.fill_diagonal(m, 0.99)
    else:
        m = start
    for _ in range(iterations):
        joint = s * m[:, labels].T  # (n, K): P(true = z) * P(given | z)
        post = joint / (joint.sum(axis=1, keepdims=True) + _TINY)
        m = flow(post, labels, k) + _TINY * np.eye(k)
        m /= m.sum(axis=1, keepdims=True)
    likelihood = (s * m[:, labels].T).sum(axis=1)
    return float(-np.mean(np.log(likelihood + _TINY))), m


def fit_channel(p: np.ndarray, labels: np.ndarray, k: int) -> tuple[float, np.ndarray, float]:
    """H1: (temperature T1, channel M, mean log loss), T1 searched with a short EM inside."""
    log_t = _search_log_t(lambda a: _em(temper(p, float(np.exp(a))), labels, k, 15)[0])
    t = float(np.exp(log_t))
    loss, m = _em(temper(p, t), labels, k, 80)
    return t, m, loss


def flow(post: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Expected counts [true, given]: the posterior mass of each true class per given label
    (K bincounts of n rows; a dense one-hot product would cost n x K x K)."""
    out = np.empty((k, k))
    for z in range(k):
        out[z] = np.bincount(labels, weights=post[:, z], minlength=k)
    return out


def posterior(s: np.ndarray, m: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """P(true label = z | features, given label) for every row (n, K)."""
    joint = s * m[:, labels].T
    out: np.ndarray = joint / (joint.sum(axis=1, keepdims=True) + _TINY)
    return out


def flags(post: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The flagger: rows whose given label is more likely wrong than right."""
    out: np.ndarray = post[np.arange(labels.size), labels] < 0.5
    return out


def noise_share(post: np.ndarray, labels: np.ndarray) -> float:
    """The expected share of wrong labels: the mean posterior probability that the given one is wrong."""
    return float(np.mean(1.0 - post[np.arange(labels.size), labels]))


def _weight_grid(names: tuple[str, ...]) -> list[dict[str, float]]:
    steps = round(1 / WEIGHT_STEP)
    grid = [w for w in itertools.product(range(steps + 1), repeat=len(names)) if sum(w) == steps]
    return [{n: wi / steps for n, wi in zip(names, w, strict=True)} for w in grid]


def calibration_rows(candidates: np.ndarray, seed: int) -> np.ndarray:
    """The (sorted, seeded) rows among ``candidates`` (sorted indices) the calibration
    and the null test use."""
    n = candidates.size
    if n <= CALIBRATION_ROWS:
        return candidates
    rng = np.random.default_rng(seed)
    out: np.ndarray = candidates[np.sort(rng.choice(n, size=CALIBRATION_ROWS, replace=False))]
    return out


def search_weights(
    members: Mapping[str, np.ndarray], labels: np.ndarray, k: int, rows: np.ndarray
) -> tuple[dict[str, float], float, np.ndarray, float]:
    """The member weights (a grid on the simplex) minimising H1's log loss on ``rows``:
    (weights, T1, channel, loss)."""
    y = labels[rows]
    sub = {name: probs[rows] for name, probs in members.items()}
    names = tuple(sub)
    best: tuple[float, dict[str, float], float, np.ndarray] | None = None
    for weights in _weight_grid(names) if len(names) > 1 else [{names[0]: 1.0}]:
        t1, m, loss = fit_channel(mix(sub, weights), y, k)
        if best is None or loss < best[0] - 1e-12:
            best = (loss, weights, t1, m)
    assert best is not None
    return best[1], best[2], best[3], best[0]


def fit(
    members: Mapping[str, np.ndarray],
    labels: np.ndarray,
    k: int,
    *,
    replicas: int,
    seed: int,
    weights: Mapping[str, float] | None = None,
) -> Channel:
    """Weights, calibration, channel and null test on the calibration rows.

    The weights minimise H1's log loss and H0 is fitted on the same mixture
    (the weights H0 would pick are no better a null: both describe the same
    probabilities). Given ``weights`` (chosen on other rows: the fit sample's, see
    :func:`preflight.analysis.confident.analyse`), only the members they keep are read.
    """
    rows = calibration_rows(np.arange(labels.size), seed)
    y = labels[rows]
    if weights is None:
        chosen, t1, m, loss1 = search_weights(members, labels, k, rows)
    else:
        chosen = dict(weights)
    p = mix({name: members[name][rows] for name, w in chosen.items() if w > 0}, chosen)
    if weights is not None:
        t1, m, loss1 = fit_channel(p, y, k)
    t0, loss0 = fit_null(p, y)
    post = posterior(temper(p, t1), m, y)
    observed = int(flags(post, y).sum())
    # The null: labels drawn from H0 (right by construction), the same flagger refitted.
    rng = np.random.default_rng(seed)
    null_probs = temper(p, t0)
    cumulative = np.cumsum(null_probs, axis=1)
    null_flagged: list[int] = []
    null_rate: list[float] = []
    null_ratio: list[float] = []
    for _ in range(replicas):
        u = rng.random(y.size)[:, None]
        simulated = np.minimum((u > cumulative).sum(axis=1), k - 1)
        t_sim, m_sim, loss1_sim = fit_channel(p, simulated, k)
        _, loss0_sim = fit_null(p, simulated)
        post_sim = posterior(temper(p, t_sim), m_sim, simulated)
        null_flagged.append(int(flags(post_sim, simulated).sum()))
        null_rate.append(noise_share(post_sim, simulated))
        null_ratio.append(_ratio(y.size, loss0_sim, loss1_sim))
    return Channel(
        weights=chosen,
        null_temperature=t0,
        temperature=t1,
        matrix=m,
        log_loss_null=loss0,
        log_loss_channel=min(loss1, loss0),
        flagged=observed,
        noise_rate=noise_share(post, y),
        null_flagged=tuple(null_flagged),
        null_noise_rate=tuple(null_rate),
        null_ratio=tuple(null_ratio),
        calibration_rows=int(rows.size),
    )


def clean_skill(clean: np.ndarray, post: np.ndarray) -> float:
    """How well the calibrated clean probabilities tell the (posterior) true classes apart.

    Balanced accuracy of the prior-corrected argmax against the posterior true
    labels (soft counts), rescaled so that chance is 0 and perfect is 1: the skill
    the model would show if the labels the channel calls wrong were corrected.
    """
    weight = post.sum(axis=0)
    prior = weight / max(float(weight.sum()), _TINY)
    predicted = (clean / np.maximum(prior, _TINY)).argmax(axis=1)
    present = np.flatnonzero(weight > 0.5)
    if present.size < 2:
        return 0.0
    recalls = [float(post[predicted == c, c].sum() / weight[c]) for c in present]
    chance = 1.0 / present.size
    return (float(np.mean(recalls)) - chance) / (1.0 - chance)
