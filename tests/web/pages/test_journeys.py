"""Journeys that close (issue 25), with Flask's test client: the search form's post is
redirected to a GET address (the share link, or `/suche/<id>` for a long text), a search of
only spaces is answered in German, a signed-in town is the default „Wir sind“, a need has its
own page with its matches, a search can be reported as a need, and a town's area shows its
needs with their best matches and what is new since the last visit."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from matcher.domain.schema import Project
from tests.helpers import OWN_ORIGIN

OWN = {"Origin": OWN_ORIGIN}
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
SHORT = "Unsere Straßenlaternen brennen die ganze Nacht"
# A long challenge of numbered sentences, 5,000 characters in all (the form's limit).
LONG = (" ".join(f"Satz {i}: Die Laternen brennen nachts zu lange." for i in range(200)))[:5000]


def sign_in(client, key: str) -> None:
    found = TOKEN.search(client.get("/anmelden").text)
    assert found is not None
    data = {"csrf_token": found.group(1), "schluessel": key}
    response = client.post("/anmelden", data=data, headers=OWN)
    assert response.status_code == 303


@pytest.fixture
def town_keys(app):
    from matcher.keys import add_key

    settings = app.extensions["matcher"].settings
    return {
        "brensbach": add_key(settings.keys_file, "municipality:brensbach"),
        "lichtwerk": add_key(settings.keys_file, "provider:lichtwerk"),
    }


# -- item 1: post, redirect, get ---------------------------------------------------------------


def test_a_short_search_is_redirected_to_its_share_link(pages_client):
    response = pages_client.post("/", data={"text": f"  {SHORT} ", "wir": "", "kategorie": ""})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location == "/?text=" + quote(SHORT).replace("%20", "+") + "#ergebnisse"
    page = pages_client.get(location)
    assert page.status_code == 200
    assert "Ergebnisse" in page.text and "Smarte Straßenbeleuchtung" in page.text
    assert f">{SHORT}</textarea>" in page.text


def test_a_long_search_gets_a_short_address_that_is_the_same_for_the_same_search(
    pages_client, app_service
):
    form = {"text": LONG, "wir": "Brensbach", "kategorie": "energie"}
    first = pages_client.post("/", data=form)
    second = pages_client.post("/", data=form)
    assert first.status_code == second.status_code == 303
    location = first.headers["Location"]
    assert re.fullmatch(r"/suche/[0-9a-f]{24}#ergebnisse", location)
    assert second.headers["Location"] == location  # the same search, the same address
    other = pages_client.post("/", data={**form, "kategorie": "mobilitaet"})
    assert other.headers["Location"] != location
    page = pages_client.get(location.split("#")[0])
    assert page.status_code == 200
    assert "Ergebnisse für Brensbach" in page.text
    assert LONG[:200] in page.text and "Smarte Straßenbeleuchtung" in page.text
    # Nothing but the form's fields is kept: the text and the filters.
    saved = app_service.saved_search(location[len("/suche/") : -len("#ergebnisse")])
    assert saved is not None and saved.startswith("text=") and "kategorie=energie" in saved


def test_an_unknown_or_malformed_saved_search_is_a_german_404(pages_client):
    for path in ("/suche/" + "0" * 24, "/suche/nicht-da", "/suche/" + "A" * 24):
        page = pages_client.get(path)
        assert page.status_code == 404
        assert "Diese gespeicherte Suche gibt es nicht (mehr)" in page.text


def test_the_saved_search_store_keeps_only_the_newest_when_full(app_service, monkeypatch):
    from matcher.store import searches

    monkeypatch.setattr(searches, "MAX_SAVED", 3)
    ids = [app_service.save_search(f"text=Suche+{i}") for i in range(5)]
    assert ids[0] == searches.search_id("text=Suche+0")
    kept = [i for i in ids if app_service.saved_search(i) is not None]
    assert len(kept) <= 3 and ids[-1] in kept


def test_a_search_of_only_spaces_gets_a_german_message(pages_client):
    response = pages_client.post("/", data={"text": "     \n  ", "wir": ""})
    assert response.status_code == 400
    assert "nur Leerzeichen" in response.text and 'role="alert"' in response.text
    assert "Location" not in response.headers
    page = pages_client.get("/?text=+++")
    assert "nur Leerzeichen" in page.text
    assert "nur Leerzeichen" not in pages_client.get("/").text  # the plain form: no message


def test_a_text_over_the_limit_is_refused_at_the_post_and_nothing_is_saved(pages_client):
    response = pages_client.post("/", data={"text": "x" * 5001})
    assert response.status_code == 400 and "höchstens 5.000 Zeichen" in response.text


# -- item 2: signed in, the town is the default asker ----------------------------------------


def test_a_signed_in_town_is_prefilled_as_wir_sind_and_can_be_changed(app, pages_client, town_keys):
    assert 'id="wir" name="wir" list="gemeinden" value=""' in pages_client.get("/").text
    sign_in(pages_client, town_keys["brensbach"])
    assert 'name="wir" list="gemeinden" value="Brensbach"' in pages_client.get("/").text
    # A search names its own asker, or none: the form's choice wins.
    page = pages_client.get("/?text=" + quote(SHORT))
    assert 'name="wir" list="gemeinden" value=""' in page.text
    page = pages_client.get("/?wir=Mossautal")
    assert 'name="wir" list="gemeinden" value="Mossautal"' in page.text


def test_a_provider_is_not_prefilled_and_gets_no_report_link(app, pages_client, town_keys):
    sign_in(pages_client, town_keys["lichtwerk"])
    assert 'name="wir" list="gemeinden" value=""' in pages_client.get("/").text
    page = pages_client.get("/?text=" + quote(SHORT))
    assert "als Bedarf melden" not in page.text


# -- item 4: a need's page, reporting a search as a need, the town's area ----------------------


def test_a_need_has_a_page_with_its_matches(pages_client):
    page = pages_client.get("/bedarfe/n-licht")
    assert page.status_code == 200
    assert "<h1>Straßenlaternen brennen die ganze Nacht</h1>" in page.text
    assert 'href="/kommunen/brensbach"' in page.text
    assert "Smarte Straßenbeleuchtung mit Dimmung" in page.text  # a matching project
    assert 'data-kind="municipality"' in page.text  # and a peer, with its distance
    assert "Brensbach: " not in page.text and "km" in page.text
    assert pages_client.get("/bedarfe/gibt-es-nicht").status_code == 404


def test_the_towns_page_links_its_needs(pages_client):
    page = pages_client.get("/kommunen/brensbach")
    assert 'href="/bedarfe/n-licht"' in page.text


def test_a_search_can_be_reported_as_a_need_prefilled(app, pages_client, town_keys):
    page = pages_client.get("/?text=" + quote(SHORT))
    link = "/mein-bereich/bedarfe/neu?text=" + quote(SHORT).replace("%20", "+")
    assert "Diese Herausforderung als Bedarf melden" in page.text and link in page.text
    sign_in(pages_client, town_keys["brensbach"])
    form = pages_client.get(link).text
    assert f'name="title" required maxlength="300" value="{SHORT}"' in form
    assert f">{SHORT}</textarea>" in form and "stammen aus Ihrer Suche" in form
    # A long search is passed by its saved id.
    where = pages_client.post("/", data={"text": LONG}).headers["Location"].split("#")[0]
    page = pages_client.get(where).text
    found = re.search(r'href="(/mein-bereich/bedarfe/neu\?suche=[0-9a-f]{24})"', page)
    assert found
    form = pages_client.get(found.group(1)).text
    assert LONG[-100:] in form and 'value="Satz 0: Die Laternen brennen nachts zu lange"' in form


def test_after_saving_a_need_jetzt_ansehen_opens_its_page(app, pages_client, town_keys):
    sign_in(pages_client, town_keys["brensbach"])
    token = TOKEN.search(pages_client.get("/mein-bereich").text).group(1)
    saved = pages_client.post(
        "/mein-bereich/bedarfe/neu",
        data={"csrf_token": token, "title": "Glätte auf der Brücke", "status": "offen"},
        follow_redirects=True,
    )
    found = re.search(r'<a href="(/bedarfe/[^"]+)">Jetzt ansehen</a>', saved.text)
    assert found, saved.text
    assert "<h1>Glätte auf der Brücke</h1>" in pages_client.get(found.group(1)).text


def test_the_area_shows_needs_with_matches_and_what_is_new_since_the_last_visit(
    app, app_service, town_keys
):
    first = app.test_client()
    sign_in(first, town_keys["brensbach"])
    home = first.get("/mein-bereich").text
    assert 'href="/bedarfe/n-licht"' in home and "Smarte Straßenbeleuchtung" in home
    assert "Ab Ihrem nächsten Besuch markieren wir" in home
    app_service.upsert(
        "projects",
        [
            Project(
                id="p-licht-neu",
                title="Straßenlaternen nachts dimmen",
                description="Die Straßenbeleuchtung brennt nicht mehr die ganze Nacht.",
                categories=["energie"],
                municipalities=["kassel"],
            )
        ],
    )
    assert "Ab Ihrem nächsten Besuch" in first.get("/mein-bereich").text  # the same visit
    later = app.test_client()
    sign_in(later, town_keys["brensbach"])
    home = later.get("/mein-bereich").text
    assert "Straßenlaternen nachts dimmen" in home
    assert (
        "neu hinzugekommen oder geändert" in home and '<span class="badge new">neu</span>' in home
    )
    again = later.get("/mein-bereich").text  # a reload keeps what is new in this visit
    assert '<span class="badge new">neu</span>' in again
