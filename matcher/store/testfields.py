"""Applications to pilot on a test field (`tables.testfield_applications`): one row each,
read and written in the database only (no catalog: they are few and private)."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from matcher.domain.errors import ConflictError, NotFoundError
from matcher.store.engine import reachable  # a lost database is a 503, as elsewhere
from matcher.store.tables import testfield_applications as apps

# 64 random bits a id: unguessable enough for an address that only three parties may open
# (the rest get a 404 whatever the id).
ID_BYTES = 8


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class ApplicationStore:
    """Add, find, list and move applications; rows are plain dicts of the table's columns."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(
        self, testfield: str, provider: str, offering: str | None, message: str, needs: str
    ) -> dict:
        """Store a new application as „beworben“; ConflictError if the provider already has
        one on this test field that is not ended."""
        now = _now()
        row = {
            "id": f"bew-{secrets.token_hex(ID_BYTES)}",
            "testfield": testfield,
            "provider": provider,
            "offering": offering,
            "message": message,
            "needs": needs,
            "status": "beworben",
            "created": now,
            "updated": now,
        }
        with reachable(), self.engine.begin() as conn:
            running = conn.execute(
                select(apps.c.id).where(
                    apps.c.testfield == testfield,
                    apps.c.provider == provider,
                    apps.c.status != "beendet",
                )
            ).first()
            if running is not None:
                raise ConflictError(
                    "Sie haben sich für dieses Testfeld schon beworben; der Gastgeber meldet sich"
                )
            try:
                conn.execute(insert(apps).values(**row))
            except IntegrityError:
                raise ConflictError("test field or provider does not exist") from None
        return row

    def get(self, application_id: str) -> dict:
        with reachable(), self.engine.begin() as conn:
            found = conn.execute(select(apps).where(apps.c.id == application_id)).first()
        if found is None:
            raise NotFoundError(f"applications: no item with id {application_id!r}")
        return dict(found._mapping)

    def of_testfield(self, testfield: str) -> list[dict]:
        """Every application to a test field, oldest first."""
        query = (
            select(apps).where(apps.c.testfield == testfield).order_by(apps.c.created, apps.c.id)
        )
        with reachable(), self.engine.begin() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def of_provider(self, provider: str, statuses: frozenset[str] | None = None) -> list[dict]:
        """A provider's applications (only in `statuses`, if given), oldest first."""
        query = select(apps).where(apps.c.provider == provider)
        if statuses is not None:
            query = query.where(apps.c.status.in_(sorted(statuses)))
        with reachable(), self.engine.begin() as conn:
            rows = conn.execute(query.order_by(apps.c.created, apps.c.id))
            return [dict(r._mapping) for r in rows]

    def move(self, application_id: str, expected: str, status: str) -> dict:
        """Set the status if it still is `expected` (two owners clicking at once: the second
        gets a ConflictError instead of skipping a step)."""
        with reachable(), self.engine.begin() as conn:
            done = conn.execute(
                update(apps)
                .where(apps.c.id == application_id, apps.c.status == expected)
                .values(status=status, updated=_now())
            )
        if done.rowcount != 1:
            raise ConflictError("Die Bewerbung wurde inzwischen geändert; bitte neu laden")
        return self.get(application_id)
