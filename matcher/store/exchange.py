"""Exchange groups and events in the database, one JSON record a row (`tables.exchange_*`), so
that every worker reads what staff last wrote. A group's members are rows of their own (a town
that is deleted leaves its groups). Groups and events are few (dozens): each read is one small
SELECT, no cache to go stale.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, delete, insert, select

from matcher.domain.errors import ConflictError, NotFoundError
from matcher.domain.exchange import ExchangeEvent, ExchangeGroup
from matcher.domain.schema import STORED, WITH_PRIVATE
from matcher.store.engine import reachable  # a lost database is a 503, as elsewhere
from matcher.store.repository import Store
from matcher.store.tables import exchange_events, exchange_group_members, exchange_groups


class ExchangeStore:
    """Read and write exchange groups and events."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def engine(self) -> Engine:
        """The store's engine as it is now (a server reconnects it after forking)."""
        return self._store.engine

    # -- groups ------------------------------------------------------------------------------

    def groups(self) -> list[ExchangeGroup]:
        """Every group, by id."""
        with reachable(), self.engine.begin() as conn:
            rows = conn.execute(
                select(exchange_groups.c.id, exchange_groups.c.record).order_by(
                    exchange_groups.c.id
                )
            ).all()
            members = _members(conn)
        return [_group(r.record, members.get(r.id, [])) for r in rows]

    def group(self, group_id: str) -> ExchangeGroup:
        with reachable(), self.engine.begin() as conn:
            row = conn.execute(
                select(exchange_groups.c.record).where(exchange_groups.c.id == group_id)
            ).first()
            if row is None:
                raise NotFoundError(f"groups: keine Gruppe mit der id {group_id!r}")
            members = _members(conn, group_id)
        return _group(row.record, members.get(group_id, []))

    def create_group(self, group: ExchangeGroup) -> None:
        with reachable(), self.engine.begin() as conn:
            if conn.execute(
                select(exchange_groups.c.id).where(exchange_groups.c.id == group.id)
            ).first():
                raise ConflictError(f"groups: die id {group.id!r} gibt es schon")
            _write_group(conn, group)

    def replace_group(self, group: ExchangeGroup) -> None:
        with reachable(), self.engine.begin() as conn:
            found = conn.execute(delete(exchange_groups).where(exchange_groups.c.id == group.id))
            if found.rowcount == 0:
                raise NotFoundError(f"groups: keine Gruppe mit der id {group.id!r}")
            _write_group(conn, group)

    def delete_group(self, group_id: str) -> None:
        with reachable(), self.engine.begin() as conn:
            done = conn.execute(delete(exchange_groups).where(exchange_groups.c.id == group_id))
            if done.rowcount == 0:
                raise NotFoundError(f"groups: keine Gruppe mit der id {group_id!r}")

    def upsert_groups(self, groups: list[ExchangeGroup]) -> None:
        """Create or replace these groups in one transaction (an import: all or nothing)."""
        with reachable(), self.engine.begin() as conn:
            ids = [g.id for g in groups]
            conn.execute(delete(exchange_groups).where(exchange_groups.c.id.in_(ids)))
            for group in groups:
                _write_group(conn, group)

    # -- events ------------------------------------------------------------------------------

    def events(self) -> list[ExchangeEvent]:
        """Every event, by date (then id)."""
        with reachable(), self.engine.begin() as conn:
            rows = conn.execute(
                select(exchange_events.c.record).order_by(
                    exchange_events.c.date, exchange_events.c.id
                )
            ).all()
        return [ExchangeEvent.model_validate(r.record, context=STORED) for r in rows]

    def event(self, event_id: str) -> ExchangeEvent:
        with reachable(), self.engine.begin() as conn:
            row = conn.execute(
                select(exchange_events.c.record).where(exchange_events.c.id == event_id)
            ).first()
        if row is None:
            raise NotFoundError(f"events: kein Termin mit der id {event_id!r}")
        return ExchangeEvent.model_validate(row.record, context=STORED)

    def create_event(self, event: ExchangeEvent) -> None:
        with reachable(), self.engine.begin() as conn:
            if conn.execute(
                select(exchange_events.c.id).where(exchange_events.c.id == event.id)
            ).first():
                raise ConflictError(f"events: die id {event.id!r} gibt es schon")
            conn.execute(insert(exchange_events).values(**_event_row(event)))

    def replace_event(self, event: ExchangeEvent) -> None:
        with reachable(), self.engine.begin() as conn:
            done = conn.execute(
                exchange_events.update()
                .where(exchange_events.c.id == event.id)
                .values(**_event_row(event))
            )
            if done.rowcount == 0:
                raise NotFoundError(f"events: kein Termin mit der id {event.id!r}")

    def delete_event(self, event_id: str) -> None:
        with reachable(), self.engine.begin() as conn:
            done = conn.execute(delete(exchange_events).where(exchange_events.c.id == event_id))
            if done.rowcount == 0:
                raise NotFoundError(f"events: kein Termin mit der id {event_id!r}")

    def upsert_events(self, events: list[ExchangeEvent]) -> None:
        """Create or replace these events in one transaction (an import: all or nothing)."""
        with reachable(), self.engine.begin() as conn:
            conn.execute(
                delete(exchange_events).where(exchange_events.c.id.in_(e.id for e in events))
            )
            if events:
                conn.execute(insert(exchange_events), [_event_row(e) for e in events])


def _members(conn: Connection, group_id: str | None = None) -> dict[str, list[str]]:
    query = select(exchange_group_members).order_by(
        exchange_group_members.c.group_id, exchange_group_members.c.position
    )
    if group_id is not None:
        query = query.where(exchange_group_members.c.group_id == group_id)
    found: dict[str, list[str]] = {}
    for row in conn.execute(query):
        found.setdefault(row.group_id, []).append(row.municipality_id)
    return found


def _group(record: dict, members: list[str]) -> ExchangeGroup:
    return ExchangeGroup.model_validate({**record, "members": members}, context=STORED)


def _write_group(conn: Connection, group: ExchangeGroup) -> None:
    record = group.model_dump(mode="json", context=WITH_PRIVATE, exclude={"members"})
    conn.execute(insert(exchange_groups).values(id=group.id, record=record))
    if group.members:
        conn.execute(
            insert(exchange_group_members),
            [
                {"group_id": group.id, "municipality_id": m, "position": at}
                for at, m in enumerate(group.members)
            ],
        )


def _event_row(event: ExchangeEvent) -> dict:
    record = event.model_dump(mode="json", context=WITH_PRIVATE)
    return {"id": event.id, "date": event.date, "record": record}
