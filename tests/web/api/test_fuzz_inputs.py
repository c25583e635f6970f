"""Hostile inputs to the API at its production body limit (10 MB): 5 MB texts in every kind of
field and import file, and JSON bodies that are not valid UTF-8. Each gets a clear 4xx in the
one JSON error shape (short: the 5 MB are never echoed) or a correct result, never a 500, and a
refused request leaves the store and the index exactly as they were."""

import json

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from matcher.domain.schema import KINDS
from matcher.service import MatcherService
from matcher.web import create_app
from tests.helpers import FIXTURES, make_settings
from tools.fakes import FakeEncoder

KEY = "fuzz-inputs-admin-key-with-32-characters-or-more"
ADMIN = {"Authorization": f"Bearer {KEY}"}
FIVE_MB = 5 * 1024 * 1024
# German text with multi-byte characters: 5 MB of characters, about 5.5 MB as UTF-8.
BIG = ("Straßenbeleuchtung für Bürgerinnen, Fußwege & Grünflächen – 5 € je Leuchte. " * 70_000)[
    :FIVE_MB
]
PROJECT = {"id": "p-fuzz", "title": "Sirenen-Warnsystem", "municipalities": ["kassel"]}


@pytest.fixture(scope="module")
def big_app(tmp_path_factory):
    """The app on the fixture corpus with the default body limit and limits out of the way."""
    settings_ = make_settings(
        tmp_path_factory.mktemp("fuzz-inputs"),
        admin_key=KEY,
        rate_limit_match="100000 per minute",
        rate_limit_write="100000 per minute",
        rate_limit_feedback="100000 per minute",
        rate_limit_contacts="100000 per minute",
    )
    service = MatcherService(settings_, encoder=FakeEncoder())
    service.build(FIXTURES)
    app = create_app(settings_, service, {"TESTING": True})
    assert app.config["MAX_CONTENT_LENGTH"] == 10 * 1024 * 1024  # what production accepts
    yield app
    service.close()


@pytest.fixture(scope="module")
def client(big_app):
    return big_app.test_client()


def _state(client, big_app) -> tuple:
    """Everything a refused request must leave alone: ids, change log, counts, index."""
    service = big_app.extensions["matcher"]
    health = client.get("/health", headers=ADMIN).get_json()
    return (
        {kind: sorted(service.store.ids(kind)) for kind in KINDS},
        service.store.last_change(),
        health["counts"],
        {kind: index["count"] for kind, index in health["index"].items()},
        {kind: sorted(v.ids) for kind, v in service.indexes.vectors.items()},
        service.store.get("projects", "p-akte").model_dump(),
    )


def _refused(response, status: int) -> dict:
    assert response.status_code == status, response.get_data()[:500]
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["status"] == status
    assert body["error"]["message"] and isinstance(body["error"]["details"], list)
    assert len(response.get_data()) < 4096  # says what is wrong without echoing the input
    return body["error"]


def _akte(client) -> dict:
    return client.get("/api/v1/projects/p-akte", headers=ADMIN).get_json()


BIG_BODIES = [
    ("POST", "/api/v1/match", lambda c: {"text": BIG}, "text"),
    ("POST", "/api/v1/match", lambda c: {"text": "Licht", "municipality": BIG}, "municipality"),
    (
        "POST",
        "/api/v1/match",
        lambda c: {"text": "Licht", "filters": {"district": BIG}},
        "filters.district",
    ),
    ("POST", "/api/v1/projects", lambda c: {**PROJECT, "description": BIG}, "description"),
    ("POST", "/api/v1/projects", lambda c: {**PROJECT, "title": BIG}, "title"),
    ("POST", "/api/v1/projects", lambda c: {**PROJECT, "funding": BIG}, "funding"),
    ("POST", "/api/v1/projects", lambda c: {**PROJECT, "contact": BIG}, "contact"),
    (
        "POST",
        "/api/v1/projects",
        lambda c: {**PROJECT, "municipalities": [BIG]},
        "municipalities.0",
    ),
    ("POST", "/api/v1/projects", lambda c: {**PROJECT, "id": BIG}, "id"),
    ("PUT", "/api/v1/projects/p-akte", lambda c: {**_akte(c), "description": BIG}, "description"),
    ("PUT", "/api/v1/projects/p-akte", lambda c: {**_akte(c), "funding": BIG}, "funding"),
    (
        "POST",
        "/api/v1/needs",
        lambda c: {"id": "n-f", "municipality": "kassel", "title": "x", "description": BIG},
        "description",
    ),
    ("POST", "/api/v1/providers", lambda c: {"id": "pr-f", "name": "x", "regions": [BIG]}, None),
    ("POST", "/api/v1/municipalities", lambda c: {"id": "m-f", "name": "x", "district": BIG}, None),
    (
        "POST",
        "/api/v1/offerings",
        lambda c: {"id": "o-f", "provider": "lichtwerk", "title": "x", "references": [BIG]},
        "references.0",
    ),
    (
        "POST",
        "/api/v1/feedback",
        lambda c: {"query": BIG, "item_kind": "projects", "item_id": "p-akte", "verdict": "passt"},
        "query",
    ),
]


