"""The exchange pages with the test client (fixture corpus): /austausch, a group's page, an
event's page whose invitation list only staff see, the CSV for staff only, and the „Austausch“
section of a town's page."""

from __future__ import annotations

import pytest

from matcher.domain.access import SYSTEM
from matcher.domain.exchange import ExchangeEvent, ExchangeGroup
from tests.helpers import ADMIN_KEY
from tests.web.pages.test_team import key_of, sign_in


@pytest.fixture
def exchange(app_service):
    group = ExchangeGroup(
        id="erfa-licht",
        name="Erfa Straßenbeleuchtung",
        description="LED-Umrüstung, Dimmung und Lichtsteuerung der Straßenbeleuchtung.",
        categories=["energie"],  # type: ignore[list-item]  # validated to a Category
        keywords=["Straßenlaternen"],
        members=["mossautal"],
        contact_email="erfa@example.org",
    )
    app_service.exchange.create_group(group, SYSTEM)
    for event_id, date in (("termin-licht", "2027-02-10"), ("termin-alt", "2021-05-01")):
        event = ExchangeEvent.model_validate(
            {
                "id": event_id,
                "title": f"Straßenbeleuchtung auf LED umrüsten ({date[:4]})",
                "date": date,
                "place": "Darmstadt",
                "description": "Straßenlaternen nachts dimmen und Stromkosten senken.",
                "categories": ["energie"],
                "group": "erfa-licht",
                "contact_email": "termine@example.org",
            }
        )
        app_service.exchange.create_event(event, SYSTEM)
    return app_service


def test_the_overview_lists_groups_and_upcoming_events(pages_client, exchange):
    page = pages_client.get("/austausch")
    assert page.status_code == 200
    text = page.text
    assert "Erfa Straßenbeleuchtung" in text and "10.02.2027" in text
    # A past event is folded away under „Vergangene Termine“, after the upcoming ones.
    assert text.index("Vergangene Termine") < text.index("01.05.2021")
    assert 'href="/austausch"' in pages_client.get("/").text  # the navigation links it
    assert "@" not in text


def test_a_groups_page_shows_members_and_who_should_join_without_the_contact(
    pages_client, exchange
):
    text = pages_client.get("/austausch/gruppen/erfa-licht").text
    assert "Mossautal" in text and "Brensbach" in text  # member, and a town to invite
    assert "Offener Bedarf" in text
    assert "erfa@example.org" not in text
    assert pages_client.get("/austausch/gruppen/gibt-es-nicht").status_code == 404


def test_the_invitation_list_is_for_staff_only(app, pages_client, exchange):
    anonymous = pages_client.get("/austausch/termine/termin-licht").text
    assert "Straßenlaternen nachts dimmen" in anonymous  # the topic
    assert "Wen einladen?" not in anonymous and "@" not in anonymous
    assert pages_client.get("/austausch/termine/termin-licht/einladungen.csv").status_code == 403
    sign_in(pages_client, key_of(app, "kassel"))
    town = pages_client.get("/austausch/termine/termin-licht").text
    assert "Wen einladen?" not in town and "termine@example.org" in town  # a town sees it
    assert pages_client.get("/austausch/termine/termin-licht/einladungen.csv").status_code == 403


def test_staff_see_the_invitation_list_and_get_the_csv(pages_client, exchange):
    sign_in(pages_client, ADMIN_KEY)
    text = pages_client.get("/austausch/termine/termin-licht").text
    assert "Wen einladen?" in text and "Brensbach" in text and "LichtWerk" in text
    csv = pages_client.get("/austausch/termine/termin-licht/einladungen.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert "brensbach" in csv.text


def test_a_towns_page_has_its_austausch_section(pages_client, exchange):
    text = pages_client.get("/kommunen/brensbach").text
    section = text[text.index('id="h-austausch"') :]
    assert "Erfa Straßenbeleuchtung" in section and "Passende Erfa-Gruppen" in section
    member = pages_client.get("/kommunen/mossautal").text
    assert "Mitglied in:" in member
    member_section = member[member.index('id="h-austausch"') :]
    assert 'href="/austausch/gruppen/erfa-licht"' in member_section
    assert "Passende Erfa-Gruppen" in member_section and "Keine weitere Gruppe" in member_section
