"""Availability and exposure: slow clients do not stop the service, a frozen PostgreSQL gives a
503 within seconds (and the server recovers by itself), secrets on disk are private, Retry-After
only on a 429, and /health tells anonymous callers little.

Everything runs on 127.0.0.1; every loop is bounded in rounds and in seconds. The PostgreSQL
tests start a server of their own (tests/web/test_db_outage.py), never the shared one.
"""

import contextlib
import os
import signal
import socket
import stat
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from matcher.domain.errors import NotReadyError
from matcher.keys import add_key
from matcher.store import Store
from matcher.store.engine import ANSWER_TIMEOUT, KEEPALIVES, STATEMENT_TIMEOUT, UNAVAILABLE
from matcher.web.api.models import Health
from tests.helpers import ADMIN, FIXTURES
from tests.web import test_db_outage
from tools.live_server import call, serve, stop

# The private PostgreSQL server of tests/web/test_db_outage.py (a fixture, taken over by name).
postgres = test_db_outage.postgres

MATCH = {"text": "Straßenbeleuchtung auf LED umrüsten", "k": 3, "kinds": ["projects"]}
# Slow clients: more than the two sync workers that two of them used to stop, fewer than the
# threads of one worker (8), so that every worker keeps a free thread wherever they land.
SLOW_SOCKETS = 6
SLOW_TICK = 0.5  # seconds between two bytes of a slow client
SLOW_BYTES = 12  # about 6 s of sending
QUICK = 1.0  # seconds within which every other request must be answered meanwhile
FROZEN_BOUND = 10.0  # seconds within which a request answers while PostgreSQL is frozen


# -- 1. slow clients -------------------------------------------------------------------------------


def _timed(base: str, path: str, method: str = "GET", body=None, key=None):
    """(status, answer, seconds); a request that gets no answer within 5 s fails the test."""
    started = time.monotonic()
    try:
        status, answer = call(base + path, method, body, key, timeout=5)
    except OSError as exc:
        pytest.fail(f"{method} {path}: no answer within 5 s ({exc})")
    return status, answer, time.monotonic() - started


@pytest.mark.slow
def test_slow_clients_do_not_hold_up_other_requests(tmp_path):
    process, base = serve(tmp_path, MATCHER_DATA_DIR=str(FIXTURES))
    port = int(base.rsplit(":", 1)[1])
    request = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    sockets: list[socket.socket] = []
    latencies: dict[str, list[float]] = {"health": [], "match": []}
    try:
        assert "Using worker: gthread" in (tmp_path / "server.log").read_text()
        sockets = [
            socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(SLOW_SOCKETS)
        ]
        sent = threading.Event()

        def trickle() -> None:  # one byte per socket every SLOW_TICK
            for n in range(SLOW_BYTES):
                for slow in sockets:
                    slow.sendall(request[n : n + 1])
                time.sleep(SLOW_TICK)
            sent.set()

        trickler = threading.Thread(target=trickle, daemon=True)
        trickler.start()
        deadline = time.monotonic() + SLOW_BYTES * SLOW_TICK + 10
        for n in range(200):
            if sent.is_set() or time.monotonic() > deadline:
                break
            status, answer, seconds = _timed(base, "/health")
            assert status == 200 and answer["status"] == "ok", answer
            latencies["health"].append(seconds)
            body = {**MATCH, "text": f"{MATCH['text']} Runde {n}"}  # a new text: real work
            status, answer, seconds = _timed(base, "/api/v1/match", "POST", body)
            assert status == 200, answer
            latencies["match"].append(seconds)
            time.sleep(0.1)
        trickler.join(timeout=30)
        assert sent.is_set(), "the slow clients could not send"
        # The server held every slow client all along: each finished request is answered.
        answered = 0
        for slow in sockets:
            slow.sendall(request[SLOW_BYTES:])
            answered += slow.recv(64).startswith(b"HTTP/1.1 200")
    finally:
        for slow in sockets:
            slow.close()
        stop(process)
    print(
        f"\n{SLOW_SOCKETS} slow sockets held for {SLOW_BYTES * SLOW_TICK:.0f} s, "
        f"{answered} answered at the end; meanwhile {len(latencies['health'])} × /health "
        f"(max {max(latencies['health']):.3f} s) and {len(latencies['match'])} × /match "
        f"(max {max(latencies['match']):.3f} s)"
    )
    assert answered == SLOW_SOCKETS
    assert len(latencies["health"]) >= 10
    assert max(latencies["health"]) < QUICK and max(latencies["match"]) < QUICK, latencies


