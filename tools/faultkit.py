"""SIGKILL a writer at chosen moments, then check that nothing committed was lost.

Shared by `tests/test_faults.py` (a few kill points) and `scripts/faults.py` (many). The writer
(tools/fault_writer.py) imports numbered batches of projects into a matcher home, each write
ending with the index save as in the service, and prints a marker before and after each phase.
The parent kills it at a random moment inside a chosen phase: it waits for the phase's opening
marker, then sleeps a random fraction of the phase's length as measured on earlier batches.
Writers are forked from a "zygote" that imported the matcher once (importing takes seconds, a
fork milliseconds); the CLI kill points start `matcher import` afresh instead.

After each kill a fresh service opens the home and the checks run: every batch the writer saw
committed is there, item for item; the batch in flight is there whole or not at all; the vector
indexes hold exactly the database's items with their text hashes and vectors, on disk too; a
few items are found first by a search for their made-up word; an index left inconsistent on
disk is rebuilt with a log line.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import select
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sqlalchemy import create_engine, text

from matcher.config import REPO_ROOT
from matcher.domain.errors import NotReadyError
from matcher.domain.schema import Project, text_of
from matcher.embeddings import text_hash
from matcher.embeddings.base import Encoder
from matcher.embeddings.index import VectorIndex
from matcher.matching.retrieval import SEARCHABLE
from matcher.service import MatcherService
from tools.fault_writer import GENERATED, make_batch, settings_for, token, write_jsonl

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"  # the small corpus
# Where a kill can land, in the order of one write; the phase of a kill is named by the last
# marker the child printed before it died.
PHASE_OF_TAG = {
    None: "start-up",
    "R": "before commit",
    "B": "before commit",
    "T": "before commit",
    "C": "after commit, before index save",
    "S": "inside index save",
    "F": "inside index save",
    "f": "inside index save",
    "D": "after index save",
    "E": "after index save",
}
# Target phase → (marker that opens it, marker that closes it).
WINDOWS = {
    "before commit": ("T", "C"),
    "after commit, before index save": ("C", "S"),
    "inside index save": ("S", "D"),
    "anywhere": ("B", "E"),
}
# Right after the projects' vectors file was replaced, before its id map and config were.
BETWEEN_FILES = "between index files"
TARGETS = (*WINDOWS, BETWEEN_FILES)
CHILD_TIMEOUT = 180.0


# -- the parent: driving and killing children ---------------------------------------------


@dataclass
class Run:
    """What one child printed, and how it ended."""

    markers: list[tuple[float, str, int, str]] = field(default_factory=list)
    exit_code: int | None = None

    @property
    def killed(self) -> bool:
        return self.exit_code == -signal.SIGKILL

    @property
    def last(self) -> tuple[float, str, int, str] | None:
        return self.markers[-1] if self.markers else None

    @property
    def phase(self) -> str:
        last = self.last
        if last is None or (last[1] in "SFf" and last[2] < 0):
            return "start-up" if last is None else "inside index save (in open)"
        return PHASE_OF_TAG[last[1]]

    def batches(self, tag: str) -> list[int]:
        return sorted({b for _, t, b, _ in self.markers if t == tag and b >= 0})

    def durations(self) -> dict[str, list[float]]:
        """Length of every complete phase window, by target name. A process's first batch is
        left out: it pays for warming up (the real encoder loads on first use)."""
        at = {(t, b): s for s, t, b, _ in self.markers if b >= 0}
        first = min((b for _, b in at), default=-1)
        out: dict[str, list[float]] = {}
        for name, (start, end) in WINDOWS.items():
            for t, b in at:
                if t == start and b != first and (end, b) in at:
                    out.setdefault(name, []).append(at[(end, b)] - at[(t, b)])
        return out


@dataclass
class Plan:
    """Kill `delay` seconds after marker `tag` of `batch` (and `detail`, if given); no kill if
    tag is None."""

    tag: str | None = None
    batch: int = -1
    delay: float = 0.0
    detail: str | None = None


def _lines(fd: int, deadline: float):
    """Lines from a pipe as they come; TimeoutError after the deadline."""
    buffer = b""
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the child did not finish in time")
        ready, _, _ = select.select([fd], [], [], min(left, 1.0))
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            return
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            yield line.decode()


def _follow(run: Run, line: str, pid: int | None, plan: Plan) -> None:
    """Record a marker line; kill the child when it opens the planned phase."""
    if not line.startswith("M "):
        return
    _, stamp, tag, batch, detail = line.split(" ", 4)
    run.markers.append((float(stamp), tag, int(batch), detail))
    if pid and (tag, int(batch)) == (plan.tag, plan.batch) and plan.detail in (None, detail):
        # Counted from when the child printed the marker, not from when it was read here.
        time.sleep(max(0.0, float(stamp) + plan.delay - time.monotonic()))
        with contextlib.suppress(ProcessLookupError):  # it had already finished
            os.kill(pid, signal.SIGKILL)


class Zygote:
    """A long-lived process that forks writer children on request."""

    def __init__(self, log: Path) -> None:
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1")
        env = {k: v for k, v in env.items() if not k.startswith("MATCHER_")}
        self.log = log
        with log.open("ab") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tools.fault_writer", "zygote"],
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
            )
        self.fd = self.process.stdout.fileno()
        self._ready = False

    def wait_ready(self) -> None:
        if self._ready:
            return
        for line in _lines(self.fd, time.monotonic() + CHILD_TIMEOUT):
            if line == "ready":
                self._ready = True
                return
        raise RuntimeError(f"the zygote died: {self.log.read_text()[-2000:]}")

    def run(self, args: dict, plan: Plan) -> Run:
        """Fork a writer with these arguments and follow (and maybe kill) it."""
        self.wait_ready()
        self.process.stdin.write((json.dumps(args) + "\n").encode())
        self.process.stdin.flush()
        run, pid = Run(), None
        for line in _lines(self.fd, time.monotonic() + CHILD_TIMEOUT):
            if line.startswith("pid "):
                pid = int(line.split()[1])
            elif line.startswith("exit "):
                run.exit_code = int(line.split()[1])
                return run
            else:
                _follow(run, line, pid, plan)
        raise RuntimeError(f"the zygote died: {self.log.read_text()[-2000:]}")

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()


def run_cli(argv: list[str], batch: int, plan: Plan, log: Path, db_url: str = "") -> Run:
    """`python -m tools.fault_writer cli BATCH -- ARGV`: a fresh interpreter running the CLI."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATCHER_")}
    env.update(MATCHER_PROGRESS="false", HF_HUB_OFFLINE="1")
    if db_url:
        env["MATCHER_DB_URL"] = db_url
    with log.open("ab") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "tools.fault_writer", "cli", str(batch), "--", *argv],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
        )
    run = Run()
    try:
        for line in _lines(process.stdout.fileno(), time.monotonic() + CHILD_TIMEOUT):
            _follow(run, line, process.pid, plan)
    except BaseException:
        process.kill()
        raise
    finally:
        run.exit_code = process.wait(timeout=60)
        process.stdout.close()
    return run


