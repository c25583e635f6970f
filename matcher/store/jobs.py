"""Background jobs kept in the database, so that every worker shows a job's state and result,
whichever worker runs it, and one job of a kind runs at a time across all of them.

A job is claimed by inserting its row with `running` set to its kind; the column's unique
constraint refuses a second claim while the first runs (also two workers at the same moment),
and finishing sets it to NULL. A job whose worker died is given up by whoever looks at it next
(`give_up`), so a killed worker does not block the kind for ever.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from matcher.store import tables as t
from matcher.store.engine import reachable  # a lost database is a 503, as elsewhere

STATES = ("laeuft", "fertig", "fehler")


@dataclass(frozen=True)
class Job:
    """One job as stored."""

    id: int
    kind: str
    state: str
    worker: str
    started: float
    finished: float | None
    result: str | None  # JSON

    @property
    def running(self) -> bool:
        return self.state == "laeuft"


def _job(row) -> Job:
    m = row._mapping
    return Job(
        m["id"], m["kind"], m["state"], m["worker"], m["started"], m["finished"], m["result"]
    )


class JobStore:
    """Claim, finish and read jobs."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def claim(self, kind: str, worker: str) -> tuple[Job, bool]:
        """A new running job of `kind` and True; or the one already running and False."""
        now = time.time()
        row = {"kind": kind, "state": "laeuft", "running": kind, "worker": worker, "started": now}
        try:
            with reachable(), self.engine.begin() as conn:
                key = conn.execute(insert(t.jobs).values(**row)).inserted_primary_key
        except IntegrityError:
            running = self.running(kind)
            if running is not None:
                return running, False
            return self.claim(kind, worker)  # it ended between the insert and the look
        assert key is not None
        return Job(int(key[0]), kind, "laeuft", worker, now, None, None), True

    def running(self, kind: str) -> Job | None:
        with reachable(), self.engine.begin() as conn:
            row = conn.execute(select(t.jobs).where(t.jobs.c.running == kind)).first()
        return _job(row) if row is not None else None

    def end(self, job_id: int, state: str, result: str | None) -> None:
        """Record a job's end ("fertig" with its result, or "fehler"); frees its kind."""
        assert state in STATES[1:]
        values = {"state": state, "running": None, "finished": time.time(), "result": result}
        with reachable(), self.engine.begin() as conn:
            conn.execute(
                update(t.jobs)
                .where(t.jobs.c.id == job_id, t.jobs.c.running.isnot(None))
                .values(**values)
            )

    def get(self, job_id: int) -> Job | None:
        with reachable(), self.engine.begin() as conn:
            row = conn.execute(select(t.jobs).where(t.jobs.c.id == job_id)).first()
        return _job(row) if row is not None else None

    def latest(self, kind: str, state: str | None = None) -> Job | None:
        """The newest job of `kind` (in `state`, if given)."""
        query = select(t.jobs).where(t.jobs.c.kind == kind)
        if state is not None:
            query = query.where(t.jobs.c.state == state)
        with reachable(), self.engine.begin() as conn:
            row = conn.execute(query.order_by(t.jobs.c.id.desc()).limit(1)).first()
        return _job(row) if row is not None else None
