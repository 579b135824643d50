"""What every column *is*: the semantics stage between reading and the checks.

Each column gets one semantic type from a fixed vocabulary (:data:`Semantic`), the
evidence for it and a confidence, and the meaning of its odd cells: the markers that
stand for a missing value, a pile-up at a bound that is censoring, numbers or dates
stored as text. Every check, the models, the plots and the plan read the same answer,
so a problem is found once and judged on the cleaned data everywhere else.

- the vocabulary (:class:`ColumnSemantics`, :class:`Censored`) is plain data in
  :mod:`preflight.core.columns`, beside the user's overrides;
- ``identifiers``, ``free_text``, ``dates``, ``markers``, ``censoring``, ``numbers_text``:
  one kind of evidence each;
- ``infer``: the order the evidence is weighed in, and the user's overrides;
- ``clean``: the cleaned view the checks read.
"""

from __future__ import annotations

from preflight.core.columns import SEMANTICS, Censored, ColumnSemantics, Semantic

__all__ = ["SEMANTICS", "Censored", "ColumnSemantics", "Semantic"]
