"""Label-noise detection benchmark: preflight LB001 against cleanlab's defaults.

Plants label noise with a known truth into real (scikit-learn's iris, wine, breast
cancer, digits) and synthetic datasets (up to 100k rows), then measures for each
method the precision, recall and F1 of the flagged rows against the planted flips,
the error of its estimated noise rate, and its wall time, side by side in one run:

- ``preflight``: LB001 through the public API (``preflight.check``), which reads
  the DataFrame, encodes the features and fits its own out-of-fold models;
- ``cleanlab-datalab``: ``Datalab(data, label_name).find_issues(features=X,
  issue_types={"label": {}})`` (label issues from cleanlab's own kNN
  probabilities; the other Datalab issue types are left out so that only label
  detection is timed);
- ``cleanlab-lr``: ``cleanlab.filter.find_label_issues`` on
  ``cross_val_predict(LogisticRegression(), X, method="predict_proba")``.

The cleanlab arms get the features through a standard scikit-learn pipeline
(median imputation + standard scaling, one-hot categories). Noise kinds:
``sym10``/``sym30`` flip 10%/30% of labels to a uniformly random other class;
``asym20`` flips 20% of each class c to class c+1 (class-conditional). ``clean``
rows measure false alarms: the estimated rate on unmodified data.

Usage::

    python benchmarks/label_noise.py                # the full table (minutes)
    python benchmarks/label_noise.py --quick        # small datasets, one seed
    python benchmarks/label_noise.py --json out.json

Every fit runs with BLAS/OpenMP capped at one thread (threadpoolctl), as preflight
itself does, so timings on a shared machine stay comparable.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

NOISES = ("clean", "sym10", "sym30", "asym20")


@dataclass
class Row:
    dataset: str
    rows: int
    noise: str
    seed: int
    method: str
    true_rate: float
    est_rate: float
    flagged: int
    precision: float
    recall: float
    f1: float
    seconds: float
    severity: str = ""


def real(name: str) -> tuple[pd.DataFrame, np.ndarray]:
    from sklearn import datasets

    loader = {
        "iris": datasets.load_iris,
        "wine": datasets.load_wine,
        "breast_cancer": datasets.load_breast_cancer,
        "digits": datasets.load_digits,
    }[name]
    bunch = loader(as_frame=True)
    return bunch.data.reset_index(drop=True), np.asarray(bunch.target, dtype=np.int64)


def synthetic(
    n: int, *, mixed: bool = False, separable: bool = False, seed: int = 0
) -> tuple[pd.DataFrame, np.ndarray]:
    from sklearn.datasets import make_blobs, make_classification

    if separable:
        x, y = make_blobs(
            n_samples=n, n_features=10, centers=4, cluster_std=1.0, center_box=(-20, 20), random_state=seed
        )
    else:
        # flip_y=0: make_classification's own label noise would blur the planted truth.
        x, y = make_classification(
            n_samples=n,
            n_features=20,
            n_informative=10,
            n_redundant=4,
            n_classes=4,
            n_clusters_per_class=2,
            class_sep=1.5,
            flip_y=0.0,
            random_state=seed,
        )
    frame = pd.DataFrame(x, columns=[f"f{i}" for i in range(x.shape[1])])
    if mixed:
        rng = np.random.default_rng(seed)
        # Two categorical columns carrying signal, and 5% missing cells in five columns.
        frame["cat_a"] = pd.cut(frame["f0"], 5, labels=list("abcde")).astype(str)
        frame["cat_b"] = np.where(frame["f1"] > 0, "high", "low")
        frame = frame.drop(columns=["f0", "f1"])
        for col in ("f2", "f3", "f4", "f5", "f6"):
            frame.loc[rng.random(n) < 0.05, col] = np.nan
    return frame, np.asarray(y, dtype=np.int64)


def plant(y: np.ndarray, noise: str, seed: int) -> np.ndarray:
    rng = np.random.default_rng(1000 + seed)
    k = int(y.max()) + 1
    noisy = y.copy()
    if noise == "clean":
        return noisy
    rate = {"sym10": 0.10, "sym30": 0.30, "asym20": 0.20}[noise]
    flip = rng.random(y.size) < rate
    if noise.startswith("sym"):
        noisy[flip] = (y[flip] + rng.integers(1, k, size=y.size)[flip]) % k
    else:
        noisy[flip] = (y[flip] + 1) % k
    return noisy


def cleanlab_features(frame: pd.DataFrame) -> np.ndarray:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    other = [c for c in frame.columns if c not in numeric]
    ct = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), other),
        ]
    )
    return np.asarray(ct.fit_transform(frame), dtype=float)


LB001_OPTIONS: dict[str, object] = {}


def run_preflight(
    frame: pd.DataFrame, labels: np.ndarray, seed: int, sample: int | None = None
) -> tuple[np.ndarray, float, str]:
    import preflight
    from preflight.core.config import Config

    df = frame.copy()
    df["label"] = labels
    config = Config(checks={"LB001": LB001_OPTIONS}) if LB001_OPTIONS else Config()
    report = preflight.check(df, target="label", select="LB001", seed=seed, sample=sample, config=config)
    if report.errors:
        raise RuntimeError(report.errors)
    health = report.label_health or {}
    # The finding holds every flagged row (label_health lists only the worst max-rows).
    flagged = np.asarray(report.findings[0].rows if report.findings else (), dtype=np.int64)
    severity = report.findings[0].severity.value if report.findings else "pass"
    return flagged, float(health.get("estimated_noise_rate", 0.0)), severity


def run_datalab(frame: pd.DataFrame, labels: np.ndarray, seed: int) -> tuple[np.ndarray, float, str]:
    from cleanlab import Datalab

    x = cleanlab_features(frame)
    lab = Datalab(data={"label": labels}, label_name="label", verbosity=0)
    lab.find_issues(features=x, issue_types={"label": {}})
    mask = lab.get_issues("label")["is_label_issue"].to_numpy()
    return np.flatnonzero(mask), float(mask.mean()), ""


def run_cleanlab_lr(frame: pd.DataFrame, labels: np.ndarray, seed: int) -> tuple[np.ndarray, float, str]:
    from cleanlab.filter import find_label_issues
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    x = cleanlab_features(frame)
    probs = cross_val_predict(LogisticRegression(max_iter=1000), x, labels, cv=5, method="predict_proba")
    mask = find_label_issues(labels, probs)
    return np.flatnonzero(mask), float(mask.mean()), ""


METHODS: dict[str, Callable[[pd.DataFrame, np.ndarray, int], tuple[np.ndarray, float, str]]] = {
    "preflight": run_preflight,
    "cleanlab-datalab": run_datalab,
    "cleanlab-lr": run_cleanlab_lr,
}


def score(flagged: np.ndarray, truth: np.ndarray) -> tuple[float, float, float]:
    mask = np.zeros(truth.size, dtype=bool)
    mask[flagged] = True
    tp = int((mask & truth).sum())
    precision = tp / mask.sum() if mask.sum() else (1.0 if not truth.any() else 0.0)
    recall = tp / truth.sum() if truth.any() else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def plan(
    quick: bool, seeds: int | None = None
) -> list[tuple[str, Callable[[], tuple[pd.DataFrame, np.ndarray]], tuple[str, ...], tuple[int, ...]]]:
    small_seeds = tuple(range(seeds if seeds else 1 if quick else 3))
    jobs: list[
        tuple[str, Callable[[], tuple[pd.DataFrame, np.ndarray]], tuple[str, ...], tuple[int, ...]]
    ] = []
    for name in ("iris", "wine", "breast_cancer", "digits"):
        jobs.append((name, lambda name=name: real(name), NOISES, small_seeds))  # type: ignore[misc]
    jobs.append(("blobs_separable_5k", lambda: synthetic(5000, separable=True), ("clean", "sym10"), (0,)))
    jobs.append(("synth_mixed_5k", lambda: synthetic(5000, mixed=True), NOISES, small_seeds))
    if not quick:
        jobs.append(("synth_20k", lambda: synthetic(20_000), NOISES, (0,)))
        jobs.append(("synth_100k", lambda: synthetic(100_000), ("clean", "sym10", "sym30", "asym20"), (0,)))
    return jobs


def main(argv: list[str] | None = None) -> int:
    from threadpoolctl import threadpool_limits

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small datasets, one seed")
    parser.add_argument("--json", type=Path, help="write every row here")
    parser.add_argument("--only", help="comma-separated dataset names")
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated methods")
    parser.add_argument(
        "--lb001",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an LB001 option for the preflight arm, e.g. refit_max_rows=0",
    )
    parser.add_argument("--seeds", type=int, help="seeds per small dataset (default 3, --quick 1)")
    args = parser.parse_args(argv)
    for item in args.lb001:
        key, _, value = item.partition("=")
        LB001_OPTIONS[key] = json.loads(value)
    methods = [m for m in args.methods.split(",") if m]
    rows: list[Row] = []
    warnings.simplefilter("ignore")
    with threadpool_limits(limits=1):
        for name, load, noises, seeds in plan(args.quick, args.seeds):
            if args.only and name not in args.only.split(","):
                continue
            frame, y = load()
            for noise in noises:
                for seed in seeds if noise != "clean" else seeds[:1]:
                    noisy = plant(y, noise, seed)
                    truth = noisy != y
                    for method in methods:
                        start = time.perf_counter()
                        flagged, est, severity = METHODS[method](frame, noisy, seed)
                        seconds = time.perf_counter() - start
                        p, r, f1 = score(flagged, truth)
                        row = Row(
                            name,
                            len(frame),
                            noise,
                            seed,
                            method,
                            float(truth.mean()),
                            est,
                            int(flagged.size),
                            p,
                            r,
                            f1,
                            seconds,
                            severity,
                        )
                        rows.append(row)
                        print(
                            f"{name:20} {noise:7} s{seed} {method:17} true {row.true_rate:.3f} est {est:.3f}"
                            f" P {p:.3f} R {r:.3f} F1 {f1:.3f} {seconds:7.1f}s {severity}",
                            flush=True,
                        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1))
    print()
    print(summary(rows))
    return 0


def summary(rows: list[Row]) -> str:
    df = pd.DataFrame([asdict(r) for r in rows])
    df["rate_error_pp"] = (df["est_rate"] - df["true_rate"]).abs() * 100
    noisy = df[df["noise"] != "clean"]
    out = [
        "### Mean over all noisy runs",
        "",
        "| method | runs | precision | recall | F1 | noise-rate error (pp) | mean time (s) |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for method, g in noisy.groupby("method", sort=False):
        out.append(
            f"| {method} | {len(g)} | {g.precision.mean():.3f} | {g.recall.mean():.3f} | {g.f1.mean():.3f} | "
            f"{g.rate_error_pp.mean():.2f} | {g.seconds.mean():.1f} |"
        )
    out += ["", "### Per dataset and noise (mean over seeds): F1 / noise-rate error (pp) / time (s)", ""]
    methods = list(dict.fromkeys(df["method"]))
    out.append("| dataset | rows | noise | " + " | ".join(methods) + " |")
    out.append("| --- | --- | --- | " + " | ".join("---" for _ in methods) + " |")
    for (dataset, noise), g in df.groupby(["dataset", "noise"], sort=False):
        cells = []
        for m in methods:
            gm = g[g.method == m]
            if gm.empty:
                cells.append("")
            elif noise == "clean":
                sev = f" ({gm.severity.iloc[0]})" if gm.severity.iloc[0] else ""
                cells.append(f"est {gm.est_rate.mean():.1%}{sev} / {gm.seconds.mean():.1f}s")
            else:
                cells.append(f"{gm.f1.mean():.3f} / {gm.rate_error_pp.mean():.1f} / {gm.seconds.mean():.1f}s")
        out.append(f"| {dataset} | {int(g.rows.iloc[0]):,} | {noise} | " + " | ".join(cells) + " |")
    return "\n".join(out)


if __name__ == "__main__":
    raise SystemExit(main())
