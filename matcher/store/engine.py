"""Database engines: SQLite with foreign keys and a private file, PostgreSQL with bounded waits.

A request must never hang on the database: connecting gives up after CONNECT_TIMEOUT, and while
serving, the server cancels slow statements and a watchdog gives up a server that does not
answer at all (a frozen process or host), so the request answers 503 and the pool recovers.
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError

from matcher.domain.errors import NotReadyError

log = logging.getLogger(__name__)

# Seconds to wait for a connection before answering 503, rather than holding the request.
CONNECT_TIMEOUT = 5
# Seconds a PostgreSQL statement may run before the server cancels it (a 503 for the client),
# when serving requests (`matcher serve` sets it; batch work such as a large import has none).
STATEMENT_TIMEOUT = 5
# With a statement timeout, the client waits this much longer for any answer of PostgreSQL
# before it gives the connection up (503): a frozen server (a stopped process, a hung host)
# cancels no statement, and its kernel still acknowledges data and keepalives, so only the client
# can notice. Longer than the statement timeout, so that a slow statement of a live server is
# cancelled by the server, which keeps the connection usable; a ping (on checkout) always gets
# CONNECT_TIMEOUT, like a new connection.
ANSWER_GRACE = 2
ANSWER_TIMEOUT = STATEMENT_TIMEOUT + ANSWER_GRACE
# TCP keepalives (libpq): an idle pooled connection to a host that vanished (down, network cut)
# is noticed within about idle + interval × count seconds.
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
}
# libpq drivers, which take the connect arguments above.
_LIBPQ_DRIVERS = ("psycopg", "psycopg2")


def enable_sqlite_foreign_keys(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - driver callback
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


class _Watchdog:
    """Gives up database connections whose server has not answered in time: their socket is shut
    down, so the driver call waiting on it fails at once ("server closed the connection"), the
    connection is discarded and the request answers 503 instead of hanging. One daemon thread
    per process looks every TICK seconds while anything is watched."""

    TICK = 0.25
    IDLE_EXIT = 5.0  # the thread ends after this long with nothing to watch

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deadlines: dict[int, tuple[float, Any]] = {}  # id(connection) → (deadline, it)
        self._severed: dict[int, Any] = {}
        self._thread: threading.Thread | None = None

    def watch(self, dbapi_connection: Any, seconds: float) -> None:
        """Start (or restart) the clock of a connection that waits for its server."""
        with self._lock:
            self._severed.pop(id(dbapi_connection), None)
            self._deadlines[id(dbapi_connection)] = (time.monotonic() + seconds, dbapi_connection)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="db-watchdog", daemon=True)
                self._thread.start()

    def unwatch(self, dbapi_connection: Any) -> bool:
        """Stop the clock; True if the connection was given up meanwhile."""
        with self._lock:
            self._deadlines.pop(id(dbapi_connection), None)
            return self._severed.pop(id(dbapi_connection), None) is not None

    def forget(self) -> None:
        """Start afresh in a forked child: the parent's thread and connections are not its own."""
        self._lock = threading.Lock()
        self._deadlines.clear()
        self._severed.clear()
        self._thread = None

    def _run(self) -> None:
        idle_since = time.monotonic()
        while True:
            time.sleep(self.TICK)
            now = time.monotonic()
            with self._lock:
                for key, (deadline, connection) in list(self._deadlines.items()):
                    if deadline <= now:
                        del self._deadlines[key]
                        self._severed[key] = connection
                        _sever(connection)
                if self._deadlines:
                    idle_since = now
                elif now - idle_since > self.IDLE_EXIT:
                    self._thread = None
                    return


def _sever(dbapi_connection: Any) -> None:
    """Shut a connection's socket down (both directions) from another thread."""
    try:
        sock = socket.socket(fileno=os.dup(dbapi_connection.fileno()))
    except Exception:  # already closed: nothing waits on it
        return
    with sock, suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    log.warning("database gave no answer: connection given up")


_WATCHDOG = _Watchdog()
os.register_at_fork(after_in_child=_WATCHDOG.forget)


