"""preflight side by side with its peers (issue 19): wall time, peak memory, what each found.

For each table size (mixed_<rows>x50.parquet from benchmarks/speed.py's make_data: 20k,
200k and 1M rows x 50 columns), in one interleaved run, each step in a fresh process
(benchmarks/_harness.py run_step):

  pandas read                 pyarrow read_table(...).to_pandas()  (the floor: median of 6 runs,
                              3 before the other steps and 3 after)
  preflight                   preflight check FILE --target label  (every default check, models included)
  preflight --no-models       the same without the model-based checks
  ydata-profiling minimal     benchmarks/peers/ydata_profiling.py    in benchmarks/.venvs/ydata-profiling
  Great Expectations          benchmarks/peers/great_expectations.py in benchmarks/.venvs/great-expectations
  Deepchecks data_integrity   benchmarks/peers/deepchecks.py         in benchmarks/.venvs/deepchecks
  cleanlab Datalab            benchmarks/peers/datalab.py            in benchmarks/.venvs/datalab
                              (20k rows only; 200k with --datalab-200k, 10+ minutes)

Each peer has its own virtual environment because their pins conflict (Deepchecks needs
pandas<2.3, numpy<2, scikit-learn<1.7, pyarrow<20); `make bench-peers` creates them from
benchmarks/peers/requirements-<peer>.txt. Every step is started the same way: run_step runs
a small launcher that starts the step's command (the peer's interpreter, or --python for
the read and preflight) and waits for it, so the wall time is the launcher's (the command's
interpreter start and imports included) and the peak memory is the command's own maximum
RSS (getrusage of the waited-for child; a peer's worker processes show in the sampled
process-tree peak, kept in the JSON). Ratios are to the read of the same size in the same run.

Results: benchmarks/results/peers.json (sizes not re-run are kept from the previous file);
then the block between the peers markers of benchmarks/README.md and of README.md is
rewritten from it.

Usage:
    python benchmarks/peers/run.py                          # 20k, 200k, 1M; every arm
    python benchmarks/peers/run.py --rows 20000             # one size (the others are kept)
    python benchmarks/peers/run.py --rows 20000 --only preflight,ydata-profiling
    python benchmarks/peers/run.py --datalab-200k           # + Datalab on 200k rows
    python benchmarks/peers/run.py --root ../other-checkout --python /path/to/venv/bin/python
    python benchmarks/peers/run.py --readme-only            # rewrite both blocks from the JSON
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
BENCH = HERE.parent
# This folder holds runners named after the packages they drive (deepchecks.py, ...): keep
# it off the import path, and put benchmarks/ on it for the harness and make_data.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path[:0] = [str(BENCH), str(BENCH.parent)]
from _harness import DATA, ROOT, machine, run_step  # noqa: E402
from speed import make_data  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "peers.json"
VENVS = ROOT / "benchmarks" / ".venvs"
READMES = (ROOT / "benchmarks" / "README.md", ROOT / "README.md")
BEGIN = "<!-- peers:begin (written by benchmarks/peers/run.py; edits inside are overwritten) -->"
END = "<!-- peers:end -->"
SIZES = (20_000, 200_000, 1_000_000)
TARGET = "label"


@dataclass(frozen=True)
class Peer:
    key: str  # --only name, venv folder and requirements-<key>.txt
    title: str  # the table's "tool"
    runner: str  # file in benchmarks/peers/
    max_rows: int  # larger tables are not run (recorded as skipped)


PEERS = (
    Peer("ydata-profiling", "ydata-profiling (minimal)", "ydata_profiling.py", 10**9),
    Peer("great-expectations", "Great Expectations", "great_expectations.py", 10**9),
    Peer("deepchecks", "Deepchecks data_integrity", "deepchecks.py", 10**9),
    Peer("datalab", "cleanlab Datalab", "datalab.py", 20_000),
)
PREFLIGHT = {"preflight": (), "preflight --no-models": ("--no-models",)}


# ---- running ------------------------------------------------------------------------


def _launcher(cmd: list[str], pythonpath: str | None, out: Path) -> str:
    """The program run_step measures: start ``cmd``, wait, and leave in ``out`` its exit
    code, its peak RSS and the last JSON line it printed. A failing command's stderr is
    passed on, so that run_step records its first error line. The command gets this
    environment with PYTHONPATH set to ``pythonpath``, or unset (a peer's environment must
    not import this checkout), and progress bars off for every tool (preflight also gets
    --no-progress)."""
    return (
        "import json, os, resource, subprocess, sys\n"
        "env = {k: v for k, v in os.environ.items() if k != 'PYTHONPATH'}\n"
        "env['TQDM_DISABLE'] = '1'\n"
        + (f"env['PYTHONPATH'] = {pythonpath!r}\n" if pythonpath else "")
        + f"proc = subprocess.run({cmd!r}, env=env, capture_output=True, text=True)\n"
        "peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "lines = [ln for ln in proc.stdout.splitlines() if ln.startswith('{')]\n"
        "line = json.loads(lines[-1]) if lines else None\n"
        f"with open({str(out)!r}, 'w') as fh:\n"
        "    json.dump({'returncode': proc.returncode, 'peak_kb': peak_kb, 'line': line}, fh)\n"
        "if proc.returncode not in (0, 1):\n"
        "    sys.stderr.write(proc.stderr[-4000:])\n"
        "_exit_code = proc.returncode\n"
    )


def _measure(cmd: list[str], pythonpath: str | None, repeat: int, timeout: float) -> dict[str, Any]:
    before = _load_average()
    with tempfile.TemporaryDirectory(prefix="peers-") as tmp:
        out = Path(tmp) / "launcher.json"
        result: dict[str, Any] = run_step(_launcher(cmd, pythonpath, out), repeat, timeout=timeout)
        if out.exists():
            launched = json.loads(out.read_text())
            if "failed" not in result:
                result["peak_mb"] = round(launched["peak_kb"] / 1024, 1)
            if launched["line"] is not None:
                result["line"] = launched["line"]
            result["returncode"] = launched["returncode"]
    result["load"] = f"{before} -> {_load_average()}"
    return result


def _preflight_step(path: Path, flags: tuple[str, ...], args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="peers-report-") as tmp:
        report = Path(tmp) / "report.json"
        cmd = [args.python, "-m", "preflight", "check", str(path), "--target", TARGET, *flags]
        cmd += ["--format", "json", "-o", str(report), "--no-progress"]
        result = _measure(cmd, str(args.root), 1, args.timeout)
        if report.exists() and "failed" not in result:
            result["line"] = summarize_report(json.loads(report.read_text()))
    return result


_SEVERITIES = ["error", "warning", "info"]


def summarize_report(report: dict[str, Any]) -> dict[str, Any]:
    """A preflight JSON report as a runner's line: how many findings, which codes."""
    findings = report.get("findings", [])
    severities = Counter(str(f.get("severity")) for f in findings)
    codes = Counter(str(f.get("code")) for f in findings)
    # The worst severity a code reached comes first (an error before any warning), then count.
    worst: dict[str, int] = {}
    for f in findings:
        rank = _SEVERITIES.index(f["severity"]) if f.get("severity") in _SEVERITIES else 9
        worst[str(f.get("code"))] = min(worst.get(str(f.get("code")), 9), rank)
    order = sorted(codes, key=lambda c: (worst[c], -codes[c], c))
    names = [c if codes[c] == 1 else f"{c} ×{codes[c]}" for c in order]
    return {
        "tool": "preflight",
        "version": str(report.get("preflight_version", "?")),
        "unit": "findings",
        "found": len(findings),
        "names": names,
        "severities": dict(sorted(severities.items())),
    }


