from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from preflight.checks.base import Check, Context
from preflight.checks.cp.common import labelled_rows
from preflight.checks.options import NoOptions
from preflight.core.findings import Finding, Fix, Severity


class RowsPerFeature(Check):
    """Too few rows for the number of features the model will see.

    **What it does.** Divides the labelled rows by the number of features *after
    encoding* (one-hot columns and missing-value indicators count, as a network's
    input layer sees them) and compares it with the classic rule of thumb.

    **Why it is bad.** Every input feature adds weights to fit. With few rows per
    feature the data cannot cover the sample space: a flexible model finds
    patterns that hold only in these rows, training loss falls while validation
    loss stays flat. With no more rows than features the problem is
    underdetermined: a linear model alone can fit *any* labelling exactly (Cover,
    1965), so a perfect training score means nothing.

    **Thresholds and why.** A warning below ``min-rows-per-feature`` (10): the
    "one in ten" rule of regression modelling (Harrell, *Regression Modeling
    Strategies*; Peduzzi et al. 1996 found estimates unreliable below ten events
    per variable), and a network has more parameters than features, so this is a
    floor, not a target. An error below ``error-rows-per-feature`` (1.0): fewer rows
    than features. Small, well-separated data such as iris (150 rows, 4 features,
    37 per feature) passes.

    **Fix.** Collect more rows; or reduce the features: drop uninformative and
    redundant columns, merge rare categories before one-hot encoding, or project
    (PCA); and prefer a simpler, regularised model (linear, shallow trees) to a
    deep network.

    **Options.** ``min-rows-per-feature`` (10.0), ``error-rows-per-feature`` (1.0).
    """

    code = "CP001"
    name = "capacity.rows-per-feature"
    category = "capacity"
    cause = 3
    severity = Severity.WARNING

    @dataclass(frozen=True)
    class Options(NoOptions):
        min_rows_per_feature: float = 10.0
        error_rows_per_feature: float = 1.0

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        encoded = ctx.artifacts.layout
        n_features = encoded.n_features
        if n_features == 0:
            return
        rows = labelled_rows(ctx)
        ratio = rows / n_features
        if ratio >= self.opts.min_rows_per_feature:
            return
        source = len(set(encoded.sources))
        expanded = f" from {source} columns" if source != n_features else ""
        severity = Severity.ERROR if ratio < self.opts.error_rows_per_feature else Severity.WARNING
        message = (
            f"{rows} rows for {n_features} encoded features{expanded}: {ratio:.1f} rows per feature"
            f" (rule of thumb: at least {self.opts.min_rows_per_feature:g})"
        )
        if severity is Severity.ERROR:
            message += "; with fewer rows than features any labelling can be fitted exactly"
        yield self.finding(
            message,
            evidence={
                "rows": rows,
                "encoded_features": n_features,
                "source_features": source,
                "rows_per_feature": ratio,
                "min_rows_per_feature": self.opts.min_rows_per_feature,
            },
            fix=Fix(
                "collect more rows, or reduce the features (drop redundant columns, merge rare "
                "categories, PCA) and prefer a simpler, regularised model"
            ),
            severity=severity,
        )
