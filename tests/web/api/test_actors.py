"""Districts and associations through the API and on the municipality page."""

from __future__ import annotations

from tests.helpers import ADMIN

KREIS = {
    "id": "odenwaldkreis",
    "name": "Odenwaldkreis",
    "kind": "kreis",
    "district": "Odenwaldkreis",
    "region": "Darmstadt",
    "population": 96700,
    "latitude": 49.71,
    "longitude": 8.98,
}
VERBAND = {
    "id": "zv-licht",
    "name": "Zweckverband Licht im Odenwald",
    "kind": "verband",
    "region": "Darmstadt",
    "members": ["Mossautal", "brensbach"],
}


def _add_actors(client):
    for body in (KREIS, VERBAND):
        r = client.post("/api/v1/municipalities", json=body, headers=ADMIN)
        assert r.status_code == 201, r.get_json()


def test_districts_and_associations_are_created_listed_and_show_their_members(client):
    _add_actors(client)
    assert client.get("/api/v1/municipalities/zv-licht").get_json()["members"] == [
        "mossautal",
        "brensbach",
    ]
    r = client.get("/api/v1/municipalities/odenwaldkreis/members").get_json()
    assert r["kind"] == "kreis"
    assert {m["id"] for m in r["members"]} == {"mossautal", "erbach", "brensbach"}
    r = client.get("/api/v1/municipalities/mossautal/members").get_json()
    assert r["members"] == [] and [m["id"] for m in r["memberships"]] == [
        "odenwaldkreis",
        "zv-licht",
    ]
    listed = client.get("/api/v1/municipalities?actor_kind=kreis").get_json()
    assert [m["id"] for m in listed["items"]] == ["odenwaldkreis"]
    assert client.get("/api/v1/municipalities/nirgendwo/members").status_code == 404


def test_a_district_owns_projects_and_needs_named_as_people_write_it(client):
    _add_actors(client)
    r = client.post(
        "/api/v1/projects",
        json={
            "id": "p-kreis",
            "title": "Kreisweites LoRaWAN",
            "municipalities": ["Kreis Odenwald"],
        },
        headers=ADMIN,
    )
    assert r.status_code == 201 and r.get_json()["municipalities"] == ["odenwaldkreis"]
    r = client.post(
        "/api/v1/needs",
        json={"id": "n-kreis", "municipality": "Odenwaldkreis", "title": "Sirenen"},
        headers=ADMIN,
    )
    assert r.status_code == 201 and r.get_json()["municipality"] == "odenwaldkreis"
    assert client.delete("/api/v1/municipalities/mossautal", headers=ADMIN).status_code == 409


def test_members_are_refused_where_they_do_not_belong(client):
    r = client.post(
        "/api/v1/municipalities", json={**KREIS, "members": ["mossautal"]}, headers=ADMIN
    )
    assert r.status_code == 400
    r = client.post("/api/v1/municipalities", json={**KREIS, "ags": "06437012"}, headers=ADMIN)
    assert r.status_code == 400


def test_openapi_describes_kind_and_members(client):
    spec = client.get("/openapi.json").get_json()
    props = spec["components"]["schemas"]["Municipality"]["properties"]
    assert props["kind"]["enum"] == ["gemeinde", "kreis", "verband"]
    assert props["members"]["type"] == "array"
    assert "/api/v1/municipalities/{id}/members" in spec["paths"]


def test_the_municipality_page_shows_a_districts_members(client):
    _add_actors(client)
    page = client.get("/kommunen/odenwaldkreis").get_data(as_text=True)
    assert "Mitgliedskommunen" in page and "Landkreis" in page
    assert "/kommunen/mossautal" in page and "/kommunen/erbach" in page
    town = client.get("/kommunen/mossautal").get_data(as_text=True)
    assert "Gehört zu" in town and "/kommunen/odenwaldkreis" in town
    assert "Mitgliedskommunen" not in town
    verband = client.get("/kommunen/zv-licht").get_data(as_text=True)
    assert "Kommunaler Zusammenschluss" in verband and "/kommunen/brensbach" in verband
