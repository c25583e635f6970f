"""Exchange groups and events through the service, on the fixture corpus (fake encoder): staff
keep them, members and groups must exist, and the suggestions follow the matching."""

from __future__ import annotations

import pytest

from matcher.domain.access import Actor
from matcher.domain.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from matcher.domain.exchange import ExchangeEvent, ExchangeGroup
from matcher.domain.schema import Category, Need
from matcher.importing.records import parse_records

ADMIN = Actor("admin")
TOWN = Actor("municipality:brensbach")


def _group(**changes) -> ExchangeGroup:
    fields = {
        "id": "erfa-licht",
        "name": "Erfa Straßenbeleuchtung",
        "description": "LED-Umrüstung, Dimmung und Lichtsteuerung der Straßenbeleuchtung.",
        "categories": [Category.energie],
        "keywords": ["Straßenlaternen", "LED"],
        "members": ["mossautal"],
        "contact_email": "erfa@example.org",
    }
    return ExchangeGroup.model_validate({**fields, **changes})


def _event(**changes) -> ExchangeEvent:
    fields = {
        "id": "termin-licht",
        "title": "Anbieter stellen vor: Straßenbeleuchtung auf LED umrüsten",
        "date": "2027-02-10",
        "place": "Darmstadt",
        "description": "Straßenlaternen nachts dimmen und Stromkosten senken.",
        "categories": ["energie"],
        "group": "erfa-licht",
    }
    return ExchangeEvent.model_validate({**fields, **changes})


def test_only_staff_write_groups_and_events(service):
    with pytest.raises(PermissionDenied):
        service.exchange.create_group(_group(), TOWN)
    service.exchange.create_group(_group(), ADMIN)
    with pytest.raises(PermissionDenied):
        service.exchange.create_event(_event(), TOWN)
    with pytest.raises(PermissionDenied):
        service.exchange.delete_group("erfa-licht", TOWN)
    assert [g.id for g in service.exchange.groups()] == ["erfa-licht"]


def test_unknown_members_and_groups_are_refused_in_german(service):
    with pytest.raises(ValidationError, match="unbekannte Kommune") as caught:
        service.exchange.create_group(_group(members=["mossautal", "atlantis"]), ADMIN)
    assert caught.value.problems == [("members: atlantis", "keine Kommune mit dieser id")]
    with pytest.raises(ValidationError, match="unbekannte Gruppe"):
        service.exchange.create_event(_event(group="gibt-es-nicht"), ADMIN)
    assert service.exchange.groups() == [] and service.exchange.events() == []


def test_a_group_round_trips_and_holds_its_events(service):
    service.exchange.create_group(_group(members=["mossautal", "kassel"]), ADMIN)
    service.exchange.create_event(_event(), ADMIN)
    assert service.exchange.group("erfa-licht").members == ["mossautal", "kassel"]
    assert service.exchange.group("erfa-licht").contact_email == "erfa@example.org"
    with pytest.raises(ConflictError, match="Termine"):
        service.exchange.delete_group("erfa-licht", ADMIN)
    with pytest.raises(ConflictError):
        service.exchange.create_group(_group(), ADMIN)
    service.exchange.delete_event("termin-licht", ADMIN)
    service.exchange.delete_group("erfa-licht", ADMIN)
    with pytest.raises(NotFoundError):
        service.exchange.group("erfa-licht")


def test_a_deleted_town_leaves_its_groups(service):
    service.exchange.create_group(_group(members=["mossautal", "kassel"]), ADMIN)
    service.delete("projects", "p-akte")
    service.delete("municipalities", "kassel")
    assert service.exchange.group("erfa-licht").members == ["mossautal"]


def test_an_import_is_all_or_nothing_naming_the_line(service):
    good = _group().model_dump_json(context={"viewer": "all"})
    bad = _group(id="erfa-2").model_dump_json().replace('"energie"', '"kochen"')
    with pytest.raises(ValidationError) as caught:
        service.exchange.import_groups(f"{good}\n{bad}\n".encode(), ADMIN)
    assert caught.value.problems[0][0].startswith("Zeile 2")
    assert service.exchange.groups() == []
    assert service.exchange.import_groups(good.encode(), ADMIN) == 1
    with pytest.raises(ValidationError, match="nichts geschrieben"):
        parse_records(ExchangeGroup, b"{kein json\n", "Gruppen")


