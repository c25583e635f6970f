"""The test-field pages (issue 24): the list with filters and an offering's matches, a test
field's page with its contact only for those who may see it, a provider's expression of
interest, the owner's buttons, and „erprobt in …“ on the provider's page."""

from __future__ import annotations

import re

import pytest

from tests.testfields_data import CLOSED_FIELD, HOST_FIELD, LIGHT_FIELD, sample_fields

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
MESSAGE = "Wir möchten unsere Lichtsteuerung in diesem Straßenzug erproben."


@pytest.fixture
def fields(app_service):
    for field in sample_fields():
        app_service.create("testfields", field)
    return app_service


def _signed_in(app, name: str):
    client = app.test_client()
    client.environ_base["HTTP_ORIGIN"] = "http://localhost"
    key = app.extensions["test_keys"][name]["Authorization"].split()[1]
    token = TOKEN.search(client.get("/anmelden").text).group(1)
    assert (
        client.post("/anmelden", data={"csrf_token": token, "schluessel": key}).status_code == 303
    )
    return client


def _token(client, path: str) -> str:
    found = TOKEN.search(client.get(path).text)
    assert found is not None
    return found.group(1)


def test_list_filters_by_place_type_and_topic(pages_client, fields):
    page = pages_client.get("/testfelder")
    assert page.status_code == 200
    assert "3 Testfelder" in page.text and 'href="/testfelder"' in page.text  # nav link
    stadium = pages_client.get("/testfelder?ort=stadion").text
    assert "1 Testfeld" in stadium and "Stadion mit Rufbus-Anbindung" in stadium
    assert "Straßenzug mit Lichtsteuerung" not in stadium
    energy = pages_client.get("/testfelder?thema=energie").text
    assert "2 Testfelder" in energy
    unknown = pages_client.get("/testfelder?ort=mond").text
    assert "gibt es bei „Art des Orts“ nicht" in unknown


def test_offering_matches_on_the_list(pages_client, fields):
    page = pages_client.get("/testfelder?angebot=off-licht").text
    assert "Testfelder für „LED-Umrüstung mit Lichtsteuerung“" in page
    assert f'href="/testfelder/{LIGHT_FIELD}"' in page
    assert f'href="/testfelder/{CLOSED_FIELD}"' not in page  # closed call
    assert "gibt es nicht" in pages_client.get("/testfelder?angebot=nix").text


def test_detail_hides_the_contact_without_a_key(app, pages_client, fields):
    page = pages_client.get(f"/testfelder/{LIGHT_FIELD}")
    assert page.status_code == 200
    assert "testfeld@brensbach.example" not in page.text
    assert "Passende Anbieter" in page.text and "Als Anbieter anmelden" in page.text
    provider = _signed_in(app, "lichtwerk")
    assert "testfeld@brensbach.example" in provider.get(f"/testfelder/{LIGHT_FIELD}").text
    assert pages_client.get("/testfelder/gibt-es-nicht").status_code == 404


def test_provider_applies_and_owner_moves_it(app, fields):
    provider = _signed_in(app, "lichtwerk")
    path = f"/testfelder/{LIGHT_FIELD}"
    form = {"csrf_token": _token(provider, path), "message": MESSAGE, "offering": "off-licht"}
    sent = provider.post(f"{path}/interesse", data=form)
    assert sent.status_code == 303
    mine = provider.get(sent.headers["Location"]).text
    assert "Ihre Bewerbung" in mine and "beworben" in mine and 'name="status"' not in mine
    # The town that lies next door sees nothing; the owner sees it with buttons.
    assert MESSAGE not in _signed_in(app, "kassel").get(path).text
    owner = _signed_in(app, "brensbach")
    page = owner.get(path).text
    assert MESSAGE in page and 'value="vorausgewaehlt"' in page
    app_id = re.search(r'data-application="(bew-[0-9a-f]+)"', page).group(1)
    move = f"{path}/bewerbungen/{app_id}"
    skip = owner.post(move, data={"csrf_token": _token(owner, path), "status": "evaluiert"})
    assert skip.status_code == 400 and "geht es nicht" in skip.text
    for step in ("vorausgewaehlt", "pilot", "evaluiert"):
        moved = owner.post(move, data={"csrf_token": _token(owner, path), "status": step})
        assert moved.status_code == 303
    # The applicant cannot move it itself.
    own = provider.post(move, data={"csrf_token": _token(provider, path), "status": "beendet"})
    assert own.status_code == 400 and "gehört" in own.text
    assert "erprobt in" in owner.get("/anbieter/lichtwerk").text
    listed = provider.get("/testfelder").text
    assert "Ihre Bewerbungen (1)" in listed and "evaluiert" in listed


def test_closed_call_and_bad_posts(app, pages_client, fields):
    provider = _signed_in(app, "lichtwerk")
    closed = f"/testfelder/{CLOSED_FIELD}"
    assert "Der Aufruf ist geschlossen" in provider.get(closed).text
    token = _token(provider, f"/testfelder/{LIGHT_FIELD}")
    refused = provider.post(f"{closed}/interesse", data={"csrf_token": token, "message": MESSAGE})
    assert refused.status_code == 400 and "geschlossen" in refused.text
    short = provider.post(
        f"/testfelder/{HOST_FIELD}/interesse", data={"csrf_token": token, "message": "kurz"}
    )
    assert short.status_code == 400 and "10 bis 2.000 Zeichen" in short.text
    # No form token, or not signed in: refused before anything happens.
    assert (
        provider.post(f"/testfelder/{HOST_FIELD}/interesse", data={"message": MESSAGE}).status_code
        == 403
    )
    assert (
        pages_client.post(
            f"/testfelder/{HOST_FIELD}/interesse", data={"message": MESSAGE}
        ).status_code
        == 403
    )
