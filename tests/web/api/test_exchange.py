"""/api/v1/groups, /api/v1/events and a town's exchange: staff write, everyone reads, the
organiser's contact only with a key that may see it, the CSV only for staff, bad input a 400."""

from __future__ import annotations

import pytest

from tests.helpers import ADMIN

GROUP = {
    "id": "erfa-licht",
    "name": "Erfa Straßenbeleuchtung",
    "description": "LED-Umrüstung, Dimmung und Lichtsteuerung der Straßenbeleuchtung.",
    "categories": ["energie"],
    "keywords": ["Straßenlaternen", "LED"],
    "members": ["mossautal"],
    "contact_email": "erfa@example.org",
}
EVENT = {
    "id": "termin-licht",
    "title": "Anbieter stellen vor: Straßenbeleuchtung auf LED umrüsten",
    "date": "2027-02-10",
    "place": "Darmstadt",
    "description": "Straßenlaternen nachts dimmen und Stromkosten senken.",
    "categories": ["energie"],
    "group": "erfa-licht",
    "contact_email": "termine@example.org",
}


@pytest.fixture
def seeded(client):
    assert client.post("/api/v1/groups", json=GROUP, headers=ADMIN).status_code == 201
    assert client.post("/api/v1/events", json=EVENT, headers=ADMIN).status_code == 201
    return client


def test_writes_need_the_admin_key(client, keys):
    assert client.post("/api/v1/groups", json=GROUP).status_code == 401
    for who in ("brensbach", "lichtwerk"):
        response = client.post("/api/v1/groups", json=GROUP, headers=keys[who])
        assert response.status_code == 403
        assert "Admin" in response.get_json()["error"]["message"]
    assert client.get("/api/v1/groups").get_json()["total"] == 0


def test_crud_of_a_group_and_an_event(seeded):
    client = seeded
    changed = {**GROUP, "members": ["mossautal", "kassel"]}
    assert client.put("/api/v1/groups/erfa-licht", json=changed, headers=ADMIN).status_code == 200
    assert client.get("/api/v1/groups/erfa-licht").get_json()["members"] == ["mossautal", "kassel"]
    assert client.delete("/api/v1/groups/erfa-licht", headers=ADMIN).status_code == 409
    assert client.delete("/api/v1/events/termin-licht", headers=ADMIN).status_code == 204
    assert client.delete("/api/v1/groups/erfa-licht", headers=ADMIN).status_code == 204
    assert client.get("/api/v1/groups/erfa-licht").status_code == 404
    assert client.get("/api/v1/events/termin-licht").status_code == 404


def test_the_organisers_contact_is_private_without_a_key(seeded, keys):
    client = seeded
    for url in ("/api/v1/groups", "/api/v1/groups/erfa-licht", "/api/v1/events"):
        assert "@" not in client.get(url).get_data(as_text=True), url
        assert "@" not in client.get(url, headers=keys["lichtwerk"]).get_data(as_text=True), url
    town = client.get("/api/v1/groups/erfa-licht", headers=keys["kassel"]).get_json()
    assert town["contact_email"] == "erfa@example.org"


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({**EVENT, "date": "10.02.2027"}, "date", "JJJJ-MM-TT"),
        ({**EVENT, "date": "2027-02-30"}, "date", "JJJJ-MM-TT"),
        ({**EVENT, "group": "gibt-es-nicht"}, "group", "unbekannte Gruppe"),
        ({**EVENT, "date": "2207-02-10"}, "date", "zwischen"),
        ({**EVENT, "format": "vortrag"}, "format", ""),
    ],
)
def test_a_bad_event_is_a_400_naming_the_field(seeded, body, field, words):
    response = seeded.post("/api/v1/events", json={**body, "id": "t2"}, headers=ADMIN)
    assert response.status_code == 400
    error = response.get_json()["error"]
    text = error["message"] + " ".join(d["field"] + d["message"] for d in error["details"])
    assert field in text and words in text


def test_unknown_members_are_a_400_naming_them(client):
    body = {**GROUP, "members": ["mossautal", "atlantis"]}
    response = client.post("/api/v1/groups", json=body, headers=ADMIN)
    assert response.status_code == 400
    assert "atlantis" in response.get_json()["error"]["message"]
    assert "unbekannte Kommune" in response.get_json()["error"]["message"]


def test_unknown_ids_are_404(client):
    assert client.get("/api/v1/groups/nix/suggestions").status_code == 404
    assert client.get("/api/v1/events/nix/invitations").status_code == 404
    assert client.get("/api/v1/municipalities/atlantis/exchange").status_code == 404
    assert client.get("/api/v1/events/nix/invitations?k=0").status_code == 400
    assert client.get("/api/v1/events?ab=0").status_code == 400
    assert client.get("/api/v1/events?ab=2027-01-01").status_code == 200


def test_a_towns_exchange_and_a_groups_suggestions(seeded):
    found = seeded.get("/api/v1/municipalities/brensbach/exchange").get_json()
    assert [f["group"]["id"] for f in found["groups"]] == ["erfa-licht"]
    assert found["groups"][0]["reasons"]
    member = seeded.get("/api/v1/municipalities/mossautal/exchange").get_json()
    assert member["groups"] == [] and member["member_of"][0]["id"] == "erfa-licht"
    towns = seeded.get("/api/v1/groups/erfa-licht/suggestions").get_json()["towns"]
    assert "brensbach" in {t["town"]["id"] for t in towns}
    assert "mossautal" not in {t["town"]["id"] for t in towns}


def test_invitations_and_the_csv_for_staff_only(seeded, keys):
    client = seeded
    found = client.get("/api/v1/events/termin-licht/invitations").get_json()
    assert {t["id"] for t in found["towns"]} >= {"brensbach", "mossautal"}
    assert found["providers"] and "@" not in str(found)
    url = "/api/v1/events/termin-licht/invitations.csv"
    assert client.get(url).status_code == 401
    assert client.get(url, headers=keys["kassel"]).status_code == 403
    response = client.get(url, headers=ADMIN)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert rows[0].split(";")[:4] == ["Art", "Rolle", "id", "Name"]
    assert any(row.startswith("Kommune;Bedarf passt;brensbach;") for row in rows)


def test_imports_are_all_or_nothing_for_staff(client, keys):
    import json

    good = json.dumps(GROUP)
    bad = json.dumps({**GROUP, "id": "erfa-2", "members": ["atlantis"]})
    url = "/api/v1/groups:import"
    assert client.post(url, data=good, headers=keys["kassel"]).status_code == 403
    assert client.post(url, data=f"{good}\n{bad}", headers=ADMIN).status_code == 400
    assert client.get("/api/v1/groups").get_json()["total"] == 0
    response = client.post(url, data=good, headers=ADMIN)
    assert response.get_json() == {"kind": "groups", "imported": 1}
    events = client.post("/api/v1/events:import", data=json.dumps(EVENT), headers=ADMIN)
    assert events.get_json()["imported"] == 1
