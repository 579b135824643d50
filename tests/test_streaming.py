"""Streaming mode and the Dask engine give the in-memory report, at bounded memory.

The data are realistic: the real Palmer penguins table (several parquet row groups),
and a 30,000-row table with planted problems at rows the seeded sample does not hold,
so the full-file parts of a streamed report (exact counts, missing/infinite/duplicate
rows, per-column outliers) are told apart from the sampled parts.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from preflight.core.config import Config
from preflight.core.errors import PreflightError
from preflight.data import engines
from preflight.data.engines import choose_mode, load
from preflight.reporters import render
from preflight.run import run
from tests.conftest import EXAMPLES, run_cli

PLANTED_OUTLIER_ROW = 12_345
INF_ROW = 777


def _report(path: Path | str, **options: object) -> dict:
    config = Config(target=options.pop("target", "label")).replace(**options)  # type: ignore[arg-type]
    dataset = load(path, config, target=config.target)
    return json.loads(render(run(dataset, config), "json"))


def _findings(report: dict) -> list[tuple]:
    return [
        (f["code"], f["severity"], tuple(f["columns"]), tuple(f["rows"]), f["message"])
        for f in report["findings"]
    ]


@pytest.fixture(scope="module")
def penguins(tmp_path_factory: pytest.TempPathFactory) -> Path:
    frame = pd.read_csv(EXAMPLES / "penguins-raw.csv")
    path = tmp_path_factory.mktemp("penguins") / "penguins.parquet"
    frame.to_parquet(path, row_group_size=100)  # 4 row groups: batches and partitions differ
    return path


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(3)
    n = 30_000
    frame = pd.DataFrame(
        {
            "height": rng.normal(170, 10, n),
            "weight": rng.normal(70, 12, n),
            "income": rng.lognormal(10, 0.5, n),
            "visits": rng.poisson(3, n),
            "city": rng.choice(["Oslo", "Lima", "Pune", "Kobe"], n),
            "label": rng.choice(["yes", "no"], n, p=[0.4, 0.6]),
        }
    )
    # The label follows height, a tenth of it flipped: wrong labels LB001 finds beyond its null
    # (random labels, as before, are within it and flag nothing).
    flip = np.random.default_rng(4).random(n) < 0.1
    frame["label"] = np.where((frame["height"] > 172) ^ flip, "yes", "no")
    frame.loc[rng.choice(n, 1500, replace=False), "weight"] = np.nan
    frame.loc[PLANTED_OUTLIER_ROW, "height"] = 17_000.0  # centimetres typed as millimetres x 10
    frame.loc[INF_ROW, "income"] = np.inf
    frame = pd.concat([frame, frame.iloc[[100, 200, 300]]], ignore_index=True)  # rows 30000-30002 repeat
    path = tmp_path_factory.mktemp("planted") / "planted.parquet"
    frame.to_parquet(path, row_group_size=7_000)
    return path


def test_stream_equals_memory_when_the_sample_holds_every_row(penguins: Path) -> None:
    memory = _report(penguins, target="Species", mode="memory")
    stream = _report(penguins, target="Species", mode="stream")
    assert stream["dataset"]["profiled_rows"] is None
    assert _findings(stream) == _findings(memory)
    assert stream["label_health"] == memory["label_health"]
    assert stream["preprocessing"] == memory["preprocessing"]


def test_streamed_sample_keeps_full_file_counts_and_rows(planted: Path) -> None:
    memory = _report(planted, mode="memory", models=False)
    stream = _report(planted, mode="stream", stream_sample=2000, models=False)
    assert stream["dataset"]["rows"] == 30_003
    assert stream["dataset"]["profiled_rows"] == 2000
    by_code = {(f["code"], tuple(f["columns"])): f for f in stream["findings"]}
    expected = {(f["code"], tuple(f["columns"])): f for f in memory["findings"]}
    # Exact over the whole file: missing cells, infinities, repeated rows, outliers.
    for key in [("DQ001", ("weight",)), ("DQ007", ("income",)), ("DQ003", ()), ("OL001", ("height",))]:
        assert by_code[key]["rows"] == expected[key]["rows"], key
        if key[0] != "OL001":  # OL001's fences come from the sample's quantiles
            assert by_code[key]["message"] == expected[key]["message"], key
    assert by_code[("DQ001", ("weight",))]["row_count"] == 1500
    assert by_code[("DQ003", ())]["rows"] == [30_000, 30_001, 30_002]
    assert PLANTED_OUTLIER_ROW in by_code[("OL001", ("height",))]["rows"]
    assert by_code[("DQ007", ("income",))]["rows"] == [INF_ROW]
    # The same checks fire; nothing is found only on the sample.
    assert {k[0] for k in by_code} == {k[0] for k in expected}


def test_streaming_is_deterministic_and_sample_rows_are_file_rows(planted: Path) -> None:
    first = _report(planted, mode="stream", stream_sample=2000)
    second = _report(planted, mode="stream", stream_sample=2000)
    assert first == second
    health = first["label_health"]
    assert health is not None and health["issue_rows"]
    assert all(0 <= r < 30_003 for r in health["issue_rows"])
    # Model-based rows come from the sample, given as file positions (not 0..1999).
    assert max(health["issue_rows"]) >= 2000
    # OL002 fits on the sample and scores every row of the file, batch by batch.
    # The planted row is reported once: by OL002, or folded into OL001 with OL002's evidence.
    seen_by_ol002 = {
        r
        for f in first["findings"]
        for r in (
            f["rows"]
            if f["code"] == "OL002"
            else f["evidence"].get("also", {}).get("OL002", {}).get("rows", [])
        )
    }
    assert PLANTED_OUTLIER_ROW in seen_by_ol002


def test_auto_mode_streams_parquet_that_would_not_fit(planted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert choose_mode(str(planted), Config()) == "memory"
    monkeypatch.setattr(engines, "available_memory", lambda: 1_000_000)
    assert choose_mode(str(planted), Config()) == "stream"
    assert choose_mode(str(planted), Config(mode="memory")) == "memory"
    # Only parquet streams: a CSV is read into memory whatever the estimate.
    assert choose_mode(str(EXAMPLES / "penguins.csv"), Config()) == "memory"


def test_stream_mode_bad_inputs_are_one_line_exit_2(tmp_path: Path, planted: Path) -> None:
    result = run_cli("check", str(EXAMPLES / "penguins.csv"), "--mode", "stream")
    assert result.returncode == 2
    assert "streaming and the Dask engine read parquet only" in result.stderr
    assert "Traceback" not in result.stderr
    empty = tmp_path / "empty.parquet"
    pd.read_parquet(planted).iloc[:0].to_parquet(empty)
    result = run_cli("check", str(empty), "--mode", "stream")
    assert result.returncode == 2 and "no data rows" in result.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("[tool.preflight]\nstream-sample = 10\n")
    result = run_cli("check", str(planted), "--config", str(bad))
    assert result.returncode == 2 and "stream-sample" in result.stderr


def test_stream_reads_the_input_without_changing_it(planted: Path) -> None:
    before = planted.read_bytes()
    _report(planted, mode="stream", stream_sample=2000, models=False)
    assert planted.read_bytes() == before


def test_scan_merge_does_not_depend_on_batch_boundaries(planted: Path) -> None:
    """The scan of a file is the same whether batches are small or large."""
    import pyarrow.parquet as pq

    from preflight.data.engines.scan import merge, sample_threshold, scan_batch
    from preflight.data.engines.stream import batch_frame

    table = pq.read_table(planted)
    threshold = sample_threshold(500, table.num_rows)

    def scan_in(size: int):  # type: ignore[no-untyped-def]
        scan = None
        for start in range(0, table.num_rows, size):
            part = table.slice(start, size)
            s = scan_batch(part, batch_frame(part, start), start, seed=0, k=500, threshold=threshold)
            scan = s if scan is None else merge(scan, s)
        return scan.finish()

    a, b = scan_in(30_003), scan_in(997)
    assert np.array_equal(a.duplicate_mask(), b.duplicate_mask())
    assert a.sample_frame()[1].tolist() == b.sample_frame()[1].tolist()
    for name in a.columns:
        ca, cb = a.columns[name], b.columns[name]
        assert (ca.n, ca.n_missing, ca.n_inf, ca.min, ca.max, ca.counts) == (
            cb.n,
            cb.n_missing,
            cb.n_inf,
            cb.min,
            cb.max,
            cb.counts,
        )
        if ca.moments() is not None:
            assert np.allclose(ca.moments(), cb.moments(), rtol=1e-9)
        assert np.array_equal(ca.missing_mask(), cb.missing_mask())


@pytest.mark.slow
def test_dask_engine_gives_the_local_report(planted: Path, penguins: Path) -> None:
    """On a LocalCluster of 2 workers: the same report as the local engine."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        on_dask = _report(planted, engine="dask", scheduler=address, stream_sample=2000)
        local = _report(planted, mode="stream", stream_sample=2000)
        assert on_dask == local  # byte for byte, label noise and outliers included
        small_dask = _report(penguins, target="Species", engine="dask", scheduler=address)
        small_memory = _report(penguins, target="Species", mode="memory")
        assert _findings(small_dask) == _findings(small_memory)