def _guard_answers(engine: Engine, answer_timeout: float | None) -> None:
    """Bound every wait on PostgreSQL: the ping on checkout (CONNECT_TIMEOUT) and, with an
    `answer_timeout`, each statement and the commit or rollback until the connection is back in
    the pool (the Store uses its engine only in `engine.begin()` blocks, which return it right
    after)."""
    dialect = engine.dialect

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, _record, _proxy):  # pragma: no cover - pool callback
        # Replaces pool_pre_ping, whose ping nothing would bound.
        _WATCHDOG.watch(dbapi_connection, CONNECT_TIMEOUT)
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            if _WATCHDOG.unwatch(dbapi_connection):
                raise  # no answer: 503 now, rather than connecting afresh to a frozen server
            raise DisconnectionError(str(exc)) from exc  # dropped (a restart): connect again
        _WATCHDOG.unwatch(dbapi_connection)

    def dbapi(conn: Connection | None) -> Any:
        # None once invalidated or closed: asking for it then would try to reconnect.
        if conn is None or conn.closed or conn.invalidated:
            return None
        return conn.connection.dbapi_connection

    if not answer_timeout:
        return

    @event.listens_for(engine, "before_cursor_execute")
    def _sent(conn, *_args):  # pragma: no cover - engine callback
        if (dbapi_connection := dbapi(conn)) is not None:
            _WATCHDOG.watch(dbapi_connection, answer_timeout)

    @event.listens_for(engine, "after_cursor_execute")
    def _answered(conn, *_args):  # pragma: no cover - engine callback
        if (dbapi_connection := dbapi(conn)) is not None:
            _WATCHDOG.unwatch(dbapi_connection)

    @event.listens_for(engine, "handle_error")
    def _failed(context):  # pragma: no cover - engine callback
        if (dbapi_connection := dbapi(context.connection)) is not None:
            _WATCHDOG.unwatch(dbapi_connection)

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _ending(conn):  # pragma: no cover - engine callback
        if (dbapi_connection := dbapi(conn)) is not None:
            _WATCHDOG.watch(dbapi_connection, answer_timeout)

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_connection, _record):  # pragma: no cover - pool callback
        if dbapi_connection is not None:
            _WATCHDOG.unwatch(dbapi_connection)


def private_sqlite_file(parsed: URL) -> Path | None:
    """Create the SQLite database file, readable by its owner alone (0600 whatever the umask),
    if it does not exist yet; the path if it was created here. SQLite gives the -wal and -shm
    files the database file's mode."""
    database = parsed.database or ""
    if database in ("", ":memory:") or database.startswith("file:") or parsed.query.get("uri"):
        return None
    path = Path(database)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except (FileExistsError, FileNotFoundError):  # exists, or no folder: SQLite reports that
        return None
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    return path


class SqliteChangeSignal:
    """`PRAGMA data_version` of one dedicated connection to a SQLite file: it changes whenever
    another connection, of this process or any other, commits to the database. Reading it takes
    microseconds, against a pooled transaction and a query for the newest change (about a
    tenth of a millisecond). The connection only reads this number; it is reopened in a forked
    child (a connection must not cross a fork)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    @classmethod
    def of(cls, url: URL) -> SqliteChangeSignal | None:
        """A signal for a SQLite file database; None for anything else (in memory, a URI)."""
        database = url.database or ""
        if url.get_backend_name() != "sqlite" or url.query.get("uri"):
            return None
        if database in ("", ":memory:") or database.startswith("file:"):
            return None
        return cls(database)

    def version(self) -> int | None:
        """The data version now; None when it cannot be read (the caller asks the database)."""
        with self._lock:
            try:
                if self._connection is None or self._pid != os.getpid():
                    uri = f"file:{Path(self.path).resolve().as_posix()}?mode=rw"
                    self._connection = sqlite3.connect(
                        uri, uri=True, isolation_level=None, check_same_thread=False
                    )
                    self._pid = os.getpid()
                row = self._connection.execute("PRAGMA data_version").fetchone()
            except sqlite3.Error as exc:
                log.debug("no data version from %s: %s", self.path, exc)
                self._connection = None
                return None
            return int(row[0])

    def close(self) -> None:
        with self._lock:
            if self._connection is not None and self._pid == os.getpid():
                self._connection.close()
            self._connection = None


def make_engine(url: str, statement_timeout: float | None = None) -> Engine:
    """A pooled engine that tests each connection before use (so one that a restarted server
    dropped is replaced). For PostgreSQL (libpq drivers): it gives up connecting after
    CONNECT_TIMEOUT, the server cancels statements after STATEMENT_TIMEOUT, TCP keepalives are
    on, and the client gives up a server that does not answer (_guard_answers). Arguments in
    the URL's query win over these."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql" or parsed.get_driver_name() not in _LIBPQ_DRIVERS:
        return create_engine(url, pool_pre_ping=True)
    wanted: dict[str, Any] = {"connect_timeout": CONNECT_TIMEOUT, **KEEPALIVES}
    if statement_timeout:
        wanted["options"] = f"-c statement_timeout={round(statement_timeout * 1000)}"
    connect_args = {k: v for k, v in wanted.items() if k not in parsed.query}
    engine = create_engine(url, connect_args=connect_args)  # the ping is _guard_answers'
    _guard_answers(engine, statement_timeout + ANSWER_GRACE if statement_timeout else None)
    return engine


# What clients are told while the database cannot be reached (the driver's words go to the log).
UNAVAILABLE = "database unavailable, try again shortly"


@contextmanager
def reachable() -> Iterator[None]:
    """Turn "the database cannot be reached" (down, restarting, a dropped connection) into
    NotReadyError, a 503 in the API; the driver's words go to the log, not to clients."""
    try:
        yield
    except DBAPIError as exc:
        if not (exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)):
            raise
        log.warning("database unavailable: %s", exc.orig)
        raise NotReadyError(UNAVAILABLE) from None
