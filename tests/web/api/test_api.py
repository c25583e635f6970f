"""The API through Flask's test client: contract, errors, access control, live updates."""

import pytest

from matcher.keys import add_key
from tests.helpers import ADMIN, LIMITED_KEY

NEW_PROJECT = {
    "id": "p-glatt",
    "title": "Glättemeldeanlage an der Talbrücke",
    "description": "Sensoren melden Eisglätte an den Winterdienst.",
    "categories": ["mobilitaet"],
    "municipalities": ["kassel"],
    "contact": "Bauamt, Sachgebiet Straßen",
}


def _error(response, status):
    assert response.status_code == status, response.get_json()
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    assert body["error"]["message"] and isinstance(body["error"]["details"], list)
    return body["error"]


def test_match_returns_three_linked_lists(client):
    r = client.post(
        "/api/v1/match",
        json={"text": "LED Straßenbeleuchtung dimmen", "k": 3, "municipality": "brensbach"},
    )
    assert r.status_code == 200
    body = r.get_json()
    assert set(body) == {"projects", "municipalities", "providers"}
    for item in body["projects"] + body["municipalities"] + body["providers"]:
        assert {"id", "title", "score", "explanation"} <= set(item)
    assert body["providers"][0]["id"] == "lichtwerk"
    assert body["providers"][0]["references"][0]["id"] in {p["id"] for p in body["projects"]}


def test_match_answers_the_services_result_as_utf8_json(client, app):
    """Serialised by pydantic in one pass: the same JSON as the result model, umlauts as they
    are (not escaped), with the JSON content type."""
    r = client.post("/api/v1/match", json={"text": "Straßenbeleuchtung für Dörfer", "k": 2})
    assert r.status_code == 200 and r.mimetype == "application/json"
    expected = app.extensions["matcher"].match("Straßenbeleuchtung für Dörfer", None, 2)
    # Test fields and documents only when asked for by name.
    unasked = {"testfields", "documents"}
    assert r.get_json() == expected.model_dump(mode="json", exclude=unasked)
    assert "ß".encode() in r.data and b"\\u00df" not in r.data


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "ab"}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"text": "Licht", "k": 0}, "k"),
        ({"text": "Licht", "k": 101}, "k"),
        ({"text": "Licht", "kinds": ["rezepte"]}, "kinds.0"),
        ({"text": "Licht", "farbe": "rot"}, "farbe"),
        ({"text": 5}, "text"),
        ({"text": "Licht", "filters": {"max_distance_km": -3}}, "filters.max_distance_km"),
    ],
)
def test_bad_match_bodies_name_the_field(client, body, field):
    error = _error(client.post("/api/v1/match", json=body), 400)
    assert field in [d["field"] for d in error["details"]]


def test_not_json_unknown_asker_and_unknown_route(client):
    _error(client.post("/api/v1/match", data="kein json", content_type="application/json"), 400)
    error = _error(client.post("/api/v1/match", json={"text": "Licht", "municipality": "x"}), 400)
    assert "municipality" in error["message"]
    _error(client.get("/api/v1/gibtsnicht"), 404)
    _error(client.get("/api/v1/projects/gibtsnicht"), 404)


def test_write_needs_a_key_and_is_visible_to_the_next_match(client):
    _error(client.post("/api/v1/projects", json=NEW_PROJECT), 401)
    _error(
        client.post(
            "/api/v1/projects", json=NEW_PROJECT, headers={"Authorization": "Bearer falsch"}
        ),
        401,
    )
    assert client.post("/api/v1/projects", json=NEW_PROJECT, headers=ADMIN).status_code == 201
    _error(client.post("/api/v1/projects", json=NEW_PROJECT, headers=ADMIN), 409)
    top = client.post(
        "/api/v1/match",
        json={"text": "Glättemeldeanlage Winterdienst", "kinds": ["projects"], "k": 1},
    ).get_json()
    assert top["projects"][0]["id"] == "p-glatt"
    assert client.delete("/api/v1/projects/p-glatt", headers=ADMIN).status_code == 204
    top = client.post(
        "/api/v1/match",
        json={"text": "Glättemeldeanlage Winterdienst", "kinds": ["projects"], "k": 5},
    ).get_json()
    assert all(p["id"] != "p-glatt" for p in top["projects"])


