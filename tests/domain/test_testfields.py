"""Test fields in the domain: the record's rules, the call's state, what an offering needs of a
place, who owns and who sees what, and the order an application moves in."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError as PydanticValidationError

from matcher.domain.access import Actor, Viewer, check_change, owns
from matcher.domain.catalog import Catalog
from matcher.domain.errors import ConflictError, PermissionDenied, ValidationError
from matcher.domain.schema import Offering, TestField
from matcher.domain.testfields import (
    TRANSITIONS,
    ApplicationRequest,
    call_label,
    call_open,
    check_apply,
    check_move,
    facilities_needed,
    may_see_application,
    owner_of,
)

TODAY = dt.date(2026, 12, 6)


def field(**changes) -> TestField:
    data = {
        "id": "tf",
        "title": "Platz",
        "municipality": "mossautal",
        "place_type": "platz",
        "contact_email": "platz@mossautal.example",
        **changes,
    }
    return TestField.model_validate(data)


@pytest.mark.parametrize(
    "changes",
    [
        {"call": "frist"},  # a deadline call without its date
        {"call": "laufend", "deadline": "2027-01-01"},
        {"latitude": 50.0},  # without longitude
        {"available_from": "2027-02-01", "available_until": "2027-01-01"},
        {"place_type": "mond"},
        {"facilities": ["teleporter"]},
        {"slots": 0},
        {"max_pilot_months": 0},
        {"id": "Tf X"},
    ],
)
def test_inconsistent_records_are_refused(changes):
    with pytest.raises(PydanticValidationError):
        field(**changes)


def test_call_state_on_a_date():
    rolling = field()
    assert call_open(rolling, TODAY) and call_label(rolling, TODAY) == "laufende Bewerbung"
    deadline = field(call="frist", deadline=TODAY)
    assert call_open(deadline, TODAY) and call_label(deadline, TODAY) == "offen bis 06.12.2026"
    assert not call_open(deadline, TODAY + dt.timedelta(days=1))
    ended = field(available_until=TODAY - dt.timedelta(days=1))
    assert not call_open(ended, TODAY) and call_label(ended, TODAY) == "Aufruf geschlossen"


def test_what_an_offering_needs_of_a_place():
    offering = Offering(
        id="o",
        provider="p",
        title="Sensoren an Straßenlaternen",
        description="Übertragung per LoRaWAN oder 5G; Daten in die urbane Datenplattform.",
    )
    assert facilities_needed(offering) == [
        "strassenlaternen_strom",
        "lorawan",
        "5g",
        "datenplattform",
    ]
    assert facilities_needed(Offering(id="o", provider="p", title="Bürgerportal")) == []


def test_owner_is_the_host_else_the_town():
    town_field, host_field = field(), field(host="stadion", host_name="Stadionbetrieb")
    town, host = Actor("municipality:mossautal"), Actor("host:stadion")
    assert (
        owner_of(town_field) == "municipality:mossautal" and owner_of(host_field) == "host:stadion"
    )
    assert owns(town, town_field) and not owns(town, host_field)
    assert owns(host, host_field) and not owns(host, town_field)
    assert not owns(Actor("provider:lichtwerk"), town_field)
    catalog = Catalog()
    with pytest.raises(PermissionDenied):  # a town cannot hand its field to a host
        check_change(catalog, town, "testfields", town_field, host_field)
    with pytest.raises(PermissionDenied):  # nor create one in another town
        check_change(catalog, Actor("municipality:erbach"), "testfields", None, town_field)
    check_change(catalog, host, "testfields", None, host_field)


def test_contact_is_for_keys_that_may_see_it():
    item = field(host="stadion")
    assert not Viewer(None).may_see_private(item)
    assert Viewer("provider:lichtwerk").may_see_private(item)
    assert Viewer("municipality:erbach").may_see_private(item)
    assert Viewer("host:stadion").may_see_private(item)
    assert not Viewer("host:campus").may_see_private(item)
    assert "contact_email" not in item.model_dump()


def test_who_sees_an_application():
    item = field()
    assert may_see_application(Actor("municipality:mossautal"), item, "lichtwerk")
    assert may_see_application(Actor("provider:lichtwerk"), item, "lichtwerk")
    assert may_see_application(Actor("admin"), item, "lichtwerk")
    assert not may_see_application(Actor("provider:mobilfluss"), item, "lichtwerk")
    assert not may_see_application(Actor("municipality:erbach"), item, "lichtwerk")
    assert not may_see_application(None, item, "lichtwerk")


def test_applying_needs_a_provider_and_an_open_call():
    request = ApplicationRequest(message="Wir möchten hier erproben.", offering="o")
    mine = Offering(id="o", provider="lichtwerk", title="Licht")
    provider = Actor("provider:lichtwerk")
    assert check_apply(provider, field(), request, mine, TODAY) == "lichtwerk"
    with pytest.raises(PermissionDenied):
        check_apply(Actor("municipality:mossautal"), field(), request, mine, TODAY)
    closed = field(call="frist", deadline=TODAY - dt.timedelta(days=1))
    with pytest.raises(ConflictError, match="geschlossen"):
        check_apply(provider, closed, request, mine, TODAY)
    theirs = Offering(id="o", provider="mobilfluss", title="Bus")
    with pytest.raises(ValidationError):
        check_apply(provider, field(), request, theirs, TODAY)


def test_status_moves_one_legal_step_by_the_owner():
    owner, item = Actor("municipality:mossautal"), field()
    path = ["beworben", "vorausgewaehlt", "pilot", "evaluiert", "uebernommen"]
    for current, wanted in zip(path, path[1:], strict=False):
        check_move(owner, item, current, wanted)
        check_move(owner, item, current, "beendet")
    assert TRANSITIONS["uebernommen"] == TRANSITIONS["beendet"] == ()
    with pytest.raises(ConflictError, match="möglich: in der engeren Wahl, beendet"):
        check_move(owner, item, "beworben", "pilot")
    with pytest.raises(ConflictError):
        check_move(owner, item, "beendet", "beworben")
    with pytest.raises(PermissionDenied):
        check_move(Actor("provider:lichtwerk"), item, "beworben", "vorausgewaehlt")
    with pytest.raises(ValidationError):
        check_move(owner, item, "beworben", "erfunden")
