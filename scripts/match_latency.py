"""Request latency of POST /api/v1/match against a running server (figures, not a test).

    python scripts/match_latency.py [--url http://127.0.0.1:8000] [-n 200]

Sends the demo judgment queries (70 distinct texts, then repeated, so later rounds also show
the query-vector cache), one at a time, and prints median, p95 and p99 in milliseconds.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("-n", type=int, default=200)
    args = parser.parse_args()
    with (ROOT / "data" / "judgments" / "projects.csv").open(encoding="utf-8") as f:
        texts = list(dict.fromkeys(row["query"] for row in csv.DictReader(f)))
    session = requests.Session()
    times, first_round = [], []
    for i in range(args.n):
        body = {"text": texts[i % len(texts)], "k": 10}
        start = time.perf_counter()
        response = session.post(f"{args.url}/api/v1/match", json=body, timeout=30)
        elapsed = (time.perf_counter() - start) * 1000
        response.raise_for_status()
        times.append(elapsed)
        if i < len(texts):
            first_round.append(elapsed)
    q = statistics.quantiles(times, n=100)
    print(f"requests: {len(times)} (distinct texts: {len(texts)})")
    print(f"all:         median {statistics.median(times):.1f} ms, p95 {q[94]:.1f} ms, "
          f"p99 {q[98]:.1f} ms")
    print(f"first round: median {statistics.median(first_round):.1f} ms (every text new)")


if __name__ == "__main__":
    main()
