"""The long fault run: SIGKILL the writer many times at random points, then check for losses.

    .venv/bin/python scripts/faults.py --kills 500              # SQLite, fake encoder
    .venv/bin/python scripts/faults.py --kills 200 --real 10 --cli 3 --pg-url \\
        postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres

The same checks as tests/test_faults.py (the design is in tools/faultkit.py), with many more
kill points: each aims at one phase of a write in turn (inside the transaction, after the commit
before the index save, inside the index save, right after the projects' vectors file, anywhere)
and reports where it really landed. `--real` kill points fork writers that use the real default
encoder, `--cli` ones run `matcher import` in a fresh interpreter (real encoder too; a few
seconds each). With `--pg-url` the fake-encoder kill points are repeated on a new database on
that server (dropped afterwards). A new home is started every `--per-home` kill points, so the
store stays small and each check quick.

Prints a line per kill point with -v, then per run and overall:
"kill points tried: N, lost committed items: 0, visible uncommitted: 0, index/db disagreements: 0".
Exits 1 if anything was lost, showed uncommitted or disagreed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from sqlalchemy import create_engine, text  # noqa: E402

from tools.fakes import FakeEncoder  # noqa: E402
from tools.faultkit import TARGETS, Campaign, Tally, Zygote  # noqa: E402


def _options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kills", type=int, default=200, help="Fake-encoder kill points.")
    parser.add_argument("--real", type=int, default=2, help="Kill points with the real encoder.")
    parser.add_argument("--cli", type=int, default=1, help="Kill points of `matcher import`.")
    parser.add_argument("--pg-url", default="", help="Repeat the fake kill points on PostgreSQL.")
    parser.add_argument("--per-home", type=int, default=100, help="Kill points per home.")
    parser.add_argument("--size", type=int, default=20, help="New projects per batch.")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, help="Keep the homes and logs here.")
    parser.add_argument("-v", "--verbose", action="store_true", help="A line per kill point.")
    return parser.parse_args(argv)


def _fresh_database(url: str) -> str:
    name = f"matcher_faults_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.rsplit("/", 1)[0] + f"/{name}"


def _drop_database(url: str, db_url: str) -> None:
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{db_url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def _merge(total: Tally, part: Tally) -> None:
    total.kills += part.kills
    total.unkilled += part.unkilled
    total.phases.update(part.phases)
    total.lost += part.lost
    total.uncommitted += part.uncommitted
    total.disagreements += part.disagreements
    total.rebuilds += part.rebuilds
    total.committed_batches += part.committed_batches


def _windows(campaign: Campaign) -> str:
    return (
        ", ".join(
            f"{name} {1000 * statistics.median(values):.1f} ms"
            for name, values in campaign.windows.items()
        )
        or "not measured (one batch per process)"
    )


def _run(name: str, kills: int, make, args, cli: bool = False) -> Tally:
    """`kills` kill points over fresh homes of `args.per_home` each."""
    tally, done, started = Tally(), 0, time.monotonic()
    # `matcher import` writes one batch and has no batch markers to aim "anywhere" by.
    targets = [t for t in TARGETS if not (cli and t == "anywhere")]
    while done < kills:
        campaign = make(done)
        campaign.prepare()
        if not cli:
            campaign.kill_point(None)  # a run to the end measures the phases
        for i in range(min(args.per_home, kills - done)):
            campaign.kill_point(targets[(done + i) % len(targets)], cli=cli)
        done += min(args.per_home, kills - done)
        _merge(tally, campaign.tally)
        print(f"[{name}] {done}/{kills} kill points; phase lengths: {_windows(campaign)}")
    print(f"[{name}] {tally.summary()}\n[{name}] {time.monotonic() - started:.0f} s\n")
    return tally


def main(argv: list[str] | None = None) -> int:
    args = _options(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="matcher-faults-"))
    workdir.mkdir(parents=True, exist_ok=True)
    say = print if args.verbose else (lambda _text: None)
    zygote = Zygote(workdir / "zygote.log")
    total, databases = Tally(), []

    def campaign(kind: str, encoder, child: str, db_url: str = "", size: int = args.size):
        def make(done: int) -> Campaign:
            home = workdir / f"{kind}-{done}"
            shutil.rmtree(home, ignore_errors=True)
            url = db_url and _fresh_database(db_url)
            if url:
                databases.append(url)
            return Campaign(home, encoder, child, zygote, url, args.seed + done, size, say)

        return make

    try:
        _merge(total, _run("sqlite", args.kills, campaign("sqlite", FakeEncoder(), "fake"), args))
        if args.pg_url:
            make = campaign("postgresql", FakeEncoder(), "fake", args.pg_url)
            _merge(total, _run("postgresql", args.kills, make, args))
        if args.real or args.cli:
            from matcher.embeddings.use import USEEncoder

            use = USEEncoder(threads=2)
            if args.real:
                make = campaign("real", use, "real", size=8)
                _merge(total, _run("real encoder", args.real, make, args))
            if args.cli:
                make = campaign("cli", use, "real", size=8)
                _merge(total, _run("matcher import", args.cli, make, args, cli=True))
    finally:
        zygote.close()
        for url in databases:
            _drop_database(args.pg_url, url)
    print(total.summary())
    if total.ok and not args.workdir:
        shutil.rmtree(workdir, ignore_errors=True)
    elif not total.ok:
        print(f"homes and logs kept in {workdir}")
    return 0 if total.ok else 1


if __name__ == "__main__":
    sys.exit(main())
