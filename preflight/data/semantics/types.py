"""The vocabulary of column semantics (plain data, kept in the core with the report)."""

from __future__ import annotations

from preflight.core.columns import SEMANTICS, Censored, ColumnSemantics, Parsed, Semantic, Source

__all__ = ["SEMANTICS", "Censored", "ColumnSemantics", "Parsed", "Semantic", "Source"]