# -- 2. a frozen PostgreSQL ------------------------------------------------------------------------


def _cluster_processes(server: test_db_outage.PrivatePostgres) -> list[int]:
    """The postmaster of the private server and every process it started (backends, workers)."""
    postmaster = int(Path(server.data, "postmaster.pid").read_text().split()[0])
    children = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
            )
        except OSError:  # the process ended meanwhile
            continue
        if int(fields.get("PPid", "0").strip()) == postmaster:
            children.append(int(status.parent.name))
    return [postmaster, *children]


class Frozen:
    """SIGSTOP every process of the private server (connections stay open); SIGCONT on exit."""

    def __init__(self, server: test_db_outage.PrivatePostgres) -> None:
        self.server = server
        self.stopped: list[int] = []

    def __enter__(self) -> "Frozen":
        for pid in _cluster_processes(self.server):
            os.kill(pid, signal.SIGSTOP)
            self.stopped.append(pid)
        return self

    def __exit__(self, *_exc) -> None:
        for pid in self.stopped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)


@pytest.mark.postgres
def test_store_bounds_every_wait_on_postgresql(postgres):
    store = Store(postgres.url, STATEMENT_TIMEOUT)
    try:
        with store.engine.connect() as conn:
            assert conn.execute(text("SHOW statement_timeout")).scalar() == f"{STATEMENT_TIMEOUT}s"
            fd = conn.connection.dbapi_connection.fileno()
            with socket.socket(fileno=os.dup(fd)) as sock:
                assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
                idle = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE)
                assert idle == KEEPALIVES["keepalives_idle"]
        # A statement the server cancels (statement_timeout) is "unavailable", not a 500.
        started = time.monotonic()
        with pytest.raises(NotReadyError, match=UNAVAILABLE), store._transaction() as conn:
            conn.execute(text("SELECT pg_sleep(30)"))
        assert STATEMENT_TIMEOUT - 0.5 < time.monotonic() - started < STATEMENT_TIMEOUT + 1.5
        assert store.count("projects") == 0
        # A frozen server cancels nothing: the client gives up, on checkout and mid-statement.
        with Frozen(postgres):
            started = time.monotonic()
            with pytest.raises(NotReadyError, match=UNAVAILABLE):
                store.count("projects")
            assert time.monotonic() - started < ANSWER_TIMEOUT + 1.5
        assert store.count("projects") == 0  # recovered, no new Store needed
        frozen = Frozen(postgres)  # a second into a statement
        stopper = threading.Timer(1.0, frozen.__enter__)
        try:
            stopper.start()
            started = time.monotonic()
            with pytest.raises(NotReadyError, match=UNAVAILABLE), store._transaction() as conn:
                conn.execute(text("SELECT pg_sleep(3)"))
            assert time.monotonic() - started < ANSWER_TIMEOUT + 1.5
        finally:
            stopper.join()
            frozen.__exit__()
        assert store.count("projects") == 0
    finally:
        store.close()


def _checked_503(base: str, what: str, path: str, method: str, body) -> float:
    started = time.monotonic()
    status, answer = call(base + path, method, body, timeout=60)
    seconds = time.monotonic() - started
    assert status == 503, (what, status, answer)
    assert answer["error"]["message"] == UNAVAILABLE, (what, answer)
    assert seconds <= FROZEN_BOUND, (what, seconds)
    return seconds


@pytest.mark.slow
@pytest.mark.postgres
def test_frozen_postgresql_gives_503_within_seconds_then_recovers(postgres, tmp_path):
    process, base = serve(tmp_path, MATCHER_DB_URL=postgres.url, MATCHER_DATA_DIR=str(FIXTURES))
    waits: list[float] = []
    try:
        for _ in range(4):  # both workers have pooled connections to the server
            assert call(base + "/api/v1/match", "POST", MATCH)[0] == 200
            assert call(base + "/api/v1/projects?limit=5")[0] == 200
        with Frozen(postgres):
            for _ in range(2):  # each of the two workers answers some of these
                waits.append(_checked_503(base, "match", "/api/v1/match", "POST", MATCH))
                waits.append(_checked_503(base, "list", "/api/v1/projects?limit=5", "GET", None))
            started = time.monotonic()
            status, health = call(base + "/health", timeout=60)
            waits.append(time.monotonic() - started)
            assert status == 503 and health == {"status": "unavailable"}
            assert waits[-1] <= FROZEN_BOUND
        started = time.monotonic()
        for _ in range(60):
            if call(base + "/api/v1/match", "POST", MATCH, timeout=60)[0] == 200:
                break
            time.sleep(0.5)
        recovered = time.monotonic() - started
        assert recovered < 30, "no recovery after SIGCONT"
        for _ in range(4):
            assert call(base + "/api/v1/projects?limit=5")[0] == 200
            assert call(base + "/api/v1/match", "POST", MATCH)[0] == 200
    finally:
        stop(process)
    print(
        f"\n503 after {min(waits):.2f}–{max(waits):.2f} s while frozen; 200 {recovered:.2f} s after"
    )
    log = (tmp_path / "server.log").read_text()
    assert "database gave no answer" in log and "Traceback" not in log


