"""Writes tests/cases/SN00x.yaml: planted cases for the SN checks (seeded, reproducible).

Run from the repository root: ``python tests/cases/make_sn_cases.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import yaml

HERE = Path(__file__).parent
N = 80


def r(values: Any, digits: int = 4) -> list[float]:
    return [round(float(v), digits) for v in values]


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


def z(values: np.ndarray) -> np.ndarray:
    return (values - values.mean()) / values.std()


def mm(values: np.ndarray) -> np.ndarray:
    return (values - values.min()) / (values.max() - values.min())


g = rng(1)
big = g.normal(0, 1000, N)
small = g.normal(0, 0.1, N)
mid = g.normal(0, 1, N)
SN001 = {
    "rule": "SN001",
    "cases": [
        {
            "name": "thousands-swamp-tenths",
            "data": {"big": r(big, 2), "mid": r(mid), "small": r(small)},
            "expect": [
                {
                    "columns": ["big", "mid", "small"],
                    "severity": "warning",
                    "message_contains": ["'big'", "dominate", "'small'"],
                }
            ],
        },
        {
            "name": "standardized-is-clean",
            "data": {"big": r(z(big)), "mid": r(z(mid)), "small": r(z(small))},
            "expect": [],
        },
        {
            "name": "min-max-is-clean",
            "data": {"big": r(mm(big)), "mid": r(mm(mid)), "small": r(mm(small))},
            "expect": [],
        },
        {
            "name": "tree-family-is-info",
            "data": {"big": r(big, 2), "small": r(small)},
            "config": {"model_family": "tree"},
            "expect": [{"severity": "info"}],
        },
        {
            "name": "ordinal-and-binary-are-not-compared",
            "data": {
                "levels": [int(v) for v in g.integers(0, 5, N) * 1000],
                "flag": [int(v) for v in g.integers(0, 2, N)],
                "small": r(small),
            },
            "expect": [],
        },
        {
            "name": "ratio-option",
            "data": {"big": r(big, 2), "small": r(small)},
            "options": {"ratio": 1.0e6},
            "expect": [],
        },
    ],
}

g = rng(2)
year = 2000 + g.normal(0, 1, N)
SN002 = {
    "rule": "SN002",
    "cases": [
        {
            "name": "far-from-zero",
            "data": {"year": r(year), "z": r(g.normal(0, 1, N))},
            "expect": [
                {"columns": ["year"], "severity": "warning", "message_contains": ["'year'", "median 2"]}
            ],
        },
        {"name": "centred-is-clean", "data": {"year": r(z(year)), "z": r(g.normal(0, 1, N))}, "expect": []},
        {"name": "unit-range-is-clean", "data": {"share": r(0.9 + 0.01 * g.normal(0, 1, N))}, "expect": []},
        {
            "name": "knn-is-info",
            "data": {"year": r(year)},
            "config": {"model_family": "knn"},
            "expect": [{"severity": "info"}],
        },
    ],
}

g = rng(3)
income = g.lognormal(3, 1, N)
tiny = g.lognormal(0, 1, N) * 0.001
outlier = np.r_[g.normal(0, 1, N - 1), 40.0]
sparse = np.where(g.random(N) < 0.8, 0.0, g.lognormal(0, 1, N))
SN003 = {
    "rule": "SN003",
    "cases": [
        {
            "name": "lognormal",
            "data": {"income": r(income, 3), "z": r(g.normal(0, 1, N))},
            "expect": [
                {
                    "columns": ["income"],
                    "severity": "warning",
                    "message_contains": ["'income'", "heavily skewed", "right tail"],
                }
            ],
        },
        {
            "name": "left-skew",
            "data": {"score": r(-income, 3)},
            "expect": [{"columns": ["score"], "message_contains": ["left tail"]}],
        },
        {"name": "one-outlier-is-not-skew", "data": {"x": r(outlier)}, "expect": []},
        {"name": "sparse-column-is-left-out", "data": {"pixel": r(sparse)}, "expect": []},
        {
            "name": "long-tails-both-sides",
            "data": {"t": r(g.standard_cauchy(N))},
            "expect": [{"columns": ["t"], "message_contains": ["long tails"]}],
        },
        {"name": "too-few-rows", "data": {"income": r(income[:30], 3)}, "expect": []},
        {
            "name": "log-and-power-are-separate-findings",
            "data": {"income": r(income, 3), "tiny": r(tiny, 7)},
            "expect": [{"columns": ["income"]}, {"columns": ["tiny"]}],
        },
        {
            "name": "tree-is-info",
            "data": {"income": r(income, 3)},
            "config": {"model_family": "tree"},
            "expect": [{"severity": "info"}],
        },
    ],
}

g = rng(4)
wide = g.lognormal(5, 2, N)
SN004 = {
    "rule": "SN004",
    "cases": [
        {
            "name": "spans-decades",
            "data": {"price": r(wide, 3), "z": r(g.normal(0, 1, N))},
            "expect": [{"columns": ["price"], "severity": "warning", "message_contains": ["decades"]}],
        },
        {"name": "unit-range-is-clean", "data": {"p": r(mm(wide), 8)}, "expect": []},
        {"name": "signed-is-left-out", "data": {"x": r(np.r_[-wide[:5], wide[5:]], 3)}, "expect": []},
        {"name": "narrow-is-clean", "data": {"x": r(g.lognormal(5, 0.3, N), 3)}, "expect": []},
    ],
}

g = rng(5)
SN005 = {
    "rule": "SN005",
    "cases": [
        {
            "name": "binary-coded-1-2",
            "data": {"sex": [int(v) for v in g.integers(1, 3, N)]},
            "expect": [{"columns": ["sex"], "severity": "info", "message_contains": ["binary"]}],
        },
        {"name": "zero-one-is-clean", "data": {"flag": [int(v) for v in g.integers(0, 2, N)]}, "expect": []},
        {
            "name": "year-levels-warn",
            "data": {"year": [int(v) for v in g.integers(2007, 2010, N)]},
            "expect": [{"columns": ["year"], "severity": "warning", "message_contains": ["ordinal", "2007"]}],
        },
        {
            "name": "small-rating-is-fine",
            "data": {"rating": [int(v) for v in g.integers(1, 6, N)]},
            "expect": [],
        },
        {
            "name": "binary-0-1000-warns",
            "data": {"big": [int(v) * 1000 for v in g.integers(0, 2, N)]},
            "expect": [{"columns": ["big"], "severity": "warning"}],
        },
        {
            "name": "z-scored-binary-is-fine",
            "data": {"flag": r(z(np.r_[np.zeros(60), np.ones(20)]))},
            "expect": [],
        },
        {
            "name": "tree-is-silent",
            "data": {"year": [int(v) for v in g.integers(2007, 2010, N)]},
            "config": {"model_family": "tree"},
            "expect": [],
        },
    ],
}

g = rng(6)
cities = [f"city{v}" for v in g.integers(0, 40, N)]
SN006 = {
    "rule": "SN006",
    "cases": [
        {
            "name": "low-cardinality-info",
            "data": {
                "island": [str(v) for v in g.choice(["Biscoe", "Dream", "Torgersen"], N)],
                "x": r(g.normal(0, 1, N)),
            },
            "expect": [{"columns": ["island"], "severity": "info", "message_contains": ["encoded"]}],
        },
        {
            "name": "high-cardinality-warning",
            "data": {"city": cities},
            "expect": [{"columns": ["city"], "severity": "warning", "message_contains": ["distinct values"]}],
        },
        {"name": "identifiers-are-dq006s", "data": {"key": [f"k{i:03d}" for i in range(N)]}, "expect": []},
        {
            "name": "numbers-as-text-are-sc002s",
            "data": {"mass": [f"{v:,}" for v in g.integers(1000, 6000, N).tolist()]},
            "expect": [],
        },
        {
            "name": "max-onehot-option",
            "data": {"city": cities},
            "options": {"max_onehot": 50},
            "expect": [{"columns": ["city"], "severity": "info"}],
        },
    ],
}

g = rng(7)
progression = g.normal(150, 70, N)
SN007 = {
    "rule": "SN007",
    "cases": [
        {
            "name": "raw-units",
            "data": {"x": r(g.normal(0, 1, N)), "y": r(progression, 1)},
            "target": "y",
            "expect": [{"columns": ["y"], "severity": "warning", "message_contains": ["raw units"]}],
        },
        {
            "name": "standardized-is-clean",
            "data": {"x": r(g.normal(0, 1, N)), "y": r(z(progression))},
            "target": "y",
            "expect": [],
        },
        {
            "name": "tiny",
            "data": {"x": r(g.normal(0, 1, N)), "y": r(0.0004 + 0.0001 * g.normal(0, 1, N), 8)},
            "target": "y",
            "expect": [{"message_contains": ["tiny"]}],
        },
        {
            "name": "skewed-positive",
            "data": {"x": r(g.normal(0, 1, N)), "y": r(g.lognormal(0, 1, N), 4)},
            "target": "y",
            "expect": [{"message_contains": ["skew"]}],
        },
        {
            "name": "tree-is-info",
            "data": {"x": r(g.normal(0, 1, N)), "y": r(progression, 1)},
            "target": "y",
            "config": {"model_family": "tree"},
            "expect": [{"severity": "info"}],
        },
    ],
}

g = rng(8)
SN008 = {
    "rule": "SN008",
    "cases": [
        {
            "name": "binary",
            "data": {"x": r(g.normal(0, 1, 20)), "y": ["a", "b"] * 10},
            "target": "y",
            "expect": [{"severity": "info", "message_contains": ["sigmoid", "binary cross-entropy"]}],
        },
        {
            "name": "multiclass",
            "data": {"x": r(g.normal(0, 1, 21)), "y": ["a", "b", "c"] * 7},
            "target": "y",
            "expect": [{"message_contains": ["softmax", "3 units"]}],
        },
        {
            "name": "fraction-target",
            "data": {"x": r(g.normal(0, 1, N)), "y": r(g.random(N))},
            "target": "y",
            "expect": [{"message_contains": ["[0, 1]", "sigmoid"]}],
        },
        {
            "name": "signed-target",
            "data": {"x": r(g.normal(0, 1, N)), "y": r(g.normal(0, 3, N))},
            "target": "y",
            "expect": [{"message_contains": ["linear output", "never ReLU"]}],
        },
        {
            "name": "not-for-trees",
            "data": {"x": r(g.normal(0, 1, 20)), "y": ["a", "b"] * 10},
            "target": "y",
            "config": {"model_family": "tree"},
            "expect": [],
        },
    ],
}

if __name__ == "__main__":
    for spec in (SN001, SN002, SN003, SN004, SN005, SN006, SN007, SN008):
        text = yaml.safe_dump(spec, sort_keys=False, default_flow_style=None, width=110, allow_unicode=True)
        (HERE / f"{spec['rule']}.yaml").write_text(text)
