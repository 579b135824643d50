from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import quote_list
from preflight.data.profile import ColumnProfile


class CategoricalEncoding(Check):
    """Text and categorical features that need an encoding, and high-cardinality ones that need a choice.

    **What it does.** Lists the text/categorical feature columns a model cannot
    take as they are. Those with at most ``max-onehot`` distinct values are
    reported together (info): one-hot encode them. Each column with more is a
    warning: one-hot would add a column per value, most of them seen a handful of
    times. Columns that are numbers stored as text (SC001/SC002), identifiers or
    free text with a distinct value in every row (DQ006), and constant columns
    (DQ005) are left to those checks.

    **Why it is bad.** A network needs numbers. Mapping categories to integers
    1, 2, 3 invents an order and distances that do not exist; one-hot encoding a
    column with thousands of values makes a wide, sparse input whose rare columns
    get almost no training signal and overfit.

    **Fix.** Low cardinality: ``OneHotEncoder(handle_unknown="ignore")``. High
    cardinality: keep the most frequent values and pool the rest
    (``OneHotEncoder(max_categories=..., handle_unknown="infrequent_if_exist")``),
    or target-encode (``TargetEncoder``, cross-fitted), or learn an embedding.
    For ``--model-family tree``: ``OrdinalEncoder`` (trees split on codes well).

    **Options.** ``max-onehot`` (20): the most distinct values one-hot encoding is
    suggested for as it is, and the number of categories kept for high-cardinality
    columns. ``numeric-share`` (0.8): text columns at least this share numbers are
    left to SC001/SC002.
    """

    code = "SN006"
    name = "scale.categorical-encoding"
    category = "scale"
    cause = 2
    severity = Severity.WARNING
    applies_to = frozenset({"string", "categorical"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        max_onehot: int = 20
        numeric_share: float = option(0.8, share=True)

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        low: list[ColumnProfile] = []
        tree = ctx.config.model_family == "tree"
        for col in ctx.profile.features():
            if not self._categorical(col):
                continue
            if col.n_unique <= self.opts.max_onehot:
                low.append(col)
                continue
            rare = _rare(col)
            yield self.finding(
                f"{col.name!r} has {col.n_unique:,} distinct values: one-hot encoding would add a "
                "column per value" + _rare_note(rare, col.n_unique),
                columns=[col.name],
                evidence={"distinct": col.n_unique, "rows": col.n_present, "rare_values": _rare(col)},
                fix=self._high_fix(col, tree),
            )
        if low:
            names = [c.name for c in low]
            yield self.finding(
                f"{quote_list(names, 5)} {'are' if len(names) > 1 else 'is'} categorical and must be "
                "encoded as numbers",
                columns=names,
                evidence={"distinct": {c.name: c.n_unique for c in low}},
                fix=(
                    Fix(
                        "encode them as integer codes (OrdinalEncoder)",
                        step="encode",
                        transformer="sklearn.preprocessing.OrdinalEncoder",
                    )
                    if tree
                    else Fix(
                        "one-hot encode them (OneHotEncoder)",
                        step="encode",
                        transformer="sklearn.preprocessing.OneHotEncoder",
                        params={"handle_unknown": "ignore"},
                    )
                ),
                severity=Severity.INFO,
            )

    def _categorical(self, col: ColumnProfile) -> bool:
        if col.kind not in ("string", "categorical") or col.n_unique < 2:
            return False
        if col.n_unique == col.n_present and col.n_present >= 20:
            return False  # an identifier or free text: DQ006
        counts = col.text_class_counts()
        if counts:
            numbers = counts.get("number", 0) + counts.get("formatted-number", 0)
            if numbers >= self.opts.numeric_share * sum(counts.values()):
                return False
        return True

    def _high_fix(self, col: ColumnProfile, tree: bool) -> Fix:
        k = self.opts.max_onehot
        if tree:
            return Fix(
                "encode as integer codes (OrdinalEncoder), pooling values rarer than 5 rows",
                step="encode",
                transformer="sklearn.preprocessing.OrdinalEncoder",
                params={"min_frequency": 5},
            )
        return Fix(
            f"keep the {k} most frequent values and pool the rest "
            "(OneHotEncoder max_categories), or target-encode it (TargetEncoder)",
            step="encode",
            transformer="sklearn.preprocessing.OneHotEncoder",
            params={"handle_unknown": "infrequent_if_exist", "max_categories": k},
        )


def _rare_note(rare: int, distinct: int) -> str:
    if rare == 0:
        return ""
    return (
        ", each seen in fewer than 5 rows"
        if rare == distinct
        else f", {rare:,} of them seen in fewer than 5 rows"
    )


def _rare(col: ColumnProfile) -> int:
    return int((col.value_counts < 5).sum())
