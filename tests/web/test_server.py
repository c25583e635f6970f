"""The API as users run it: `matcher serve` (gunicorn, two workers) on 127.0.0.1 with the real
encoder, a write through one worker seen by the next match, whichever worker answers.

On SQLite the server starts on a copy of the session's built demo home (as after `matcher
build`); on PostgreSQL it imports and encodes the fixture corpus at start. Serving an empty
home (the demo imported by `serve` itself) is the venv-script test's part, on the fixture
corpus."""

import urllib.request

import pytest

from tests.helpers import FIXTURES
from tools.live_server import KEY, call, serve, stop

pytestmark = pytest.mark.slow


def _write_then_match(base):
    project = {
        "id": "prj-srv-1",
        "title": "Glättemeldeanlage an der Talbrücke",
        "description": "Sensoren melden Eisglätte direkt an den Winterdienst.",
        "categories": ["mobilitaet"],
        "municipalities": ["mossautal"],
    }
    assert call(base + "/api/v1/projects", "POST", project)[0] == 401
    status, created = call(base + "/api/v1/projects", "POST", project, KEY)
    assert status == 201 and created["id"] == "prj-srv-1"
    query = {"text": "Glättemeldeanlage Talbrücke Winterdienst", "k": 1, "kinds": ["projects"]}
    for _ in range(8):  # both workers answer some of these
        status, found = call(base + "/api/v1/match", "POST", query)
        assert status == 200 and found["projects"][0]["id"] == "prj-srv-1"
    assert call(base + "/api/v1/projects/prj-srv-1", "DELETE", key=KEY)[0] == 204
    for _ in range(8):
        found = call(base + "/api/v1/match", "POST", query)[1]
        assert all(p["id"] != "prj-srv-1" for p in found["projects"])


def test_serve_on_sqlite(demo_copy):
    process, base = serve(demo_copy("serve-sqlite"))
    try:
        status, health = call(base + "/health", key=KEY)
        assert health["counts"]["projects"] == 263 and health["database"] == "sqlite"
        _write_then_match(base)
        status, error = call(base + "/api/v1/match", "POST", {"text": "x"})
        assert status == 400 and error["error"]["details"][0]["field"] == "text"
        with urllib.request.urlopen(base + "/openapi/swagger", timeout=10) as r:
            assert r.status == 200
    finally:
        stop(process)


@pytest.mark.postgres
def test_serve_on_postgresql(tmp_path, requires_pg):
    process, base = serve(tmp_path, MATCHER_DB_URL=requires_pg, MATCHER_DATA_DIR=str(FIXTURES))
    try:
        assert call(base + "/health", key=KEY)[1]["database"] == "postgresql"
        _write_then_match(base)
    finally:
        stop(process)


def test_the_venv_script_serves_without_the_venv_on_path(tmp_path):
    """`.venv/bin/matcher serve` as the README says, without activating anything: gunicorn
    comes from the running interpreter, not from PATH (it crashed with '/bin/gunicorn')."""
    process, base = serve(tmp_path, console=True, MATCHER_DATA_DIR=str(FIXTURES))
    try:
        assert call(base + "/health")[0] == 200
    finally:
        stop(process)
