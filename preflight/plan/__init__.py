"""Findings -> suggested preprocessing: ordered steps, scikit-learn code, and ``fix``.

The package reads in the order the data flows:

- :mod:`~preflight.plan.steps`: the :class:`~preflight.plan.steps.Step` model and
  the order steps run in;
- :mod:`~preflight.plan.build`: findings -> merged, ordered steps (the report's
  ``preprocessing`` section);
- :mod:`~preflight.plan.code` (with :mod:`~preflight.plan.cells`,
  :mod:`~preflight.plan.columns` and :mod:`~preflight.plan.emit`): steps -> plain
  pandas + scikit-learn code;
- :mod:`~preflight.plan.clean`: the cell fixes the pipeline runs (``clean_cells``);
- :mod:`~preflight.plan.fix` (with :mod:`~preflight.plan.apply`,
  :mod:`~preflight.plan.rows` and :mod:`~preflight.plan.outputs`): ``preflight fix``.

Importing the package is light (no pandas): :mod:`~preflight.plan.steps` serves
the reporters. ``preflight.plan.clean_cells`` resolves lazily: it is the name the
pipelines ``fix`` saves pickle (see :mod:`~preflight.plan.clean`).
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "clean_cells":
        from preflight.plan.clean import clean_cells

        return clean_cells
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