def test_roles_own_only_their_records(client, keys):
    own_need = {"id": "n-b2", "municipality": "brensbach", "title": "Rufbus gesucht"}
    assert client.post("/api/v1/needs", json=own_need, headers=keys["brensbach"]).status_code == 201
    _error(
        client.put(
            "/api/v1/needs/n-b2", json={**own_need, "title": "anders"}, headers=keys["kassel"]
        ),
        403,
    )
    _error(
        client.post("/api/v1/needs", json={**own_need, "id": "n-k"}, headers=keys["kassel"]), 403
    )
    # a municipality cannot move its need to another town either
    _error(
        client.put(
            "/api/v1/needs/n-b2",
            json={**own_need, "municipality": "kassel"},
            headers=keys["brensbach"],
        ),
        403,
    )
    offering = client.get("/api/v1/offerings/off-licht").get_json()
    offering["title"] = "LED-Umrüstung, neu"
    assert (
        client.put(
            "/api/v1/offerings/off-licht", json=offering, headers=keys["lichtwerk"]
        ).status_code
        == 200
    )
    _error(client.delete("/api/v1/offerings/off-bus", headers=keys["lichtwerk"]), 403)
    _error(
        client.post(
            "/api/v1/providers", json={"id": "neu", "name": "Neu"}, headers=keys["lichtwerk"]
        ),
        403,
    )
    _error(
        client.post(
            "/api/v1/projects:import",
            data="id,title\nx,y\n",
            headers={**keys["brensbach"], "Content-Type": "text/csv"},
        ),
        403,
    )


def test_contact_fields_need_a_key(client, keys):
    client.post("/api/v1/projects", json=NEW_PROJECT, headers=ADMIN)
    assert "contact" not in client.get("/api/v1/projects/p-glatt").get_json()
    listed = client.get("/api/v1/projects?municipality=kassel").get_json()["items"]
    assert listed and all("contact" not in p for p in listed)
    seen = client.get("/api/v1/projects/p-glatt", headers=keys["kassel"]).get_json()
    assert seen["contact"] == "Bauamt, Sachgebiet Straßen"


def test_deleting_a_municipality_with_projects_is_409_and_changes_nothing(client):
    error = _error(client.delete("/api/v1/municipalities/mossautal", headers=ADMIN), 409)
    assert "p-licht" in error["message"]
    assert client.get("/api/v1/municipalities/mossautal").status_code == 200


def test_put_must_match_the_path_and_exist(client):
    body = client.get("/api/v1/projects/p-akte").get_json()
    _error(client.put("/api/v1/projects/p-bus", json=body, headers=ADMIN), 400)
    _error(client.put("/api/v1/projects/neu", json={**body, "id": "neu"}, headers=ADMIN), 404)
    _error(client.put("/api/v1/projects/p-akte", json={**body, "colour": "x"}, headers=ADMIN), 400)


def test_bulk_import_all_or_nothing(client):
    bad = "id,title,municipalities\np-1,Gut,kassel\np-2,Schlecht,Atlantis\n"
    error = _error(
        client.post(
            "/api/v1/projects:import", data=bad, headers={**ADMIN, "Content-Type": "text/csv"}
        ),
        400,
    )
    assert error["details"][0]["field"] == "line 3"
    assert client.get("/api/v1/projects/p-1").status_code == 404
    good = '{"id": "p-1", "title": "Sirenen", "municipalities": ["kassel"]}\n'
    r = client.post(
        "/api/v1/projects:import",
        data=good,
        headers={**ADMIN, "Content-Type": "application/x-ndjson"},
    )
    assert r.status_code == 200 and r.get_json()["imported"] == 1


def test_body_size_is_limited(client):
    error = _error(client.post("/api/v1/match", json={"text": "x" * 100_000}), 413)
    assert error["code"] == "request_entity_too_large"


def test_lists_filter_and_page(client):
    page = client.get("/api/v1/projects?limit=2&offset=1").get_json()
    assert page["total"] == 4 and len(page["items"]) == 2 and page["offset"] == 1
    energy = client.get("/api/v1/projects?category=energie").get_json()
    assert {p["id"] for p in energy["items"]} == {"p-licht", "p-licht2"}
    _error(client.get("/api/v1/projects?limit=0"), 400)
    _error(client.get("/api/v1/projects?category=kochen"), 400)


