"""The test-field API (issue 24): CRUD through the generic kind, matching both ways, and who
sees and moves an application."""

from __future__ import annotations

import pytest

from matcher.keys import add_key
from tests.helpers import ADMIN
from tests.testfields_data import CLOSED_FIELD, HOST, HOST_FIELD, LIGHT_FIELD, sample_fields

APPLY = {
    "message": "Wir möchten unsere Lichtsteuerung hier ein halbes Jahr erproben.",
    "needs": "Dauerstrom an zehn Masten",
    "offering": "off-licht",
}


@pytest.fixture
def fields(app_service):
    for field in sample_fields():
        app_service.create("testfields", field)
    return app_service


@pytest.fixture
def more_keys(app, keys):
    path = app.extensions["matcher"].settings.keys_file
    made = {
        "mobilfluss": add_key(path, "provider:mobilfluss"),
        "host": add_key(path, f"host:{HOST}"),
    }
    return {**keys, **{k: {"Authorization": f"Bearer {v}"} for k, v in made.items()}}


def _apply(client, keys, field=LIGHT_FIELD, who="lichtwerk", body=APPLY):
    return client.post(f"/api/v1/testfields/{field}/applications", json=body, headers=keys[who])


def test_contact_is_private_without_a_key(client, fields, keys):
    anonymous = client.get(f"/api/v1/testfields/{LIGHT_FIELD}").get_json()
    assert anonymous["title"] == "Straßenzug mit Lichtsteuerung"
    assert "contact_email" not in anonymous and "contact" not in anonymous
    listed = client.get("/api/v1/testfields").get_json()
    assert listed["total"] == 3
    assert all("contact_email" not in item for item in listed["items"])
    provider = client.get(f"/api/v1/testfields/{LIGHT_FIELD}", headers=keys["lichtwerk"])
    assert provider.get_json()["contact_email"] == "testfeld@brensbach.example"


def test_owner_writes_and_others_may_not(client, fields, keys, more_keys):
    body = client.get(f"/api/v1/testfields/{LIGHT_FIELD}", headers=ADMIN).get_json()
    body["slots"] = 4
    url = f"/api/v1/testfields/{LIGHT_FIELD}"
    assert client.put(url, json=body, headers=keys["kassel"]).status_code == 403
    assert client.put(url, json=body, headers=keys["lichtwerk"]).status_code == 403
    assert client.put(url, json=body, headers=more_keys["host"]).status_code == 403
    assert client.put(url, json=body, headers=keys["brensbach"]).get_json()["slots"] == 4
    host = client.get(f"/api/v1/testfields/{HOST_FIELD}", headers=ADMIN).get_json()
    host["slots"] = 2
    hurl = f"/api/v1/testfields/{HOST_FIELD}"
    # The town it lies in does not own a host's test field; the host does.
    assert client.put(hurl, json=host, headers=keys["kassel"]).status_code == 403
    assert client.put(hurl, json=host, headers=more_keys["host"]).status_code == 200
    # A town cannot give its field to a host, nor a host take a town's.
    body["host"] = HOST
    assert client.put(url, json=body, headers=keys["brensbach"]).status_code == 403
    assert client.put(url, json=body, headers=more_keys["host"]).status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"place_type": "mond"}, "place_type"),
        ({"facilities": ["teleporter"]}, "facilities"),
        ({"call": "frist", "deadline": None}, "deadline"),
        ({"slots": 0}, "slots"),
        ({"latitude": 50.0}, "latitude"),
        ({"contact_email": "nobody"}, "contact_email"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, fields, keys, change, field):
    body = client.get(f"/api/v1/testfields/{LIGHT_FIELD}", headers=ADMIN).get_json()
    body.update(change, id="tf-neu")
    answer = client.post("/api/v1/testfields", json=body, headers=keys["brensbach"])
    assert answer.status_code == 400
    assert field in answer.get_data(as_text=True)


def test_matching_both_ways(client, fields):
    found = client.get("/api/v1/offerings/off-licht/testfields?k=5").get_json()
    ids = [f["id"] for f in found["testfields"]]
    assert ids[0] == LIGHT_FIELD
    assert CLOSED_FIELD not in ids  # its call is closed
    assert found["testfields"][0]["explanation"]["reasons"]
    assert client.get("/api/v1/offerings/nix/testfields").status_code == 404
    providers = client.get(f"/api/v1/testfields/{LIGHT_FIELD}/providers").get_json()
    assert providers["testfield"]["id"] == LIGHT_FIELD
    assert [p["id"] for p in providers["providers"]][:1] == ["lichtwerk"]
    assert client.get("/api/v1/testfields/nix/providers").status_code == 404
    assert client.get(f"/api/v1/testfields/{LIGHT_FIELD}/providers?k=0").status_code == 400


