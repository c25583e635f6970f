"""Funding programmes in the database, one JSON record a row (`tables.programmes`), so that
every worker (and every machine on a shared PostgreSQL) reads what staff last wrote.

An empty table is filled with the records shipped with the package, once; after that the records
are staff's (deleting every programme brings the shipped ones back). Programmes are few (a
dozen): each read is one small SELECT, no cache to go stale.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from matcher.domain.errors import ConflictError, NotFoundError
from matcher.domain.funding import Programme
from matcher.domain.schema import STORED
from matcher.store.engine import reachable  # a lost database is a 503, as elsewhere
from matcher.store.repository import Store
from matcher.store.tables import programmes


class ProgrammeStore:
    """Read and write programme records; an empty table gets `seed`."""

    def __init__(self, store: Store, seed: Iterable[Programme] = ()) -> None:
        self._store = store
        with reachable(), self.engine.begin() as conn:
            empty = conn.execute(select(func.count()).select_from(programmes)).scalar_one() == 0
        # Another worker may fill it at the same moment: theirs stands.
        if empty:
            with contextlib.suppress(IntegrityError):
                self.upsert_all(list(seed))

    @property
    def engine(self) -> Engine:
        """The store's engine as it is now (a server reconnects it after forking)."""
        return self._store.engine

    def all(self) -> list[Programme]:
        with reachable(), self.engine.begin() as conn:
            rows = conn.execute(select(programmes.c.record).order_by(programmes.c.id)).all()
        return [Programme.model_validate(r.record, context=STORED) for r in rows]

    def get(self, programme_id: str) -> Programme:
        with reachable(), self.engine.begin() as conn:
            row = conn.execute(
                select(programmes.c.record).where(programmes.c.id == programme_id)
            ).first()
        if row is None:
            raise NotFoundError(f"programmes: no item with id {programme_id!r}")
        return Programme.model_validate(row.record, context=STORED)

    def create(self, programme: Programme) -> None:
        with reachable(), self.engine.begin() as conn:
            exists = conn.execute(
                select(programmes.c.id).where(programmes.c.id == programme.id)
            ).first()
            if exists is not None:
                raise ConflictError(f"programmes: id {programme.id!r} exists")
            conn.execute(insert(programmes).values(id=programme.id, record=_json(programme)))

    def replace(self, programme: Programme) -> None:
        with reachable(), self.engine.begin() as conn:
            done = conn.execute(
                programmes.update()
                .where(programmes.c.id == programme.id)
                .values(record=_json(programme))
            )
            if done.rowcount == 0:
                raise NotFoundError(f"programmes: no item with id {programme.id!r}")

    def delete(self, programme_id: str) -> None:
        with reachable(), self.engine.begin() as conn:
            done = conn.execute(delete(programmes).where(programmes.c.id == programme_id))
            if done.rowcount == 0:
                raise NotFoundError(f"programmes: no item with id {programme_id!r}")

    def upsert_all(self, items: list[Programme]) -> None:
        """Create or replace these records in one transaction (an import: all or nothing)."""
        with reachable(), self.engine.begin() as conn:
            ids = [p.id for p in items]
            conn.execute(delete(programmes).where(programmes.c.id.in_(ids)))
            if items:
                conn.execute(insert(programmes), [{"id": p.id, "record": _json(p)} for p in items])


def _json(programme: Programme) -> dict:
    return programme.model_dump(mode="json")