def test_directions_and_joint_projects(client):
    assert client.get("/api/v1/municipalities/brensbach/peers?k=2").status_code == 200
    leads = client.get("/api/v1/providers/lichtwerk/leads").get_json()
    assert leads["leads"][0]["id"] == "brensbach"
    assert client.get("/api/v1/offerings/off-licht/leads").status_code == 200
    assert client.get("/api/v1/projects/p-licht/similar").status_code == 200
    assert "items" in client.get("/api/v1/joint-projects").get_json()
    _error(client.get("/api/v1/providers/niemand/leads"), 404)


def test_feedback_is_stored(client, app):
    r = client.post(
        "/api/v1/feedback",
        json={"query": "Licht", "item_kind": "projects", "item_id": "p-licht", "verdict": "passt"},
    )
    assert r.status_code == 201
    stored = app.extensions["matcher"].store.feedback()
    assert stored[-1]["item_id"] == "p-licht" and stored[-1]["verdict"] == "passt"
    _error(
        client.post(
            "/api/v1/feedback",
            json={"query": "Licht", "item_kind": "projects", "item_id": "p", "verdict": "super"},
        ),
        400,
    )


def test_health_and_internal_errors_say_nothing_more(client, app, monkeypatch, caplog):
    health = client.get("/health", headers=ADMIN).get_json()
    assert health["status"] == "ok" and health["counts"]["projects"] == 4
    assert health["index"]["projects"]["type"] == "flat"

    def boom(*args, **kwargs):
        raise RuntimeError("geheime Interna /etc/passwd")

    monkeypatch.setattr(app.extensions["matcher"], "match_json", boom)
    r = client.post("/api/v1/match", json={"text": "Licht"})
    error = _error(r, 500)
    assert error["message"] == "internal error" and "geheime" not in r.get_data(as_text=True)
    assert "geheime Interna" in caplog.text


def test_openapi_documents_every_endpoint(client, app):
    spec = client.get("/openapi.json").get_json()
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/v1", "/health")):
            continue
        path = rule.rule.replace("<string:id>", "{id}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method) in documented, (path, method)
    assert client.get("/openapi/swagger").status_code == 200
    assert client.get("/docs").status_code == 302


def test_keys_added_by_the_cli_are_read_from_the_home(tmp_path):
    from matcher.keys import KeyRing, add_key
    from tests.helpers import make_settings

    settings = make_settings(tmp_path)
    key = add_key(tmp_path / "keys.json", "provider:lichtwerk")
    assert key not in (tmp_path / "keys.json").read_text()  # only the hash is stored
    assert KeyRing.from_settings(settings).role_for(key) == "provider:lichtwerk"
    assert KeyRing.from_settings(settings).role_for(key + "x") is None


def test_rate_limits_answer_429_per_client(limited):
    client = limited
    body = {"text": "LED Beleuchtung", "k": 1}
    assert [client.post("/api/v1/match", json=body).status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]
    error = _error(client.post("/api/v1/match", json=body), 429)
    assert error["code"] == "too_many_requests"
    assert client.post("/api/v1/match", json=body).headers["Retry-After"]
    # another client (an API key) has its own budget; reads are not limited
    assert (
        client.post(
            "/api/v1/match",
            json=body,
            headers={"Authorization": f"Bearer {LIMITED_KEY}"},
        ).status_code
        == 200
    )
    assert client.get("/api/v1/projects").status_code == 200
    verdict = {"query": "x", "item_kind": "projects", "item_id": "p-licht", "verdict": "passt"}
    codes = [client.post("/api/v1/feedback", json=verdict).status_code for _ in range(3)]
    assert codes == [201, 201, 429]


def test_the_api_takes_a_key_made_after_it_started(app, client):
    settings = app.extensions["matcher"].settings
    key = add_key(settings.keys_file, "municipality:brensbach")
    need = {"id": "n-neu", "municipality": "brensbach", "title": "Glasfaser für Aussiedlerhöfe"}
    r = client.post("/api/v1/needs", json=need, headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 201, r.get_json()
