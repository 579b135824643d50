"""Shared benchmark plumbing: seeded data generation and whole-process measurement.

Every measured step runs in its own Python process so that wall time and peak
memory (max RSS) are those a user would see, imports included.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / ".data"


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}"


# Appended to each measured program: its own peak resident memory, in KB.
_PRINT_PEAK = (
    "\nimport resource, sys\n"
    "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
)


def measure(code: str, repeat: int = 3) -> dict[str, float]:
    """Run ``code`` in ``repeat`` fresh interpreters: median wall seconds (imports
    included, as a user sees it) and the largest peak RSS in MB."""
    wrapped = code + _PRINT_PEAK
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    walls: list[float] = []
    peaks: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-c", wrapped], env=env, capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        lines = [line for line in proc.stderr.splitlines() if line.startswith("PEAK")]
        if not lines:
            raise RuntimeError(f"benchmark step failed:\n{code}\n{proc.stderr[-2000:]}")
        peaks.append(int(lines[-1].split()[1]) / 1024)
    walls.sort()
    return {"seconds": round(walls[len(walls) // 2], 3), "peak_mb": round(max(peaks), 1)}


def dump(name: str, payload: dict[str, object]) -> Path:
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


# Appended to each program run by run_step: the exit code the CLI chose and the
# process's own peak RSS in KB. (RUSAGE_CHILDREN is no use for the workers: Linux keeps
# a forked child's high-water mark, the parent's RSS at fork time, across exec, and dask
# workers may not be reaped yet when the program ends.)
_PRINT_TREE = (
    "\nimport resource, sys\n"
    "print('EXIT', _exit_code, file=sys.stderr)\n"
    "print('PEAK', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
)


def _failure(stderr: str) -> str:
    """The line a user would read first: the first one naming an error, else the first one."""
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip() and not ln.startswith(("PEAK", "EXIT"))]
    for line in lines:
        if "error" in line.lower():
            return line[:200]
    return lines[0][:200] if lines else "no output"


def _drain(stream: IO[str] | None, sink: list[str]) -> None:
    sink.append(stream.read() if stream else "")


def run_step(
    code: str, repeat: int = 1, interval: float = 0.05, timeout: float = 3600.0
) -> dict[str, object]:
    """Like measure(), but tolerant and tree-aware: run ``code`` (which must set
    ``_exit_code``) in ``repeat`` fresh interpreters and return the median wall
    seconds, the process's own peak RSS, the largest peak RSS of any descendant (a dask
    worker) and the peak of the summed RSS of the whole process tree (both sampled with psutil every
    ``interval`` s; shared library pages count once per process, so it is an upper
    bound, and spikes shorter than the interval can be missed). A run that exits
    with code >= 2 (usage/input error, crashed check) or without its report line
    is recorded as ``{"failed": <first error line of stderr>}`` and not repeated; so is
    one still running after ``timeout`` seconds (its process tree is killed)."""
    import psutil

    wrapped = code + _PRINT_TREE
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    walls: list[float] = []
    selfs: list[float] = []
    children: list[float] = []
    trees: list[float] = []
    procs_seen = 0
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-c", wrapped],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        # stderr is drained by a thread so a chatty child cannot block on a full pipe.
        chunks: list[str] = []
        reader = threading.Thread(target=_drain, args=(proc.stderr, chunks))
        reader.start()
        root = psutil.Process(proc.pid)
        tree_peak = child_peak = 0
        while True:
            try:
                proc.wait(timeout=interval)
                break
            except subprocess.TimeoutExpired:
                pass
            if time.perf_counter() - start > timeout:
                for member in [*root.children(recursive=True), root]:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        member.kill()
                proc.wait()
                reader.join()
                return {
                    "failed": f"timed out after {timeout:.0f} s",
                    "exit": "killed",
                    "seconds": round(timeout),
                }
            total = 0
            try:
                members = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                continue
            procs_seen = max(procs_seen, len(members))
            for member in members:
                with contextlib.suppress(psutil.NoSuchProcess):
                    rss = member.memory_info().rss
                    total += rss
                    if member.pid != proc.pid:
                        child_peak = max(child_peak, rss)
            tree_peak = max(tree_peak, total)
        walls.append(time.perf_counter() - start)
        reader.join()
        stderr = "".join(chunks)
        values = {
            line.split()[0]: line.split()[1]
            for line in stderr.splitlines()
            if line.startswith(("PEAK", "EXIT")) and len(line.split()) == 2
        }
        exit_code = values.get("EXIT", "None")
        if "PEAK" not in values or (exit_code not in ("0", "1", "None")):
            return {"failed": _failure(stderr), "exit": exit_code, "seconds": round(walls[-1], 3)}
        selfs.append(int(values["PEAK"]) / 1024)
        children.append(child_peak / 2**20)
        trees.append(max(tree_peak / 2**20, selfs[-1]))
    walls.sort()
    return {
        "seconds": round(walls[len(walls) // 2], 3),
        "peak_mb": round(max(selfs), 1),
        "child_peak_mb": round(max(children), 1),
        "tree_peak_mb": round(max(trees), 1),
        "processes": procs_seen,
    }
