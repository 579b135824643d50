"""What every peer runner shares: its command line, the timed read, and the JSON line.

A runner is started by benchmarks/peers.py in its peer's own virtual environment
(benchmarks/.venvs/<peer>), so this module imports nothing beyond the standard library,
pyarrow and pandas, which every one of those environments has.

The runners are named after the packages they drive (great_expectations.py, ...), so the
runner's own folder must not be on sys.path ahead of site-packages: ``hide_own_folder``
takes it off before the peer is imported.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
START = time.perf_counter()  # the runner's clock starts when this module is first imported


def hide_own_folder() -> None:
    """Drop benchmarks/peers/ from sys.path so ``import deepchecks`` finds the package, not
    the runner called deepchecks.py."""
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("path", type=Path, help="the parquet file")
    parser.add_argument("--target", default="label", help="the label column")
    return parser.parse_args()


def read(path: Path) -> tuple[Any, float]:
    """The same read as the benchmark's floor (pyarrow, then pandas), timed."""
    import pyarrow.parquet as pq

    start = time.perf_counter()
    frame = pq.read_table(path).to_pandas()
    return frame, time.perf_counter() - start


def tally(names: list[str]) -> list[str]:
    """``['a', 'b', 'a']`` -> ``['a ×2', 'b']``, most frequent first, then by name."""
    counts = Counter(names)
    order = sorted(counts, key=lambda n: (-counts[n], n))
    return [n if counts[n] == 1 else f"{n} ×{counts[n]}" for n in order]


def emit(tool: str, version: str, unit: str, found: list[str], read_s: float, **extra: Any) -> None:
    """Print the runner's one JSON line on stdout (the driver keeps the last line starting
    with ``{``): seconds since the runner started (imports and read included), how many
    ``unit``s were found and which, and the peer's version."""
    line = {
        "tool": tool,
        "version": version,
        "seconds": round(time.perf_counter() - START, 3),
        "read_seconds": round(read_s, 3),
        "unit": unit,
        "found": len(found),
        "names": tally(found),
        **extra,
    }
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()
