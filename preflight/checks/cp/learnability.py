from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from preflight.analysis.scores import balanced_accuracy, permutation_p_value, r2
from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.sections import SampledRows, Section, sampled

# Below this many labelled rows no test can tell a model from chance.
MIN_ROWS = 20


@dataclass(frozen=True)
class Skill:
    """How well one model's out-of-fold predictions match the labels."""

    method: str
    metric: str
    score: float  # balanced accuracy or R²
    chance: float  # the score of the majority-class / mean baseline
    skill: float  # 0 = baseline, 1 = perfect
    p_value: float  # one-sided, predictions agree with the labels better than chance
    extra: dict[str, Any]


class Learnability(Check):
    """Features that predict the target no better than chance.

    **What it does.** Scores the run's shared out-of-fold predictions of a quick
    model (each row predicted by a model that never saw it) against the baseline
    that ignores the features: the majority class (balanced accuracy 1/K) for
    classification, the mean for regression (R² 0). Whether the predictions beat
    chance is a permutation test: the labels are shuffled against the fixed
    predictions 1,000 times. Before it calls the data unlearnable, it confirms with
    a flexible non-linear model (the forest of CP006/CP007), so a purely
    non-linear signal (XOR) is not mistaken for none.

    **Why it is bad.** If no model finds any signal, training cannot converge to
    anything useful: a network will memorise the training rows and stay at chance
    on new ones, however long it is tuned. The usual reasons are labels that were
    shuffled or misaligned with the rows (a sort or join upstream), the wrong
    target column, heavy label noise, or features that do not carry the
    information at all.

    **Thresholds and why.** An error when no model beats chance at significance
    ``alpha`` (0.01, Bonferroni-split over the two models, as the better of two
    beats chance by luck twice as often) and its skill is below ``weak-skill``:
    strict, so real but weak signal on small data is not called noise (birthwt
    without its leak: skill 0.15 on 189 rows, p = 0.04, a warning), while shuffled
    labels escape the error in about one dataset in a hundred. A warning when the
    better model is significant but its skill is below ``weak-skill`` (0.1), or has
    that skill without significance: skill is (balanced accuracy - 1/K) / (1 - 1/K)
    for classification and R² for regression, so 0.1 is a binary balanced accuracy
    of 0.55. Otherwise an info finding reports the score to beat. Fewer than 20
    labelled rows are not judged.

    **Fix.** Check that the target column is the right one and still aligned with
    its rows; look for label noise (LB checks); add the features that actually
    determine the target.

    **Options.** ``alpha`` (0.01), ``weak-skill`` (0.1).
    """

    code = "CP004"
    name = "capacity.learnability"
    category = "capacity"
    cause = 3
    severity = Severity.ERROR
    needs = frozenset({"target"})
    model_based = True

    @dataclass(frozen=True)
    class Options(NoOptions):
        alpha: float = option(0.01, share=True)
        weak_skill: float = option(0.1, share=True)

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding | Section]:
        assert ctx.dataset.target is not None
        quick = yield from _quick_skill(ctx)
        alpha = float(self.opts.alpha)
        flexible: Skill | None = None
        if quick is None:
            # The shared model could not be fitted (a class too rare to split, say):
            # the forest, which sets such classes aside, judges alone.
            flexible = yield from _flexible_skill(ctx)
            if flexible is None:
                return
            best, p_value = flexible, flexible.p_value
        else:
            # Bonferroni over the two models: the data is learnable when either beats
            # chance at alpha / 2. The flexible model is fitted only when the quick
            # one alone does not settle it (or looks weak).
            best, p_value = quick, min(1.0, 2 * quick.p_value)
            if quick.p_value >= alpha / 2 or quick.skill < self.opts.weak_skill:
                flexible = yield from _flexible_skill(ctx)
                if flexible is None:
                    p_value = quick.p_value  # one model only: no correction
                else:
                    if (flexible.p_value, -flexible.skill) < (quick.p_value, -quick.skill):
                        best = flexible
                    p_value = min(1.0, 2 * min(quick.p_value, flexible.p_value))
        evidence = _evidence(quick or best, flexible if quick is not None else None)
        evidence["combined_p_value"] = p_value
        target = ctx.dataset.target
        scores = f"{best.metric} {best.score:.3f} against {best.chance:.3f} for the baseline"
        if p_value >= alpha and best.skill >= self.opts.weak_skill:
            # Some skill, not significant: a weak signal on few rows, not labels off their rows.
            yield self.finding(
                f"the features predict {target!r} only weakly ({scores}, skill {best.skill:.2f}, "
                f"p = {p_value:.3f}: not significant at {alpha:g} on {ctx.dataset.n_rows} rows)",
                columns=[target],
                evidence=evidence,
                fix=Fix("look for label noise and for features that carry more of the target"),
                severity=Severity.WARNING,
            )
        elif p_value >= alpha:
            yield self.finding(
                f"the features predict {target!r} no better than chance ({scores}, p = {p_value:.3f})"
                "; likely causes: labels shuffled or misaligned, the wrong target column, heavy label "
                "noise, or missing features",
                columns=[target],
                evidence=evidence,
                fix=Fix(
                    "check the target column and that labels are still aligned with their rows, look for "
                    "label noise, and add the features that determine the target"
                ),
                severity=Severity.ERROR,
            )
        elif best.skill < self.opts.weak_skill:
            yield self.finding(
                f"the features barely predict {target!r} ({scores}, skill {best.skill:.2f})",
                columns=[target],
                evidence=evidence,
                fix=Fix("look for label noise and for features that carry more of the target"),
                severity=Severity.WARNING,
            )
        else:
            yield self.finding(
                f"a quick model predicts {target!r} with {scores} (skill {best.skill:.2f}): "
                "the score a network must beat",
                columns=[target],
                evidence=evidence,
                severity=Severity.INFO,
            )