# -- the parent: checking a home after a kill ---------------------------------------------


@dataclass
class Check:
    """What one look at a home after a kill found."""

    lost: list[str] = field(default_factory=list)
    uncommitted: list[str] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)
    rebuilt: list[str] = field(default_factory=list)
    applied: int | None = None  # the in-flight batch, when it turned out committed


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def inconsistent_indexes(directory: Path, encoder_name: str) -> list[str]:
    """Kinds whose saved index exists but cannot be loaded (a save that was cut short)."""
    bad = []
    for kind in SEARCHABLE:
        try:
            VectorIndex.load(directory, kind, encoder_name)
        except NotReadyError:
            if (directory / f"{kind}.config.json").exists():
                bad.append(kind)
    return bad


def _batch_of(item: Project) -> int:
    return int(item.funding[len(GENERATED) :])


def _check_items(
    store_items: list[Project], versions: dict[str, int], inflight: int | None, batch
) -> Check:
    """Committed versions present, the in-flight batch whole or absent, nothing else.
    `versions` (id → batch of its committed version) gains the in-flight batch if it is whole."""
    found = Check()
    db = {p.id: p for p in store_items if p.funding.startswith(GENERATED)}
    if inflight is not None and all(db.get(p.id) == p for p in batch(inflight)):
        found.applied = inflight  # it committed just before the kill
        versions.update({p.id: inflight for p in batch(inflight)})
    expected = {i: next(p for p in batch(n) if p.id == i) for i, n in versions.items()}
    for item_id, item in expected.items():
        got = db.get(item_id)
        if got == item:
            continue
        if got is not None and _batch_of(got) > _batch_of(item):
            found.uncommitted.append(f"{item_id}: shows {got.funding}, committed {item.funding}")
        else:
            found.lost.append(f"{item_id}: committed {item.funding}, found {got and got.funding}")
    found.uncommitted += [
        f"{i}: never committed ({p.funding})" for i, p in db.items() if i not in expected
    ]
    return found


