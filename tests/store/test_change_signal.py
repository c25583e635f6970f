"""The change-log position read cheaply on SQLite: no query while nothing was committed, and
every commit seen at once, by this store's own connections or another process's."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import event, insert
from sqlalchemy.engine import make_url

from matcher.store import Store
from matcher.store import tables as t
from matcher.store.engine import SqliteChangeSignal


def _log_change(store: Store, item_id: str) -> None:
    with store.engine.begin() as conn:
        conn.execute(insert(t.changes).values(kind="needs", item_id=item_id, op="upsert"))


def _statements(store: Store) -> list[str]:
    seen: list[str] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def _count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    return seen


def test_no_query_while_nothing_is_committed(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert store.last_change() == 0
    statements = _statements(store)
    for _ in range(20):
        assert store.last_change() == 0
    assert statements == []
    store.close()


def test_commits_of_any_connection_or_process_are_seen(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    reader, writer = Store(url), Store(url)
    assert reader.last_change() == 0
    _log_change(writer, "n1")  # another store (another connection pool)
    assert reader.last_change() == 1
    _log_change(reader, "n2")  # the reader's own pool
    assert reader.last_change() == 2
    script = (
        "import sys\n"
        "from sqlalchemy import insert\n"
        "from matcher.store import Store, tables as t\n"
        "s = Store(sys.argv[1])\n"
        "with s.engine.begin() as c:\n"
        "    c.execute(insert(t.changes).values(kind='needs', item_id='n3', op='upsert'))\n"
    )
    subprocess.run([sys.executable, "-c", script, url], check=True)
    assert reader.last_change() == 3
    reader.close()
    writer.close()


def test_only_sqlite_files_have_a_signal(tmp_path):
    assert SqliteChangeSignal.of(make_url(f"sqlite:///{tmp_path / 'x.sqlite3'}")) is not None
    assert SqliteChangeSignal.of(make_url("sqlite://")) is None
    assert SqliteChangeSignal.of(make_url("sqlite:///:memory:")) is None
    assert SqliteChangeSignal.of(make_url("postgresql+psycopg://u@h/db")) is None


def test_an_unreadable_signal_falls_back_to_the_query(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert store._signal is not None
    store._signal.path = str(tmp_path / "missing" / "db.sqlite3")
    store._signal.close()
    _log_change(store, "n1")
    assert store.last_change() == 1
    store.close()