def _quick_skill(ctx: Context) -> Generator[SampledRows, None, Skill | None]:
    """Skill of the shared out-of-fold predictions (classification or regression); yields
    the fold plan's sample as soon as the classification model is read."""
    seed = ctx.config.seed
    if ctx.dataset.task == "classification":
        oof = ctx.artifacts.out_of_fold
        yield from sampled(oof.sampled_rows, "fold-plan")
        k = len(oof.classes)
        if k < 2 or len(oof.labels) < MIN_ROWS:
            return None
        probs = oof.pred_probs
        if np.all(probs == probs[0]):
            return None  # no fold model could be fitted (a class too rare to split): nothing to judge
        predicted = probs.argmax(axis=1)
        labels = oof.labels
        prior = np.bincount(labels, minlength=k) / len(labels)
        score = balanced_accuracy(labels, predicted, k)
        clipped = np.clip(probs[np.arange(len(labels)), labels], 1e-15, 1.0)
        return Skill(
            method=oof.method,
            metric="balanced accuracy",
            score=score,
            chance=1.0 / k,
            skill=(score - 1.0 / k) / (1.0 - 1.0 / k),
            p_value=permutation_p_value(labels, predicted, classification=True, n_classes=k, seed=seed),
            extra={
                "accuracy": float(np.mean(predicted == labels)),
                "majority_accuracy": float(prior.max()),
                "log_loss": float(-np.mean(np.log(clipped))),
                "prior_log_loss": float(-np.sum(prior[prior > 0] * np.log(prior[prior > 0]))),
            },
        )
    if ctx.dataset.task == "regression":
        oofr = ctx.artifacts.out_of_fold_regression
        y, pred = oofr.targets, oofr.predictions
        if len(y) < MIN_ROWS or np.ptp(y) == 0 or np.ptp(pred) == 0:
            return None
        score = r2(y, pred)
        return Skill(
            method=oofr.method,
            metric="R²",
            score=score,
            chance=0.0,
            skill=score,
            p_value=permutation_p_value(y, pred, classification=False, seed=seed),
            extra={},
        )
    return None


def _flexible_skill(ctx: Context) -> Generator[SampledRows, None, Skill | None]:
    """Skill of the flexible model (the forest of CP006/CP007); yields its sample."""
    fit = ctx.artifacts.flexible_fit
    if fit is None or len(fit.y) < MIN_ROWS:
        return None
    yield from sampled(fit.sampled_rows, "if-unreported")
    seed = ctx.config.seed
    if fit.task == "classification":
        k = fit.n_classes
        score = balanced_accuracy(fit.y, fit.predictions, k)
        return Skill(
            method=fit.method,
            metric=fit.metric,
            score=score,
            chance=1.0 / k,
            skill=(score - 1.0 / k) / (1.0 - 1.0 / k),
            p_value=permutation_p_value(fit.y, fit.predictions, classification=True, n_classes=k, seed=seed),
            extra={},
        )
    score = r2(fit.y, fit.predictions)
    return Skill(
        method=fit.method,
        metric=fit.metric,
        score=score,
        chance=0.0,
        skill=score,
        p_value=permutation_p_value(fit.y, fit.predictions, classification=False, seed=seed),
        extra={},
    )


def _evidence(quick: Skill, flexible: Skill | None) -> dict[str, Any]:
    evidence: dict[str, Any] = {
        "metric": quick.metric,
        "score": quick.score,
        "baseline": quick.chance,
        "skill": quick.skill,
        "p_value": quick.p_value,
        "method": quick.method,
        **quick.extra,
    }
    if flexible is not None:
        evidence["flexible"] = {
            "score": flexible.score,
            "skill": flexible.skill,
            "p_value": flexible.p_value,
            "method": flexible.method,
        }
    return evidence
