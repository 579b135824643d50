"""pandera contracts: infer one from data, load one safely, validate lazily.

Three stages, as in pandera itself: statistics of a :class:`~preflight.data.dataset.Dataset`
-> a ``pandera.pandas.DataFrameSchema`` -> YAML; and back: YAML -> schema -> a tidy
list of :class:`Violation` objects (one per column and check) that SC003 turns into
findings.

- ``infer``: the schema from a dataset's profile (``preflight infer-schema``);
- ``dump``: that schema as YAML, with a header and unsafe strings quoted;
- ``load``: YAML -> schema, safely (no aliases, known keys, built-in checks only);
- ``validate``: a frame against a schema -> :class:`Violation` objects (SC003).

pandera is imported inside the functions that need it (about 0.6 s of start-up on
this project's machines), so ``preflight rules`` and runs without ``--schema`` never
import it.
"""

from __future__ import annotations

from preflight.data.contracts.dump import contract_to_yaml
from preflight.data.contracts.infer import MAX_CATEGORIES, MAX_UNIQUE_SHARE, RANGE_MARGIN, infer_contract
from preflight.data.contracts.load import contract_from_mapping, contract_semantics, load_contract
from preflight.data.contracts.validate import Violation, validate_contract

__all__ = [
    "MAX_CATEGORIES",
    "MAX_UNIQUE_SHARE",
    "RANGE_MARGIN",
    "Violation",
    "contract_from_mapping",
    "contract_semantics",
    "contract_to_yaml",
    "infer_contract",
    "load_contract",
    "validate_contract",
]
