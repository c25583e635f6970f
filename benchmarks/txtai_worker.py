"""txtai as a peer for `matcher bench`: index a corpus, answer queries, time both.

Runs with the python of txtai's own venv (see txtai_peer.py), so it imports only the standard
library and txtai, never matcher: what is measured is txtai as its users would run it.

    python txtai_worker.py JOB.json RESULT.json

JOB.json: {"config": {...txtai Embeddings config...}, "corpus": [[id, text], ...],
"queries": [[qid, text], ...], "k": int, "repeats": int}.
RESULT.json: version, requested and resolved config, load/index seconds, query latencies and
the ranked corpus ids of every query.
"""

from __future__ import annotations

import json
import os
import sys
import time

WARMUP = 5


def percentile(values: list[float], q: float) -> float:
    """Percentile by linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    pos = (len(ordered) - 1) * q / 100
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def search_all(embeddings, queries: list[list[str]], k: int, repeats: int):
    """Rankings of every query, and the latency in ms of at least `repeats` single searches
    (the first pass over the queries is timed too; fewer queries are cycled)."""
    for _, text in queries[:WARMUP]:  # the first searches pay for lazy set-up
        embeddings.search(text, k)
    rankings: dict[str, list[str]] = {}
    times: list[float] = []
    for n in range(max(repeats, len(queries))):
        qid, text = queries[n % len(queries)]
        start = time.perf_counter()
        hits = embeddings.search(text, k)
        times.append((time.perf_counter() - start) * 1000)
        if n < len(queries):
            rankings[qid] = [str(hit["id"]) for hit in hits]
    return rankings, times


def resolved(config: dict) -> dict:
    """The config txtai saves with an index (its defaults filled in), without timestamps."""
    out = {key: value for key, value in config.items() if key != "update"}
    if isinstance(out.get("build"), dict):
        out["build"] = {key: value for key, value in out["build"].items() if key != "create"}
    return out


def run(job: dict) -> dict:
    """Build the index of a job and answer its queries."""
    from importlib.metadata import version

    from txtai import Embeddings

    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    embeddings = Embeddings(json.loads(json.dumps(job["config"])))  # txtai fills in its copy
    load_seconds = time.perf_counter() - start

    start = time.perf_counter()
    embeddings.index([(cid, text, None) for cid, text in job["corpus"]])
    index_seconds = time.perf_counter() - start

    rankings, times = search_all(embeddings, job["queries"], job["k"], job["repeats"])
    return {
        "version": version("txtai"),
        "config": job["config"],
        "resolved_config": json.loads(json.dumps(resolved(embeddings.config), default=str)),
        "load_seconds": load_seconds,
        "index_seconds": index_seconds,
        "items": embeddings.count(),
        "query_ms": {f"p{q}": percentile(times, q) for q in (50, 95, 99)},
        "query_ms_mean": sum(times) / len(times),
        "timed_queries": len(times),
        "rankings": rankings,
        # Timings mean little on a busy machine: the 1-minute load average before and after.
        "machine": {"cpus": os.cpu_count(), "load": [load_before, os.getloadavg()[0]]},
    }


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: txtai_worker.py JOB.json RESULT.json", file=sys.stderr)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        job = json.load(f)
    result = run(job)
    with open(argv[2], "w", encoding="utf-8") as f:
        json.dump(result, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
