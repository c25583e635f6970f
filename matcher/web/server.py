"""`matcher serve`: gunicorn run from Python, the settings handed to it in-process.

The master opens the service once before it forks its workers (matcher/web/preload.py, read
docs/scaling.md on why); each worker takes it over and builds its app (matcher/web/wsgi.py). Nothing
passes through environment variables, and nothing here works when imported: the heavy parts
(Flask, the service, numpy) are imported by `serve`, after `prepare` (see there).
"""

from __future__ import annotations

import gc
import os
import sys
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication

from matcher.config import SERVING_STATEMENT_TIMEOUT, Settings

if TYPE_CHECKING:
    from flask import Flask

    from matcher.service import MatcherService


def serving_settings(settings: Settings, workers: int | None = None) -> Settings:
    """The settings a server runs with: `workers` (else the setting), each worker's share of
    the cores for the encoder (unless set) and a bound on every statement (unless set)."""
    workers = workers or settings.workers
    # Each worker encodes on its share of the cores: two workers on two threads each made
    # OpenBLAS threads spin against each other (throughput fell six-fold, measured). A worker's
    # request threads (gthread, `worker_threads`) take turns at the service's lock, so they
    # encode one at a time and need no share of their own.
    threads = settings.encoder_threads or max(1, (os.cpu_count() or 1) // workers)
    # Requests must not wait for a frozen database: workers bound every statement.
    timeout = settings.db_statement_timeout or SERVING_STATEMENT_TIMEOUT
    return settings.model_copy(
        update={"workers": workers, "encoder_threads": threads, "db_statement_timeout": timeout}
    )


def prepare(settings: Settings, workers: int | None = None) -> Settings:
    """The settings a server runs with (`serving_settings`), and OpenBLAS's thread count for
    this process and the workers it forks. OpenBLAS (numpy's and FAISS's) reads
    OPENBLAS_NUM_THREADS once, when it is loaded: call this before anything imports numpy (the
    store, the service); `matcher serve` does so first. A value set by the user wins."""
    serving = serving_settings(settings, workers)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(serving.encoder_threads))
    return serving


class Server(BaseApplication):
    """gunicorn with the options of `settings`; its workers answer on the service the master
    opened (`service`), or open their own when there is none."""

    def __init__(self, settings: Settings, bind: str, service: MatcherService | None) -> None:
        self.settings = settings
        self.bind = bind
        self.service = service
        super().__init__()  # reads the options (`load_config`)

    def options(self) -> dict[str, Any]:
        """gunicorn's options, from the settings."""
        settings = self.settings
        return {
            "bind": self.bind,
            "workers": settings.workers,
            # Threaded workers: a client that sends its request slowly holds one thread, not a
            # whole worker (with sync workers, two such clients stopped the service). The
            # service is thread-safe (one lock per worker), so matching stays one at a time per
            # worker, on cores ÷ workers encoder threads. Kept-alive connections wait in the
            # worker's poller, without a thread, up to `keepalive` seconds. Each worker can
            # still be held by `threads` slow clients at once: in production, put a buffering
            # reverse proxy in front: deploy/nginx/matcher.conf (README, "Behind nginx").
            "worker_class": "gthread",
            "threads": settings.worker_threads,
            "keepalive": settings.keepalive,
            "timeout": settings.worker_timeout,
            "graceful_timeout": settings.graceful_timeout,
        }

    def load_config(self) -> None:
        # Also on a reload (`kill -HUP`): the options again, never the service (the new workers
        # take over the one opened at the start and apply the writes made since).
        for name, value in self.options().items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        """The app, built in each worker after the fork."""
        from matcher.web.wsgi import worker_app

        return worker_app(self.settings, self.service)


def serve(settings: Settings, host: str, port: int, workers: int | None = None) -> None:
    """Serve the API and the pages with gunicorn on `host`:`port` until stopped. The master
    opens the service first (a `matcher build` in a process of its own if the indexes are not
    up to date); does not return (gunicorn exits the process)."""
    settings = prepare(settings, workers)
    from matcher.web import preload

    service = preload.open_service(settings)
    # The opened catalog and indexes live as long as the server: the collector leaves them
    # alone, so that it does not copy the pages the forked workers share.
    gc.freeze()
    # What is buffered would be written again by every forked worker.
    sys.stdout.flush()
    sys.stderr.flush()
    Server(settings, f"{host}:{port}", service).run()
