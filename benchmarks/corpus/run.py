"""Run ``preflight check`` with default settings on every corpus table.

Writes ``benchmarks/results/corpus.json``: per table its shape, run time and check crashes,
and every finding (table, code, severity, columns, row_count, message, the first rows).

    python benchmarks/corpus/run.py                 # the whole corpus
    python benchmarks/corpus/run.py --table boston  # one table (merged into corpus.json)

Default settings means ``preflight.check(csv_path, target=...)`` with the built-in defaults
(``Config()``; no pyproject ``[tool.preflight]`` is read), seed 0, one table at a time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))  # this worktree's preflight before an installed one


from benchmarks.corpus.tables import TABLES, Table, materialise  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "corpus.json"
MAX_ROWS = 20


def run_table(table: Table) -> dict[str, Any]:
    import preflight
    from preflight.core.config import Config

    start = time.perf_counter()
    report = preflight.check(str(table.path), target=table.target, config=Config())
    seconds = time.perf_counter() - start
    findings = [
        {
            "table": table.name,
            "code": f.code,
            "severity": f.severity.value,
            "columns": list(f.columns),
            "row_count": f.flagged_rows,
            "rows": list(f.rows[:MAX_ROWS]),
            "message": f.message,
            "fix": f.fix.summary if f.fix else None,
        }
        for f in report.findings
    ]
    return {
        "name": table.name,
        "source": table.source,
        "target": table.target,
        "rows": report.dataset.rows,
        "columns": report.dataset.columns,
        "task": str(
            report.dataset.task.value if hasattr(report.dataset.task, "value") else report.dataset.task
        ),
        "seconds": round(seconds, 2),
        "crashes": [{"code": e.code, "error": str(getattr(e, "message", e))} for e in report.errors],
        "findings": findings,
    }


def run(names: list[str] | None = None, out: Path | None = RESULTS, quiet: bool = False) -> dict[str, Any]:
    materialise()
    chosen = [t for t in TABLES if names is None or t.name in names]
    if names is not None and len(chosen) != len(names):
        raise SystemExit(f"unknown table in {names}")
    result: dict[str, Any] = {"tables": []}
    if out is not None and out.exists() and names is not None:
        previous = json.loads(out.read_text())
        known = {t.name for t in TABLES}
        result["tables"] = [
            {**t, "findings": [f for f in previous["findings"] if f["table"] == t["name"]]}
            for t in previous["tables"]
            if t["name"] not in names and t["name"] in known
        ]
    for table in chosen:
        entry = run_table(table)
        result["tables"].append(entry)
        if not quiet:
            counts = {
                s: sum(f["severity"] == s for f in entry["findings"]) for s in ("error", "warning", "info")
            }
            print(
                f"{table.name:16} {entry['seconds']:6.1f}s  {counts}  crashes={len(entry['crashes'])}",
                flush=True,
            )
    order = {t.name: i for i, t in enumerate(TABLES)}
    result["tables"].sort(key=lambda t: order.get(t["name"], 999))
    result["findings"] = [f for t in result["tables"] for f in t["findings"]]
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        slim = {
            "tables": [{k: v for k, v in t.items() if k != "findings"} for t in result["tables"]],
            "findings": result["findings"],
        }
        out.write_text(json.dumps(slim, indent=1) + "\n")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description="run preflight on the real-data corpus")
    parser.add_argument("--table", action="append", help="only this table (repeatable)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    run(args.table, args.out)


if __name__ == "__main__":
    main()
