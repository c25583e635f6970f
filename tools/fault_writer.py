"""The writer that tools/faultkit.py kills: numbered batches of projects, with markers.

Run as `python -m tools.fault_writer zygote` (imports the matcher once, then forks a writer per
JSON line on standard input) or `python -m tools.fault_writer cli BATCH -- MATCHER_ARGS` (the
real CLI in a fresh interpreter). Batch n holds new projects and new versions of a few earlier
ones, the same every time for the same seed, so the parent knows what each batch wrote.

Markers go to standard output as `M <monotonic time> <tag> <batch> <detail>` lines: B batch
begins, T transaction begins, C committed, S index save begins, F/f an index file begins/ends,
D index saved, E batch done, R service opened. All but B and E come from the observer the
service is given (`instrument`), no matcher internals are replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sys
import time
import traceback
from pathlib import Path

from matcher.config import FAST_ENCODER, load_settings
from matcher.domain.schema import WITH_PRIVATE, Project
from matcher.embeddings.index import Observer
from matcher.service import MatcherService
from tools.fakes import FakeEncoder

TOWNS = ("mossautal", "kassel", "erbach", "brensbach")
GENERATED = "batch-"  # every generated project's `funding` names the batch that wrote it


# -- the batches ---------------------------------------------------------------------------


def token(item_id: str) -> str:
    """A made-up word unique to an item, for finding it by search."""
    value = int(hashlib.sha256(item_id.encode()).hexdigest(), 16)
    letters = []
    for _ in range(9):
        value, r = divmod(value, 26)
        letters.append(chr(97 + r))
    return "".join(letters)


def _item_id(size: int, k: int) -> str:
    return f"fx-{k // size:05d}-{k % size:03d}"


def make_batch(seed: int, n: int, size: int) -> list[Project]:
    """Batch n: `size` new projects and a few new versions of earlier ones (deterministic)."""
    rng = random.Random(f"{seed}/{n}")
    earlier = rng.sample(range(n * size), min(3, n * size)) if n else []
    ids = [_item_id(size, n * size + j) for j in range(size)] + [_item_id(size, k) for k in earlier]
    return [
        Project(
            id=item_id,
            title=f"{token(item_id)} Testvorhaben Fassung {n}",
            # The made-up word twice and one category for all: the fake encoder's vectors are
            # noisy, and this keeps a search for the word finding its item first.
            description=f"{token(item_id)}: Stapel {n}, Sensoren an Laternen im Ortsteil.",
            categories=["energie"],
            municipalities=[rng.choice(TOWNS)],
            year=2020 + n % 5,
            status="laufend",
            funding=f"{GENERATED}{n}",
        )
        for item_id in ids
    ]


def write_jsonl(path: Path, items: list[Project]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "".join(json.dumps(i.model_dump(mode="json", context=WITH_PRIVATE)) + "\n" for i in items)
    )
    return path


# -- the child -----------------------------------------------------------------------------


class Markers:
    """Marker lines on a file descriptor: `M <monotonic time> <tag> <batch> <detail>`."""

    def __init__(self, fd: int = 1, batch: int = -1) -> None:
        self.fd = fd
        self.batch = batch

    def __call__(self, tag: str, detail: str = "-") -> None:
        os.write(self.fd, f"M {time.monotonic():.6f} {tag} {self.batch} {detail}\n".encode())


# The service's observer events (MatcherService, SearchIndexes, VectorIndex.save) → markers.
TAG_OF_EVENT = {
    "commit-start": "T",
    "commit-done": "C",
    "save-start": "S",
    "save-done": "D",
    "file-start": "F",
    "file-done": "f",
    "opened": "R",
}
FILE_EVENTS = ("file-start", "file-done")  # the only ones whose detail (a file name) is printed


def instrument(mark: Markers, batch_after_open: int | None = None) -> Observer:
    """An observer for MatcherService(observer=...) that prints markers around the phases of a
    write; from "opened" on, the markers carry `batch_after_open` if given."""

    def observe(event: str, detail: str) -> None:
        if event == "opened" and batch_after_open is not None:
            mark.batch = batch_after_open
        tag = TAG_OF_EVENT.get(event)
        if tag is not None:
            mark(tag, detail if event in FILE_EVENTS else "-")

    return observe


def settings_for(home: Path, db_url: str = ""):
    return load_settings(
        environ={}, home=home, db_url=db_url or None, progress=False, encoder=FAST_ENCODER
    )


def run_writer(home: str, db_url: str, encoder: str, seed: int, first: int, count: int, size: int):
    """The child: import batches first … first+count-1 with markers on standard output."""
    mark = Markers()
    service = MatcherService(
        settings_for(Path(home), db_url),
        encoder=FakeEncoder() if encoder == "fake" else None,
        observer=instrument(mark),
    )
    service.open()
    for n in range(first, first + count):
        mark.batch = n
        mark("B")
        items = make_batch(seed, n, size)
        if n % 2 == 0:
            service.import_file(
                "projects", write_jsonl(Path(home) / "batches" / f"{n}.jsonl", items)
            )
        else:
            service.upsert("projects", items)
        mark("E")
    service.close()


def zygote() -> None:
    """Fork a writer per JSON line on standard input (this module imported the matcher once);
    the writer reports its pid before anything else, the zygote the writer's exit code."""
    os.write(1, b"ready\n")
    for line in sys.stdin:
        args = json.loads(line)
        pid = os.fork()
        if pid == 0:
            os.write(1, f"pid {os.getpid()}\n".encode())
            code = 0
            try:
                run_writer(**args)
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                sys.stderr.flush()
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        os.write(1, f"exit {os.waitstatus_to_exitcode(status)}\n".encode())


def cli_child(batch: int, argv: list[str]) -> None:
    """`matcher ARGV` with markers, as a fresh process would run it."""
    from matcher.cli import OBSERVER, main

    # The CLI builds its own service; it takes the observer from the click context's meta.
    with main.make_context("matcher", argv) as ctx:
        ctx.meta[OBSERVER] = instrument(Markers(), batch_after_open=batch)
        main.invoke(ctx)


def main(argv: list[str]) -> None:
    if argv[:1] == ["zygote"]:
        zygote()
    elif argv[:1] == ["cli"] and argv[2:3] == ["--"]:
        cli_child(int(argv[1]), argv[3:])
    else:
        raise SystemExit("usage: python -m tools.fault_writer zygote | cli BATCH -- MATCHER_ARGS")


if __name__ == "__main__":
    main(sys.argv[1:])
