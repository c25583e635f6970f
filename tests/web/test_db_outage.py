"""PostgreSQL stopped under a running `matcher serve`: every request answers 503 in the one
error shape within seconds (never a 500, never a hang), and once PostgreSQL is back the server
recovers by itself, without a restart; a write made then is stored.

The test starts its own PostgreSQL server (initdb in a temporary directory, a free port), so
stopping it disturbs nothing else; it skips when the PostgreSQL server programs are absent.
"""

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from matcher.domain.errors import NotReadyError
from matcher.store import Store
from tests.helpers import FIXTURES
from tools.live_server import KEY, call, free_port, serve, stop

UNAVAILABLE = "database unavailable, try again shortly"
MATCH = {"text": "Straßenbeleuchtung auf LED umrüsten", "k": 3, "kinds": ["projects"]}


def _project(item_id: str) -> dict:
    return {
        "id": item_id,
        "title": "Glättemeldeanlage an der Talbrücke",
        "description": "Sensoren melden Eisglätte direkt an den Winterdienst.",
        "categories": ["mobilitaet"],
        "municipalities": ["mossautal"],
    }


def _server_programs() -> Path | None:
    """The directory holding initdb and pg_ctl (Debian's layout first, then the PATH)."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    found = shutil.which("pg_ctl")
    for directory in [*reversed(versions), *([Path(found).resolve().parent] if found else [])]:
        if (directory / "initdb").exists() and (directory / "pg_ctl").exists():
            return directory
    return None


class PrivatePostgres:
    """A PostgreSQL server of this test alone: its own data directory, socket and port."""

    def __init__(self, programs: Path, prefix: list[str], owner: str | None) -> None:
        self.programs, self.prefix = programs, prefix
        self.root = Path(tempfile.mkdtemp(prefix="matcher-pg-"))
        if owner:  # initdb refuses to run as root: the files belong to `owner`
            shutil.chown(self.root, owner)
        self.port = free_port()
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8")

    @property
    def data(self) -> str:
        return str(self.root / "data")

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self.prefix, str(self.programs / program), *args],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.root / "server.log")
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l", log, "-w", "-t", "60", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "60", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def postgres():
    programs = _server_programs()
    if programs is None:
        pytest.skip("the PostgreSQL server programs (initdb, pg_ctl) are not installed")
    prefix, owner = [], None
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            runuser = None
        if runuser is None:
            pytest.skip("running as root needs `runuser` and a `postgres` user for initdb")
        prefix, owner = [runuser, "-u", "postgres", "--"], "postgres"
    server = PrivatePostgres(programs, prefix, owner)
    try:
        server.start()
        yield server
    finally:
        server.destroy()


def _answers(base: str) -> list[tuple[str, int, dict, float]]:
    """A match, a list and a write: (what, status, body, seconds)."""
    requests = [
        ("match", "/api/v1/match", "POST", MATCH, None),
        ("list", "/api/v1/projects?limit=5", "GET", None, None),
        ("write", "/api/v1/projects", "POST", _project("prj-during-outage"), KEY),
    ]
    out = []
    for what, path, method, body, key in requests:
        started = time.monotonic()
        status, answer = call(base + path, method, body, key)
        out.append((what, status, answer, time.monotonic() - started))
    return out


def _wait_for_recovery(base: str, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if call(base + "/api/v1/match", "POST", MATCH)[0] == 200:
            return time.monotonic() - started
        time.sleep(0.5)
    raise AssertionError(f"the server did not recover within {seconds} s")


@pytest.mark.slow
@pytest.mark.postgres
def test_postgresql_stopped_while_serving_gives_503_then_recovers(postgres, tmp_path):
    # The fixture corpus keeps the build short; the encoder is the real one.
    process, base = serve(tmp_path, MATCHER_DB_URL=postgres.url, MATCHER_DATA_DIR=str(FIXTURES))
    try:
        assert call(base + "/api/v1/match", "POST", MATCH)[0] == 200
        postgres.stop()
        for _ in range(3):  # each of the two workers answers some of these
            for what, status, answer, seconds in _answers(base):
                assert status == 503, (what, status, answer)
                assert answer["error"] == {
                    "status": 503,
                    "code": "not_ready",
                    "message": UNAVAILABLE,
                    "details": [],
                }, what
                assert seconds < 10, (what, seconds)
        assert call(base + "/health")[0] == 503
        postgres.start()
        _wait_for_recovery(base, 30)
        for _ in range(4):
            assert call(base + "/api/v1/projects?limit=5")[0] == 200
        status, created = call(base + "/api/v1/projects", "POST", _project("prj-after"), KEY)
        assert status == 201, created
        for _ in range(4):
            found = call(base + "/api/v1/match", "POST", {**MATCH, "text": "Glättemeldeanlage"})
            assert found[1]["projects"][0]["id"] == "prj-after"
        assert call(base + "/api/v1/projects/prj-during-outage")[0] == 404
    finally:
        stop(process)
    # Clients get the plain message; the server log has the driver's reason.
    assert "database unavailable: " in (tmp_path / "server.log").read_text()
    engine = create_engine(postgres.url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT id FROM projects WHERE id LIKE 'prj-%'")).scalars()
        assert set(stored) == {"prj-after"}
    engine.dispose()


def test_a_server_that_never_answers_gives_not_ready_within_seconds():
    """A port that accepts connections but never speaks: without a connect timeout the
    driver would wait forever."""
    pytest.importorskip("psycopg")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"postgresql+psycopg://postgres@127.0.0.1:{silent.getsockname()[1]}/postgres"
        started = time.monotonic()
        with pytest.raises(NotReadyError, match=UNAVAILABLE):
            Store(url)
        assert time.monotonic() - started < 10
