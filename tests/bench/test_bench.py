"""`matcher bench --quick` as CI runs it: the harness works end to end (no timing asserted)."""

import json
import math
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

from benchmarks.goals import evaluate
from benchmarks.scale import measure_size
from matcher.cli import main
from matcher.config import FAST_ENCODER
from matcher.embeddings.index import HNSW_EF_CONSTRUCTION
from matcher.matching.retrieval import SEARCHABLE
from tests.helpers import DEMO_DATA, FIXTURES, copy_home

# `matcher serve` start-up is timed on this many synthetic projects (the same code path as the
# quick run's 10,000, which took half a minute more to prepare and start).
STARTUP_ITEMS = 2_000


@pytest.mark.slow
def test_quick_bench_reports_every_part(tmp_path, demo_home):
    """The harness on less work than a user's `--quick`: its home is a copy of the session's
    built demo (the query path and HTTP parts measure the demo with the real encoder, nothing
    encoded again), the parts that build a fresh home (indexing, start-up) read a small corpus
    (the fixture corpus beside the demo's judged challenges, which give the timed queries), and
    start-up is measured on STARTUP_ITEMS synthetic projects instead of 10,000."""
    data = tmp_path / "data"
    shutil.copytree(FIXTURES, data, ignore=shutil.ignore_patterns("gv_*"))
    shutil.copytree(DEMO_DATA / "judgments", data / "judgments")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MATCHER_")}
    # The fast encoder profile, as the rest of the suite (the harness is what is tested here).
    environ.update(
        MATCHER_HOME=str(copy_home(demo_home, tmp_path / "home")),
        MATCHER_DATA_DIR=str(data),
        MATCHER_ENCODER=FAST_ENCODER,
        HF_HUB_OFFLINE="1",
    )
    out = tmp_path / "bench.json"
    run = subprocess.run(
        [
            *(sys.executable, "-m", "matcher.cli", "bench", "--quick"),
            *("--startup-sizes", str(STARTUP_ITEMS), "--json", str(out)),
        ],
        capture_output=True,
        text=True,
        env=environ,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    for heading in ("Query path", "/match over HTTP", "Indexing", "Scale: 10,000", "Goals"):
        assert heading in run.stdout
    r = json.loads(out.read_text())
    stages = r["query_path"]["stages"]
    assert stages["encode"]["n"] == r["query_path"]["queries"] >= 50
    assert all(math.isfinite(v) for v in r["query_path"]["ratios"].values())
    http = r["http"]
    assert http["latency_new_text"]["n"] >= 50
    for key in ("throughput_repeated_texts", "throughput_new_texts"):
        assert http[key]["errors"] == 0 and http[key]["requests"] > 0
    assert http["encoder_alone"]["processes"] == 2 and http["encoder_alone"]["encoded"] > 0
    assert http["encode_side_by_side"]["n"] == http["latency_new_text"]["n"]
    (start,) = r["startup"]
    assert start["items"] == STARTUP_ITEMS and start["startup_s"] > 0
    verdicts = {g["name"]: g["verdict"] for g in r["goals"]}
    assert verdicts["new challenge: HTTP p50 ÷ encoder p50"] in ("met", "not met")
    assert verdicts["start-up to first answer, 100,000 items"] == "not measured"
    assert len(http["memory"]["workers"]) == 2
    assert all(w["rss_mib"] > 50 for w in http["memory"]["workers"])  # the model is loaded
    indexing = r["indexing"]
    assert indexing["items"] == sum(indexing["imported"].get(k, 0) for k in SEARCHABLE) > 0
    (scale,) = r["scale"]
    rows = {row["type"].split(" ")[0]: row for row in scale["rows"]}
    assert rows["flat"]["recall"] == 1.0
    assert rows["service:"]["recall"] == 1.0  # 10k vectors: the service searches exactly


@pytest.mark.slow
def test_service_graph_index_finds_the_true_neighbours_at_scale(demo_service):
    """Above the exact threshold the service's HNSW graph keeps recall@10 >= 0.95 on
    vectors shaped like real text embeddings (the goal its parameters were chosen for), in
    at most 1.2 times the memory of the raw vectors with its id map and text hashes (the
    goal of issue 16; measured 1.17 at 512 dimensions, 30k items)."""
    vectors = demo_service.indexes.vectors
    reference = np.vstack([vectors[k].vectors(vectors[k].ids) for k in vectors])
    r = measure_size(30_000, reference, n_queries=100, hnsw_max=0)
    service = next(row for row in r["rows"] if row["type"].startswith("service"))
    assert "hnsw" in service["type"]
    assert f"efConstruction={HNSW_EF_CONSTRUCTION}" in service["type"]
    assert service["recall"] >= 0.95
    assert service["memory_ratio"] <= 1.2


def test_bench_without_a_source_checkout_fails_clearly(tmp_path, monkeypatch):
    """Installed without the checkout (no benchmarks/ beside the package): a clear message."""
    monkeypatch.setattr("matcher.config.REPO_ROOT", tmp_path)
    result = CliRunner().invoke(main, ["--home", str(tmp_path / "home"), "bench", "--quick"])
    assert result.exit_code == 2
    assert "Fehler:" in result.stderr and "benchmarks/" in result.stderr


def _figures(**changes):
    """A bench result with just the figures the goals read."""
    p = lambda p50, p99=None: {"n": 10, "p50": p50, "p95": p50, "p99": p99 or p50}  # noqa: E731
    r = {
        "query_path": {"stages": {"encode": p(9.0), "match_repeated": p(0.4)}},
        "http": {
            "encode_side_by_side": p(2.0),
            "latency_new_text": p(2.8, 6.5),
            "latency_repeated_text": p(1.5),
            "throughput_new_texts": {"clients": 8, "per_second": 150.0},
            "encoder_alone": {"processes": 2, "threads": 1, "per_second": 200.0},
        },
        "indexing": {"ratio_to_encoder": 0.95},
        "startup": [{"items": 100_000, "startup_s": 12.0, "memory": {"workers": [{}]}}],
        "scale": [
            {
                "items": 1_000_000,
                "rows": [
                    {"type": "service: hnsw", "recall": 0.96, "ms_p99": 8.0, "memory_ratio": 1.25}
                ],
            }
        ],
    }
    r.update(changes)
    return r


def test_goals_are_judged_on_the_side_by_side_figures():
    verdicts = {g.name: (g.value, g.verdict) for g in evaluate(_figures())}
    assert verdicts["repeated challenge: HTTP p50 − in-process p50"] == (1.1, "met")
    # against the encoder timed beside the requests (2 ms), not the in-process stage (9 ms)
    assert verdicts["new challenge: HTTP p50 ÷ encoder p50"] == (1.4, "met")
    assert verdicts["new challenge: HTTP p99 ÷ encoder p50"] == (3.25, "not met")
    assert verdicts["encoder alone: p99 ÷ p50 (same texts)"] == (1.0, "reported")
    assert verdicts["new challenge: HTTP p99 ÷ encoder p99"] == (3.25, "not met")
    tail = _figures()
    tail["http"]["encode_side_by_side"] = {"n": 10, "p50": 2.0, "p95": 4.0, "p99": 5.0}
    verdicts = {g.name: (g.value, g.verdict) for g in evaluate(tail)}
    assert verdicts["encoder alone: p99 ÷ p50 (same texts)"] == (2.5, "reported")
    assert verdicts["new challenge: HTTP p99 ÷ encoder p99"] == (1.3, "met")
    assert verdicts["new texts, 8 clients: throughput ÷ encoder alone"] == (0.75, "not met")
    assert verdicts["start-up to first answer, 100,000 items"] == (12.0, "not met")
    assert verdicts["start-up to first answer, 1,000,000 items"] == (None, "not measured")
    assert verdicts["1M items: recall@10"] == (0.96, "met")
    assert verdicts["1M items: memory ÷ raw vectors"] == (1.25, "not met")
    assert verdicts["indexing ÷ encoder batch throughput"] == (0.95, "met")
    assert verdicts["txtai side by side: query p50 ÷ txtai's"] == (None, "not measured")


def test_bench_server_runs_the_encoder_the_home_was_built_with(tmp_path, monkeypatch):
    """The server gets the bench's encoder, not the default one: with another encoder it
    would re-encode the whole catalog at start (a 10k start-up took 15 minutes that way)."""
    from benchmarks import serving

    seen = {}

    class _Popen:
        def __init__(self, argv, env, **kwargs):
            seen.update(env)

    monkeypatch.setenv("MATCHER_ENCODER", "something-else")
    monkeypatch.setattr(serving.subprocess, "Popen", _Popen)
    server = serving.Server(tmp_path, 2, FAST_ENCODER)
    server.log.close()
    assert seen["MATCHER_ENCODER"] == FAST_ENCODER
    assert seen["MATCHER_HOME"] == str(tmp_path)
