"""A self-contained HTML report: one file, inline CSS and inline SVG, no script, no network.

The verdict comes first, then pictures where people would rather look than read
(per-feature scale on a log axis, missing values per column, class balance, the
label-noise matrix, outlier scores), then the findings grouped by the article's four
causes with their fixes, and the suggested preprocessing code.

Rendering only: every number comes from the Report (its ``profile`` section,
``label_health``, the findings' evidence); :mod:`.sections` gathers what each part of
the page shows, :mod:`.plots` and :mod:`.label_health` lay the pictures out in pixels.
The template (``templates/report.html.j2``) is rendered by Jinja2 with autoescaping
on, so every string from the data is escaped; a Content-Security-Policy forbids
scripts and any fetch, as a second line of defence.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from preflight.core.errors import PreflightError
from preflight.core.escape import safe, safe_lines
from preflight.core.findings import Report
from preflight.core.wording import number, percent, plural
from preflight.reporters.common import RuleInfo
from preflight.reporters.html.plots import PLOT_W
from preflight.reporters.html.sections import Lines, context

__all__ = ["context", "render"]


def render(report: Report, *, rules: Mapping[str, RuleInfo] | None = None, **_: Any) -> str:
    try:
        import jinja2
    except ImportError as exc:  # the html extra is not installed
        raise PreflightError("--format html needs Jinja2: pip install 'preflight[html]'") from exc

    from preflight.core.version import __version__

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("preflight.reporters.html", "templates"),
        autoescape=True,  # every {{ value }} is HTML-escaped, in text and attributes
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters["num"] = _num
    env.filters["pct"] = _pct
    env.filters["plural"] = plural
    template = env.get_template("report.html.j2")
    return template.render(**context(report, rules), version=__version__, plot_w=PLOT_W)


def _finalize(value: Any) -> Any:
    """Control and bidi characters from the data made visible, as in the terminal, line
    breaks included (an HTML report printed to a CI log must not start a line with data,
    e.g. a ``::error`` workflow command); :class:`Lines` keep their breaks."""
    if isinstance(value, Lines):
        return safe_lines(value)
    return safe(value) if isinstance(value, str) else value


def _num(value: Any) -> str:
    """A number as people read it (:func:`preflight.core.wording.number`); ``–`` for none."""
    return "–" if value is None else number(value)


def _pct(share: Any) -> str:
    """A share in [0, 1] as a percentage that never rounds to 100% or 0% when it is not."""
    if isinstance(share, bool) or not isinstance(share, (int, float)):
        return "–"
    return percent(float(share))