@pytest.mark.parametrize(
    ("method", "path", "make", "field"),
    BIG_BODIES,
    ids=[f"{m} {p} {f}" for m, p, _, f in BIG_BODIES],
)
def test_a_5_mb_field_is_a_400_naming_it_and_changes_nothing(
    client, big_app, method, path, make, field
):
    body = make(client)
    before = _state(client, big_app)
    error = _refused(client.open(path, method=method, json=body, headers=ADMIN), 400)
    assert error["code"] == "validation_error"
    if field:
        assert field in [d["field"] for d in error["details"]]
    assert _state(client, big_app) == before


def test_a_body_over_the_limit_is_a_413_and_changes_nothing(client, big_app):
    before = _state(client, big_app)
    body = {**PROJECT, "description": BIG + BIG}
    error = _refused(client.post("/api/v1/projects", json=body, headers=ADMIN), 413)
    assert error["code"] == "request_entity_too_large"
    assert _state(client, big_app) == before


def _import(client, kind: str, data: bytes, mimetype: str):
    headers = {**ADMIN, "Content-Type": mimetype}
    return client.post(f"/api/v1/{kind}:import", data=data, headers=headers)


BIG_FILES = [
    ("projects", "text/csv", 'id,title,description\np-f1,Gut,ok\np-f2,Groß,"{big}"\n', "line 3"),
    ("projects", "text/csv", "id;title;funding\r\np-f1;Groß;{big}\r\n", "line 2"),
    (
        "projects",
        "application/x-ndjson",
        {"id": "p-f1", "title": "x", "description": "{big}"},
        None,
    ),
    ("projects", "application/x-ndjson", {"id": "p-f1", "title": "x", "contact": "{big}"}, None),
    ("needs", "application/x-ndjson", {"id": "n-f", "municipality": "{big}", "title": "x"}, None),
    ("municipalities", "text/csv", 'id,name,district\nm-f,Neu,"{big}"\n', "line 2"),
]


@pytest.mark.parametrize(
    ("kind", "mimetype", "template", "line"),
    BIG_FILES,
    ids=[f"{k} {m} {i}" for i, (k, m, _, _) in enumerate(BIG_FILES)],
)
def test_an_import_file_with_a_5_mb_field_is_refused_whole(
    client, big_app, kind, mimetype, template, line
):
    if isinstance(template, dict):
        template = json.dumps(template, ensure_ascii=False)
    data = template.replace("{big}", BIG).encode("utf-8")
    before = _state(client, big_app)
    error = _refused(_import(client, kind, data, mimetype), 400)
    fields = [d["field"] for d in error["details"]]
    assert fields and (line is None or line in fields)
    assert _state(client, big_app) == before


def test_a_5_mb_file_of_valid_rows_is_imported_and_searchable(client, big_app):
    token = "Zisternenwächter"
    text = f"Regenwasser wird in {token}-Zisternen gesammelt und gemessen. " * 300
    rows = [
        {"id": f"p-viel-{n}", "title": f"{token} zw{n:03d}q", "description": text[:19_000]}
        for n in range(280)
    ]
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in rows).encode("utf-8")
    assert len(data) > FIVE_MB
    r = _import(client, "projects", data, "application/x-ndjson")
    assert r.status_code == 200 and r.get_json()["imported"] == len(rows)
    found = client.post(
        "/api/v1/match", json={"text": f"{token} zw017q", "kinds": ["projects"], "k": 5}
    ).get_json()
    assert found["projects"][0]["id"] == "p-viel-17"
    health = client.get("/health", headers=ADMIN).get_json()
    assert health["counts"]["projects"] == health["index"]["projects"]["count"]


