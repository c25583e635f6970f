"""`matcher bench --quick` as CI runs it: the harness works end to end (no timing asserted)."""

import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from benchmarks.scale import measure_size
from matcher.cli import main


@pytest.mark.slow
def test_quick_bench_reports_every_part(tmp_path):
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MATCHER_")}
    environ.update(MATCHER_HOME=str(tmp_path / "home"), HF_HUB_OFFLINE="1")
    out = tmp_path / "bench.json"
    run = subprocess.run(
        [sys.executable, "-m", "matcher.cli", "bench", "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        env=environ,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    for heading in ("Query path", "/match over HTTP", "Indexing", "Scale: 10,000"):
        assert heading in run.stdout
    r = json.loads(out.read_text())
    stages = r["query_path"]["stages"]
    assert stages["encode"]["n"] == r["query_path"]["queries"] >= 50
    assert all(math.isfinite(v) for v in r["query_path"]["ratios"].values())
    http = r["http"]
    assert http["latency_new_text"]["n"] >= 50
    for key in ("throughput_repeated_texts", "throughput_new_texts"):
        assert http[key]["errors"] == 0 and http[key]["requests"] > 0
    assert len(http["memory"]["workers"]) == 2
    assert all(w["rss_mib"] > 50 for w in http["memory"]["workers"])  # the model is loaded
    indexing = r["indexing"]
    assert (
        indexing["items"]
        == sum(indexing["imported"][k] for k in indexing["imported"])
        - (indexing["imported"]["municipalities"])
    )
    (scale,) = r["scale"]
    rows = {row["type"].split(" ")[0]: row for row in scale["rows"]}
    assert rows["flat"]["recall"] == 1.0
    assert rows["service:"]["recall"] == 1.0  # 10k vectors: the service searches exactly


@pytest.mark.slow
def test_service_graph_index_finds_the_true_neighbours_at_scale(demo_service):
    """Above the exact threshold the service's HNSW graph keeps recall@10 >= 0.95 on
    vectors shaped like real text embeddings (the goal its parameters were chosen for)."""
    vectors = demo_service.indexes.vectors
    reference = np.vstack([vectors[k].vectors(vectors[k].ids) for k in vectors])
    r = measure_size(30_000, reference, n_queries=100, hnsw_max=0)
    service = next(row for row in r["rows"] if row["type"].startswith("service"))
    assert "hnsw" in service["type"]
    assert service["recall"] >= 0.95
    assert service["memory_ratio"] < 1.3


def test_bench_without_a_source_checkout_fails_clearly(tmp_path, monkeypatch):
    """Installed without the checkout (no benchmarks/ beside the package): a clear message."""
    monkeypatch.setattr("matcher.config.REPO_ROOT", tmp_path)
    result = CliRunner().invoke(main, ["--home", str(tmp_path / "home"), "bench", "--quick"])
    assert result.exit_code == 2
    assert "Fehler:" in result.stderr and "benchmarks/" in result.stderr
