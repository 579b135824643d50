"""Shared benchmark plumbing: seeded data generation and whole-process measurement.

Every measured step runs in its own Python process so that wall time and peak
memory (max RSS) are those a user would see, imports included.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

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
