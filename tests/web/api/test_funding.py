"""The funding and procurement endpoints: answers, the German 400 naming the field for bad
input, programmes public to read and written by staff only, imports all or nothing."""

from __future__ import annotations

import json

import pytest

from tests.helpers import ADMIN

SHH = "starke-heimat-hessen-smarte-kommunen"
CHECK = {
    "text": "Straßenbeleuchtung auf LED umrüsten und nachts dimmen",
    "municipalities": ["mossautal", "brensbach"],
    "cost_eur": 300000,
    "date": "2025-10-15",
}


def _field(response) -> str:
    assert response.status_code == 400, response.get_json()
    return response.get_json()["error"]["details"][0]["field"]


def test_a_funding_check_estimates_the_grant(client):
    response = client.post("/api/v1/funding-check", json=CHECK)
    assert response.status_code == 200
    body = response.get_json()
    fit = next(p for p in body["programmes"] if p["id"] == SHH)
    assert fit["estimate"] == {
        "cost_eur": 300000,
        "share_percent": 90.0,
        "grant_eur": 270000,
        "own_eur": 30000,
        "capped": False,
    }
    assert fit["status"]["days_left"] == 23 and body["joint"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"cost_eur": -1}, "cost_eur"),
        ({"cost_eur": 0}, "cost_eur"),
        ({"cost_eur": 1e15}, "cost_eur"),
        ({"cost_eur": True}, "cost_eur"),
        ({"municipalities": ["gibt-es-nicht"]}, "municipalities.0"),
        ({"municipalities": ["Groß/Klein"]}, "municipalities.0"),
        ({"date": "2045-01-01"}, "date"),
        ({"date": "morgen"}, "date"),
        ({"need": "n-licht"}, "text"),  # two ideas at once
        ({"unbekannt": 1}, "unbekannt"),
    ],
)
def test_bad_funding_input_is_a_400_naming_the_field(client, change, field):
    assert _field(client.post("/api/v1/funding-check", json={**CHECK, **change})) == field


def test_the_procurement_path(client):
    response = client.get("/api/v1/procurement?value_eur=216001&kind=supplies&date=2026-03-01")
    assert response.status_code == 200
    body = response.get_json()
    assert body["procedure"] == "eu_weit" and body["disclaimer"] == "Hinweis, keine Rechtsberatung"
    works = client.get("/api/v1/procurement?value_eur=10000&kind=works&date=2026-03-01")
    assert works.get_json()["procedure"] == "direktauftrag"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("value_eur=0&kind=supplies", "value_eur"),
        ("value_eur=-5&kind=supplies", "value_eur"),
        ("value_eur=1e13&kind=supplies", "value_eur"),
        ("value_eur=nan&kind=supplies", "value_eur"),
        ("value_eur=5000&kind=dienst", "kind"),
        ("value_eur=5000&kind=works&date=2019-01-01", "date"),
        ("value_eur=5000&offering=gibt-es-nicht", "offering"),
    ],
)
def test_bad_procurement_input_is_a_400_naming_the_field(client, query, field):
    assert _field(client.get(f"/api/v1/procurement?{query}")) == field


def test_programmes_are_public_to_read(client):
    listed = client.get("/api/v1/programmes").get_json()
    assert SHH in [p["id"] for p in listed["items"]] and listed["total"] >= 3
    one = client.get(f"/api/v1/programmes/{SHH}").get_json()
    assert one["checked"] and one["source_url"].startswith("https://")
    assert client.get("/api/v1/programmes/gibt-es-nicht").status_code == 404


def test_only_staff_write_programmes(client, keys):
    record = client.get(f"/api/v1/programmes/{SHH}").get_json()
    new = {**record, "id": "neu"}
    assert client.post("/api/v1/programmes", json=new).status_code == 401
    assert client.post("/api/v1/programmes", json=new, headers=keys["kassel"]).status_code == 403
    assert client.post("/api/v1/programmes", json=new, headers=ADMIN).status_code == 201
    assert client.post("/api/v1/programmes", json=new, headers=ADMIN).status_code == 409
    changed = {**new, "title": "Geändert"}
    assert client.put("/api/v1/programmes/neu", json=changed, headers=ADMIN).status_code == 200
    assert client.get("/api/v1/programmes/neu").get_json()["title"] == "Geändert"
    assert client.delete("/api/v1/programmes/neu", headers=keys["kassel"]).status_code == 403
    assert client.delete("/api/v1/programmes/neu", headers=ADMIN).status_code == 204
    assert client.get("/api/v1/programmes/neu").status_code == 404


def test_contradictory_rules_are_a_german_400_and_nothing_is_written(client):
    record = client.get(f"/api/v1/programmes/{SHH}").get_json()
    bad = {**record, "id": "kaputt", "share": {"min_percent": 90, "max_percent": 70}}
    response = client.post("/api/v1/programmes", json=bad, headers=ADMIN)
    assert _field(response) == "share.min_percent"
    assert "Widersprüchliche Förderregeln" in response.get_json()["error"]["message"]
    assert client.get("/api/v1/programmes/kaputt").status_code == 404


def test_an_import_is_all_or_nothing(client):
    record = client.get(f"/api/v1/programmes/{SHH}").get_json()
    good = {**record, "id": "neu-1"}
    bad = {**record, "id": "neu-2", "calls": [{"opens": "2025-11-07", "closes": "2025-10-01"}]}
    body = "\n".join(json.dumps(x) for x in (good, bad))
    headers = {**ADMIN, "Content-Type": "application/x-ndjson"}
    response = client.post("/api/v1/programmes:import", data=body, headers=headers)
    assert _field(response) == "Zeile 2: calls.0.closes"
    assert client.get("/api/v1/programmes/neu-1").status_code == 404
    done = client.post("/api/v1/programmes:import", data=json.dumps(good), headers=headers)
    assert done.get_json() == {"kind": "programmes", "imported": 1}
