"""The Python API: ``preflight.check(df_or_path, target=...) -> Report``, shown in notebooks.

The report ``check`` returns is a :class:`NotebookReport`: a :class:`Report` (core,
plain data) that Jupyter also displays as the HTML report. The display lives here, at
the entry-point layer, because rendering needs the reporters and the core imports no
layer above it.
"""

from __future__ import annotations

import dataclasses
import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from preflight.core.baseline import accept, load_baseline
from preflight.core.config import Config, load_config
from preflight.core.errors import PreflightError
from preflight.core.findings import Report
from preflight.core.selection import parse_codes
from preflight.data.engines import load
from preflight.reporters.common import tally, verdict
from preflight.run import run

if TYPE_CHECKING:
    import polars as pl

# The report's first screen (verdict, counts, the first pictures) in a notebook cell;
# the frame scrolls inside for the rest and can be dragged taller (resize).
FRAME_HEIGHT_PX = 720


class NotebookReport(Report):
    """A :class:`Report` that Jupyter (and VS Code, Colab) displays as the HTML report.

    The HTML report is a whole page (its own ``<html>``, ``body`` styles and a
    Content-Security-Policy), so it is embedded in an ``<iframe srcdoc>``: the page's
    CSS cannot restyle the notebook nor the notebook's CSS the report, and the policy
    still applies inside. It needs no script, so it shows where a front end strips
    them; ``sandbox`` (no scripts, no same-origin) is a second guard after the
    escaping. A frame cannot size itself to its content without a script, so it takes
    a fixed height and scrolls.
    """

    def _repr_html_(self) -> str | None:
        from preflight.reporters import render

        try:
            page = render(self, "html", rules=self.rules)
        except PreflightError:  # the html extra (Jinja2) is not installed: Jupyter shows __repr__
            return None
        # quote=True: the page becomes one attribute value; the browser unescapes it
        # once, back to the page, whose own strings the reporter already escaped.
        return (
            f'<iframe srcdoc="{html.escape(page, quote=True)}" sandbox="" '
            f'title="preflight report" style="width:100%;height:{FRAME_HEIGHT_PX}px;'
            'border:1px solid #dde2e8;border-radius:6px;resize:vertical;overflow:auto"></iframe>'
        )

    def __repr__(self) -> str:
        # The dataclass repr spells out every finding, profile and column: pages of text
        # in a notebook's plain-text view. This is the verdict line instead.
        return (
            f"<preflight Report {verdict(self).upper()}: {tally(self)} · {self.dataset.path!r}, "
            f"{len(self.checks_run)} checks ran>"
        )


def notebook_report(report: Report) -> NotebookReport:
    """The same report, displayable: every field shared, nothing copied."""
    return NotebookReport(**{f.name: getattr(report, f.name) for f in dataclasses.fields(Report)})


def check(
    data: str | os.PathLike[str] | pd.DataFrame | pl.DataFrame,
    *,
    target: str | None = None,
    task: str | None = None,
    id_columns: Sequence[str] | None = None,
    select: str | Sequence[str] | None = None,
    ignore: str | Sequence[str] | None = None,
    extend_select: str | Sequence[str] | None = None,
    fail_on: str | None = None,
    config: Config | str | os.PathLike[str] | None = None,
    **options: Any,
) -> Report:
    """Run preflight on a DataFrame (pandas or polars) or a file and return the :class:`Report`.

    ``config`` is a :class:`Config`, a path to a TOML file, or None to use
    ``[tool.preflight]`` from the nearest pyproject.toml. Keyword arguments override
    it (``schema=``, ``seed=``, ``model_family=``, ``checks={"DQ001": {...}}``, ...).
    A file takes its target as the CLI gives it one (:meth:`Config.target_for`): the
    first ``targets`` glob matching its path wins, so a notebook checks a project's
    files with the labels the pre-commit hook uses. With ``baseline=`` (or ``baseline``
    in the config) the findings that baseline holds are marked accepted and fail nothing.
    The input is never modified.
    A polars DataFrame is read through Arrow; polars is imported only by the user who
    has one. The Report displays as the HTML report in a notebook (:class:`NotebookReport`);
    ``report.to_frame()`` and ``report.rows(code)`` give its findings and rows as data.
    Raises :class:`PreflightError` on bad input.
    """
    base = config if isinstance(config, Config) else load_config(None if config is None else Path(config))
    cfg = base.replace(
        target=target,
        task=task,
        id_columns=tuple(id_columns) if id_columns is not None else None,
        select=parse_codes(select) or None,
        ignore=(*base.ignore, *parse_codes(ignore)) if ignore else None,
        extend_select=(*base.extend_select, *parse_codes(extend_select)) if extend_select else None,
        fail_on=fail_on,
        **options,
    )
    if isinstance(data, (str, os.PathLike)):
        cfg = cfg.replace(target=cfg.target_for(data))
    # A bad baseline is bad input, found before the data is read.
    baseline = load_baseline(cfg.baseline) if cfg.baseline else None
    dataset = load(data, cfg, target=cfg.target)
    report = run(dataset, cfg)
    return notebook_report(report if baseline is None else accept(report, baseline))
