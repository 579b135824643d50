from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from preflight.checks.base import Check, Context
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Fix, Severity
from preflight.data.profile import ColumnProfile

_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_ID_NAME = re.compile(r"(^|[_\s.-])(id|uuid|guid|key|index|idx)$|^(id|uuid|guid|index|unnamed: ?0)$", re.I)


def _sample_unique_share(values: np.ndarray, size: int = 5000) -> float:
    """Distinct share of the first ``size`` values: a cheap screen before counting all."""
    head = values[:size]
    return len(np.unique(head)) / max(len(head), 1)


class IdLikeColumns(Check):
    """Feature columns that identify rows instead of describing them.

    **What it does.** Flags a feature column when (almost) every row has its own value and
    the values look like identifiers: integers that count up (a row number or a
    sequential key), short codes without spaces, UUIDs, or a unique column named
    like an id (``id``, ``user_id``, ``Unnamed: 0``). Continuous measurements, which
    are also unique per row, are not flagged.

    **Why it is bad.** A model can memorise an identifier instead of learning from
    the features; a sequential id also encodes row order, which leaks time or
    collection batch into the model and breaks on new data.

    **Fix.** Drop the column, or declare it with ``--id-column`` so preflight keeps
    it out of the features.

    **Options.** ``min-rows`` (20): judge only columns with at least this many values.
    ``min-unique-share`` (0.98): the share of distinct values among present ones at
    which a column counts as unique per row (below 1 so that a few duplicated rows
    do not hide an id column).
    ``max-text-length`` (40): longer unique strings are free text, not ids.
    """

    code = "DQ006"
    name = "data-quality.id-like-columns"
    category = "data-quality"
    cause = 1
    severity = Severity.WARNING
    applies_to = frozenset({"numeric", "string", "categorical"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        min_rows: int = 20
        max_text_length: int = 40
        min_unique_share: float = option(0.98, share=True)

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        for col in ctx.profile.features():
            if col.n_present < self.opts.min_rows:
                continue
            if col.kind == "numeric" and not col.is_integral:
                continue  # measurements, not keys (and no costly distinct count)
            if col.kind == "numeric" and _sample_unique_share(col.finite) < 0.9:
                continue  # repeats already in the first rows: not a key
            if col.n_unique < self.opts.min_unique_share * col.n_present:
                continue
            reason = self._reason(col)
            if reason is None:
                continue
            yield self.finding(
                f"{col.name!r} looks like a row identifier ({reason})",
                columns=[col.name],
                evidence={"reason": reason, "distinct": col.n_unique},
                fix=Fix(f"drop {col.name!r} or pass --id-column {col.name}", step="drop-columns"),
            )

    def _reason(self, col: ColumnProfile) -> str | None:
        named = bool(_ID_NAME.search(col.name.strip()))
        if col.kind == "numeric":
            if not col.is_integral or col.n_missing:
                return "unique per row, named like an id" if named and col.is_integral else None
            values = col.finite
            diffs = np.diff(values)
            if diffs.size and (np.all(diffs > 0) or np.all(diffs < 0)):
                order = "increasing" if diffs[0] > 0 else "decreasing"
                return f"unique integers in {order} row order"
            if values.max() - values.min() + 1 == col.n_unique:
                return "a run of consecutive integers"
            return "unique integers, named like an id" if named else None
        if col.kind in ("string", "categorical"):
            strings = [v for v in col.value_counts.index if isinstance(v, str)]
            if not strings:
                return None
            sample = strings[:1000]
            if sum(bool(_UUID.match(s)) for s in sample) >= 0.9 * len(sample):
                return "unique UUIDs"
            lengths = [len(s) for s in sample]
            spaced = sum(" " in s.strip() for s in sample)
            if named:
                return "unique per row, named like an id"
            if max(lengths) <= self.opts.max_text_length and spaced <= 0.1 * len(sample):
                return "a unique short code in every row"
        return None