def _check_indexes(service: MatcherService, fresh: Encoder | None) -> list[str]:
    """The vector index of each kind holds exactly the database's items, hashes and vectors."""
    problems = []
    for kind in SEARCHABLE:
        index = service.indexes.vectors[kind]
        items = {item.id: item for item in service.store.all(kind)}  # read again, not cached
        if set(index.ids) != set(items):
            diff = sorted(set(index.ids) ^ set(items))[:5]
            problems.append(f"{kind}: index and database differ in ids, e.g. {diff}")
            continue
        ids = sorted(items)
        texts = [text_of(items[i]) for i in ids]
        stale = [i for i, t in zip(ids, texts, strict=True) if index.hashes[i] != text_hash(t)]
        problems += [f"{kind} {i}: index text hash differs from the database" for i in stale]
        if ids:
            wanted = fresh.encode(texts) if fresh else service.encoder.encode(texts)
            off = np.abs(index.vectors(ids) - wanted).max(axis=1) > 1e-4
            problems += [f"{kind} {i}: wrong vector in the index" for i in np.array(ids)[off]]
        on_disk = VectorIndex.load(service.settings.index_dir, kind, service.encoder.name)
        if on_disk.hashes != index.hashes:
            problems.append(f"{kind}: the saved index differs from the one in memory")
    return problems


def _check_search(service: MatcherService, ids: list[str], fake: bool) -> list[str]:
    """Each item comes first in a search for its made-up word. A real encoder finds a lone
    made-up word unrelated to everything (under the relevance floor): it gets a title word."""
    problems = []
    for item_id in ids:
        text = token(item_id) if fake else f"{token(item_id)} Testvorhaben"
        hits = service.search(text, "projects", k=3)
        if not hits or hits[0].id != item_id:
            problems.append(f"{item_id}: not found first by {text!r}")
    return problems


def _settle(url: str) -> None:
    """Wait until PostgreSQL has finished with the killed writer's session: a COMMIT sent just
    before the kill may still be completing (SQLite has nothing in flight once it died)."""
    if not url.startswith("postgresql"):
        return
    engine = create_engine(url)
    others = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND backend_type = 'client backend'"
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                if conn.execute(others).scalar() == 0:
                    return
            time.sleep(0.02)
        raise TimeoutError("the killed writer's database session did not end")
    finally:
        engine.dispose()


def check_home(
    settings, encoder: Encoder, versions: dict[str, int], inflight: int | None, batch, rng
) -> Check:
    """Open a fresh service on the home and run every check (updates `versions`)."""
    _settle(settings.db_url)
    broken = inconsistent_indexes(settings.index_dir, encoder.name)
    records = _Records()
    logger = logging.getLogger("matcher.matching.retrieval")
    logger.addHandler(records)
    service = MatcherService(settings, encoder=encoder)
    try:
        service.open()
        found = _check_items(service.store.all("projects"), versions, inflight, batch)
        fake = encoder.name.startswith("fake")
        fresh = encoder if fake else None
        found.disagreements += _check_indexes(service, fresh)
        newest = sorted(versions, key=lambda i: (-versions[i], i))[:2]
        sample = newest + rng.sample(sorted(versions), min(2, len(versions)))
        found.disagreements += _check_search(service, sample, fake)
    finally:
        logger.removeHandler(records)
        service.close()
    for kind in broken:
        if any(f"rebuilding the {kind} index from the database" in m for m in records.messages):
            found.rebuilt.append(kind)
        else:
            found.disagreements.append(f"{kind}: inconsistent on disk, rebuilt without a log line")
    return found


# -- a campaign: many kill points on one home ----------------------------------------------


@dataclass
class Tally:
    """Figures over many kill points."""

    kills: int = 0
    unkilled: int = 0
    phases: Counter = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)
    uncommitted: list[str] = field(default_factory=list)
    disagreements: list[str] = field(default_factory=list)
    rebuilds: int = 0
    committed_batches: int = 0

    @property
    def ok(self) -> bool:
        return not (self.lost or self.uncommitted or self.disagreements)

    def summary(self) -> str:
        lines = [
            f"kill points tried: {self.kills}, lost committed items: {len(self.lost)}, "
            f"visible uncommitted: {len(self.uncommitted)}, "
            f"index/db disagreements: {len(self.disagreements)}",
            f"runs that finished before the kill: {self.unkilled}; batches committed: "
            f"{self.committed_batches}; inconsistent indexes rebuilt with a log line: "
            f"{self.rebuilds}",
            "kills by phase: "
            + ", ".join(f"{phase}: {n}" for phase, n in sorted(self.phases.items())),
        ]
        for name, problems in (
            ("lost", self.lost),
            ("visible uncommitted", self.uncommitted),
            ("disagreement", self.disagreements),
        ):
            lines += [f"  {name}: {p}" for p in problems[:10]]
        return "\n".join(lines)


