"""Scale benchmarks of issue 9 on a 10M rows x 20 columns parquet file (~1 GB on disk).

Measured side by side in one run, each step in a fresh interpreter (benchmarks/_harness.py
run_step: median wall time, imports included; peak RSS of the process, of its largest
descendant, and of the whole process tree sampled with psutil):

  pandas read       pandas.read_parquet(path)                        (peaks near 4 GB)
  pyarrow stream    ParquetFile(path, buffer_size=1 << 20, pre_buffer=False)
                    .iter_batches(batch_size=65536), numpy moments per numeric column
  preflight stream  preflight check FILE --target label --mode stream  (target: < 512 MB)
                    and the same with --no-models (the scan without model-based checks)
  preflight dask    preflight check FILE --target label --engine dask  (LocalCluster, 2 workers)

A step that fails (exit code >= 2, or no result) is recorded as "failed: <first error line
of stderr>" and the other figures are still written. The results go to
benchmarks/results/scale.json, and the summary of every issue-9 figure (this file's, plus
speed.py's, outliers.py's and label_noise.py's result files when present) replaces the
block between the scale markers of benchmarks/README.md.

The data are generated with a fixed seed in 500,000-row chunks through
pyarrow.parquet.ParquetWriter (20 row groups), so generating them never holds more than
one chunk; planted problems: 1,000 duplicated rows, a column 5% missing, a lognormal
(skewed) column, 100 gross outliers (1e6 in a column around 100), 1% flipped labels.

Usage:
    python benchmarks/scale.py                    # generate (once, ~1 min) and measure (~5 min)
    python benchmarks/scale.py --rows 1000000     # a smaller file, for trying the script
    python benchmarks/scale.py --readme-only      # rewrite the README block from results/*.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]
from _harness import DATA, ROOT, dump, machine, run_step  # noqa: E402

CHUNK = 500_000
README = ROOT / "benchmarks" / "README.md"
RESULTS = ROOT / "benchmarks" / "results"
BEGIN = "<!-- scale:begin (written by benchmarks/scale.py; edits inside are overwritten) -->"
END = "<!-- scale:end -->"
TARGET_MB = 512


def _chunk(rng: np.random.Generator, n: int, start: int) -> pa.Table:
    cols: dict[str, pa.Array] = {}
    for i in range(10):  # measurements on scales 1 to 1000
        cols[f"x{i}"] = pa.array(rng.normal(loc=i, scale=10.0 ** (i % 4), size=n))
    cols["skewed"] = pa.array(rng.lognormal(mean=0.0, sigma=1.5, size=n))
    cols["with_missing"] = pa.array(rng.normal(size=n), mask=rng.random(n) < 0.05)
    amount = rng.normal(100.0, 15.0, size=n)
    cols["amount"] = pa.array(amount)
    cols["count_0"] = pa.array(rng.poisson(3, size=n))
    cols["count_1"] = pa.array(rng.poisson(40, size=n))
    small = pa.array(["north", "south", "east", "west", "centre"])
    big = pa.array([f"shop_{k:04d}" for k in range(1000)])
    cols["region"] = small.take(pa.array(rng.integers(0, len(small), n)))
    cols["shop"] = big.take(pa.array(rng.integers(0, len(big), n)))
    cols["flag"] = pa.array(rng.random(n) < 0.3)
    days = rng.integers(0, 1500, n).astype("timedelta64[D]")
    cols["when"] = pa.array(np.datetime64("2020-01-01", "ns") + days.astype("timedelta64[ns]"))
    # A label the features determine, with 1% of it flipped to another class (planted
    # label noise). Noise added to the score instead would make the classes overlap,
    # which confident learning cannot tell from wrong labels.
    score = cols["x0"].to_numpy() + 0.05 * cols["x1"].to_numpy()
    label = np.digitize(score, [-0.5, 0.8])
    flip = rng.random(n) < 0.01
    label[flip] = (label[flip] + rng.integers(1, 3, n)[flip]) % 3
    cols["label"] = pa.array(np.array(["a", "b", "c"])[label])
    table = pa.table(cols)
    # Planted problems, deterministic per chunk: 50 exact duplicate rows (copies of other
    # rows of the chunk) and 5 gross outliers in `amount`.
    src = rng.choice(n, 50, replace=False)
    dst = rng.choice(np.setdiff1d(np.arange(n), src), 50, replace=False)
    order = np.arange(n)
    order[dst] = src
    table = table.take(pa.array(order))
    outliers = rng.choice(n, 5, replace=False)
    values = table.column("amount").to_numpy().copy()
    values[outliers] = 1e6
    return table.set_column(table.schema.get_field_index("amount"), "amount", pa.array(values))


def make_data(rows: int, path: Path, seed: int = 9) -> Path:
    """Write ``rows`` rows chunk by chunk; the file is reused when it exists."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    tmp = path.with_suffix(".tmp")
    writer: pq.ParquetWriter | None = None
    start = time.perf_counter()
    for begin in range(0, rows, CHUNK):
        table = _chunk(rng, min(CHUNK, rows - begin), begin)
        if writer is None:
            writer = pq.ParquetWriter(tmp, table.schema)
        writer.write_table(table, row_group_size=CHUNK)
    assert writer is not None
    writer.close()
    tmp.rename(path)  # only a complete file is ever reused
    print(f"generated {path.name} in {time.perf_counter() - start:.0f} s", flush=True)
    return path


