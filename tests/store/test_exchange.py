"""Exchange groups and events in the database: records round-trip with their private fields,
members keep their order and leave with a deleted town, events come by date."""

from __future__ import annotations

import pytest

from matcher.domain.errors import ConflictError, NotFoundError
from matcher.domain.exchange import ExchangeEvent, ExchangeGroup
from matcher.store.exchange import ExchangeStore


def _group(group_id: str, members: list[str]) -> ExchangeGroup:
    return ExchangeGroup.model_validate(
        {
            "id": group_id,
            "name": f"Gruppe {group_id}",
            "categories": ["energie"],
            "members": members,
            "contact_email": "erfa@example.org",
        }
    )


def _event(event_id: str, date: str) -> ExchangeEvent:
    return ExchangeEvent.model_validate(
        {"id": event_id, "title": "Termin", "date": date, "place": "online"}
    )


@pytest.fixture
def store(service):
    return ExchangeStore(service.store)


def test_a_group_round_trips_with_its_members_in_order(store):
    store.create_group(_group("b", ["kassel", "mossautal", "brensbach"]))
    store.create_group(_group("a", []))
    found = store.group("b")
    assert found.members == ["kassel", "mossautal", "brensbach"]
    assert found.contact_email == "erfa@example.org"  # the store keeps private fields
    assert [g.id for g in store.groups()] == ["a", "b"]
    with pytest.raises(ConflictError):
        store.create_group(_group("a", []))


def test_replacing_a_group_replaces_its_members(store):
    store.create_group(_group("g", ["kassel", "mossautal"]))
    store.replace_group(_group("g", ["brensbach"]))
    assert store.group("g").members == ["brensbach"]
    with pytest.raises(NotFoundError):
        store.replace_group(_group("nix", []))
    store.upsert_groups([_group("g", ["erbach"]), _group("h", ["kassel"])])
    assert {g.id: g.members for g in store.groups()} == {"g": ["erbach"], "h": ["kassel"]}


def test_events_come_by_date_and_are_replaced_whole(store):
    store.upsert_events([_event("spaet", "2027-05-01"), _event("frueh", "2027-01-15")])
    assert [e.id for e in store.events()] == ["frueh", "spaet"]
    store.replace_event(_event("frueh", "2027-09-01"))
    assert [e.id for e in store.events()] == ["spaet", "frueh"]
    store.delete_event("spaet")
    with pytest.raises(NotFoundError):
        store.event("spaet")
