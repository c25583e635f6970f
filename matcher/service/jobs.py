"""Long work for a request, in the background: the staff's evaluation (about 20 s of a worker on
the demo judgments) runs in a thread of the worker that was asked, recorded in the database
(`matcher.store.jobs`), so that the request answers at once and any worker shows the job's state
and result. One job of a kind runs at a time; asking again while it runs gives the running one.

The work itself is handed in by the caller (the service does not know the evaluation, which
sits above it); it takes the service's lock only as it needs it, as `judgments.run` does.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from matcher.store.jobs import Job, JobStore

log = logging.getLogger(__name__)

# A job still running after this long is taken as lost (its worker was restarted or killed):
# the demo evaluation takes about 20 s on two cores, so this is ample, and the kind is free again.
JOB_TIMEOUT_SECONDS = 15 * 60


def _worker() -> str:
    """This process, as a job's row names it (the pid of a forked worker, not of its master)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(worker: str) -> bool:
    """False if `worker` is a process of this machine that no longer exists."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's: only the timeout tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _plain(value: Any) -> Any:
    """numpy numbers (and anything else with `.item()`) as plain JSON values."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON: {type(value).__name__}")


class Jobs:
    """Start a job, read its state and result."""

    def __init__(self, store: JobStore) -> None:
        self._store = store

    def start(self, kind: str, work: Callable[[], Any]) -> tuple[Job, bool]:
        """Run `work` in a background thread as a job of `kind`; (the job, True). If one of
        that kind runs already: (that one, False), and `work` is not run."""
        running = self._store.running(kind)
        if running is not None:
            self._check(running)
        job, new = self._store.claim(kind, _worker())
        if new:
            thread = threading.Thread(
                target=self._run, args=(job.id, work), name=f"job-{kind}-{job.id}", daemon=True
            )
            thread.start()
        return job, new

    def _run(self, job_id: int, work: Callable[[], Any]) -> None:
        try:
            result = json.dumps(work(), default=_plain, ensure_ascii=False)
        except Exception:  # the job's end is recorded whatever went wrong; the log has why
            log.exception("background job %d failed", job_id)
            self._store.end(job_id, "fehler", None)
        else:
            self._store.end(job_id, "fertig", result)

    def _check(self, job: Job) -> Job:
        """`job`, given up first if its worker is gone or it ran past the timeout."""
        lost = not _alive(job.worker) or time.time() - job.started > JOB_TIMEOUT_SECONDS
        if job.running and lost:
            log.warning("background job %d of %s was lost; given up", job.id, job.worker)
            self._store.end(job.id, "fehler", None)
            return self._store.get(job.id) or job
        return job

    def get(self, job_id: int) -> Job | None:
        job = self._store.get(job_id)
        return self._check(job) if job is not None else None

    def latest(self, kind: str, state: str | None = None) -> Job | None:
        job = self._store.latest(kind, state)
        return self._check(job) if job is not None else None

    @staticmethod
    def result(job: Job) -> Any:
        """A finished job's result, as the work returned it (through JSON)."""
        return json.loads(job.result) if job.result else None
