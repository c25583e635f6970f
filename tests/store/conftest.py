import pytest

from matcher.store import Store
from tests.helpers import pg_database_or_skip


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request, tmp_path) -> Store:
    """The same tests against SQLite and, when PG_TEST_URL is set, a real PostgreSQL."""
    if request.param == "sqlite":
        s = Store(f"sqlite:///{tmp_path / 'test.sqlite3'}")
    else:
        s = Store(pg_database_or_skip())
    yield s
    s.close()
