from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from preflight.checks.base import Check, Context, positions
from preflight.checks.options import NoOptions, option
from preflight.core.findings import Finding, Fix, Severity
from preflight.core.wording import quote_list
from preflight.data.profile import ColumnProfile

_PUNCT = re.compile(r"[\s_\-.,;:'\"]+")
_DIGITS = re.compile(r"\d+")


def edit_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: insertions, deletions, substitutions and
    adjacent transpositions (the four commonest typing slips) cost 1 each."""
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[len(b)]


def canonical_key(value: str) -> str:
    """The spelling-insensitive form: case, accents, whitespace and punctuation removed."""
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode() or value
    return _PUNCT.sub("", text.casefold())


class CategoryVariants(Check):
    """One category spelled several ways: ``"Biscoe"``, ``"biscoe "``, ``"Bisoce"``.

    **What it does.** In text columns of moderate cardinality, groups values that
    are equal after ignoring case, accents, whitespace and punctuation; and pairs a
    rare value with a frequent, nearly identical one (a typo: one slip — an inserted,
    deleted, replaced or swapped letter — or two in values of 8+ letters, the same
    digits, and at most ``typo-share`` as frequent).

    **Why it is bad.** Each spelling becomes its own one-hot column or embedding,
    splitting one category's examples across several inputs the model must learn
    separately; rare misspellings get almost no training signal.

    **Fix.** Map every variant to its most frequent spelling.

    **Options.** ``max-distinct`` (500): skip columns with more distinct values (free
    text). ``typo-share`` (0.1): see above. ``min-length`` (4):
    shorter values are never paired as typos (``"A"`` vs ``"B"``).
    """

    code = "DQ008"
    name = "data-quality.category-variants"
    category = "data-quality"
    cause = 1
    severity = Severity.WARNING
    applies_to = frozenset({"string", "categorical"})

    @dataclass(frozen=True)
    class Options(NoOptions):
        max_distinct: int = 500
        typo_share: float = option(0.1, share=True)
        min_length: int = 4

    opts: Options

    def run(self, ctx: Context) -> Iterator[Finding]:
        columns = list(ctx.profile.features())
        if ctx.dataset.target is not None and ctx.dataset.task == "classification":
            columns.append(ctx.profile[ctx.dataset.target])
        for col in columns:
            if col.kind not in ("string", "categorical") or not 1 < col.n_unique <= self.opts.max_distinct:
                continue
            mapping = self._variants(col)
            if not mapping:
                continue
            mask = col.series.isin(list(mapping)).to_numpy(dtype=bool, na_value=False)
            groups: dict[str, list[str]] = {}
            for variant, canonical in mapping.items():
                groups.setdefault(canonical, []).append(variant)
            examples = "; ".join(f"{quote_list(vs, 3)} -> {c!r}" for c, vs in list(groups.items())[:3])
            yield self.finding(
                f"{col.name!r} spells {len(groups)} categor{'y' if len(groups) == 1 else 'ies'} "
                f"several ways ({examples})",
                columns=[col.name],
                rows=positions(mask),
                evidence={"variants": mapping},
                fix=Fix(
                    "map each variant to its most frequent spelling",
                    step="replace-values",
                    params={"mapping": mapping},
                ),
            )

    def _variants(self, col: ColumnProfile) -> dict[str, str]:
        """variant -> canonical spelling (the most frequent one of its group)."""
        counts = {v: int(c) for v, c in col.value_counts.items() if isinstance(v, str)}
        by_key: dict[str, list[str]] = {}
        for value in counts:  # most frequent first, so index 0 is canonical
            by_key.setdefault(canonical_key(value), []).append(value)
        mapping: dict[str, str] = {}
        for values in by_key.values():
            for variant in values[1:]:
                mapping[variant] = values[0]
        # Typos: a rare key close to a frequent one.
        keys = sorted(by_key, key=lambda k: -sum(counts[v] for v in by_key[k]))
        key_count = {k: sum(counts[v] for v in by_key[k]) for k in keys}
        if len(keys) > 200:
            return mapping  # pairwise typo search is quadratic; spelling groups still count
        for i, rare in enumerate(keys):
            if len(rare) < self.opts.min_length:
                continue
            for common in keys[:i]:
                if key_count[rare] > self.opts.typo_share * key_count[common]:
                    continue
                if len(common) < self.opts.min_length or _DIGITS.findall(rare) != _DIGITS.findall(common):
                    continue
                allowed = 1 if min(len(rare), len(common)) < 8 else 2
                if abs(len(rare) - len(common)) <= allowed and edit_distance(rare, common) <= allowed:
                    for variant in by_key[rare]:
                        mapping[variant] = by_key[common][0]
                    break
        return mapping