# -- JSON bodies that are not UTF-8 -----------------------------------------------------------

JSON_ENDPOINTS = [
    ("POST", "/api/v1/match", {"text": "LED Straßenbeleuchtung dimmen", "k": 3}),
    ("POST", "/api/v1/projects", {**PROJECT, "description": "Warnung über Sirenen und App."}),
    ("PUT", "/api/v1/projects/p-akte", None),
    ("POST", "/api/v1/needs", {"id": "n-u", "municipality": "kassel", "title": "Glätte"}),
    ("POST", "/api/v1/providers", {"id": "pr-u", "name": "Müller GmbH", "regions": ["Nord"]}),
    (
        "POST",
        "/api/v1/feedback",
        {"query": "Licht", "item_kind": "projects", "item_id": "p-akte", "verdict": "passt"},
    ),
]
INVALID_UTF8 = st.one_of(
    st.sampled_from(
        [
            b"\xff",  # never in UTF-8
            b"\xfe\xff",  # a UTF-16 byte order mark
            b"\x80",  # a continuation byte alone
            b"\xc3\x28",  # a lead byte without its continuation
            b"\xe2\x82",  # a three-byte sequence cut short
            b"\xc0\xaf",  # an overlong "/"
            b"\xed\xa0\x80",  # a UTF-16 surrogate, encoded
            b"\xf8\x88\x80\x80\x80",  # a five-byte sequence
            b"\xe4\xf6\xfc\xdf",  # "äöüß" in Windows-1252
        ]
    ),
    st.binary(min_size=1, max_size=6),
)


def _string_positions(raw: bytes) -> list[int]:
    """Offsets inside JSON strings (keys and values), where a bad byte is most devious."""
    positions, inside, escaped = [], False, False
    for i, byte in enumerate(raw):
        if inside:
            positions.append(i)
            if escaped:
                escaped = False
            elif byte == ord("\\"):
                escaped = True
            elif byte == ord('"'):
                inside = False
        elif byte == ord('"'):
            inside = True
    return positions


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
@given(
    endpoint=st.sampled_from(JSON_ENDPOINTS),
    bad=INVALID_UTF8,
    where=st.integers(0, 10_000),
    in_string=st.booleans(),
)
def test_a_json_body_that_is_not_utf8_is_a_400(client, big_app, endpoint, bad, where, in_string):
    method, path, body = endpoint
    raw = json.dumps(body or _akte(client), ensure_ascii=False).encode("utf-8")
    positions = _string_positions(raw) if in_string else list(range(len(raw) + 1))
    at = positions[where % len(positions)]
    data = raw[:at] + bad + raw[at:]
    assume(not _is_utf8(data))
    before = _state(client, big_app)
    response = client.open(
        path, method=method, data=data, content_type="application/json", headers=ADMIN
    )
    _refused(response, 400)
    assert _state(client, big_app) == before


# -- control characters, unsafe ids and Unicode digits ----------------------------------------

CRLF = "Licht\r\nBcc: evil@x.example"
CONTROL_BODIES = [
    ("/api/v1/projects", {**PROJECT, "title": CRLF}, "title"),
    ("/api/v1/projects", {**PROJECT, "contact": "Bauamt\r\nBcc: x"}, "contact"),
    ("/api/v1/projects", {**PROJECT, "funding": "LEADER\x00"}, "funding"),
    ("/api/v1/projects", {**PROJECT, "description": "Zeile\x1b[2J"}, "description"),
    ("/api/v1/providers", {"id": "pr-c", "name": "Licht\nWerk"}, "name"),
    ("/api/v1/municipalities", {"id": "m-c", "name": "Neu", "district": "Kreis\r\nX"}, "district"),
    ("/api/v1/needs", {"id": "n-c", "municipality": "kassel", "title": CRLF}, "title"),
]


@pytest.mark.parametrize(("path", "body", "field"), CONTROL_BODIES)
def test_a_line_break_or_control_character_in_a_one_line_field_is_a_400(
    client, big_app, path, body, field
):
    before = _state(client, big_app)
    error = _refused(client.post(path, json=body, headers=ADMIN), 400)
    assert error["code"] == "validation_error"
    assert field is None or field in [d["field"] for d in error["details"]]
    assert _state(client, big_app) == before


