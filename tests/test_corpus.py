"""The real-data corpus (benchmarks/corpus/): no false alarm judged ``wrong`` comes back, and every
warning/error has a verdict.

The corpus is 28+ real tables as offline packages ship them, cached as CSVs in
benchmarks/corpus/data/ (so this test needs no network and no extra package). preflight runs on
each with default settings, one table at a time: about 5 minutes on 2 shared cores, the whole
cost of the test. It is deterministic (seed 0, fixed files).

When it fails:
- a ``wrong`` finding came back: a change re-introduced a false alarm that had been fixed
  (its verdict has no ``open: true``);
- unjudged findings: a change produced a warning/error no verdict covers (a new finding, or an old
  one whose columns changed). Refresh the results and judge them by looking at the data::

      python benchmarks/corpus/run.py
      python benchmarks/corpus/precision.py --unjudged   # YAML to paste into verdicts.yaml

  then ``python benchmarks/corpus/precision.py`` rewrites docs/precision.md.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent.parent / "benchmarks" / "corpus"


sys.path.insert(0, str(CORPUS.parents[1]))  # the repository root: the benchmarks package

from benchmarks.corpus import precision  # noqa: E402
from benchmarks.corpus import run as corpus_run  # noqa: E402


def _describe(f: dict, why: str = "") -> str:
    cols = ", ".join(f["columns"][:4]) or "-"
    tail = f"\n      verdict: {why}" if why else ""
    return f"  {f['table']} {f['code']} {f['severity']} [{cols}]: {f['message'][:140]}{tail}"


@pytest.mark.slow
def test_corpus_false_alarms_and_verdicts() -> None:
    result = corpus_run.run(out=None, quiet=True)
    matched = precision.judge(result["findings"], precision.load_verdicts())

    problems: list[str] = []
    crashes = [(t["name"], c) for t in result["tables"] for c in t["crashes"]]
    if crashes:
        problems.append("checks crashed on corpus tables:\n" + "\n".join(f"  {n}: {c}" for n, c in crashes))
    back = [(f, v) for f, v in matched["judged"] if v["verdict"] == "wrong" and not v.get("open")]
    if back:
        problems.append(
            f"{len(back)} finding(s) judged `wrong` (false alarms) came back:\n"
            + "\n".join(_describe(f, v["why"]) for f, v in back)
        )
    if matched["unjudged"]:
        problems.append(
            f"{len(matched['unjudged'])} warning/error finding(s) have no verdict in "
            "benchmarks/corpus/verdicts.yaml:\n"
            + "\n".join(_describe(f) for f in matched["unjudged"])
            + "\nJudge them by looking at the data: `python benchmarks/corpus/run.py` then "
            "`python benchmarks/corpus/precision.py --unjudged` prints YAML to fill in:\n"
            + precision.unjudged_yaml(matched["unjudged"])
        )
    # Known false alarms that no longer fire, and verdicts for findings that are gone: not a
    # failure (another change fixed them), but the verdict file should be brought up to date.
    fixed = [v for v in matched["stale"] if v["verdict"] == "wrong" and v.get("open")]
    if fixed:
        warnings.warn(
            f"{len(fixed)} known false alarm(s) no longer fire; keep their verdicts and delete `open: true` "
            "so this test guards against their return: "
            + "; ".join(f"{v['table']} {v['code']} {v.get('columns')}" for v in fixed),
            stacklevel=1,
        )
    assert not problems, "\n\n".join(problems)


def test_committed_results_and_verdicts_agree() -> None:
    """Fast: the committed corpus.json and verdicts.yaml agree (every warning/error judged, no
    verdict left over), and the matching logic sees a new `wrong` finding and an unjudged one."""
    import json

    corpus = json.loads(precision.RESULTS.read_text())
    verdicts = precision.load_verdicts()
    matched = precision.judge(corpus["findings"], verdicts)
    assert matched["unjudged"] == []
    assert matched["stale"] == []

    one = {"table": "t", "code": "OL001", "severity": "warning", "columns": ["a", "b"], "message": "m"}
    fake = {("t", "OL001", frozenset({"b", "a"})): {"verdict": "wrong", "why": "x"}}
    got = precision.judge([one, {**one, "columns": ["c"]}, {**one, "severity": "info"}], fake)
    assert [v["verdict"] for _, v in got["judged"]] == ["wrong"]
    assert [f["columns"] for f in got["unjudged"]] == [["c"]]


# What `fix` leaves to the user by design, so a check of its output may still report it:
# rows and labels to review (it never drops or relabels them unasked), the target (kept in
# raw units for `with_target_transform`; a cap, a class imbalance) and what no preprocessing
# changes (too few rows, weak or capped learnability).
LEFT_TO_THE_USER = frozenset(
    {"LB001", "LB002", "LB004", "OL002", "SN007", "DQ010", "CP001", "CP003", "CP004", "CP005", "CP006"}
)


@pytest.mark.slow
def test_fix_output_checks_clean_of_what_the_plan_answers(tmp_path: Path) -> None:
    """The fixed point on real tables: `check` of what `fix` wrote has no warning or error
    that a step of the plan answers (a scale, a skew, a marker, a leak, an encoding...)."""
    import preflight
    from benchmarks.corpus.tables import TABLES
    from preflight.core.config import Config
    from tests.conftest import run_cli

    left: list[str] = []
    for table in TABLES:
        out = tmp_path / f"{table.name}.csv"
        done = run_cli("fix", str(table.path), "--target", table.target, "-o", str(out))
        assert done.returncode in (0, 1), (table.name, done.stderr)
        report = preflight.check(str(out), target=table.target, config=Config())
        for f in report.findings:
            if f.severity < preflight.Severity.WARNING or f.code in LEFT_TO_THE_USER:
                continue
            if f.code == "OL001" and f.columns == (table.target,):
                continue  # a wrong target value: a label to correct, like LB004's
            left.append(f"{table.name} {f.code} {f.severity.value} {list(f.columns)[:4]}: {f.message[:120]}")
    assert not left, "\n".join(left)
