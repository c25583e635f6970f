"""The API as users run it: `matcher serve` (gunicorn, two workers) on 127.0.0.1 with the real
encoder, a write through one worker seen by the next match, whichever worker answers."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from tests.store.conftest import PG_URL, _fresh_pg_database

pytestmark = pytest.mark.slow
KEY = "server-test-admin-key"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(url, method="GET", body=None, key=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if key:
        request.add_header("Authorization", f"Bearer {key}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _serve(home, **env):
    port = _free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MATCHER_")}
    environ.update(
        MATCHER_HOME=str(home),
        MATCHER_PROGRESS="false",
        MATCHER_ADMIN_KEY=KEY,
        HF_HUB_OFFLINE="1",
        **env,
    )
    log = home / "server.log"
    with log.open("w") as out:  # a file, not a pipe: a full pipe would stall the server
        process = subprocess.Popen(
            [sys.executable, "-m", "matcher.cli", "serve", "--port", str(port), "--workers", "2"],
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 240
    while time.time() < deadline:
        if process.poll() is not None:
            raise AssertionError(log.read_text())
        try:
            if _call(base + "/health")[0] == 200:
                return process, base
        except OSError:
            pass
        time.sleep(0.5)
    process.kill()
    raise AssertionError("server did not come up")


def _stop(process):
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def _write_then_match(base):
    project = {
        "id": "prj-srv-1",
        "title": "Glättemeldeanlage an der Talbrücke",
        "description": "Sensoren melden Eisglätte direkt an den Winterdienst.",
        "categories": ["mobilitaet"],
        "municipalities": ["mossautal"],
    }
    assert _call(base + "/api/v1/projects", "POST", project)[0] == 401
    status, created = _call(base + "/api/v1/projects", "POST", project, KEY)
    assert status == 201 and created["id"] == "prj-srv-1"
    query = {"text": "Glättemeldeanlage Talbrücke Winterdienst", "k": 1, "kinds": ["projects"]}
    for _ in range(8):  # both workers answer some of these
        status, found = _call(base + "/api/v1/match", "POST", query)
        assert status == 200 and found["projects"][0]["id"] == "prj-srv-1"
    assert _call(base + "/api/v1/projects/prj-srv-1", "DELETE", key=KEY)[0] == 204
    for _ in range(8):
        found = _call(base + "/api/v1/match", "POST", query)[1]
        assert all(p["id"] != "prj-srv-1" for p in found["projects"])


def test_serve_on_sqlite(tmp_path):
    process, base = _serve(tmp_path)
    try:
        status, health = _call(base + "/health")
        assert health["counts"]["projects"] == 260 and health["database"] == "sqlite"
        _write_then_match(base)
        status, error = _call(base + "/api/v1/match", "POST", {"text": "x"})
        assert status == 400 and error["error"]["details"][0]["field"] == "text"
        with urllib.request.urlopen(base + "/openapi/swagger", timeout=10) as r:
            assert r.status == 200
    finally:
        _stop(process)


@pytest.mark.postgres
def test_serve_on_postgresql(tmp_path):
    if not PG_URL:
        pytest.skip("PG_TEST_URL is not set")
    process, base = _serve(tmp_path, MATCHER_DB_URL=_fresh_pg_database())
    try:
        assert _call(base + "/health")[1]["database"] == "postgresql"
        _write_then_match(base)
    finally:
        _stop(process)
