from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from preflight.analysis.oof import OutOfFold
from preflight.checks.base import Check, Context, severity_at
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.sections import LabelHealth, Section, sampled


class LabelIssues(Check):
    """Labels that are probably wrong, found by confident learning (cleanlab).

    **What it does.** Fits cross-validated models on the features (an average of
    logistic regression, extra trees and k-nearest neighbours, seeded; or reads
    your model's out-of-sample probabilities from ``--pred-probs``), so every row
    gets probabilities from a model that never saw it. Confident learning
    (cleanlab's ``find_label_issues``, prune by noise rate) then estimates how
    many labels of each class belong to another class and flags those rows. On
    files up to ``refit-max-rows`` labelled rows a second round refits the same
    folds without the rows the first round flagged and judges every row again:
    models that learned from cleaner labels find more of the wrong ones. The
    report gives the estimated noise rate (the share of judged rows flagged), the
    flagged rows ranked by label quality (the out-of-sample probability of the
    given label) with the given and the likely label, the class pairs most often
    confused, the estimated noise matrix and each class's label quality
    (``label_health`` in the JSON report). Above the fit-sample cap (``--sample``,
    default 20,000 rows) the models are fitted on a stratified sample and score
    the other rows, which they never saw.

    **Why it is bad.** A network trained on wrong labels plateaus or memorises the
    noise; no learning-rate tuning fixes it. A tenth of the labels wrong visibly
    stalls training.

    **Fix.** Review the flagged rows, worst first, and relabel or drop them.
    ``preflight check --rows-out rows.csv`` writes every flagged row.

    **Options.** ``error-rate`` (0.05): an estimated noise rate at or above this is
    an error. ``warn-rate`` (0.03): at or above this a warning, below it info.
    Measured on clean data (benchmarks/README.md): scikit-learn's iris, wine,
    breast cancer and digits and the Palmer penguins stayed at or below 0.5%, a
    separable synthetic set at 0%; a synthetic set whose classes overlap (correct
    labels, features that cannot tell some rows apart) reached about 2%, which
    confident learning cannot tell from noise — hence 3% for a warning.
    ``min-rows`` (50): fewer labelled rows are too few to estimate noise.
    ``min-class-rows`` (5): rows of rarer classes are not judged (their
    probabilities come from too few examples). ``refit-max-rows`` (20000): the
    second round runs on files with at most this many labelled rows (it doubles
    the model time; on the benchmark it raised mean F1 from 0.90 to 0.92 on the
    real datasets). ``min-skill`` (0.2): when the models' out-of-fold skill
    (balanced accuracy rescaled so chance is 0 and perfect is 1) is below this, the
    features barely predict the labels and confident learning cannot tell wrong
    labels from weak features (random labels read as 35-70% "wrong"): the finding
    says so and is at most a warning. On the benchmark's noisy data the skill
    stayed at or above 0.29 (30% flipped labels on binary breast cancer, where even
    a perfect model scores 0.4 against the noisy labels); random labels score
    about 0. ``show`` (20): ranked rows listed in the
    evidence.
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
        error_rate: float = option(0.05, share=True)
        warn_rate: float = option(0.03, share=True)
        min_rows: int = 50
        min_class_rows: int = 5
        refit_max_rows: int = 20000
        min_skill: float = option(0.2, share=True)
        show: int = 20

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding | Section]:
        from preflight.analysis.confident import analyse, class_summary, confused_pairs, noise_matrix

        oof = ctx.artifacts.label_out_of_fold
        yield from sampled(oof.sampled_rows, "fold-plan")
        if oof.labels.size < self.opts.min_rows or (oof.source == "preflight" and oof.folds == 0):
            return
        noise = analyse(oof, min_class_rows=self.opts.min_class_rows)
        # The second round doubles the model time, so big (sampled) files skip it.
        small = oof.labels.size <= self.opts.refit_max_rows
        if oof.source == "preflight" and noise.issue_index.size and small:
            oof = ctx.artifacts.refit_without(oof, noise.issue_index)
            noise = analyse(oof, min_class_rows=self.opts.min_class_rows)
        rate = noise.estimated_noise_rate
        issue_rows = noise.issue_positions(oof)
        target = ctx.dataset.target
        assert target is not None
        how = (
            f"confident learning (cleanlab, prune by noise rate) on {oof.method}; "
            "rate = share of judged rows flagged"
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
        if issue_rows.size == 0:
            return
        severity = severity_at(rate, error_at=self.opts.error_rate, warn_at=self.opts.warn_rate)
        skill = _skill(oof)
        weak = skill < self.opts.min_skill
        if weak and severity is Severity.ERROR:
            # Labels the features barely predict look exactly like wrong labels to
            # confident learning: say so, and do not fail the run on it.
            severity = Severity.WARNING
        pair_text = ""
        if pairs:
            top = pairs[0]
            pair_text = (
                f"; most often {top['given']!r} given where {top['likely']!r} is likely ({top['rows']} rows)"
            )
        message = f"about {rate:.1%} of labels look wrong ({issue_rows.size} rows){pair_text}"
        if weak:
            message = (
                f"{rate:.1%} of labels disagree with what the features predict ({issue_rows.size} rows), "
                f"but the features predict the labels only weakly (skill {skill:.2f}): wrong labels "
                "and weak features look alike here (see CP004)"
            )
        yield self.finding(
            message,
            columns=[target],
            rows=issue_rows,
            evidence={
                "estimated_noise_rate": rate,
                "method": how,
                "model_skill": skill,
                "flagged": int(issue_rows.size),
                "rows_judged": noise.rows_scored,
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


def _skill(oof: OutOfFold) -> float:
    """Balanced accuracy of the out-of-fold predictions, rescaled: 0 = chance, 1 = perfect.

    The argmax after dividing by the class priors (the decision that maximises
    balanced accuracy), so a rare class the models rank well still counts.
    """
    k = len(oof.classes)
    counts = np.bincount(oof.labels, minlength=k)
    prior = counts / max(counts.sum(), 1)
    predicted = (oof.pred_probs / np.maximum(prior, 1e-12)).argmax(axis=1)
    present = np.flatnonzero(counts)
    recalls = [float(np.mean(predicted[oof.labels == c] == c)) for c in present]
    chance = 1.0 / max(present.size, 1)
    return (float(np.mean(recalls)) - chance) / (1.0 - chance) if present.size > 1 else 0.0
