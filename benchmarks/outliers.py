"""Outlier detection: preflight OL001/OL002 against cleanlab Datalab's ``outlier`` issue type.

Data: scikit-learn's breast-cancer table with 10 planted rows per seed whose values in
3 random columns are multiplied by 20-30 (gross unit/entry errors), and clean Gaussian
data (no outlier at all). Reports recall on the planted rows, precision of the flagged
list and wall time; then the time preflight takes to score 1M rows x 30 columns.

    /work/venv/bin/python benchmarks/outliers.py            # everything (a few minutes)
    /work/venv/bin/python benchmarks/outliers.py --no-large  # skip the 1M-row timing
    /work/venv/bin/python benchmarks/outliers.py --datalab-100k  # + Datalab on the 100k case (~4 min more)

The 100k-row case (issue 9) uses label_noise.py's ``synth_100k`` features (the same
100,000 x 20 table as the label-noise benchmark) with 100 planted rows whose values in 3
columns are moved 8-12 standard deviations; each arm runs in its own fresh process
(peak RSS is that arm's). Datalab's kNN graph on 100k rows takes minutes, so its arm is
opt-in (``--datalab-100k``); preflight's arm always runs.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.datasets import load_breast_cancer
from threadpoolctl import threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import preflight

SEEDS = range(5)


def planted(seed: int, n_rows: int = 10) -> tuple[pd.DataFrame, set[int]]:
    rng = np.random.default_rng(seed)
    frame = load_breast_cancer(as_frame=True).frame
    rows = rng.choice(len(frame), n_rows, replace=False)
    for row in rows:
        for col in rng.choice(frame.shape[1] - 1, 3, replace=False):
            frame.iloc[row, col] *= rng.uniform(20, 30)
    return frame, {int(r) for r in rows}


def run_preflight(frame: pd.DataFrame, target: str | None) -> tuple[dict[str, set[int]], float]:
    start = time.perf_counter()
    report = preflight.check(frame, target=target, select="OL")
    elapsed = time.perf_counter() - start
    flagged: dict[str, set[int]] = {"OL001": set(), "OL002": set()}
    for f in report.findings:
        if f.severity >= preflight.Severity.WARNING:
            flagged[f.code] |= set(f.rows)
    flagged["OL001+OL002"] = flagged["OL001"] | flagged["OL002"]
    return flagged, elapsed


def run_datalab(frame: pd.DataFrame, target: str | None) -> tuple[set[int], float]:
    from cleanlab import Datalab

    features = frame.drop(columns=[target]) if target else frame
    # Datalab needs a numeric matrix; standardise it as its docs advise.
    x = features.to_numpy(dtype=float)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    start = time.perf_counter()
    with threadpool_limits(limits=1):
        lab = Datalab(
            data=pd.DataFrame({"y": frame[target]}) if target else {"y": np.zeros(len(frame))},
            label_name="y",
            verbosity=0,
        )
        lab.find_issues(features=x, issue_types={"outlier": {}})
    elapsed = time.perf_counter() - start
    issues = lab.get_issues("outlier")
    return set(np.flatnonzero(issues["is_outlier_issue"].to_numpy()).tolist()), elapsed


def score(flagged: set[int], truth: set[int]) -> tuple[float, float]:
    hits = len(flagged & truth)
    return hits / len(truth), (hits / len(flagged) if flagged else float("nan"))


def planted_table() -> None:
    rows: dict[str, list[tuple[float, float, int, float]]] = {}
    for seed in SEEDS:
        frame, truth = planted(seed)
        flagged, t = run_preflight(frame, "target")
        for name, got in flagged.items():
            rows.setdefault(f"preflight {name}", []).append((*score(got, truth), len(got), t))
        got, t = run_datalab(frame, "target")
        rows.setdefault("Datalab outlier", []).append((*score(got, truth), len(got), t))
    print("\nbreast cancer (569 rows x 30), 10 planted rows x 3 values x 20-30, mean over 5 seeds")
    _print(rows)


def tall_and_light(seed: int) -> tuple[pd.DataFrame, set[int]]:
    """Height/weight (r = 0.9) + age + city; 10 rows tall and light, each value within 2.5 SD."""
    rng = np.random.default_rng(seed)
    n = 3000
    height = rng.normal(170, 10, n)
    frame = pd.DataFrame(
        {
            "height_cm": height,
            "weight_kg": 70 + 9 * (height - 170) / 10 + rng.normal(0, 4.4, n),
            "age": rng.integers(18, 90, n),
            "city": rng.choice(["Oslo", "Lima", "Pune"], n),
            "y": rng.integers(0, 2, n),
        }
    )
    rows = rng.choice(n, 10, replace=False)
    frame.loc[rows, "height_cm"] = rng.uniform(192, 195, 10)
    frame.loc[rows, "weight_kg"] = rng.uniform(47, 51, 10)
    return frame, {int(r) for r in rows}


def combination_table() -> None:
    rows: dict[str, list[tuple[float, float, int, float]]] = {}
    for seed in SEEDS:
        frame, truth = tall_and_light(seed)
        flagged, t = run_preflight(frame, "y")
        got = flagged["OL001+OL002"]
        rows.setdefault("preflight OL001+OL002", []).append((*score(got, truth), len(got), t))
        numeric = frame[["height_cm", "weight_kg", "age", "y"]]
        got, t = run_datalab(numeric, "y")
        rows.setdefault("Datalab outlier", []).append((*score(got, truth), len(got), t))
    print(
        "\nheight/weight (3,000 rows), 10 planted tall-and-light rows (each value plausible), mean of 5 seeds"
    )
    _print(rows)


def clean_bc() -> None:
    frame = load_breast_cancer(as_frame=True).frame
    flagged, _ = run_preflight(frame, "target")
    got, _ = run_datalab(frame, "target")
    print(
        f"\nclean breast cancer: preflight flags {len(flagged['OL001+OL002'])} rows "
        f"{sorted(flagged['OL001+OL002'])}; Datalab flags {len(got)} rows"
    )


def _print(rows: dict[str, list[tuple[float, float, int, float]]]) -> None:
    print(f"{'method':26s} {'recall':>7s} {'precision':>9s} {'flagged':>8s} {'time s':>7s}")
    for name, vals in rows.items():
        a = np.array(vals, dtype=float)
        recall, precision, flagged, seconds = (
            a[:, 0].mean(),
            np.nanmean(a[:, 1]),
            a[:, 2].mean(),
            a[:, 3].mean(),
        )
        print(f"{name:26s} {recall:7.2f} {precision:9.2f} {flagged:8.1f} {seconds:7.2f}")


def detector_choice() -> None:
    """Why OL002 scores by neighbour distance (+ relations) rather than IsolationForest:
    precision of the 10 top-ranked rows (threshold-free) on the same feature matrix."""
    from sklearn.ensemble import IsolationForest

    from preflight.analysis.row_outliers import RowScores, score_rows
    from preflight.checks.base import Context
    from preflight.core.config import Config
    from preflight.data.dataset import load_dataset
    from preflight.data.profile import Profile

    def every_row(art: object) -> tuple[np.ndarray, RowScores]:
        """OL002's fitted model (its generator drained), and the feature matrix of every row."""
        steps = score_rows(art, k=10, sample=2000, distance_threshold=3.5, relation_threshold=8.0, tail=100)
        try:
            while True:
                next(steps)
        except StopIteration as stop:
            result = stop.value
        assert result is not None
        return result.scorer.features.matrix(art.dataset.frame), result

    results: dict[str, dict[str, list[float]]] = {}
    for data_name, make, target in (
        ("breast cancer, gross errors", planted, "target"),
        ("tall and light", tall_and_light, "y"),
    ):
        for seed in SEEDS:
            frame, truth = make(seed)
            ds = load_dataset(frame, target=target)
            ctx = Context(ds, Profile(ds), Config(target=target))
            matrix, scored = every_row(ctx.artifacts)
            scorer = scored.scorer
            # Threshold-free: every row's mean distance to its 10 nearest fit-sample rows
            # (itself left out) and its largest relation residual, on OL002's own model.
            dist, _ = scorer.index.kneighbors(matrix @ scorer.project)
            own = np.isin(np.arange(len(frame)), scorer.reference)
            distance = scorer._distance_score(np.where(own, dist[:, 1:].mean(axis=1), dist[:, :10].mean(axis=1)))
            relation = (
                scorer.relations.residual_scores(matrix).max(axis=1)
                if scorer.relations is not None
                else np.zeros(len(frame))
            )
            with threadpool_limits(limits=1):
                forest = IsolationForest(n_estimators=200, random_state=seed).fit(matrix)
            candidates = {
                "IsolationForest": -forest.score_samples(matrix),
                "kNN distance (whitened)": distance,
                "relation residual": relation,
                "OL002 (max of both / thresholds)": np.maximum(distance, relation / 8.0),
            }
            for name, score_values in candidates.items():
                top = set(np.argsort(-score_values, kind="stable")[: len(truth)].tolist())
                results.setdefault(data_name, {}).setdefault(name, []).append(len(top & truth) / len(truth))
    print("\nrow detectors, precision of the 10 top-ranked rows (mean of 5 seeds)")
    for data_name, by_method in results.items():
        line = ", ".join(f"{m} {np.mean(v):.2f}" for m, v in by_method.items())
        print(f"  {data_name}: {line}")


