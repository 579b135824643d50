from __future__ import annotations

from collections.abc import Iterator

from preflight.checks.base import Check, Context
from preflight.core.findings import Finding, Severity


class OutputLayer(Check):
    """Which output layer and loss the target calls for (neural networks).

    **What it does.** Reads the target and states the last layer to use: a binary
    target takes one sigmoid unit with binary cross-entropy; a multiclass target
    one softmax unit per class with cross-entropy; a regression target bounded in
    [0, 1] a sigmoid unit; any other regression target a linear output (no
    activation). Reported only for ``--model-family nn`` (the default).

    **Why it is bad.** The article's last-layer point: an output activation that
    cannot produce the target's values cannot fit it. A ReLU output never
    produces a negative number and stops learning ("dies") once its input is
    negative; a sigmoid cannot produce values above 1; a softmax over the wrong
    number of units misses classes.

    **Fix.** Use the output layer in the message. scikit-learn's
    ``MLPClassifier`` and ``MLPRegressor`` already pick these (logistic/softmax
    and identity outputs).
    """

    code = "SN008"
    name = "scale.output-layer"
    category = "scale"
    cause = None
    severity = Severity.INFO
    needs = frozenset({"target"})

    def run(self, ctx: Context) -> Iterator[Finding]:
        if ctx.config.model_family != "nn":
            return
        assert ctx.dataset.target is not None
        col = ctx.profile[ctx.dataset.target]
        if col.n_unique < 2:
            return  # DQ009
        evidence: dict[str, object] = {"task": ctx.dataset.task}
        if ctx.dataset.task == "classification":
            k = col.n_unique
            evidence["classes"] = k
            if k == 2:
                advice = "a binary target: use one sigmoid output unit with binary cross-entropy"
            else:
                advice = f"{k} classes: use a softmax output of {k} units with (categorical) cross-entropy"
        else:
            lo, hi = col.min, col.max
            if lo is None or hi is None:
                return
            evidence.update(min=lo, max=hi)
            if lo >= 0 and hi <= 1:
                advice = "a regression target in [0, 1]: a sigmoid output fits its range"
            elif lo < 0:
                negative = int((col.finite < 0).sum())
                evidence["negative"] = negative
                advice = (
                    f"a signed regression target ({negative:,} negative values): use a linear output "
                    "(no activation); never ReLU, which cannot output negatives"
                )
            else:
                advice = (
                    "a non-negative, unbounded regression target: use a linear output (no activation), "
                    "or softplus; not ReLU, whose unit dies when its input goes negative"
                )
        yield self.finding(f"output layer: {advice}", columns=[col.name], evidence=evidence)
