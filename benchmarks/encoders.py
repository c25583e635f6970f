"""What each encoder costs, side by side in one run: query latency (one challenge at a time,
warm), batch throughput, the time to index the demo corpus from empty, and memory after loading.

    .venv/bin/python -m benchmarks.encoders [--encoders use-multilingual-v3,e5-small,use+e5]

Each encoder is measured in a fresh child process, one after another, so that its resident
memory is its own and one model's threads do not compete with another's. No figure is asserted:
compare within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.queries import challenge_texts
from benchmarks.stats import percentiles, rss_mib, timed
from matcher.config import Settings, load_settings
from matcher.domain.schema import text_of
from matcher.embeddings import create_encoder
from matcher.matching.retrieval import SEARCHABLE
from matcher.service import MatcherService

DEFAULT_ENCODERS = ("use-multilingual-v3", "e5-small", "use+e5")
WARM_UP = 5  # queries before timing: first calls allocate buffers and start thread pools
WARM_UP_TEXT = "Aufwärmen des Encoders vor der Messung"
THROUGHPUT_TEXTS = 256  # texts encoded in batches for passages/s (e5 needs ~20 s for these)


def measure(settings: Settings, spec: str, n_queries: int) -> dict:
    """The figures of one encoder, in this process (call it in a fresh one)."""
    data_dir = settings.demo_dir
    rss_start = rss_mib()
    encoder, load_ms = timed(create_encoder, spec, settings.threads, settings.batch_size)
    for _ in range(WARM_UP):
        encoder.encode_query(WARM_UP_TEXT)
    rss_loaded = rss_mib()
    latencies = [timed(encoder.encode_query, t)[1] for t in challenge_texts(data_dir, n_queries)]
    with tempfile.TemporaryDirectory(prefix="matcher-bench-enc-") as tmp:
        fresh = settings.model_copy(
            update={"home": Path(tmp), "db_url": "", "encoder": spec, "progress": False}
        )
        service = MatcherService(fresh, encoder=encoder)
        try:
            _, build_ms = timed(service.build, data_dir)
            passages = [
                text_of(item)
                for kind in SEARCHABLE
                for item in service.catalog.items[kind].values()
            ]
        finally:
            service.close()
    batch = passages[:THROUGHPUT_TEXTS]
    start = time.perf_counter()
    for i in range(0, len(batch), settings.batch_size):
        encoder.encode(batch[i : i + settings.batch_size])
    batch_s = time.perf_counter() - start
    return {
        "encoder": spec,
        "name": encoder.name,
        "dim": encoder.dim,
        "threads": settings.threads,
        "load_ms": load_ms,
        "query_ms": percentiles(latencies),
        "passages_per_s": len(batch) / batch_s,
        "index_demo_s": build_ms / 1000,
        "index_demo_items": len(passages),
        "rss_loaded_mib": rss_loaded,
        "rss_model_mib": rss_loaded - rss_start,
        "rss_after_index_mib": rss_mib(),
    }


def run(settings: Settings, specs: list[str], n_queries: int = 200, log=print) -> list[dict]:
    """Each encoder measured in a child process, one after another."""
    rows = []
    for spec in specs:
        log(f"Encoder {spec} …")
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "benchmarks.encoders",
                "--one",
                spec,
                "--queries",
                str(n_queries),
            ],
            capture_output=True,
            text=True,
            check=False,
            env=_child_env(settings),
            cwd=Path(__file__).resolve().parent.parent,
        )
        if done.returncode != 0:
            raise RuntimeError(f"measuring {spec} failed:\n{done.stderr[-2000:]}")
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return rows


def _child_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHER_")}
    env.update(
        MATCHER_HOME=str(settings.home),
        MATCHER_DATA_DIR=str(settings.demo_dir),
        MATCHER_BATCH_SIZE=str(settings.batch_size),
        MATCHER_ENCODER_THREADS=str(settings.threads),
        MATCHER_PROGRESS="false",
        HF_HUB_OFFLINE="1",
    )
    return env


def format_rows(rows: list[dict]) -> list[str]:
    """The figures as table lines."""
    head = (
        f"  {'encoder':22s}{'dim':>5s}{'query p50':>11s}{'p99 ms':>8s}{'passages/s':>12s}"
        f"{'index demo s':>14s}{'RSS MiB':>9s}{'model MiB':>11s}"
    )
    lines = [f"Encoders side by side ({rows[0]['threads'] if rows else '?'} threads)", head]
    for r in rows:
        lines.append(
            f"  {r['encoder']:22s}{r['dim']:5d}{r['query_ms']['p50']:11.2f}"
            f"{r['query_ms']['p99']:8.2f}{r['passages_per_s']:12.1f}{r['index_demo_s']:14.1f}"
            f"{r['rss_loaded_mib']:9.0f}{r['rss_model_mib']:11.0f}"
        )
    if rows:
        lines.append(f"  (index demo: {rows[0]['index_demo_items']} items from empty)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--encoders", default=",".join(DEFAULT_ENCODERS))
    parser.add_argument("--queries", type=int, default=200, help="timed single queries")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # the child: measure one, print JSON
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    settings = load_settings(progress=False)
    if args.one:
        print(json.dumps(measure(settings, args.one, args.queries)))
        return
    rows = run(settings, [s for s in args.encoders.split(",") if s], args.queries)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print("\n".join(format_rows(rows)))


if __name__ == "__main__":
    main()
