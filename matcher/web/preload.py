"""The service opened once in the gunicorn master, before it forks its workers.

Opening reads every item, loads the vector and lexical indexes and reconciles them with the
database: seconds at 100,000 items. Done in the master, it is done once, and the forked workers
share its memory pages (copy-on-write) instead of each building its own copy. The workers take
the opened service over (matcher/web/server.py hands it to each worker's app); where there is none
(opening failed in the master, or another server than `matcher serve`), a worker opens its own.
"""

from __future__ import annotations

import logging
import subprocess
import sys

# The German n-gram tables of the compound splitter (about 200 MiB), the tagger's model and the
# word frequencies, loaded once in the master for the workers to share, even when the service
# cannot be opened here (`load_resources` in `open_service`).
import matcher.ranking.analysis
from matcher.config import Settings
from matcher.domain.errors import MatcherError, NotReadyError
from matcher.service import MatcherService

log = logging.getLogger(__name__)


def open_service(settings: Settings) -> MatcherService | None:
    """The service opened in this (master) process for the workers it will fork, or None. If
    the saved indexes are not up to date, `matcher build` brings them up to date in a process of
    its own first (encoding and graph building must not happen in a process that forks)."""
    matcher.ranking.analysis.load_resources()
    service = MatcherService(settings)
    try:
        try:
            service.open_before_fork()
        except NotReadyError as exc:
            log.info("bringing the indexes up to date first: %s", exc)
            build_in_own_process(settings)
            service.open_before_fork()
    except (MatcherError, subprocess.CalledProcessError) as exc:
        # The workers try again themselves, and report what fails to their clients.
        log.warning("the service could not be opened before forking workers: %s", exc)
        service.close()
        return None
    return service


def build_in_own_process(settings: Settings) -> None:
    """`matcher build` in a new process, on these settings (handed over on its standard input,
    not through the environment)."""
    # Batch work: without the statement bound of the workers.
    batch = settings.model_copy(update={"db_statement_timeout": 0})
    subprocess.run(
        [sys.executable, "-m", "matcher.cli", "--settings-stdin", "build"],
        input=batch.model_dump_json(),
        text=True,
        check=True,
    )