class Campaign:
    """One home, one database and one encoder, killed again and again."""

    def __init__(
        self,
        home: Path,
        encoder: Encoder,
        child_encoder: str,
        zygote: Zygote | None,
        db_url: str = "",
        seed: int = 0,
        size: int = 20,
        say=lambda text: None,
    ) -> None:
        self.home, self.encoder, self.child_encoder = home, encoder, child_encoder
        self.zygote, self.db_url, self.seed, self.size = zygote, db_url, seed, size
        self.settings = settings_for(home, db_url)
        self.rng = random.Random(seed)
        self.say = say
        self.versions: dict[str, int] = {}
        self.next_batch = 0
        self.windows: dict[str, list[float]] = {}
        self.lead: dict[str, float] = {}
        self.tally = Tally()

    def batch(self, n: int) -> list[Project]:
        return make_batch(self.seed, n, self.size)

    def prepare(self) -> None:
        """The fixture corpus, imported and indexed."""
        service = MatcherService(self.settings, encoder=self.encoder)
        try:
            service.build(FIXTURES)
        finally:
            service.close()

    def window(self, name: str) -> float:
        """Median length of a phase so far (a guess before it was seen)."""
        seen = self.windows.get(name)
        guess = {"after commit, before index save": 0.5 if self.child_encoder == "real" else 0.02}
        return statistics.median(seen) if seen else guess.get(name, 0.05)

    def plan(self, target: str | None, batch: int) -> Plan:
        if target is None:
            return Plan()
        if target == BETWEEN_FILES:
            return Plan("f", batch, self.rng.random() * 0.005, "projects.faiss")
        start, window = WINDOWS[target][0], self.window(target)
        delay = self.rng.random() * window - self.lead.get(target, 0.0)
        return Plan(start, batch, max(0.0, delay))

    def _aim(self, target: str | None, run: Run) -> None:
        """Kills arrive a little late (waking up, delivering the signal): aim earlier after a
        kill that landed past its phase, a little later after one that hit."""
        if target not in WINDOWS or target == "anywhere" or not run.killed:
            return
        lead, window = self.lead.get(target, 0.0), self.window(target)
        if run.phase == target:
            self.lead[target] = max(0.0, lead - 0.0005)
        else:
            self.lead[target] = min(lead + 0.002, 0.5 * window)

    def kill_point(self, target: str | None, cli: bool = False) -> Run:
        """Run a child, kill it inside the target phase (None: let it finish), then check."""
        first = self.next_batch
        aim = first if cli else first + self.rng.randrange(2)
        plan = self.plan(target, aim)
        if cli:
            path = write_jsonl(self.home / "batches" / f"{first}.jsonl", self.batch(first))
            argv = ["--home", str(self.home), "import", "projects", str(path)]
            run = run_cli(argv, first, plan, self.home / "children.log", self.db_url)
        else:
            args = dict(
                home=str(self.home),
                db_url=self.db_url,
                encoder=self.child_encoder,
                seed=self.seed,
                first=first,
                count=aim - first + 3,  # a late kill still finds it writing
                size=self.size,
            )
            run = self.zygote.run(args, plan)
        if not run.killed and run.exit_code != 0:
            raise RuntimeError(f"the writer failed ({run.exit_code}); see {self.home}/*.log")
        self._learn(run)
        self._aim(target, run)
        self._account(run, target, "cli " if cli else "")
        return run

    def _learn(self, run: Run) -> None:
        for name, values in run.durations().items():
            self.windows.setdefault(name, []).extend(values)

    def _account(self, run: Run, target: str | None, label: str) -> None:
        committed = run.batches("C")
        for n in committed:
            self.versions.update({p.id: n for p in self.batch(n)})
        started = [b for b in run.batches("T") if b not in committed]
        inflight = started[0] if started else None
        found = check_home(
            self.settings, self.encoder, self.versions, inflight, self.batch, self.rng
        )
        tally = self.tally
        last = max(run.batches("B") + run.batches("T") + [self.next_batch - 1])
        self.next_batch = last + 1
        tally.committed_batches += len(committed) + (found.applied is not None)
        if run.killed:
            tally.kills += 1
            tally.phases[run.phase] += 1
        elif target is not None:
            tally.unkilled += 1
        tally.lost += found.lost
        tally.uncommitted += found.uncommitted
        tally.disagreements += found.disagreements
        tally.rebuilds += len(found.rebuilt)
        where = run.phase if run.killed else "not killed"
        rebuilt = f", rebuilt {found.rebuilt}" if found.rebuilt else ""
        self.say(
            f"{label}{where} "
            f"(last marker {run.last[1:] if run.last else None}){rebuilt}: "
            f"{len(found.lost)} lost, {len(found.uncommitted)} uncommitted, "
            f"{len(found.disagreements)} disagreements"
        )