def _cli(path: Path, *flags: str) -> str:
    argv = ["preflight", "check", str(path), "--target", "label", *flags, "-q", "--no-progress"]
    return (
        "import sys\nfrom preflight.cli import main\n"
        f"sys.argv = {argv!r}\n"
        "_exit_code = None\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    _exit_code = exc.code\n"
    )


def steps(path: Path) -> dict[str, str]:
    p = str(path)
    return {
        "pandas read": f"import pandas as pd\ndf = pd.read_parquet({p!r})\n_exit_code = 0\n",
        "pyarrow stream": (
            "import numpy as np, pyarrow as pa, pyarrow.parquet as pq\n"
            f"pf = pq.ParquetFile({p!r}, buffer_size=1 << 20, pre_buffer=False)\n"
            "acc = {}\n"
            "for batch in pf.iter_batches(batch_size=65536):\n"
            "    for name, col in zip(batch.schema.names, batch.columns):\n"
            "        a = acc.setdefault(name, [0, 0.0, 0.0, np.inf, -np.inf, 0])\n"
            "        a[5] += col.null_count\n"
            "        if pa.types.is_floating(col.type) or pa.types.is_integer(col.type):\n"
            "            x = col.to_numpy(zero_copy_only=False).astype(float)\n"
            "            x = x[np.isfinite(x)]\n"
            "            a[0] += x.size; a[1] += x.sum(); a[2] += (x * x).sum()\n"
            "            if x.size: a[3] = min(a[3], x.min()); a[4] = max(a[4], x.max())\n"
            "_exit_code = 0\n"
        ),
        "preflight stream": _cli(path, "--mode", "stream"),
        # The same without model-based checks: how much of the peak is the scan itself.
        "preflight stream --no-models": _cli(path, "--mode", "stream", "--no-models"),
        "preflight dask": _cli(path, "--engine", "dask"),
    }


def _has_streaming() -> bool:
    """Whether this checkout's CLI has the streaming mode (`preflight check --mode`)."""
    import subprocess

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run(
        [sys.executable, "-m", "preflight", "check", "--help"], env=env, capture_output=True, text=True
    ).stdout
    return re.search(r"--mode\b", out) is not None  # not --model-family / --models


def _commit() -> str:
    import subprocess

    out = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    dirty = subprocess.run(["git", "-C", str(ROOT), "diff", "--quiet", "HEAD", "--", "preflight"]).returncode
    return out.stdout.strip() + ("+changes" if dirty else "")


