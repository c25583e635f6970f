"""The Toolbox's API: uploads by the project's towns and admins only, each bad file a German
4xx naming the field with nothing stored, downloads with safe headers, lists for everyone."""

from __future__ import annotations

import io

import pytest

from matcher.keys import add_key
from matcher.service import MatcherService
from matcher.web import create_app
from tests import document_files as files
from tests.helpers import ADMIN, ADMIN_KEY, FIXTURES, make_settings
from tools.fakes import FakeEncoder

UPLOAD = "/api/v1/projects/p-bus/documents"  # p-bus: Brensbach and Mossautal


def form(data: bytes = b"", name: str = "vorlage.pdf", **fields: str) -> dict:
    return {"file": (io.BytesIO(data or files.pdf()), name), **files.FIELDS, **fields}


def post(client, headers: dict | None, body: dict):
    return client.post(UPLOAD, headers=headers or {}, data=body, content_type="multipart/form-data")


def count(client) -> int:
    return client.get("/api/v1/projects/p-bus/documents").get_json()["total"]


@pytest.mark.parametrize("who", ["brensbach", "admin"])
def test_the_projects_town_or_an_admin_uploads_and_deletes(client, keys, who):
    headers = ADMIN if who == "admin" else keys[who]
    made = post(client, headers, form())
    assert made.status_code == 201, made.get_json()
    doc = made.get_json()
    assert doc["licence_label"] == "CC BY 4.0" and doc["reusable"] is True
    assert doc["file_type"] == "pdf" and doc["project"] == "p-bus"
    assert client.get(f"/api/v1/documents/{doc['id']}").get_json() == doc
    listed = client.get("/api/v1/documents?kind=leistungsbeschreibung").get_json()
    assert [d["id"] for d in listed["items"]] == [doc["id"]]
    assert client.get("/api/v1/documents?licence=cc0-1.0").get_json()["total"] == 0
    assert client.delete(f"/api/v1/documents/{doc['id']}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/documents/{doc['id']}").status_code == 404


@pytest.mark.parametrize(("who", "status"), [(None, 401), ("kassel", 403), ("lichtwerk", 403)])
def test_others_may_neither_upload_nor_delete(client, keys, who, status):
    headers = keys[who] if who else None
    refused = post(client, headers, form())
    assert refused.status_code == status
    if status == 403:
        assert "beteiligten Kommunen" in refused.get_json()["error"]["message"]
    doc = post(client, keys["brensbach"], form()).get_json()
    assert client.delete(f"/api/v1/documents/{doc['id']}", headers=headers or {}).status_code == (
        status
    )
    assert count(client) == 1


@pytest.fixture(scope="module")
def refusing(tmp_path_factory):
    """One app for the refusals, which store nothing: its client and Brensbach's key."""
    tmp = tmp_path_factory.mktemp("refusals")
    settings = make_settings(
        tmp / "home", admin_key=ADMIN_KEY, keys_file=tmp / "keys.json", max_body_bytes=64 * 1024
    )
    key = add_key(settings.keys_file, "municipality:brensbach")
    service = MatcherService(settings, encoder=FakeEncoder())
    service.build(FIXTURES)
    yield (
        create_app(settings, service, {"TESTING": True}).test_client(),
        {"Authorization": f"Bearer {key}"},
    )
    service.close()


BAD = [
    (form(files.exe(), "vertrag.pdf"), "file", "getarnte Datei"),
    (form(files.HTML, "vertrag.pdf"), "file", "getarnte Datei"),
    (form(files.encrypted_pdf(), "a.pdf"), "file", "verschlüsseltes PDF"),
    (form(files.pdf()[:600], "a.pdf"), "file", "beschädigte PDF-Datei"),
    (form(files.zip_bomb(), "a.docx"), "file", "Zip-Bombe"),
    (form(files.blank_pdf(), "scan.pdf"), "file", "kein Text gefunden"),
    (form(licence="alle Rechte vorbehalten"), "licence", "unbekannte Lizenz"),
    ({k: v for k, v in form().items() if k != "licence"}, "licence", "Lizenz fehlt"),
    ({k: v for k, v in form().items() if k != "file"}, "file", "Feld „file“"),
]


@pytest.mark.parametrize(("body", "field", "said"), BAD)
def test_bad_uploads_are_a_400_naming_the_field_and_store_nothing(refusing, body, field, said):
    client, brensbach = refusing
    refused = post(client, brensbach, body)
    assert refused.status_code == 400, refused.get_json()
    details = refused.get_json()["error"]["details"]
    assert details[0]["field"] == field and said in details[0]["message"]
    assert count(client) == 0


def test_a_file_over_the_limit_is_refused(refusing):
    # The test app takes bodies up to 64 kB: files up to 48 kB, room for the form fields.
    client, brensbach = refusing
    over = post(client, brensbach, form(b"a" * (50 * 1024), "gross.txt"))
    assert over.status_code == 400
    assert over.get_json()["error"]["details"][0]["message"] == "größer als 48 kB"
    # A body over the limit is refused from its Content-Length, before it is read.
    huge = post(client, brensbach, form(b"a" * (70 * 1024), "gross.txt"))
    assert huge.status_code == 413
    assert huge.get_json()["error"]["message"] == "Datei abgelehnt: größer als 48 kB"
    assert count(client) == 0


def test_a_download_is_an_attachment_of_the_checked_type(client, keys):
    evil = {"file": (io.BytesIO(files.txt()), '"><script>.txt', "text/html")}
    doc = post(client, keys["brensbach"], {**form(), **evil, "title": 'A "B" <C>'}).get_json()
    got = client.get(f"/api/v1/documents/{doc['id']}/download")
    assert got.status_code == 200 and got.data == files.txt()
    assert got.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert got.headers["Content-Disposition"] == 'attachment; filename="A-B-C.txt"'
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got.headers["Content-Security-Policy"]
    assert client.get("/api/v1/documents/doc-unbekannt/download").status_code == 404


def test_unknown_project(client):
    response = client.post(
        "/api/v1/projects/gibt-es-nicht/documents",
        headers=ADMIN,
        data=form(),
        content_type="multipart/form-data",
    )
    assert response.status_code == 404
    assert client.get("/api/v1/projects/gibt-es-nicht/documents").status_code == 404