def test_an_import_row_with_a_crlf_title_is_refused_whole(client, big_app):
    row = {"id": "p-crlf", "title": CRLF, "municipalities": ["kassel"]}
    data = json.dumps(row).encode("utf-8")
    before = _state(client, big_app)
    error = _refused(_import(client, "projects", data, "application/x-ndjson"), 400)
    assert any("title" in d["message"] for d in error["details"]), error
    assert _state(client, big_app) == before


UNSAFE_BODIES = [
    ("/api/v1/providers", {"id": "..", "name": "X"}, "id"),
    ("/api/v1/providers", {"id": ".", "name": "X"}, "id"),
    ("/api/v1/providers", {"id": "licht\u200bwerk", "name": "X"}, "id"),
    ("/api/v1/providers", {"id": "a?b", "name": "X"}, "id"),
    ("/api/v1/providers", {"id": "a#b", "name": "X"}, "id"),
    ("/api/v1/providers", {"id": "a%2fb", "name": "X"}, "id"),
    ("/api/v1/providers", {"id": "a\\b", "name": "X"}, "id"),
    ("/api/v1/projects", {**PROJECT, "id": "p-fuzz\u200b"}, "id"),
    ("/api/v1/projects", {**PROJECT, "municipalities": [".."]}, "municipalities.0"),
    ("/api/v1/projects", {**PROJECT, "municipalities": ["kassel\u200b"]}, "municipalities.0"),
    ("/api/v1/projects", {**PROJECT, "providers": ["licht\u200bwerk"]}, "providers.0"),
    (
        "/api/v1/offerings",
        {"id": "o-u", "provider": "..", "title": "Angebot"},
        "provider",
    ),
    (
        "/api/v1/offerings",
        {"id": "o-u", "provider": "lichtwerk", "title": "Angebot", "references": [".."]},
        "references.0",
    ),
]


@pytest.mark.parametrize(("path", "body", "field"), UNSAFE_BODIES)
def test_an_unsafe_id_is_a_400_naming_the_field_and_not_stored(client, big_app, path, body, field):
    before = _state(client, big_app)
    error = _refused(client.post(path, json=body, headers=ADMIN), 400)
    assert error["code"] == "validation_error"
    assert field in [d["field"] for d in error["details"]], error
    assert _state(client, big_app) == before


def test_nfc_and_nfd_spellings_of_an_id_are_one_record(client, big_app):
    composed, decomposed = "m\u00fcller-gmbh", "mu\u0308ller-gmbh"  # both read "müller-gmbh"
    created = client.post("/api/v1/providers", json={"id": composed, "name": "A"}, headers=ADMIN)
    assert created.status_code == 201
    try:
        before = _state(client, big_app)
        again = client.post(
            "/api/v1/providers", json={"id": decomposed, "name": "B"}, headers=ADMIN
        )
        assert _refused(again, 409)["code"] == "conflict"
        assert _state(client, big_app) == before
        path = "/api/v1/providers/" + decomposed
        assert client.get(path).get_json()["id"] == composed
        body = {"id": decomposed, "name": "C"}
        assert client.put(path, json=body, headers=ADMIN).get_json()["id"] == composed
    finally:
        client.delete("/api/v1/providers/" + composed, headers=ADMIN)


@pytest.mark.parametrize("item_id", ["..", "a\u200bb", "a b", "P-AKTE", "p-akte."])
def test_an_unsafe_path_id_is_refused_and_never_stored(client, big_app, item_id):
    before = _state(client, big_app)
    path = "/api/v1/providers/" + item_id.replace("..", "%2E%2E")
    response = client.put(path, json={"id": item_id, "name": "X"}, headers=ADMIN)
    assert response.status_code in (400, 404), response.status_code
    _refused(response, response.status_code)
    assert client.get(path).status_code in (400, 404)
    assert _state(client, big_app) == before


@pytest.mark.parametrize(
    "query",
    [
        "/api/v1/projects?limit=²",
        "/api/v1/projects?limit=①",
        "/api/v1/projects?offset=٣",
        "/api/v1/projects/p-akte/similar?k=２",
        "/api/v1/joint-projects?k=²",
        "/api/v1/joint-projects?min_population=①",
        "/api/v1/joint-projects?max_distance_km=٣",
    ],
)
def test_unicode_digits_in_a_query_number_are_a_400(client, query):
    error = _refused(client.get(query), 400)
    assert error["code"] == "validation_error" and error["details"], error
