"""Baselines of accepted findings: read one, write one, and mark a report's findings
that it holds as accepted.

A baseline is a file ``preflight baseline`` writes (``"format": "preflight-baseline"``,
``schemas/baseline.schema.json``: the findings of one or more data files, without row
positions, so that it stays the same when rows move), or a JSON report that ``preflight
check --format json`` wrote earlier (one data file). Findings are matched by
:mod:`preflight.core.fingerprint`; a matched finding that got worse is not accepted.

Which recorded data file a checked file is matched against (:meth:`Baseline.lookup`):
the one with the same path, else the only one with the same file name, else, when the
baseline holds a single data file, that one, with a warning (a renamed or dated file is
common in pipelines, and the fingerprints still name columns and problems, so they
match only where the same column shows the same problem). A baseline of several files
with none of this file's name accepts nothing for it, with a warning. A file whose
columns differ from those the baseline recorded is matched all the same, with a warning.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from preflight.core.errors import PreflightError
from preflight.core.escape import json_safe
from preflight.core.findings import Report, Severity
from preflight.core.fingerprint import Entry, entry_of, kind_of, match, worse

log = logging.getLogger(__name__)

FORMAT = "preflight-baseline"
SCHEMA_VERSION = 1
_SEVERITIES = {s.value: s for s in Severity}
# A check code as the registry spells them (DQ004); reporters print it as is.
_CODE = re.compile(r"[A-Za-z0-9_.-]{1,32}")


@dataclass(frozen=True)
class Recorded:
    """The findings one earlier run recorded for one data file."""

    path: str
    rows: int | None
    # The file's column names, when the record has them (None: unknown).
    columns: tuple[str, ...] | None
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Baseline:
    """A loaded baseline file or JSON report: ``file`` is its path as given."""

    file: str
    datasets: tuple[Recorded, ...]

    def lookup(self, path: str) -> tuple[Recorded | None, list[str]]:
        """The recorded data file to match ``path`` against, and what to warn about."""
        wanted = os.path.normpath(path)
        for recorded in self.datasets:
            if os.path.normpath(recorded.path) == wanted:
                return recorded, []
        named = [r for r in self.datasets if os.path.basename(r.path) == os.path.basename(wanted)]
        if len(named) == 1:
            return named[0], []
        if len(self.datasets) == 1:
            only = self.datasets[0]
            return only, [f"written for {only.path!r}, not {path!r}: matching its findings anyway"]
        listed = ", ".join(repr(r.path) for r in self.datasets[:3])
        more = f" and {len(self.datasets) - 3} more" if len(self.datasets) > 3 else ""
        return None, [f"holds no findings for {path!r} (it has {listed}{more}): every finding is new"]


def accept(report: Report, baseline: Baseline) -> Report:
    """``report`` with the findings ``baseline`` holds (and that got no worse) accepted."""
    recorded, problems = baseline.lookup(report.dataset.path)
    columns = tuple(c.name for c in report.columns)
    if recorded is not None and recorded.columns is not None and columns:
        added = len(set(columns) - set(recorded.columns))
        removed = len(set(recorded.columns) - set(columns))
        if added or removed:
            problems.append(f"the columns differ from the recorded ones ({added} added, {removed} removed)")
    if problems:
        log.warning("baseline %s: %s", baseline.file, "; ".join(problems))
    if recorded is None:
        return dataclasses.replace(report, baseline=baseline.file)
    current = [entry_of(f) for f in report.findings]
    pairs, _, _ = match(recorded.entries, current)
    ok = {
        j for i, j in pairs if not worse(recorded.entries[i], current[j], recorded.rows, report.dataset.rows)
    }
    findings = tuple(dataclasses.replace(f, accepted=j in ok) for j, f in enumerate(report.findings))
    return dataclasses.replace(report, findings=findings, baseline=baseline.file)


def recorded_of(report: Report) -> Recorded:
    return Recorded(
        path=report.dataset.path,
        rows=report.dataset.rows,
        columns=tuple(c.name for c in report.columns) or None,
        entries=tuple(entry_of(f) for f in report.findings),
    )


def baseline_text(reports: Sequence[Report]) -> str:
    """The baseline file of these reports' findings (one data file each), as JSON text.

    No row positions and no timings: regenerated on the same data with rows moved, only
    the messages that quote row counts can change."""
    from preflight.core.version import __version__

    document = {
        "format": FORMAT,
        "schema_version": SCHEMA_VERSION,
        "preflight_version": __version__,
        "datasets": [
            {
                "path": r.path,
                "rows": r.rows,
                "columns": None if r.columns is None else list(r.columns),
                "findings": [e.to_dict() for e in r.entries],
            }
            for r in map(recorded_of, reports)
        ],
    }
    return json_safe(json.dumps(document, ensure_ascii=False, indent=2)) + "\n"


def load_baseline(path: str, what: str = "baseline") -> Baseline:
    """Read a baseline file or a JSON report; :class:`PreflightError` (one line) if it is
    missing, unreadable or neither. ``what`` names the file in the error ('baseline')."""
    name = f"{what} {path!r}"
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise PreflightError(f"{name} not found") from None
    except IsADirectoryError:
        raise PreflightError(f"{name} is a directory, not a file") from None
    except UnicodeDecodeError:
        raise PreflightError(f"{name} is not a preflight report or baseline (not UTF-8 text)") from None
    except OSError as exc:
        raise PreflightError(f"{name} cannot be read: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PreflightError(f"{name} is not a preflight report or baseline (not JSON: {exc})") from None
    except RecursionError:
        raise PreflightError(f"{name} is not a preflight report or baseline (nested too deeply)") from None
    try:
        return Baseline(file=path, datasets=_datasets(data))
    except _Invalid as exc:
        raise PreflightError(f"{name} is not a preflight report or baseline ({exc})") from None


class _Invalid(ValueError):
    """A reason the file is not a report or a baseline."""


def _datasets(data: Any) -> tuple[Recorded, ...]:
    if not isinstance(data, Mapping):
        raise _Invalid("not a JSON object")
    if data.get("format") == FORMAT:
        _version(data)
        datasets = data.get("datasets")
        if not isinstance(datasets, list):
            raise _Invalid("no 'datasets' list")
        return tuple(_recorded(d, f"data file {i + 1}", _baseline_entry) for i, d in enumerate(datasets))
    if "findings" in data and isinstance(data.get("dataset"), Mapping):
        _version(data)
        dataset = dict(data["dataset"])
        raw_columns = data.get("columns")
        if isinstance(raw_columns, list) and all(isinstance(c, Mapping) for c in raw_columns):
            dataset["columns"] = [c.get("name") for c in raw_columns] or None
        else:
            dataset["columns"] = None
        dataset["findings"] = data["findings"]
        return (_recorded(dataset, "the report", _report_entry),)
    raise _Invalid("written by `preflight check --format json` or `preflight baseline`")


def _version(data: Mapping[str, Any]) -> None:
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise _Invalid(f"schema_version {version!r}; this preflight reads {SCHEMA_VERSION}")


def _recorded(raw: Any, where: str, entry: Any) -> Recorded:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("path"), str):
        raise _Invalid(f"{where} has no 'path'")
    rows = raw.get("rows")
    if rows is not None and (isinstance(rows, bool) or not isinstance(rows, int) or rows < 0):
        raise _Invalid(f"{where}: 'rows' is not a count")
    columns = raw.get("columns")
    if columns is not None and not _strings(columns):
        raise _Invalid(f"{where}: 'columns' is not a list of names")
    findings = raw.get("findings")
    if not isinstance(findings, list):
        raise _Invalid(f"{where} has no 'findings' list")
    entries = tuple(entry(f, f"finding {i + 1} of {where}") for i, f in enumerate(findings))
    return Recorded(raw["path"], rows, None if columns is None else tuple(columns), entries)


def _common(raw: Any, where: str) -> dict[str, Any]:
    """The fields a report's finding and a baseline's share, checked."""
    if not isinstance(raw, Mapping):
        raise _Invalid(f"{where} is not an object")
    code, severity, columns, message = (raw.get(k) for k in ("code", "severity", "columns", "message"))
    if not isinstance(code, str) or not _CODE.fullmatch(code):
        raise _Invalid(f"{where} has no valid 'code'")
    if severity not in _SEVERITIES:
        raise _Invalid(f"{where} has no valid 'severity'")
    if not _strings(columns):
        raise _Invalid(f"{where}: 'columns' is not a list of names")
    if not isinstance(message, str):
        raise _Invalid(f"{where} has no 'message'")
    name = raw.get("name")
    return {
        "code": code,
        "name": name if isinstance(name, str) else code,
        "severity": _SEVERITIES[severity],
        "columns": tuple(columns or ()),
        "message": message,
    }


def _count(raw: Mapping[str, Any], where: str, default: int) -> int:
    count = raw.get("row_count", default)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise _Invalid(f"{where}: 'row_count' is not a count")
    return count


def _report_entry(raw: Any, where: str) -> Entry:
    common = _common(raw, where)
    evidence = raw.get("evidence")
    rows = raw.get("rows")
    default = len(rows) if isinstance(rows, list) else 0
    kind = kind_of(common["code"], evidence if isinstance(evidence, Mapping) else {})
    return Entry(kind=kind, row_count=_count(raw, where, default), **common)


def _baseline_entry(raw: Any, where: str) -> Entry:
    common = _common(raw, where)
    kind = raw.get("kind", "")
    if not isinstance(kind, str):
        raise _Invalid(f"{where}: 'kind' is not text")
    return Entry(kind=kind, row_count=_count(raw, where, 0), **common)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)
