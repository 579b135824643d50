"""Report sections a check yields besides its findings, and how a run gathers them.

Most of a report is findings; two parts are not: ``dataset.sampled_rows`` (the fit
sample of the model-based checks) and ``label_health`` (the label checks' estimate of
wrong labels). A check's ``run`` yields them as these small values next to its
:class:`~preflight.core.findings.Finding` objects, so what a check adds to the report
is visible in its ``run`` and typed; the run loop folds them into one
:class:`Sections` in the order the checks yield them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

# How a model's fit sample combines with the samples the checks before it reported
# (see SampledRows).
SampleRule = Literal["fold-plan", "largest", "if-unreported"]


@dataclass(frozen=True)
class SampledRows:
    """A model was fitted on a seeded sample of ``rows`` rows: ``dataset.sampled_rows``.

    The models sample with caps of their own, and the report has one number, so
    ``rule`` says how this sample combines with what earlier checks reported:

    - ``"fold-plan"``: the run's one fold plan of the classification models (the
      out-of-fold probabilities CP004 and LB001 read), the sample the label report is
      about. Its first report replaces any earlier number; the later reports of the
      same plan change nothing.
    - ``"largest"``: the row-outlier model (OL002): the larger of its sample and the
      number reported so far.
    - ``"if-unreported"``: the flexible model of the CP checks: only when no number is
      reported yet.
    """

    rows: int
    rule: SampleRule


@dataclass(frozen=True)
class LabelHealth:
    """The report's ``label_health`` section, as a label check computed it (the fields
    are in docs/reports.md). LB001 yields it for classification, LB004 for regression;
    when two are yielded the last one is reported."""

    section: dict[str, Any]


# What a check's ``run`` may yield that is not a Finding.
Section = SampledRows | LabelHealth


@dataclass
class Sections:
    """The sections of one run, folded in the order the checks yield them."""

    sampled_rows: int | None = None
    label_health: dict[str, Any] | None = None
    _fold_plan_reported: bool = field(default=False, init=False, repr=False)

    def add(self, section: Section) -> None:
        """Fold one yielded section into the run's (the rules are :class:`SampledRows`'s)."""
        if isinstance(section, LabelHealth):
            self.label_health = section.section
        elif section.rule == "fold-plan":
            if not self._fold_plan_reported:
                self.sampled_rows = section.rows
                self._fold_plan_reported = True
        elif section.rule == "largest":
            self.sampled_rows = max(self.sampled_rows or 0, section.rows)
        elif self.sampled_rows is None:
            self.sampled_rows = section.rows


def sampled(rows: int | None, rule: SampleRule) -> Iterator[SampledRows]:
    """What a check yields for a model that may have sampled: the section of its fit
    sample of ``rows`` rows, or nothing when ``rows`` is None (it fitted every row)."""
    if rows is not None:
        yield SampledRows(rows, rule)
