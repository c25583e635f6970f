import pytest

from matcher.store import Store
from tests.helpers import PG_URL, fresh_pg_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path) -> Store:
    """The same tests against SQLite and, when PG_TEST_URL is set, a real PostgreSQL."""
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    else:
        if not PG_URL:
            pytest.skip("PG_TEST_URL is not set (.ci/run starts a PostgreSQL server and sets it)")
        s = Store(fresh_pg_database())
    yield s
    s.close()
