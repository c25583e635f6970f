"""The service opened once in the gunicorn master, before it forks its workers.

Opening reads every item, loads the vector and lexical indexes and reconciles them with the
database: seconds at 100,000 items. Done in the master, it is done once, and the forked workers
share its memory pages (copy-on-write) instead of each building its own copy. A worker takes
the opened service (`take`); where there is none (no gunicorn master, or opening failed there),
the worker opens its own as before.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys

from matcher.config import load_settings
from matcher.domain.errors import MatcherError, NotReadyError
from matcher.service import MatcherService

log = logging.getLogger(__name__)

_opened: list[MatcherService] = []


def open_service() -> None:
    """Open the service in this (master) process for the workers it will fork. If the saved
    indexes are not up to date, `matcher build` brings them up to date in a process of its own
    first (encoding and graph building must not happen in a process that forks)."""
    service = MatcherService(load_settings())
    try:
        try:
            service.open_before_fork()
        except NotReadyError as exc:
            log.info("bringing the indexes up to date first: %s", exc)
            # Batch work: without the statement bound `matcher serve` sets for the workers.
            env = {k: v for k, v in os.environ.items() if k != "MATCHER_DB_STATEMENT_TIMEOUT"}
            subprocess.run([sys.executable, "-m", "matcher.cli", "build"], check=True, env=env)
            service.open_before_fork()
    except (MatcherError, subprocess.CalledProcessError) as exc:
        # The workers try again themselves, and report what fails to their clients.
        log.warning("the service could not be opened before forking workers: %s", exc)
        service.close()
        return
    _opened[:] = [service]


def take() -> MatcherService | None:
    """The service opened by the master, if any (each forked worker has its own copy)."""
    return _opened[0] if _opened else None