def clean_table(n: int) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(n, 30)), columns=[f"x{i}" for i in range(30)])
    frame["y"] = rng.integers(0, 2, n)
    flagged, t = run_preflight(frame, "y")
    print(
        f"\nclean Gaussian {n:,} x 30: preflight flags {len(flagged['OL001+OL002'])} rows ({t:.1f} s)", end=""
    )
    got, t = run_datalab(frame, "y")
    print(f"; Datalab flags {len(got)} rows ({t:.1f} s)")


def large_timing(n: int) -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(rng.normal(size=(n, 30)), columns=[f"x{i}" for i in range(30)])
    frame.loc[rng.choice(n, 20, replace=False), "x0"] = 1e4
    _, t = run_preflight(frame, None)
    print(
        f"\npreflight OL001+OL002 on {n:,} rows x 30 columns: {t:.1f} s (fit sample 2,000, every row scored)"
    )


def gross_errors_100k(n: int = 100_000, n_rows: int = 100, seed: int = 0) -> tuple[pd.DataFrame, set[int]]:
    """label_noise.py's synthetic table (make_classification, 20 features, 4 classes,
    seed 0) with ``n_rows`` rows whose values in 3 random columns are moved 8-12 SD."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from label_noise import synthetic

    features, y = synthetic(n)
    frame = features.copy()
    rng = np.random.default_rng(seed)
    rows = rng.choice(n, n_rows, replace=False)
    sd = frame.std().to_numpy()
    values = frame.to_numpy(dtype=float, copy=True)
    for row in rows:
        for col in rng.choice(frame.shape[1], 3, replace=False):
            values[row, col] += rng.choice([-1.0, 1.0]) * rng.uniform(8, 12) * sd[col]
    frame = pd.DataFrame(values, columns=frame.columns)
    frame["label"] = y
    return frame, {int(r) for r in rows}


def _arm_100k(method: str, n: int) -> dict[str, float | str | int]:
    """One arm of the 100k case, run in a fresh process (its peak RSS is the arm's)."""
    frame, truth = gross_errors_100k(n)
    if method == "preflight":
        flagged, seconds = run_preflight(frame, "label")
        got = flagged["OL001+OL002"]
    else:
        got, seconds = run_datalab(frame, "label")
    recall, precision = score(got, truth)
    f1 = 2 * precision * recall / (precision + recall) if got and precision + recall else 0.0
    return {
        "method": method,
        "rows": n,
        "planted": len(truth),
        "flagged": len(got),
        "recall": round(recall, 4),
        "precision": round(precision, 4),
        "f1": round(f1, 4),
        "seconds": round(seconds, 2),
        # The frame itself is 100k x 21 floats (17 MB).
        "peak_mb": round(_own_peak_mb(), 1),
    }


def _own_peak_mb() -> float:
    """This process's peak RSS. Linux keeps ru_maxrss across fork and exec, so a spawned
    child would report its parent's peak (the earlier cases': 2.8 GB); the high-water
    mark of its own memory map (VmHWM) starts afresh at exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    # Linux reports ru_maxrss in KB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def comparison_100k(n: int, datalab: bool) -> None:
    methods = ["preflight", "datalab"] if datalab else ["preflight"]
    results = []
    for method in methods:
        # spawn + one task per child: each arm starts from a fresh interpreter.
        with ProcessPoolExecutor(1, mp_context=get_context("spawn"), max_tasks_per_child=1) as pool:
            results.append(pool.submit(_arm_100k, method, n).result())
    print(f"\n{n:,} rows x 20 features (label_noise.py synth_100k), 100 rows x 3 values moved 8-12 SD")
    print(
        f"{'method':12s} {'recall':>7s} {'precision':>9s} {'F1':>6s} {'flagged':>8s} {'time s':>7s}", end=""
    )
    print(f" {'peak MB':>8s}")
    for r in results:
        print(
            f"{r['method']!s:12s} {r['recall']:7.3f} {r['precision']:9.3f} {r['f1']:6.3f} {r['flagged']:8d}"
            f" {r['seconds']:7.1f} {r['peak_mb']:8.0f}"
        )
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    path = out / "outliers_100k.json"
    # Keep a Datalab figure measured by an earlier --datalab-100k run when this one skipped it.
    previous = json.loads(path.read_text()) if path.exists() else {}
    kept = [r for r in previous.get("results", []) if r["method"] not in methods and r.get("rows") == n]
    path.write_text(json.dumps({"results": results + kept}, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-large", action="store_true")
    parser.add_argument("--clean-rows", type=int, default=20_000)
    parser.add_argument("--datalab-100k", action="store_true", help="also run Datalab on the 100k case")
    parser.add_argument("--only-100k", action="store_true", help="run only the 100k case")
    parser.add_argument("--rows-100k", type=int, default=100_000)
    args = parser.parse_args()
    if args.only_100k:
        comparison_100k(args.rows_100k, args.datalab_100k)
        return
    planted_table()
    combination_table()
    detector_choice()
    clean_bc()
    clean_table(args.clean_rows)
    comparison_100k(args.rows_100k, args.datalab_100k)
    if not args.no_large:
        large_timing(1_000_000)


if __name__ == "__main__":
    main()