def load_average() -> str:
    return "{:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=1, help="runs per step (median wall)")
    parser.add_argument("--only", help="comma-separated step names")
    parser.add_argument("--timeout", type=float, default=3600.0, help="seconds before a run is killed")
    parser.add_argument("--readme-only", action="store_true")
    args = parser.parse_args()
    if not args.readme_only:
        path = make_data(args.rows, DATA / f"scale_{args.rows}x20.parquet")
        size_mb = path.stat().st_size / 2**20
        results: dict[str, dict[str, object]] = {}
        previous = _load("scale")
        if previous and previous.get("rows") == args.rows and args.only:
            results.update(previous["results"])  # keep the steps not re-run
        streaming = _has_streaming()
        for name, code in steps(path).items():
            if args.only and name not in args.only.split(","):
                continue
            if name == "preflight dask" and not streaming:
                # Without the streaming engines `--engine dask` is accepted and ignored: the
                # run would be a whole in-memory audit of 10M rows, not a dask figure.
                results[name] = {
                    "failed": "skipped: no --mode option, the streaming/dask engines have not landed",
                    "exit": "–",
                }
                print(f"{name:18} skipped (no streaming engines in this preflight)", flush=True)
                continue
            before = load_average()
            # The streaming pass is cheap and its peak varied from run to run (260-410 MB at
            # 1M rows): at least 3 runs, the largest peak kept.
            repeat = max(args.repeat, 3) if name == "pyarrow stream" else args.repeat
            result = run_step(code, repeat, timeout=args.timeout)
            result["load"] = f"{before} -> {load_average()}"
            result["commit"] = _commit()
            results[name] = result
            print(f"{name:18} {json.dumps(result)}", flush=True)
        order = list(steps(path))
        results = dict(sorted(results.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99))
        dump(
            "scale",
            {
                "machine": machine(),
                "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "rows": args.rows,
                "repeat": args.repeat,
                "file_mb": round(size_mb),
                "row_groups": pq.ParquetFile(path).metadata.num_row_groups,
                "results": results,
            },
        )
    write_readme()


# ---- the README block --------------------------------------------------------------


def _load(name: str) -> dict | list | None:  # type: ignore[type-arg]
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _stamp(name: str) -> str:
    path = RESULTS / f"{name}.json"
    return time.strftime("%Y-%m-%d", time.gmtime(path.stat().st_mtime))


def _mb(r: dict, key: str = "peak_mb") -> str:  # type: ignore[type-arg]
    return f"{r[key]:,.0f}" if key in r else "–"


def _runs(repeat: int) -> str:
    if repeat == 1:
        return "one run per step, the pyarrow pass 3 (median wall, largest peak)"
    return f"median wall and largest peak of {repeat} runs per step (the pyarrow pass at least 3)"


