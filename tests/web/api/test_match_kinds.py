"""`/api/v1/match` with the kinds of issue 24: test fields and the Toolbox's documents are
answered only when asked for by name, and a new document reaches a repeated challenge at once
(documents change apart from the catalog, so they are part of the answer cache's key)."""

from __future__ import annotations

import io

from tests import document_files as files
from tests.helpers import ADMIN
from tests.testfields_data import CLOSED_FIELD, LIGHT_FIELD, sample_fields

CHALLENGE = "Wir wollen die Straßenbeleuchtung nachts dimmen und Energie sparen"


def _match(client, kinds: list[str] | None = None) -> dict:
    body: dict = {"text": CHALLENGE, "municipality": "mossautal"}
    if kinds is not None:
        body["kinds"] = kinds
    answer = client.post("/api/v1/match", json=body)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_the_three_kinds_unless_more_are_named(client, app_service):
    for field in sample_fields():
        app_service.create("testfields", field)
    plain = _match(client)
    assert "testfields" not in plain and "documents" not in plain
    assert plain["projects"], "the tiny corpus has a street-lighting project"
    named = _match(client, ["testfields"])
    assert named["projects"] == [] and named["testfields"] and "documents" not in named
    # The two street-lighting fields (one in the asking town itself) before the stadium's buses.
    top = {f["id"] for f in named["testfields"][:2]}
    assert top == {LIGHT_FIELD, CLOSED_FIELD}, named["testfields"]


def test_a_new_document_reaches_a_repeated_challenge(client):
    before = _match(client, ["documents"])
    assert before["documents"] == []
    upload = client.post(
        "/api/v1/projects/p-bus/documents",
        headers=ADMIN,
        data={"file": (io.BytesIO(files.pdf()), "vorlage.pdf"), **files.FIELDS},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 201, upload.get_json()
    after = _match(client, ["documents"])
    assert [d["id"] for d in after["documents"]] == [upload.get_json()["id"]]
    assert after["documents"][0]["passage"]


def test_an_unknown_kind_is_a_400_naming_the_field(client):
    answer = client.post("/api/v1/match", json={"text": CHALLENGE, "kinds": ["testfelder"]})
    assert answer.status_code == 400
    assert "kinds" in str(answer.get_json()["error"])
