"""Speed of the audit without model-based checks, as a ratio of the raw read.

1M rows x 50 mixed columns (parquet), generated with a fixed seed. Measured side by
side in one run, each step in a fresh process:
  read      pyarrow.parquet.read_table(...).to_pandas()           (the floor)
  describe  read + DataFrame.describe(include="all")              (reference)
  preflight the whole CLI: read + every non-model check + report

Usage: python benchmarks/speed.py [--rows N] [--repeat R]
       python benchmarks/speed.py --per-check [--root CHECKOUT]

``--per-check`` times each check in one process instead (the file read once; each
repeat a fresh profile, so every check pays for the statistics it is first to ask
for): wall and CPU seconds, best of ``--repeat``. CPU seconds are steadier than wall
on a machine shared with other jobs. ``--root`` imports preflight from another
checkout (e.g. the main branch, for before/after figures).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]
from _harness import DATA, dump, machine, measure  # noqa: E402


def make_data(rows: int, path: Path) -> Path:
    if path.exists():
        return path
    rng = np.random.default_rng(42)
    cols: dict[str, object] = {}
    for i in range(30):  # continuous measurements on various scales
        cols[f"num_{i}"] = rng.normal(loc=i, scale=10.0 ** (i % 5), size=rows)
    for i in range(8):  # counts
        cols[f"int_{i}"] = rng.poisson(3 + i, size=rows)
    for i in range(8):  # categoricals of growing cardinality
        levels = np.array([f"level_{k}" for k in range(3 * (i + 1) ** 2)])
        cols[f"cat_{i}"] = levels[rng.integers(0, len(levels), size=rows)]
    cols["flag"] = rng.random(rows) < 0.3
    cols["when"] = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 1500, rows), unit="D")
    cols["with_missing"] = np.where(rng.random(rows) < 0.05, np.nan, rng.normal(size=rows))
    cols["label"] = rng.choice(["a", "b", "c"], size=rows, p=[0.5, 0.3, 0.2])
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(cols).to_parquet(path, index=False)
    return path


def per_check(path: Path, repeat: int) -> None:
    """Wall and CPU seconds of each non-model check, in process (best of ``repeat``)."""
    import gc
    import time

    from preflight.checks import REGISTRY
    from preflight.checks.base import Context
    from preflight.core.config import Config
    from preflight.data.dataset import load_dataset
    from preflight.data.profile import Profile
    from preflight.data.profile.summary import summarize
    from preflight.data.semantics.stage import with_semantics
    from preflight.run import selected_checks, unmet_need

    cheap = tuple(sorted(code for code, c in REGISTRY.items() if not c.model_based))
    config = Config(select=cheap, models=False)
    start = time.perf_counter()
    dataset = load_dataset(path, target="label")
    print(f"load: {time.perf_counter() - start:.2f} s")
    best: dict[str, tuple[float, float]] = {}

    def keep(name: str, wall: float, cpu: float) -> None:
        old = best.get(name, (float("inf"), float("inf")))
        best[name] = (min(old[0], wall), min(old[1], cpu))

    for _ in range(repeat):
        gc.collect()
        total_wall, total_cpu = time.perf_counter(), time.process_time()
        # The semantics stage, as the run does it: on the profile the checks then inherit.
        raw = Profile(dataset)
        wall, cpu = time.perf_counter(), time.process_time()
        understood = with_semantics(dataset, raw, {})
        keep("semantics", time.perf_counter() - wall, time.process_time() - cpu)
        ctx = Context(dataset=understood, profile=Profile(understood, raw), config=config)
        for check in selected_checks(config):
            if unmet_need(check, understood, config):
                continue
            wall, cpu = time.perf_counter(), time.process_time()
            list(check.run(ctx))
            keep(check.code, time.perf_counter() - wall, time.process_time() - cpu)
        wall, cpu = time.perf_counter(), time.process_time()
        summarize(ctx.profile, understood)
        keep("profile summary", time.perf_counter() - wall, time.process_time() - cpu)
        keep("TOTAL", time.perf_counter() - total_wall, time.process_time() - total_cpu)
    print(f"{'check':<16} {'wall s':>7} {'cpu s':>7}")
    for name, (wall, cpu) in sorted(best.items(), key=lambda kv: -kv[1][1]):
        print(f"{name:<16} {wall:>7.3f} {cpu:>7.3f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--per-check", action="store_true", help="time each check in one process")
    parser.add_argument("--root", type=Path, help="import preflight from this checkout (with --per-check)")
    args = parser.parse_args()
    path = make_data(args.rows, DATA / f"mixed_{args.rows}x50.parquet")
    if args.per_check:
        if args.root is not None:
            sys.path.insert(0, str(args.root.resolve()))
        per_check(path, args.repeat)
        return
    from preflight.checks import REGISTRY

    cheap = ",".join(sorted(code for code, c in REGISTRY.items() if not c.model_based))
    read = f"import pyarrow.parquet as pq; pq.read_table({str(path)!r}).to_pandas()"
    steps = {
        "read": f"{read}",
        "describe": f"{read}.describe(include='all')",
        "preflight": (
            "import sys; from preflight.cli import main; "
            f"sys.argv=['preflight','check',{str(path)!r},'--target','label','--select',{cheap!r},'-q']\n"
            "try:\n    main()\nexcept SystemExit:\n    pass"
        ),
    }
    results = {name: measure(code, args.repeat) for name, code in steps.items()}
    floor = results["read"]["seconds"]
    print(f"machine: {machine()}")
    print(f"data: {args.rows:,} rows x 50 columns, {path.stat().st_size / 2**20:.0f} MB parquet")
    print(f"{'step':<10} {'seconds':>8} {'x read':>7} {'peak MB':>8}")
    for name, r in results.items():
        print(f"{name:<10} {r['seconds']:>8.2f} {r['seconds'] / floor:>7.2f} {r['peak_mb']:>8.0f}")
    dump("speed", {"machine": machine(), "rows": args.rows, "results": results})


if __name__ == "__main__":
    main()
