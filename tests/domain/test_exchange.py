"""Exchange groups and events as records: what they accept, in German, and what stays private."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from matcher.domain.access import Actor, Viewer
from matcher.domain.errors import PermissionDenied
from matcher.domain.errors import ValidationError as DomainValidationError
from matcher.domain.exchange import (
    ExchangeEvent,
    ExchangeGroup,
    category_words,
    check_event,
    check_exchange_writer,
)

GROUP = {
    "id": "erfa-licht",
    "name": "Erfa Straßenbeleuchtung",
    "categories": ["energie"],
    "keywords": ["LED", "Dimmung", "LED"],
    "members": ["mossautal", "brensbach", "mossautal"],
    "contact": "Geschäftsstelle",
    "contact_email": "erfa@example.org",
}
EVENT = {
    "id": "termin-1",
    "title": "Lichtsteuerung",
    "date": "2027-02-10",
    "place": "Darmstadt",
    "categories": ["energie"],
}


def test_a_group_keeps_its_topic_and_members_once():
    group = ExchangeGroup.model_validate(GROUP)
    assert group.members == ["mossautal", "brensbach"] and group.keywords == ["LED", "Dimmung"]
    assert "Erfa Straßenbeleuchtung" in group.topic and "Dimmung" in group.topic


def test_a_group_needs_a_topic_category():
    with pytest.raises(ValidationError) as caught:
        ExchangeGroup.model_validate({**GROUP, "categories": []})
    assert caught.value.errors()[0]["loc"] == ("categories",)


@pytest.mark.parametrize("date", ["10.02.2027", "2027-02-30", "morgen", 0, 1_800_000_000])
def test_a_bad_date_is_refused_in_german_naming_the_field(date):
    with pytest.raises(ValidationError) as caught:
        ExchangeEvent.model_validate({**EVENT, "date": date})
    error = caught.value.errors()[0]
    assert error["loc"] == ("date",) and "JJJJ-MM-TT" in error["msg"]


def test_a_date_far_outside_the_plannable_years_is_refused_on_writing():
    far = ExchangeEvent.model_validate({**EVENT, "date": "2207-02-10"})
    with pytest.raises(DomainValidationError) as caught:
        check_event(far)
    assert caught.value.problems[0][0] == "date" and "zwischen" in str(caught.value)
    event = ExchangeEvent.model_validate(EVENT)
    check_event(event)
    assert event.date == dt.date(2027, 2, 10)


def test_an_unknown_format_is_refused():
    with pytest.raises(ValidationError):
        ExchangeEvent.model_validate({**EVENT, "format": "vortrag"})


def test_the_organisers_contact_is_private_by_the_one_rule():
    group = ExchangeGroup.model_validate(GROUP)
    assert "contact_email" not in group.model_dump() and "contact" not in group.model_dump()
    provider = {"viewer": Viewer("provider:lichtwerk")}
    assert "contact_email" not in group.model_dump(context=provider)
    town = {"viewer": Viewer("municipality:mossautal")}
    assert group.model_dump(context=town)["contact_email"] == "erfa@example.org"


def test_only_staff_keep_groups_and_events():
    check_exchange_writer(Actor("admin"))
    for role in ("municipality:mossautal", "provider:lichtwerk"):
        with pytest.raises(PermissionDenied, match="Admin"):
            check_exchange_writer(Actor(role))


def test_category_words_are_german_labels():
    assert category_words(["energie", "unbekannt"]) == "„Energie & Beleuchtung“"