# -- 3. private files ------------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    """A umask that would make files world-readable (0644), as on many systems."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_keys_file_is_readable_by_its_owner_only(tmp_path, open_umask):
    path = tmp_path / "home" / "keys.json"
    add_key(path, "admin")
    assert _mode(path) == 0o600 and _mode(path.parent) == 0o700
    path.chmod(0o644)  # a file written by an older version
    add_key(path, "municipality:kassel")
    assert _mode(path) == 0o600 and path.read_text().count("sha256") == 2


def test_sqlite_database_is_readable_by_its_owner_only(tmp_path, open_umask):
    path = tmp_path / "matcher.sqlite3"
    store = Store(f"sqlite:///{path}")
    try:
        assert store.count("projects") == 0  # the pool keeps a connection: WAL files exist
        files = [path, *(Path(f"{path}{extra}") for extra in ("-wal", "-shm"))]
        assert all(f.exists() for f in files)
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        store.close()


# -- 4. Retry-After --------------------------------------------------------------------------------


def test_retry_after_only_on_429(tmp_path, monkeypatch):
    from matcher.service import MatcherService
    from matcher.web import create_app
    from tests.helpers import make_settings
    from tools.fakes import FakeEncoder

    settings = make_settings(tmp_path, rate_limit_match="2 per minute")
    service = MatcherService(settings, encoder=FakeEncoder())
    service.build(FIXTURES)
    client = create_app(settings, service, {"TESTING": True}).test_client()
    body = {"text": "LED Beleuchtung", "k": 1}
    ok = client.post("/api/v1/match", json=body)
    assert ok.status_code == 200 and "Retry-After" not in ok.headers
    assert ok.headers["X-RateLimit-Limit"] == "2"

    def boom(*_args, **_kwargs):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(service, "match", boom)
    monkeypatch.setattr(service, "match_json", boom)  # the route's path (it keeps answer bytes)
    failed = client.post("/api/v1/match", json=body)
    assert failed.status_code == 500 and "Retry-After" not in failed.headers
    refused = client.post("/api/v1/match", json=body)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


# -- 5. /health ------------------------------------------------------------------------------------


def test_health_tells_anonymous_callers_little(client, app, keys, monkeypatch):
    anonymous = client.get("/health")
    assert anonymous.status_code == 200
    assert anonymous.get_json() == {"status": "ok", "counts": anonymous.get_json()["counts"]}
    assert anonymous.get_json()["counts"]["projects"] == 4
    assert client.get("/health", headers=keys["kassel"]).get_json().keys() == {"status", "counts"}
    detailed = client.get("/health", headers=ADMIN).get_json()
    assert {"status", "counts", "database", "encoder", "index"} <= detailed.keys()
    assert detailed["database"] == "sqlite"
    unknown = client.get("/health", headers={"Authorization": "Bearer nicht-bekannt"})
    assert unknown.status_code == 401 and unknown.get_json()["error"]["status"] == 401
    for body in (anonymous.get_json(), detailed):
        Health.model_validate(body)

    def down():
        raise NotReadyError(UNAVAILABLE)

    monkeypatch.setattr(app.extensions["matcher"], "refresh", down)
    anonymous = client.get("/health")
    assert anonymous.status_code == 503 and anonymous.get_json() == {"status": "unavailable"}
    detailed = client.get("/health", headers=ADMIN)
    assert detailed.status_code == 503
    assert detailed.get_json() == {"status": "unavailable", "database": "unreachable"}
    spec = client.get("/openapi.json").get_json()
    assert "401" in spec["paths"]["/health"]["get"]["responses"]
