"""A small MLP on scikit-learn's wine data: raw features vs preflight's planned preprocessing.

Measures what the SN checks are for: held-out accuracy, the iterations the
optimizer needs to converge, and how often it fails to converge, for
``MLPClassifier`` on the raw (unscaled) wine data and on the same data through the
pipeline in preflight's report (``preprocessing.code``, executed as printed).

Run from the repository root::

    python benchmarks/mlp_wine.py [--seeds 5] [--max-iter 1000]

Protocol: for each seed, a stratified 5-fold split; in each fold the preprocessing
is fitted on the training part only. MLPClassifier(hidden_layer_sizes=(32,),
solver="adam", max_iter=MAX_ITER, random_state=seed), otherwise defaults
(learning rate 1e-3, tol 1e-4, 10 epochs without improvement to stop).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


# A training log-loss that means "fitted": 0.1 is about 90% confidence in the true class.
TARGET_LOSS = 0.1


def planned_preprocess(frame: Any) -> tuple[Any, list[str]]:
    from preflight.api import check

    report = check(frame, target="target")
    namespace: dict[str, Any] = {}
    exec(compile(report.preprocessing["code"], "<plan>", "exec"), namespace)
    codes = sorted({f.code for f in report.findings if f.cause == 2})
    return namespace["preprocess"], codes


def run(seeds: int, max_iter: int) -> dict[str, dict[str, float]]:
    from sklearn.base import clone
    from sklearn.datasets import load_wine
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import StratifiedKFold
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from threadpoolctl import threadpool_limits

    frame = load_wine(as_frame=True).frame
    X, y = frame.drop(columns=["target"]), frame["target"]
    preprocess, codes = planned_preprocess(frame)
    print(f"preflight findings (cause 2) on raw wine: {', '.join(codes)}")
    results: dict[str, dict[str, list[float]]] = {
        name: {
            "accuracy": [],
            "iterations": [],
            "converged": [],
            "seconds": [],
            "final_loss": [],
            "to_target": [],
        }
        for name in ("raw", "planned")
    }
    with threadpool_limits(limits=1):
        for seed in range(seeds):
            folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=seed)
            for train, test in folds.split(X, y):
                for name in ("raw", "planned"):
                    mlp = MLPClassifier(hidden_layer_sizes=(32,), max_iter=max_iter, random_state=seed)
                    model = mlp if name == "raw" else make_pipeline(clone(preprocess), mlp)
                    start = time.perf_counter()
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always", ConvergenceWarning)
                        model.fit(X.iloc[train], y.iloc[train])
                    elapsed = time.perf_counter() - start
                    r = results[name]
                    r["accuracy"].append(float((model.predict(X.iloc[test]) == y.iloc[test]).mean()))
                    r["iterations"].append(float(mlp.n_iter_))
                    r["converged"].append(
                        float(not any(issubclass(w.category, ConvergenceWarning) for w in caught))
                    )
                    r["seconds"].append(elapsed)
                    r["final_loss"].append(float(mlp.loss_))
                    below = np.flatnonzero(np.asarray(mlp.loss_curve_) <= TARGET_LOSS)
                    r["to_target"].append(float(below[0] + 1) if below.size else np.nan)
    summary: dict[str, dict[str, float]] = {}
    for name, r in results.items():
        summary[name] = {
            "accuracy_mean": float(np.mean(r["accuracy"])),
            "accuracy_std": float(np.std(r["accuracy"])),
            "accuracy_min": float(np.min(r["accuracy"])),
            "iterations_median": float(np.median(r["iterations"])),
            "iterations_mean": float(np.mean(r["iterations"])),
            "converged_share": float(np.mean(r["converged"])),
            "final_loss_median": float(np.median(r["final_loss"])),
            "seconds_per_fit": float(np.mean(r["seconds"])),
            "fits": float(len(r["accuracy"])),
            "reached_share": float(np.mean(np.isfinite(r["to_target"]))),
            "to_target_median": float(np.nanmedian(r["to_target"]))
            if np.isfinite(r["to_target"]).any()
            else np.nan,
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--max-iter", type=int, default=1000)
    args = parser.parse_args()
    summary = run(args.seeds, args.max_iter)
    print(
        f"\nMLPClassifier(hidden_layer_sizes=(32,), max_iter={args.max_iter}), "
        f"{args.seeds} seeds x stratified 5-fold = {int(summary['raw']['fits'])} fits per arm\n"
    )
    header = (
        "| data | accuracy (mean ± sd) | worst fold | iterations run (median) | stopped without warning "
        f"| final training loss (median) | reached loss ≤ {TARGET_LOSS} "
        "| iterations to reach it (median) | s/fit |"
    )
    print(header)
    print("|" + "---|" * 9)
    for name, s in summary.items():
        print(
            f"| {name} | {s['accuracy_mean']:.3f} ± {s['accuracy_std']:.3f} | {s['accuracy_min']:.3f} | "
            f"{s['iterations_median']:.0f} | {s['converged_share']:.0%} | {s['final_loss_median']:.3g} | "
            f"{s['reached_share']:.0%} | {s['to_target_median']:.0f} | {s['seconds_per_fit']:.2f} |"
        )


if __name__ == "__main__":
    main()
