from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from preflight.analysis.oof import OutOfFold
from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.sections import LabelHealth, Section, sampled
from preflight.core.wording import percent, plural


class LabelIssues(Check):
    """Labels that are probably wrong: more disagreement with a calibrated model than correct labels give.

    **What it does.** Fits cross-validated models on the features (logistic
    regression, extra trees and k-nearest neighbours, seeded; or reads your model's
    out-of-sample probabilities from ``--pred-probs``), so every row gets
    probabilities from a model that never saw it. The members are weighted (a grid
    on the simplex, step 0.25) and calibrated (one temperature) by out-of-fold log
    loss, so a member that classifies every row right is not outvoted by weak ones.
    Two models of the labels are then fitted: *labels right* (the given label is
    drawn from the calibrated probabilities) and a *noise channel* (a true label is
    drawn from them and passed through a K x K matrix of label flips, fitted by EM).
    A row is flagged when the channel's posterior probability that its given label
    is wrong is at least one half; its label quality is the posterior probability
    that the given label is right.

    A hard outcome (features that cannot tell some rows apart: survival, churn,
    default) is explained by the calibrated model's own uncertainty; wrong labels
    show as contrary labels where the model is sure, which only the channel
    explains. The **null test** simulates labels from the calibrated model (right by
    construction), runs the same fit and flagger on them (8 seeded replicas; the
    classifiers are not refitted), and the finding reports the rows flagged beyond
    the replicas (``flagged``, ``null_flagged_mean`` +- ``null_flagged_sd``) and
    the likelihood-ratio statistic of the channel against its null distribution
    (``ratio_z``). The estimated noise rate is the channel's share of wrong labels
    when the labels are beyond the null, else 0. The calibration, the channel and
    the null test use at most 5,000 seeded rows; every labelled row is judged.
    Above the fit-sample cap (``--sample``, default 20,000 rows) the models are
    fitted on a stratified sample and score the other rows, which they never saw;
    the member weights are chosen on the sample, and a member weighed 0 does not
    score the rest. Above 100,000 labelled rows the neighbour member is left out (it
    would compare every row with the whole fit sample: minutes on a million rows).
    The report gives the flagged rows ranked by label quality with the given and
    the likely label, the class pairs most often confused, the channel's noise
    matrix and each class's label quality (``label_health`` in the JSON report).

    **Why it is bad.** A network trained on wrong labels plateaus or memorises the
    noise; no learning-rate tuning fixes it. A tenth of the labels wrong visibly
    stalls training.

    **Fix.** Review the flagged rows, worst first, and relabel or drop them.
    ``preflight check --rows-out rows.csv`` writes every flagged row.

    **Options.** ``min-z`` (3.0): the labels are beyond the null when the channel's
    likelihood-ratio statistic lies at least this many null standard deviations
    above the replicas' mean; below it the finding is info ("within what correct
    labels give"). ``error-rate`` (0.05): an estimated noise rate at or above this
    is an error, when the model is also strong. ``strong-skill`` (0.85): the clean
    skill (balanced accuracy against the channel's true labels, chance 0, perfect
    1) an error needs; below it at most a warning. ``warn-rate`` (0.035): at or
    above this a warning, below it info. Measured (benchmarks/README.md): planted
    noise (10-30% flipped on iris, wine, breast cancer, digits and synthetic sets)
    reads 4.6-32% with ratio z 5-700 and clean skill 0.80-1.00; hard real outcomes
    in the corpus (titanic, attrition, churn, credit, OJ, Pima, swisslabor,
    Carseats) read z below 3 or a rate of at most 2.9% (attrition; titanic 5.6% at
    z 2.2), the year-dependent coding of seattle_weather 3.9% at z 8 (clean skill
    0.72: a warning); labels drawn from a logistic process, random labels and clean
    scikit-learn sets read z below 1 or a rate below 1%. ``min-skill`` (0.2): when
    the calibrated model's out-of-fold skill (balanced accuracy rescaled, chance 0)
    is below this, the features barely predict the labels and the finding is at
    most info. ``replicas`` (8): null replicas. ``min-rows`` (50): fewer labelled
    rows are too few to estimate noise. ``min-class-rows`` (5): rows of rarer
    classes are not judged (their probabilities come from too few examples).
    ``show`` (20): ranked rows listed in the evidence.
    """

    code = "LB001"
    name = "labels.label-issues"
    category = "labels"
    cause = 4
    severity = Severity.ERROR
    needs = frozenset({"target", "classification"})
    model_based = True

    @dataclass(frozen=True)
    class Options(NoOptions):
        min_z: float = 3.0
        error_rate: float = option(0.05, share=True)
        strong_skill: float = option(0.85, share=True)
        warn_rate: float = option(0.035, share=True)
        min_skill: float = option(0.2, share=True)
        replicas: int = option(8, minimum=2)
        min_rows: int = 50
        min_class_rows: int = 5
        show: int = 20

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding | Section]:
        from preflight.analysis.confident import analyse, class_summary, confused_pairs, noise_matrix

        oof = ctx.artifacts.label_out_of_fold
        yield from sampled(oof.sampled_rows, "fold-plan")
        if oof.labels.size < self.opts.min_rows or (oof.source == "preflight" and oof.folds == 0):
            return
        fit_rows = None
        if oof.source == "preflight":
            # The fit sample's probabilities first; the rest only for the members weighed.
            art = ctx.artifacts
            members = {name: art.member(name, complete=False) for name in art.label_members}
            fit_rows = ctx.artifacts.folds.fit
        else:
            members = {"user": oof.pred_probs}
        noise = analyse(
            oof,
            members,
            min_class_rows=self.opts.min_class_rows,
            replicas=self.opts.replicas,
            seed=ctx.config.seed,
            min_z=self.opts.min_z,
            fit_rows=fit_rows,
            complete=ctx.artifacts.member,
        )
        channel = noise.channel
        rate = noise.estimated_noise_rate
        issue_rows = noise.issue_positions(oof)
        target = ctx.dataset.target
        assert target is not None
        weights = ", ".join(f"{name} {w:.2f}" for name, w in (channel.weights if channel else {}).items())
        how = (
            f"noise channel on calibrated {oof.method} (weights {weights}), against "
            f"{self.opts.replicas} null replicas of labels drawn from the calibrated model; "
            "rate = the channel's share of wrong labels when beyond the null"
        )
        pairs = confused_pairs(oof, noise)
        ranked = [
            {
                "row": ctx.file_row(oof.positions[i]),
                "given": oof.classes[oof.labels[i]],
                "suggested": oof.classes[noise.suggested[i]],
                "quality": float(noise.quality[i]),
            }
            for i in noise.issue_index.tolist()
        ]
        # The report lists at most max-rows rows (worst first); --rows-out has them all.
        listed = ranked[: ctx.config.max_rows]
        health: dict[str, Any] = {
            "method": how,
            "estimated_noise_rate": rate,
            "rows_judged": noise.rows_scored,
            "sampled_rows": oof.sampled_rows,
            "issue_rows": [r["row"] for r in listed],
            "issue_count": len(ranked),
            "given_labels": {str(r["row"]): r["given"] for r in listed},
            "suggested_labels": {str(r["row"]): r["suggested"] for r in listed},
            "label_quality": {str(r["row"]): r["quality"] for r in listed},
            "noise_matrix": noise_matrix(oof, noise),
            "top_confused_pairs": pairs,
            "per_class": class_summary(oof, noise),
        }
        yield LabelHealth(health)
        if issue_rows.size == 0 or channel is None or noise.probabilities is None:
            return
        skill = _skill(oof, noise.probabilities)
        strength = noise.clean_skill
        beyond = channel.ratio_z >= self.opts.min_z
        if not beyond or skill < self.opts.min_skill:
            severity = Severity.INFO
        elif rate >= self.opts.error_rate and strength >= self.opts.strong_skill:
            severity = Severity.ERROR
        elif rate >= self.opts.warn_rate:
            severity = Severity.WARNING
        else:
            severity = Severity.INFO
        pair_text = ""
        if pairs:
            top = pairs[0]
            pair_text = (
                f"; most often {top['given']!r} given where {top['likely']!r} is likely ({top['rows']} rows)"
            )
        scale = issue_rows.size / max(channel.flagged, 1)
        null_text = (
            f"labels drawn from the calibrated model flag {channel.null_mean * scale:.0f} +- "
            f"{channel.null_sd * scale:.0f}"
        )
        disagree = "disagrees" if issue_rows.size == 1 else "disagree"
        if beyond and skill >= self.opts.min_skill:
            message = (
                f"about {percent(rate)} of labels look wrong ({plural(issue_rows.size, 'row')} flagged; "
                f"{null_text} "
                f"when every label is right){pair_text}"
            )
        elif skill < self.opts.min_skill:
            message = (
                f"{plural(issue_rows.size, 'label')} {disagree} with what the features predict, but the "
                f"features predict the labels only weakly (skill {skill:.2f}): wrong labels and weak "
                "features look alike here (see CP004)"
            )
        else:
            message = (
                f"{plural(issue_rows.size, 'label')} {disagree} with the model, within what correct labels "
                f"give ({null_text}; likelihood-ratio z {channel.ratio_z:.1f} < {self.opts.min_z:g}): "
                "a hard outcome, not evidence of wrong labels"
            )
        yield self.finding(
            message,
            columns=[target],
            rows=issue_rows,
            evidence={
                "estimated_noise_rate": rate,
                "method": how,
                "model_skill": skill,
                "clean_skill": strength,
                "flagged": int(issue_rows.size),
                "rows_judged": noise.rows_scored,
                "channel_noise_rate": channel.noise_rate,
                "null_noise_rate_mean": float(np.mean(channel.null_noise_rate)),
                "excess_noise_rate": channel.excess_noise_rate,
                "calibration_rows": channel.calibration_rows,
                "calibration_flagged": channel.flagged,
                "null_flagged_mean": channel.null_mean,
                "null_flagged_sd": channel.null_sd,
                "excess_flagged": channel.excess,
                "likelihood_ratio": channel.log_likelihood_ratio,
                "null_likelihood_ratio_mean": float(np.mean(channel.null_ratio)),
                "ratio_z": channel.ratio_z,
                "weights": dict(channel.weights),
                "temperature": channel.null_temperature,
                "worst": ranked[: self.opts.show],
                "top_confused_pairs": pairs[:5],
            },
            fix=Fix(
                "review the flagged rows (worst first) and relabel or drop them",
                step="relabel",
                params={"rows": int(issue_rows.size)},
            ),
            severity=severity,
        )


def _skill(oof: OutOfFold, probs: np.ndarray) -> float:
    """Balanced accuracy of the calibrated out-of-fold predictions, rescaled: 0 = chance, 1 = perfect.

    The argmax after dividing by the class priors (the decision that maximises
    balanced accuracy), so a rare class the models rank well still counts.
    """
    k = len(oof.classes)
    counts = np.bincount(oof.labels, minlength=k)
    prior = counts / max(counts.sum(), 1)
    predicted = (probs / np.maximum(prior, 1e-12)).argmax(axis=1)
    present = np.flatnonzero(counts)
    recalls = [float(np.mean(predicted[oof.labels == c] == c)) for c in present]
    chance = 1.0 / max(present.size, 1)
    return (float(np.mean(recalls)) - chance) / (1.0 - chance) if present.size > 1 else 0.0