def _peer_step(peer: Peer, path: Path, args: argparse.Namespace) -> dict[str, Any]:
    python = args.venvs / peer.key / "bin" / "python"
    if not python.exists():
        return {"failed": f"no {python}: `make bench-peers` creates it", "exit": "–"}
    cmd = [str(python), str(HERE / peer.runner), str(path), "--target", TARGET]
    return _measure(cmd, None, 1, args.timeout)


READS = 6


def floor(reads: list[dict[str, Any]]) -> dict[str, Any]:
    """The read's runs as one step: median wall seconds, largest peak, every run's seconds."""
    failed = [r for r in reads if "failed" in r]
    if failed:
        return failed[0]
    walls = sorted(float(r["seconds"]) for r in reads)
    middle = len(walls) // 2
    median = walls[middle] if len(walls) % 2 else (walls[middle - 1] + walls[middle]) / 2
    return {
        "seconds": round(median, 3),
        "peak_mb": max(float(r["peak_mb"]) for r in reads),
        "tree_peak_mb": max(float(r.get("tree_peak_mb", 0.0)) for r in reads),
        "processes": max(int(r.get("processes", 1)) for r in reads),
        "runs_s": [float(r["seconds"]) for r in reads],
        "load": f"{reads[0]['load'].split(' -> ')[0]} -> {reads[-1]['load'].split(' -> ')[-1]}",
    }


