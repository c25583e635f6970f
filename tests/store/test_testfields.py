"""Applications in the database: one running application per provider and test field, and
a status moved only from the state it was read in."""

from __future__ import annotations

import pytest

from matcher.domain.errors import ConflictError, NotFoundError
from tests.testfields_data import LIGHT_FIELD, sample_fields


@pytest.fixture
def store(service):
    for field in sample_fields():
        service.create("testfields", field)
    return service.testfields.store


def test_add_get_and_list(store):
    row = store.add(LIGHT_FIELD, "lichtwerk", "off-licht", "Lichtsteuerung erproben", "Strom")
    assert row["id"].startswith("bew-") and row["status"] == "beworben"
    assert store.get(row["id"])["message"] == "Lichtsteuerung erproben"
    assert [r["id"] for r in store.of_testfield(LIGHT_FIELD)] == [row["id"]]
    assert store.of_provider("lichtwerk", frozenset({"evaluiert"})) == []
    with pytest.raises(NotFoundError):
        store.get("bew-0000000000000000")


def test_one_running_application_per_provider(store):
    first = store.add(LIGHT_FIELD, "lichtwerk", None, "Erste Bewerbung hier", "")
    with pytest.raises(ConflictError, match="schon beworben"):
        store.add(LIGHT_FIELD, "lichtwerk", None, "Zweite Bewerbung hier", "")
    store.move(first["id"], "beworben", "beendet")
    assert store.add(LIGHT_FIELD, "lichtwerk", None, "Neuer Anlauf nach dem Ende", "")["id"]


def test_unknown_field_or_provider_is_a_conflict(store):
    with pytest.raises(ConflictError):
        store.add("tf-gibt-es-nicht", "lichtwerk", None, "Bewerbung ins Leere", "")


def test_a_stale_move_is_refused(store):
    row = store.add(LIGHT_FIELD, "lichtwerk", None, "Lichtsteuerung erproben", "")
    assert store.move(row["id"], "beworben", "vorausgewaehlt")["status"] == "vorausgewaehlt"
    with pytest.raises(ConflictError, match="inzwischen geändert"):
        store.move(row["id"], "beworben", "beendet")


def test_a_field_or_provider_with_applications_is_not_deleted(service, store):
    store.add(LIGHT_FIELD, "lichtwerk", None, "Lichtsteuerung erproben", "")
    with pytest.raises(ConflictError, match="testfield applications"):
        service.delete("testfields", LIGHT_FIELD)
    with pytest.raises(ConflictError):
        service.delete("providers", "lichtwerk")