def test_dask_engine_unreachable_scheduler_is_a_clear_error(planted: Path) -> None:
    pytest.importorskip("distributed")
    with pytest.raises(PreflightError, match="cannot reach the Dask scheduler"):
        _report(planted, engine="dask", scheduler="tcp://127.0.0.1:9")


def test_the_core_never_imports_dask(planted: Path) -> None:
    """Dask is an optional extra: a local run, streamed or not, never imports it."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = (
        "import sys, preflight\n"
        f"preflight.check({str(planted)!r}, target='label', mode='stream', models=False)\n"
        f"preflight.check({str(EXAMPLES / 'penguins.csv')!r}, target='species', models=False)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed'))\n"
        "assert not loaded, loaded\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_fix_refuses_a_file_that_would_not_fit(
    planted: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`fix` rewrites in memory: a file too big for that is one clear error, nothing written."""
    from preflight.plan.fix import fix

    monkeypatch.setattr(engines, "available_memory", lambda: 1_000_000)
    out = tmp_path / "fixed.parquet"
    with pytest.raises(PreflightError, match="too big to fix in memory"):
        fix(str(planted), out, Config(target="label"))
    assert not any(tmp_path.iterdir())


def test_scheduler_without_the_dask_engine_is_a_config_error(planted: Path) -> None:
    result = run_cli("check", str(planted), "--scheduler", "tcp://127.0.0.1:8786")
    assert result.returncode == 2
    assert "scheduler is for the Dask engine" in result.stderr
