import os
import uuid

import pytest
from sqlalchemy import create_engine, text

from matcher.store import Store

PG_URL = os.environ.get("PG_TEST_URL", "")


def _fresh_pg_database() -> str:
    """A new empty database on the test server, so tests never see each other's rows."""
    name = f"matcher_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path) -> Store:
    """The same tests against SQLite and, when PG_TEST_URL is set, a real PostgreSQL."""
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    else:
        if not PG_URL:
            pytest.skip("PG_TEST_URL is not set (.ci/run starts a PostgreSQL server and sets it)")
        s = Store(_fresh_pg_database())
    yield s
    s.close()