def test_who_sees_an_application(client, fields, keys, more_keys):
    made = _apply(client, keys)
    assert made.status_code == 201, made.get_data(as_text=True)
    app_id = made.get_json()["id"]
    url = f"/api/v1/applications/{app_id}"
    assert client.get(url).status_code == 401  # anonymous
    assert client.get(url, headers=more_keys["mobilfluss"]).status_code == 404
    assert client.get(url, headers=keys["kassel"]).status_code == 404
    assert client.get(url, headers=more_keys["host"]).status_code == 404
    for who in (keys["lichtwerk"], keys["brensbach"], ADMIN):
        assert client.get(url, headers=who).get_json()["status"] == "beworben"
    listing = f"/api/v1/testfields/{LIGHT_FIELD}/applications"
    assert client.get(listing).status_code == 401
    assert client.get(listing, headers=more_keys["mobilfluss"]).get_json()["items"] == []
    assert len(client.get(listing, headers=keys["brensbach"]).get_json()["items"]) == 1
    owner_view = client.get(url, headers=keys["brensbach"]).get_json()
    assert owner_view["next_statuses"] == ["vorausgewaehlt", "beendet"]
    assert client.get(url, headers=keys["lichtwerk"]).get_json()["next_statuses"] == []


def test_status_moves_only_by_the_owner_and_only_legal_steps(client, fields, keys):
    app_id = _apply(client, keys).get_json()["id"]
    url = f"/api/v1/applications/{app_id}"
    # The applicant cannot shortlist itself.
    assert (
        client.patch(url, json={"status": "vorausgewaehlt"}, headers=keys["lichtwerk"]).status_code
        == 403
    )
    skipped = client.patch(url, json={"status": "evaluiert"}, headers=keys["brensbach"])
    assert skipped.status_code == 409
    assert "von „beworben“ geht es nicht zu „evaluiert“" in skipped.get_json()["error"]["message"]
    assert (
        client.patch(url, json={"status": "erfunden"}, headers=keys["brensbach"]).status_code == 400
    )
    for step in ("vorausgewaehlt", "pilot", "evaluiert"):
        moved = client.patch(url, json={"status": step}, headers=keys["brensbach"])
        assert moved.status_code == 200 and moved.get_json()["status"] == step
    pilots = client.get("/api/v1/providers/lichtwerk/pilots").get_json()["items"]
    assert [(p["testfield"], p["town"]) for p in pilots] == [(LIGHT_FIELD, "Brensbach")]
    assert (
        client.patch(url, json={"status": "beworben"}, headers=keys["brensbach"]).status_code == 409
    )
    assert client.patch(url, json={"status": "uebernommen"}, headers=ADMIN).status_code == 200
    assert client.patch(url, json={"status": "beendet"}, headers=ADMIN).status_code == 409


def test_closed_call_refuses_applications_in_german(client, fields, keys):
    refused = _apply(client, keys, field=CLOSED_FIELD, body={"message": APPLY["message"]})
    assert refused.status_code == 409
    assert "geschlossen" in refused.get_data(as_text=True)


def test_only_a_provider_applies_and_only_once(client, fields, keys, more_keys):
    assert _apply(client, keys, who="brensbach").status_code == 403
    assert (
        client.post(f"/api/v1/testfields/{LIGHT_FIELD}/applications", json=APPLY).status_code == 401
    )
    # Another provider's offering is not this provider's to pilot.
    assert _apply(client, more_keys, who="mobilfluss").status_code == 400
    assert _apply(client, keys, body={"message": "kurz"}).status_code == 400
    assert _apply(client, keys, body={**APPLY, "extra": 1}).status_code == 400
    assert _apply(client, keys).status_code == 201
    assert _apply(client, keys).status_code == 409
    assert client.get("/api/v1/applications/bew-0000000000000000", headers=ADMIN).status_code == 404
    assert client.get("/api/v1/applications/../x", headers=ADMIN).status_code in (400, 404)
