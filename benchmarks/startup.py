"""Start-up and memory of `matcher serve` on a large catalog.

A fresh home gets the demo corpus plus `n` synthetic projects: demo texts recombined and
numbered (realistic German text for the analyzer), with vectors from the clustered generator of
`benchmarks.scale` put into the embedding cache under the texts' hashes, so that the service
indexes them as it would after encoding them (encoding 100,000 texts would take minutes).
The service is opened once to build and save its indexes, as `matcher build` leaves them;
then `matcher serve` is timed from its start to the first answer, and the memory of each
worker (RSS and PSS) is read once every worker has loaded.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import numpy as np

from benchmarks.scale import ClusteredCorpus
from benchmarks.serving import Server, _children
from matcher.config import Settings
from matcher.domain.schema import Project, text_of
from matcher.embeddings import text_hash
from matcher.importing import parse_file
from matcher.service import MatcherService

BATCH = 20_000
SETTLE_S = 1.0  # a worker whose CPU time has not moved for this long has finished loading


def _synthetic_projects(data_dir: Path, n: int, seed: int = 7) -> list[Project]:
    demo = parse_file("projects", data_dir / "projects.jsonl").items
    towns = [t.id for t in parse_file("municipalities", data_dir / "municipalities.csv").items]
    rng = random.Random(seed)
    out = []
    for i in range(n):
        a, b = rng.choice(demo), rng.choice(demo)
        out.append(
            Project(
                id=f"syn-{i}",
                title=f"{a.title} ({i})",
                description=f"{b.description} Vorhaben {i} in {rng.choice(towns)}.",
                categories=list(a.categories),
                municipalities=[rng.choice(towns)],
            )
        )
    return out


def prepare(settings: Settings, home: Path, n: int, reference: np.ndarray) -> dict:
    """Build the home: demo corpus, `n` synthetic projects, their vectors cached, the indexes
    built and saved. Seconds of each step."""
    fresh = settings.model_copy(update={"home": home, "db_url": "", "progress": False})
    service = MatcherService(fresh)
    timings = {}
    try:
        start = time.perf_counter()
        service.build(settings.demo_dir)
        projects = _synthetic_projects(settings.demo_dir, n)
        vectors = ClusteredCorpus(n, reference).draw(n)
        name = service.encoder.name
        for at in range(0, n, BATCH):
            chunk = projects[at : at + BATCH]
            service.store.cache_vectors(
                name,
                {
                    text_hash(text_of(p)): v
                    for p, v in zip(chunk, vectors[at : at + BATCH], strict=True)
                },
            )
            service.store.upsert("projects", chunk)
        timings["store_s"] = time.perf_counter() - start
        start = time.perf_counter()
        service.open()  # encodes nothing (all cached), builds and saves the indexes
        timings["index_s"] = time.perf_counter() - start
    finally:
        service.close()
    return timings


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return -1
    return int(fields[11]) + int(fields[12])  # utime + stime


def _settled(server: Server, workers: int, timeout: float = 600) -> list[int]:
    """Worker pids once each has stopped using the CPU for SETTLE_S (done loading)."""
    deadline = time.time() + timeout
    last: dict[int, tuple[int, float]] = {}
    while time.time() < deadline:
        pids = _children(server.process.pid)
        now = time.time()
        quiet = 0
        for pid in pids:
            ticks = _cpu_ticks(pid)
            if pid not in last or last[pid][0] != ticks:
                last[pid] = (ticks, now)
            elif now - last[pid][1] >= SETTLE_S:
                quiet += 1
        if len(pids) >= workers and quiet == len(pids):
            return pids
        time.sleep(0.2)
    return _children(server.process.pid)


def measure(
    settings: Settings, home: Path, n: int, reference: np.ndarray, text: str, workers: int
) -> dict:
    """Figures for `matcher serve` on a home with `n` synthetic projects."""
    prepared = prepare(settings, home, n, reference)
    server = Server(home, workers, settings.encoder)
    try:
        startup = server.wait_first_answer(text, timeout=1800)
        _settled(server, workers)
        memory = server.memory()
    finally:
        server.stop()
    return {"items": n, "workers": workers, "startup_s": startup, "memory": memory, **prepared}
