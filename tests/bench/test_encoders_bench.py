"""The encoder cost benchmark's harness (benchmarks/encoders.py) with the fake encoder: every
figure is there and printed (no timing asserted)."""

from __future__ import annotations

import math

from benchmarks import encoders as bench
from tests.helpers import FIXTURES, make_settings
from tools.fakes import FakeEncoder


def test_one_encoder_is_measured_and_printed(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "create_encoder", lambda spec, threads, batch: FakeEncoder())
    settings = make_settings(tmp_path / "home", data_dir=FIXTURES, batch_size=4)
    row = bench.measure(settings, "fake", n_queries=3)
    assert row["encoder"] == "fake" and row["name"] == "fake-hashing-64" and row["dim"] == 64
    assert row["index_demo_items"] == 9  # 4 projects, 1 need, 2 offerings, 2 providers
    assert row["query_ms"]["n"] >= 1 and row["query_ms"]["p50"] > 0
    for key in ("passages_per_s", "index_demo_s", "rss_loaded_mib", "rss_after_index_mib"):
        assert row[key] > 0 and math.isfinite(row[key]), key
    lines = bench.format_rows([row, {**row, "encoder": "other"}])
    assert lines[0].startswith("Encoders side by side")
    assert lines[2].split()[0] == "fake" and lines[3].split()[0] == "other"
    assert "9 items" in lines[-1]