def _scale_tables(scale: dict) -> list[str]:  # type: ignore[type-arg]
    res = scale["results"]
    out = [
        f"**Memory and engines** ({scale['rows']:,} rows × 20 columns, {scale['file_mb']:,} MB parquet in "
        f"{scale['row_groups']} row groups; written {scale['date']}; {_runs(scale.get('repeat', 1))}):",
        "",
        "| step | wall s | peak RSS MB (process) | largest child process MB | process tree MB | processes "
        "| load (1/5/15 min) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in res.items():
        if "failed" in r and r["failed"].startswith("skipped"):
            out.append(f"| {name} | pending ({r['failed']}) | | | | | |")
            continue
        if "failed" in r:
            out.append(f"| {name} | failed: `{r['failed']}` (exit {r['exit']}) | | | | | |")
            continue
        child = _mb(r, "child_peak_mb") if r.get("processes", 1) > 1 else "–"
        out.append(
            f"| {name} | {r['seconds']:.1f} | {_mb(r)} | {child} | {_mb(r, 'tree_peak_mb')} | "
            f"{r.get('processes', 1)} | {r.get('load', '')} |"
        )
    read, stream = res.get("pandas read", {}), res.get("pyarrow stream", {})
    pre, dask = res.get("preflight stream", {}), res.get("preflight dask", {})
    commits = sorted({str(r["commit"]) for r in res.values() if "commit" in r})
    if commits:
        out[1:1] = ["", f"Code: preflight at commit {', '.join(commits)}."]
    ok = [n for n in (read, stream, pre, dask) if n and "failed" not in n]

    def ratio(a: dict, b: dict, key: str) -> str:  # type: ignore[type-arg]
        if a in ok and b in ok:
            return f"{a[key] / b[key]:.2f}×"
        return "pending"

    out += ["", "| ratio | value | target |", "| --- | --- | --- |"]
    out.append(f"| pyarrow stream peak / pandas read peak | {ratio(stream, read, 'peak_mb')} | |")
    out.append(f"| pyarrow stream wall / pandas read wall | {ratio(stream, read, 'seconds')} | |")
    for name in ("preflight stream", "preflight stream --no-models"):
        r = res.get(name, {})
        met = "pending"
        if r and "failed" not in r:
            met = "met" if r["tree_peak_mb"] < TARGET_MB else "**not met**"
            met = f"{r['tree_peak_mb']:,.0f} MB: {met}"
        out.append(f"| {name}: peak | {met} | < {TARGET_MB} MB |")
    out.append(f"| preflight stream peak / pandas read peak | {ratio(pre, read, 'peak_mb')} | |")
    out.append(f"| preflight stream peak / pyarrow stream peak | {ratio(pre, stream, 'peak_mb')} | |")
    out.append(f"| preflight stream wall / pyarrow stream wall | {ratio(pre, stream, 'seconds')} | |")
    scan = res.get("preflight stream --no-models", {})
    ok += [scan] if scan and "failed" not in scan else []
    out.append(
        f"| preflight stream --no-models wall / pyarrow stream wall | {ratio(scan, stream, 'seconds')} | |"
    )
    out.append(f"| preflight stream --no-models wall / pandas read wall | {ratio(scan, read, 'seconds')} | |")
    out.append(f"| dask wall / local stream wall | {ratio(dask, pre, 'seconds')} | |")
    out.append(f"| dask process-tree peak / local stream peak | {ratio(dask, pre, 'tree_peak_mb')} | |")
    if dask in ok and dask.get("processes", 1) < 3:
        out.append("")
        out.append(
            "Note: the dask run never had more than "
            f"{dask.get('processes', 1)} process(es), so no LocalCluster worker ran: "
            "`--engine dask` was accepted but the work ran in the client."
        )
    return out


def _speed_table(speed: dict) -> list[str]:  # type: ignore[type-arg]
    res = speed["results"]
    read = res["read"]["seconds"]
    out = [
        f"**Audit without model-based checks** ({speed['rows']:,} rows × 50 mixed columns; "
        f"`benchmarks/speed.py`, median of its runs, measured {_stamp('speed')}):",
        "",
        "| step | wall s | × read | peak MB |",
        "| --- | --- | --- | --- |",
    ]
    for name, r in res.items():
        out.append(f"| {name} | {r['seconds']:.2f} | {r['seconds'] / read:.2f} | {r['peak_mb']:,.0f} |")
    ratio = res["preflight"]["seconds"] / read
    verdict = "met" if ratio <= 1.5 else "**not met**"
    out += [
        "",
        f"preflight / read = {ratio:.2f}× (target ≤ 1.5×: {verdict}; describe / read = "
        f"{res['describe']['seconds'] / read:.2f}×).",
    ]
    return out


def _quality_tables(outliers: dict | None, noise: list | None) -> list[str]:  # type: ignore[type-arg]
    out = ["**Label noise and outliers vs cleanlab Datalab** (the same 100,000 × 20 table):", ""]
    out += [
        "| check | method | noise | F1 | precision | recall | wall s | peak MB | measured |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    if noise:
        rows = [
            r
            for r in noise
            if r["dataset"] == "synth_100k"
            and r["noise"] != "clean"
            and r["method"] in ("preflight", "cleanlab-datalab")
        ]
        for r in rows:
            name = "LB001" if r["method"] == "preflight" else "Datalab `label`"
            out.append(
                f"| label noise | {name} | {r['noise']} | {r['f1']:.3f} | {r['precision']:.3f} | "
                f"{r['recall']:.3f} | {r['seconds']:.1f} | – | {_stamp('label_noise')} |"
            )
    else:
        out.append("| label noise | – | – | not run (`label_noise.py --json`) | | | | | |")
    if outliers:
        for r in outliers["results"]:
            name = "OL001 ∪ OL002" if r["method"] == "preflight" else "Datalab `outlier`"
            out.append(
                f"| outliers | {name} | 100 rows × 3 values at 8–12 SD | {r['f1']:.3f} | "
                f"{r['precision']:.3f} | "
                f"{r['recall']:.3f} | {r['seconds']:.1f} | {r['peak_mb']:,.0f} | {_stamp('outliers_100k')} |"
            )
    else:
        out.append("| outliers | – | – | not run (`outliers.py`) | | | | | |")
    return out


def write_readme() -> None:
    block = [BEGIN, "", f"Machine: {machine()}.", ""]
    speed, scale = _load("speed"), _load("scale")
    if isinstance(speed, dict):
        block += [*_speed_table(speed), ""]
    if isinstance(scale, dict):
        block += [*_scale_tables(scale), ""]
    outliers, noise = _load("outliers_100k"), _load("label_noise")
    block += [
        *_quality_tables(
            outliers if isinstance(outliers, dict) else None, noise if isinstance(noise, list) else None
        ),
        "",
        END,
    ]
    text = README.read_text()
    new = "\n".join(block)
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: new, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + new + "\n"
    README.write_text(text)
    print(f"wrote the scale block of {README.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