def test_a_town_is_suggested_the_groups_it_is_not_in(service):
    service.exchange.create_group(_group(), ADMIN)  # mossautal is the member
    brensbach = service.exchange.suggestions("brensbach")
    assert [f.group.id for f in brensbach.groups] == ["erfa-licht"]
    fit = brensbach.groups[0]
    assert fit.needs[0].id == "n-licht" and "Offener Bedarf" in fit.reasons[0]
    mossautal = service.exchange.suggestions("mossautal")
    assert mossautal.groups == [] and [g.id for g in mossautal.member_of] == ["erfa-licht"]
    candidates = service.exchange.group_candidates("erfa-licht").towns
    assert "brensbach" in {f.town.id for f in candidates}
    assert "mossautal" not in {f.town.id for f in candidates}


def _plans_lighting(service) -> None:
    """Brensbach plans what Mossautal (p-licht) and Erbach (p-licht2) have done, in words
    close enough for the fake encoder's strong match."""
    need = Need(
        id="n-led",
        municipality="brensbach",
        title="Straßenbeleuchtung auf LED umrüsten und nachts dimmen",
        description="Leuchten auf LED umrüsten, die Straßenbeleuchtung nachts bedarfsgerecht "
        "dimmen, Beleuchtung im Gewerbegebiet mit Bewegungsmeldern.",
        categories=[Category.energie],
    )
    service.upsert("needs", [need])


def test_towns_to_meet_have_done_what_the_town_plans_near_first(service):
    _plans_lighting(service)
    found = service.exchange.suggestions("brensbach")
    assert found.meet, "lighting projects of the neighbours answer Brensbach's open need"
    km = [m.distance_km for m in found.meet]
    assert km == sorted(km)
    for meet in found.meet:
        assert meet.town.id != "brensbach" and meet.needs[0].id == "n-led"
        assert "umgesetzt" in meet.reasons[0]
    # The other side hears who asks for it.
    other = service.exchange.suggestions(found.meet[0].town.id)
    assert "brensbach" in {t.id for t in other.asked_by}


def test_invitations_name_towns_with_a_fitting_need_providers_and_the_members(service):
    service.exchange.create_group(_group(), ADMIN)
    service.exchange.create_event(_event(), ADMIN)
    found = service.exchange.invitations("termin-licht")
    roles = {t.id: t.role for t in found.towns}
    assert roles["brensbach"] == "bedarf" and roles["mossautal"] == "mitglied"
    assert [p.id for p in found.providers][:1] == ["lichtwerk"]
    assert all(t.reasons for t in found.towns + found.providers)


def test_the_invitation_csv_is_staffs_and_carries_contacts(service):
    service.upsert(
        "municipalities",
        [
            service.catalog.municipality("brensbach").model_copy(
                update={"contact_email": "rathaus@brensbach.example"}
            )
        ],
    )
    service.exchange.create_group(_group(), ADMIN)
    service.exchange.create_event(_event(), ADMIN)
    with pytest.raises(PermissionDenied):
        service.exchange.invitation_csv("termin-licht", TOWN)
    body = service.exchange.invitation_csv("termin-licht", ADMIN)
    lines = body.lstrip("\ufeff").splitlines()
    assert lines[0] == "Art;Rolle;id;Name;Kontakt;Gründe;Score"
    assert any("brensbach" in line and "rathaus@brensbach.example" in line for line in lines)


def test_groups_where_an_open_need_fits_come_before_those_it_can_teach(service):
    service.exchange.create_group(_group(), ADMIN)
    bus = _group(
        id="erfa-rufbus",
        name="Erfa Rufbus",
        description="Ein Rufbus verbindet die Dörfer und Ortsteile mit dem Bahnhof.",
        categories=[Category.mobilitaet],
        keywords=["Rufbus", "Ortsteile"],
        members=["kassel"],
    )
    service.exchange.create_group(bus, ADMIN)
    fits = service.exchange.suggestions("brensbach").groups
    assert [f.group.id for f in fits] == ["erfa-licht", "erfa-rufbus"]
    assert fits[0].needs and not fits[1].needs
    assert [p.id for p in fits[1].projects] == ["p-bus"]  # Brensbach runs a Rufbus already


def test_a_topic_of_one_word_or_of_pages_is_still_asked(service):
    service.exchange.create_group(_group(name="X", description="", keywords=[]), ADMIN)
    long = _group(id="erfa-lang", description="Straßenbeleuchtung. " * 900, members=[])
    service.exchange.create_group(long, ADMIN)
    assert service.exchange.group_candidates("erfa-licht").group.title == "X"
    assert "brensbach" in {f.town.id for f in service.exchange.group_candidates("erfa-lang").towns}