def run_size(rows: int, args: argparse.Namespace, only: set[str] | None) -> dict[str, Any]:
    path = make_data(rows, DATA / f"mixed_{rows}x50.parquet")
    steps: dict[str, Any] = {}

    def wanted(name: str) -> bool:
        return only is None or name in only

    def record(name: str, result: dict[str, Any]) -> None:
        steps[name] = result
        shown = {k: v for k, v in result.items() if k != "line"}
        print(f"{rows:>9,} {name:<28} {json.dumps(shown)}", flush=True)

    read = [args.python, "-c", f"import pyarrow.parquet as pq; pq.read_table({str(path)!r}).to_pandas()"]
    # The floor is read 3 times before this table's steps and 3 times after, so that a
    # burst of load on a shared machine moves it less than it would a single run.
    reads = [_measure(read, None, 1, args.timeout) for _ in range(READS // 2)]
    steps["pandas read"] = {}  # first in the table
    for name, flags in PREFLIGHT.items():
        if wanted(name):
            record(name, _preflight_step(path, flags, args))
    for peer in PEERS:
        if not wanted(peer.key):
            continue
        limit = 200_000 if peer.key == "datalab" and args.datalab_200k else peer.max_rows
        if rows > limit:
            continue
        record(peer.key, _peer_step(peer, path, args))
    reads += [_measure(read, None, 1, args.timeout) for _ in range(READS - READS // 2)]
    record("pandas read", floor(reads))
    return {
        "rows": rows,
        "columns": 50,
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": _commit(args.root),
        "steps": steps,
    }


def _load_average() -> str:
    return "{:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


def _commit(root: Path) -> str:
    head = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    dirty = subprocess.run(["git", "-C", str(root), "diff", "--quiet", "HEAD", "--", "preflight"]).returncode
    return head.stdout.strip() + ("+changes" if dirty else "")


def _load_results() -> dict[str, Any]:
    if RESULTS.exists():
        loaded: dict[str, Any] = json.loads(RESULTS.read_text())
        return loaded
    return {"sizes": {}}


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    tmp.replace(path)


# ---- the README blocks --------------------------------------------------------------


def cell(text: object) -> str:
    """Text safe inside a markdown table cell: one line, no column breaks, no HTML."""
    out = " ".join(str(text).split())
    for raw, safe in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("|", "\\|")):
        out = out.replace(raw, safe)
    return out


def grouped(names: list[str], max_columns: int = 4) -> list[str]:
    """``['between(a)', 'between(b)', 'not_null(c)']`` -> ``['between ×2 (a, b)',
    'not_null (c)']``: one entry per kind, its first columns named."""
    groups: dict[str, list[str]] = {}
    for name in names:
        match = re.fullmatch(r"(\w+)\((.*)\)", name)
        kind, column = (match.group(1), match.group(2)) if match else (name, "")
        groups.setdefault(kind, [])
        if column:
            groups[kind].append(column)
    out = []
    for kind, columns in groups.items():
        if not columns:
            out.append(kind)
            continue
        shown = ", ".join(columns[:max_columns]) + (", …" if len(columns) > max_columns else "")
        out.append(f"{kind}{f' ×{len(columns)}' if len(columns) > 1 else ''} ({shown})")
    return out


def severity_text(severities: dict[str, int]) -> str:
    """``{"info": 1, "warning": 2}`` -> ``2 warnings, 1 info``: the worst first."""
    ranked = sorted(
        severities.items(), key=lambda kv: _SEVERITIES.index(kv[0]) if kv[0] in _SEVERITIES else 9
    )
    return ", ".join(f"{n} {s}{'s' if n != 1 and s != 'info' else ''}" for s, n in ranked)


def found_text(result: dict[str, Any], max_names: int = 6) -> str:
    """What a step found, short: ``9 of 102 expectations failed: between ×8 (...), ...``."""
    if "failed" in result:
        return f"did not finish: {result['failed']}"
    line = result.get("line")
    if not isinstance(line, dict):
        return "–"
    names = grouped([str(n) for n in line.get("names", [])])
    shown = ", ".join(names[:max_names]) + (
        f" (+{len(names) - max_names} more)" if len(names) > max_names else ""
    )
    count = f"{line['found']} {line['unit']}"
    if "expectations" in line:
        count = f"{line['found']} of {line['expectations']} expectations failed"
    if line.get("severities"):
        count += f" ({severity_text(line['severities'])})"
    text = f"{count}: {shown}" if shown else count
    if line.get("not_run"):
        text += "; not run: " + ", ".join(str(n) for n in line["not_run"])
    return text


def _title(name: str) -> str:
    for peer in PEERS:
        if peer.key == name:
            return peer.title
    return name


def table(results: dict[str, Any]) -> list[str]:
    out = [
        "| work | tool | wall s | × read | peak MB | what it found |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for key in sorted(results.get("sizes", {}), key=int):
        size = results["sizes"][key]
        steps = size["steps"]
        floor = (
            steps.get("pandas read", {}).get("seconds")
            if "failed" not in steps.get("pandas read", {})
            else None
        )
        work = f"{size['rows']:,} × {size['columns']}"
        for name, r in steps.items():
            if "failed" in r:
                wall, ratio, peak = "–", "–", "–"
            else:
                wall = f"{r['seconds']:,.1f}"
                ratio = f"{r['seconds'] / floor:,.1f}×" if floor else "–"
                peak = f"{r['peak_mb']:,.0f}"
                if r.get("processes", 1) > 2 and r.get("tree_peak_mb", 0) > 1.25 * r["peak_mb"]:
                    peak += f" (tree {r['tree_peak_mb']:,.0f})"
            what = "the floor: pyarrow read + to_pandas" if name == "pandas read" else found_text(r)
            out.append(f"| {work} | {cell(_title(name))} | {wall} | {ratio} | {peak} | {cell(what)} |")
    return out


def versions(results: dict[str, Any]) -> str:
    seen: dict[str, str] = {}
    for size in results.get("sizes", {}).values():
        for r in size["steps"].values():
            line = r.get("line")
            if isinstance(line, dict) and "tool" in line:
                seen.setdefault(str(line["tool"]), str(line["version"]))
    return ", ".join(f"{tool} {version}" for tool, version in seen.items())


def block(results: dict[str, Any]) -> str:
    sizes = results.get("sizes", {})
    if not sizes:
        return "\n".join([BEGIN, "", "Not measured yet: `make bench-peers`.", "", END])
    dates = sorted({s["date"] for s in sizes.values()})
    loads = [
        float(r["load"].split("/")[0].split()[-1])
        for s in sizes.values()
        for r in s["steps"].values()
        if isinstance(r.get("load"), str)
    ]
    load = f" at load {min(loads):.1f}–{max(loads):.1f} (1-minute average)" if loads else ""
    commits = sorted({s["commit"] for s in sizes.values()})
    lines = [
        BEGIN,
        "",
        f"Machine: {cell(results.get('machine', '?'))}; measured {dates[0]}"
        + (f" to {dates[-1]}" if len(dates) > 1 else "")
        + f"{load}, preflight at {', '.join(commits)}. One run per step (the read: median of 6, "
        "3 before and 3 after the others), each in a fresh process, imports included; × read is to "
        "the read of the same table in the same run; peak MB is the process's maximum RSS.",
        "",
        *table(results),
        "",
        f"Versions: {cell(versions(results))}.",
        "",
        END,
    ]
    return "\n".join(lines)


def write_readmes(results: dict[str, Any]) -> None:
    new = block(results)
    for readme in READMES:
        text = readme.read_text()
        if BEGIN.split(" (")[0] not in text or END not in text:
            print(f"no peers markers in {readme.relative_to(ROOT)}: left alone", file=sys.stderr)
            continue
        pattern = re.escape(BEGIN.split(" (")[0]) + r".*?" + re.escape(END)
        _write_atomically(readme, re.sub(pattern, lambda _: new, text, count=1, flags=re.S))
        print(f"wrote the peers block of {readme.relative_to(ROOT)}")


# ---- the command line -----------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", default=",".join(map(str, SIZES)), help="comma-separated table sizes")
    parser.add_argument(
        "--only", help="comma-separated steps: preflight, 'preflight --no-models', or peer names"
    )
    parser.add_argument("--datalab-200k", action="store_true", help="run Datalab on 200k rows too (10+ min)")
    parser.add_argument("--python", default=sys.executable, help="interpreter for the read and preflight")
    parser.add_argument("--root", type=Path, default=ROOT, help="the preflight checkout to import")
    parser.add_argument("--venvs", type=Path, default=VENVS, help="folder of the peers' virtual environments")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds before a step is killed")
    parser.add_argument("--readme-only", action="store_true", help="rewrite the README blocks from the JSON")
    args = parser.parse_args()
    args.root = args.root.resolve()
    results = _load_results()
    if not args.readme_only:
        only = {s.strip() for s in args.only.split(",")} if args.only else None
        results["machine"] = machine()
        for rows in (int(r) for r in args.rows.split(",")):
            results["sizes"][str(rows)] = run_size(rows, args, only)
            _write_atomically(RESULTS, json.dumps(results, indent=2) + "\n")  # a late crash keeps the rest
    write_readmes(results)


if __name__ == "__main__":
    main()
