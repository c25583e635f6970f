"""Helpers shared by tests (fixtures live in conftest.py): paths and settings."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from matcher.config import FAST_ENCODER, REPO_ROOT, Settings, load_settings
from matcher.domain.schema import Category, Need

OWN_ORIGIN = "http://localhost"  # the Flask test client's own origin
FIXTURES = Path(__file__).parent / "fixtures"
# A few synthetic rows in the format of the official Destatis directory (GV-ISys extract).
GV_SAMPLE = FIXTURES / "gv_directory_sample.csv"
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
DEMO_DATA = REPO_ROOT / "matcher" / "data"
# Admin keys of the API tests' apps (at least 32 characters, as the settings demand).
ADMIN_KEY = "admin-test-key-with-at-least-32-characters"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
LIMITED_KEY = "rate-limit-admin-key-with-32-characters-or-more"


def lighting_need_of_mossautal() -> Need:
    """An open need of Mossautal that LichtWerk's offering fits (in the fixture corpus,
    Mossautal already has LichtWerk's project p-licht: a customer with a new need)."""
    return Need(
        id="n-m",
        municipality="mossautal",
        title="LED-Umrüstung mit Lichtsteuerung gesucht",
        description="Leuchtenköpfe tauschen und die Beleuchtung per Funk steuern.",
        categories=[Category.energie],
    )


def make_settings(home: Path, **overrides: object) -> Settings:
    """Settings in `home`, untouched by the environment, without progress bars, on the fast
    encoder profile unless the test names another (the suite would take many minutes longer on
    the default; the default's own tests name it)."""
    overrides.setdefault("encoder", FAST_ENCODER)
    return load_settings(environ={}, home=home, progress=False, **overrides)


def copy_home(built: Path, home: Path) -> Path:
    """`home` with its own copy of a built home's SQLite store (with its embedding cache) and
    index directory: opening or serving it loads them instead of encoding the demo again."""
    shutil.copytree(built, home, dirs_exist_ok=True)
    return home


def run_cli(
    args: list[str], home: Path, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """The `matcher` command in a fresh interpreter, on `home`, without the caller's settings."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MATCHER_")}
    environ.update(
        MATCHER_HOME=str(home),
        MATCHER_PROGRESS="false",
        MATCHER_ENCODER=FAST_ENCODER,
        HF_HUB_OFFLINE="1",
    )
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "matcher.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        timeout=600,
    )


# A PostgreSQL server for the tests (.ci/run starts one); empty: those tests skip.
PG_URL = os.environ.get("PG_TEST_URL", "")


def pg_database_or_skip() -> str:
    """A new empty database on the test PostgreSQL server, or skip the test without one."""
    if not PG_URL:
        import pytest

        pytest.skip("PG_TEST_URL is not set (.ci/run starts a PostgreSQL server and sets it)")
    return fresh_pg_database()


def fresh_pg_database() -> str:
    """A new empty database on the test server, so tests never see each other's rows."""
    name = f"matcher_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + f"/{name}"
