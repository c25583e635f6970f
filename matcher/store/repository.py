"""The store: entities in a relational database, read and written as schema models.

SQLite (the embedded default) and PostgreSQL go through the same SQLAlchemy Core code.
Every write runs in one transaction: a batch is stored whole or not at all.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import (
    IntegrityError,
)

from matcher.domain.errors import ConflictError, NotFoundError, TooManyRequests
from matcher.domain.schema import STORED, WITH_PRIVATE, Entity, Need, model_for
from matcher.store import tables as t
from matcher.store.engine import (
    SqliteChangeSignal,
    enable_sqlite_foreign_keys,
    make_engine,
    private_sqlite_file,
    reachable,
)
from matcher.store.migrate import upgrade

log = logging.getLogger(__name__)

_CHUNK = 500


def _chunks(values: list, size: int = _CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class Store:
    """Entities, their relations and the embedding cache in one database."""

    def __init__(self, url: str, statement_timeout: float | None = None) -> None:
        """A store at `url`; on PostgreSQL, `statement_timeout` seconds bound every statement
        (and the wait for a frozen server), for serving requests; None: no bound."""
        self.url = url
        self._connect(statement_timeout)
        # SQLite: a cheap signal of commits by anyone, so that `last_change` asks the database
        # only after a write (PostgreSQL: it always asks). (signal version, newest change seen)
        self._signal = SqliteChangeSignal.of(self.engine.url)
        self._signalled: tuple[int, int] | None = None
        created = None
        if self.engine.dialect.name == "sqlite":
            created = private_sqlite_file(self.engine.url)
        with reachable():
            t.metadata.create_all(self.engine)
            for change in upgrade(self.engine, t.metadata):
                log.warning("database upgraded: %s", change)
        if created is not None:  # the WAL files, should SQLite have made them another way
            for extra in ("-wal", "-shm"):
                if Path(f"{created}{extra}").exists():
                    os.chmod(f"{created}{extra}", 0o600)

    def close(self) -> None:
        """Release the connection pool."""
        self.release_connections()

    def reconnect(self, statement_timeout: float | None) -> None:
        """Close every connection and bound each statement by `statement_timeout` seconds
        from now on (PostgreSQL; None: no bound)."""
        self.release_connections()
        self._connect(statement_timeout)

    def _connect(self, statement_timeout: float | None) -> None:
        """The engine for `url`, its statements bounded by `statement_timeout` (PostgreSQL)."""
        self.engine = make_engine(self.url, statement_timeout)
        if self.engine.dialect.name == "sqlite":
            enable_sqlite_foreign_keys(self.engine)

    def release_connections(self) -> None:
        """Close every open connection; the store stays usable and connects again on its
        next read or write (e.g. in a forked child, which must not share its parent's)."""
        if self._signal is not None:
            self._signal.close()
        # A data version is one connection's count: the next connection's must not be
        # compared with the last one's.
        self._signalled = None
        self.engine.dispose()

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """One transaction; NotReadyError if the database cannot be reached."""
        with reachable(), self.engine.begin() as conn:
            yield conn

    # -- reads ---------------------------------------------------------------------------

    def is_empty(self) -> bool:
        """True if no item of any kind is stored."""
        with self._transaction() as conn:
            return not any(
                conn.execute(select(table.c.id).limit(1)).first()
                for table in t.ENTITY_TABLES.values()
            )

    def count(self, kind: str) -> int:
        """Number of items of a kind."""
        table = t.ENTITY_TABLES[kind]
        with self._transaction() as conn:
            return conn.execute(select(func.count()).select_from(table)).scalar_one()

    def ids(self, kind: str) -> set[str]:
        """All ids of a kind."""
        table = t.ENTITY_TABLES[kind]
        with self._transaction() as conn:
            return set(conn.execute(select(table.c.id)).scalars())

    def all(self, kind: str) -> list[Entity]:
        """Every item of a kind, ordered by id."""
        return self._load(kind, None)

    def get_many(self, kind: str, ids: Iterable[str]) -> list[Entity]:
        """The items with these ids that exist, ordered by id."""
        return self._load(kind, list(ids))

    def get(self, kind: str, item_id: str) -> Entity:
        """One item; NotFoundError if it does not exist."""
        found = self._load(kind, [item_id])
        if not found:
            raise NotFoundError(f"{kind}: no item with id {item_id!r}")
        return found[0]

    def _load(self, kind: str, ids: list[str] | None) -> list[Entity]:
        table = t.ENTITY_TABLES[kind]
        model = model_for(kind)
        rows: list[dict] = []
        links: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        with self._transaction() as conn:
            batches = [None] if ids is None else list(_chunks(ids))
            for batch in batches:
                query = select(table).order_by(table.c.id)
                if batch is not None:
                    query = query.where(table.c.id.in_(batch))
                rows.extend(dict(r._mapping) for r in conn.execute(query))
                for field, (link, owner, target) in t.LINKS.get(kind, {}).items():
                    q = select(link.c[owner], link.c[target]).order_by(
                        link.c[owner], link.c.position
                    )
                    if batch is not None:
                        q = q.where(link.c[owner].in_(batch))
                    for owner_id, target_id in conn.execute(q):
                        links[owner_id][field].append(target_id)
        rows.sort(key=lambda r: r["id"])
        # What was valid when written stays readable (rules added later apply to writes).
        return [model.model_validate({**r, **links.get(r["id"], {})}, context=STORED) for r in rows]

    def referencing(self, kind: str, item_id: str) -> dict[str, list[str]]:
        """Which items point at this one (kind → ids); empty when it can be deleted freely."""
        found: dict[str, list[str]] = {}
        with self._transaction() as conn:
            for ref_kind, (table, column) in _REFERENCES.get(kind, {}).items():
                id_column = table.c.id if "id" in table.c else table.c[_OWNER[table.name]]
                query = select(id_column).where(table.c[column] == item_id)
                hits: list[str] = sorted(set(conn.execute(query).scalars()))
                if hits:
                    found[ref_kind] = hits
        return found

    # -- writes --------------------------------------------------------------------------

    def upsert(self, kind: str, items: list[Entity]) -> None:
        """Insert or replace items (and their relations) in one transaction."""
        self.upsert_batches([(kind, items)])

    def upsert_batches(
        self, batches: list[tuple[str, list[Entity]]], create_only: bool = False
    ) -> None:
        """Several kinds' items in one transaction, in order: all are stored or none. With
        `create_only`, the last batch's items must be new: an existing id (also one another
        process inserted a moment ago) is a ConflictError and nothing is stored."""
        batches = [(kind, items) for kind, items in batches if items]
        if not batches:
            return
        try:
            with self._transaction() as conn:
                for at, (kind, items) in enumerate(batches):
                    self._upsert(conn, kind, items, create_only and at == len(batches) - 1)
                    conn.execute(
                        insert(t.changes),
                        [{"kind": kind, "item_id": item.id, "op": "upsert"} for item in items],
                    )
        except IntegrityError as exc:
            kinds = ", ".join(kind for kind, _ in batches)
            # The driver's text names tables and values: the log gets it, the client does not.
            log.info("write refused by the database: %s", exc.orig)
            if create_only:
                raise ConflictError(f"{kinds}: an item with this id exists") from None
            raise ConflictError(f"{kinds}: the change breaks a relation") from None

    def _upsert(
        self, conn: Connection, kind: str, items: list[Entity], create_only: bool = False
    ) -> None:
        table = t.ENTITY_TABLES[kind]
        link_fields = t.LINKS.get(kind, {})
        ids = [item.id for item in items]
        existing: set[str] = set()
        for batch in _chunks(ids):
            existing.update(conn.execute(select(table.c.id).where(table.c.id.in_(batch))).scalars())
        if create_only and existing:
            raise ConflictError(f"{kind}: an item with id {sorted(existing)[0]!r} exists")
        for link, owner, _target in link_fields.values():
            for batch in _chunks(ids):
                conn.execute(delete(link).where(link.c[owner].in_(batch)))
        new_rows: list[dict[str, Any]] = []
        changed_rows: list[dict[str, Any]] = []
        for item in items:
            row = item.model_dump(mode="json", exclude=set(link_fields), context=WITH_PRIVATE)
            if isinstance(item, Need) and item.date is not None:  # a date, not its JSON string
                row["date"] = item.date
            (changed_rows if item.id in existing else new_rows).append(row)
        if new_rows:
            conn.execute(insert(table), new_rows)
        for row in changed_rows:
            conn.execute(update(table).where(table.c.id == row["id"]).values(**row))
        for field, (link, owner, target) in link_fields.items():
            link_rows = [
                {owner: item.id, target: value, "position": pos}
                for item in items
                for pos, value in enumerate(getattr(item, field))
            ]
            if link_rows:
                conn.execute(insert(link), link_rows)

    def delete(self, kind: str, item_id: str) -> None:
        """Delete one item; ConflictError if other items still refer to it."""
        self.get(kind, item_id)
        refs = self.referencing(kind, item_id)
        if refs:
            listing = "; ".join(f"{k}: {', '.join(v[:5])}" for k, v in refs.items())
            raise ConflictError(f"{kind} {item_id!r} is still referenced ({listing})")
        table = t.ENTITY_TABLES[kind]
        try:
            with self._transaction() as conn:
                conn.execute(delete(table).where(table.c.id == item_id))
                conn.execute(insert(t.changes).values(kind=kind, item_id=item_id, op="delete"))
        except IntegrityError as exc:
            log.info("delete refused by the database: %s", exc.orig)
            raise ConflictError(f"{kind} {item_id!r} is still referenced") from None

    # -- change log and feedback -------------------------------------------------------------

    def last_change(self) -> int:
        """Sequence number of the newest committed write (0 if none). On SQLite, while the
        data version is the one of the last look, no commit happened since: the answer is
        the same without asking."""
        version = self._signal.version() if self._signal is not None else None
        known = self._signalled
        if version is not None and known is not None and known[0] == version:
            return known[1]
        # The version is read before the query: a commit in between changes it again, so the
        # next look asks anew rather than missing it.
        with self._transaction() as conn:
            seq = conn.execute(select(func.max(t.changes.c.seq))).scalar() or 0
        if version is not None:
            self._signalled = (version, seq)
        return seq

    def changes_since(self, seq: int) -> list[tuple[int, str, str, str]]:
        """(seq, kind, item id, op) of every write after `seq`, oldest first."""
        c = t.changes.c
        with self._transaction() as conn:
            rows = conn.execute(
                select(c.seq, c.kind, c.item_id, c.op).where(c.seq > seq).order_by(c.seq)
            )
            return [tuple(r) for r in rows]

    def add_feedback(self, row: dict, per_client_per_day: int) -> int:
        """Store one feedback verdict; returns its id. A client's verdict on a query and item it
        rated before replaces that one; TooManyRequests once the client gave
        `per_client_per_day` new verdicts in the last 24 hours (`row["created"]` is its time)."""
        fb = t.feedback
        with self._transaction() as conn:
            same = select(fb.c.id).where(
                fb.c.client == row["client"],
                fb.c.query == row["query"],
                fb.c.item_kind == row["item_kind"],
                fb.c.item_id == row["item_id"],
            )
            found = conn.execute(same.limit(1)).scalar()
            if found is not None:
                changed = {"verdict": row["verdict"], "created": row["created"], "status": "neu"}
                conn.execute(update(fb).where(fb.c.id == found).values(**changed))
                return int(found)
            since = (dt.datetime.fromisoformat(row["created"]) - dt.timedelta(days=1)).isoformat(
                timespec="seconds"
            )
            recent = select(func.count()).where(fb.c.client == row["client"], fb.c.created > since)
            if (conn.execute(recent).scalar() or 0) >= per_client_per_day:
                raise TooManyRequests(
                    f"feedback: at most {per_client_per_day} verdicts a day from one client"
                )
            key = conn.execute(insert(fb).values(**row)).inserted_primary_key
            assert key is not None  # a single-row insert always reports its key
            return int(key[0])

    def feedback(
        self, limit: int | None = None, offset: int = 0, status: str | None = None
    ) -> list[dict]:
        """Feedback rows, oldest first (a page of them with `limit`; of one `status`)."""
        query = select(t.feedback).order_by(t.feedback.c.id).offset(offset)
        if status is not None:
            query = query.where(t.feedback.c.status == status)
        if limit is not None:
            query = query.limit(limit)
        with self._transaction() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def training_feedback(self) -> list[dict]:
        """The verdicts the learned ranker may learn from: those staff accepted, and those of
        clients with a key (a known town or provider) that staff did not dismiss."""
        fb = t.feedback
        trusted = or_(
            fb.c.status == "angenommen",
            and_(fb.c.client.startswith("key:"), fb.c.status != "verworfen"),
        )
        with self._transaction() as conn:
            rows = conn.execute(select(fb).where(trusted).order_by(fb.c.id))
            return [dict(r._mapping) for r in rows]

    def feedback_counts(self) -> list[dict]:
        """Verdicts counted in the database: one row per item and verdict, with `n`."""
        fb = t.feedback
        query = select(fb.c.item_kind, fb.c.item_id, fb.c.verdict, func.count().label("n"))
        query = query.group_by(fb.c.item_kind, fb.c.item_id, fb.c.verdict)
        with self._transaction() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def feedback_statuses(self) -> dict[str, int]:
        """How many verdicts there are of each review status."""
        fb = t.feedback
        query = select(fb.c.status, func.count()).group_by(fb.c.status)
        with self._transaction() as conn:
            return {str(s): int(n) for s, n in conn.execute(query)}

    def set_feedback_status(self, feedback_id: int, status: str) -> None:
        """Staff's decision on a verdict; NotFoundError if there is none with this id."""
        with self._transaction() as conn:
            done = conn.execute(
                update(t.feedback).where(t.feedback.c.id == feedback_id).values(status=status)
            )
            if done.rowcount == 0:
                raise NotFoundError(f"feedback: no verdict with id {feedback_id}")

    # -- embedding cache -----------------------------------------------------------------

    def cached_vectors(self, model: str, hashes: list[str]) -> dict[str, np.ndarray]:
        """Vectors stored for these text hashes under this model."""
        found: dict[str, np.ndarray] = {}
        table = t.embeddings
        with self._transaction() as conn:
            for batch in _chunks(sorted(set(hashes))):
                query = select(table.c.text_hash, table.c.vector).where(
                    table.c.model == model, table.c.text_hash.in_(batch)
                )
                for text_hash, blob in conn.execute(query):
                    found[text_hash] = np.frombuffer(blob, dtype=np.float32)
        return found

    def cache_vectors(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        """Store vectors by text hash (existing entries are kept)."""
        if not vectors:
            return
        known = self.cached_vectors(model, list(vectors))
        rows = [
            {"model": model, "text_hash": h, "vector": np.asarray(v, np.float32).tobytes()}
            for h, v in vectors.items()
            if h not in known
        ]
        if rows:
            with self._transaction() as conn:
                conn.execute(self._insert_if_absent(t.embeddings), rows)

    def _insert_if_absent(self, table):
        """An insert that skips rows whose key exists: another worker may cache the same text
        between our read and this insert, and the first vector stored is as good as ours."""
        dialect = {"sqlite": sqlite, "postgresql": postgresql}.get(self.engine.dialect.name)
        return dialect.insert(table).on_conflict_do_nothing() if dialect else insert(table)


# kind → {referencing kind: (table, column that holds the id)}
_REFERENCES = {
    "municipalities": {
        "municipalities": (t.municipality_members, "member_id"),
        "projects": (t.project_municipalities, "municipality_id"),
        "needs": (t.needs, "municipality"),
        "testfields": (t.testfields, "municipality"),
    },
    "providers": {
        "projects": (t.project_providers, "provider_id"),
        "offerings": (t.offerings, "provider"),
        "testfield applications": (t.testfield_applications, "provider"),
    },
    "testfields": {"testfield applications": (t.testfield_applications, "testfield")},
    "projects": {"offerings": (t.offering_references, "project_id")},
}
_OWNER = {
    "municipality_members": "municipality_id",
    "project_municipalities": "project_id",
    "project_providers": "project_id",
    "offering_references": "offering_id",
}
