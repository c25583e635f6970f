"""The Toolbox's pages: a project's documents with their licence and download, the upload
form for its towns only, a refused upload saying why, /vorlagen with filters, and the answer
to a challenge with „Vorlagen zu Ihrer Herausforderung“ quoting the passage."""

from __future__ import annotations

import io
import re

import pytest

from matcher.domain.access import Actor
from tests import document_files as files
from tests.helpers import OWN_ORIGIN

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
CHALLENGE = "Wir wollen die Straßenbeleuchtung auf LED umrüsten und nachts dimmen."


def key_of(app, name: str) -> str:
    return app.extensions["test_keys"][name]["Authorization"].split()[1]


def sign_in(client, key: str) -> str:
    """Sign in with `key`; the session's form token."""
    token = TOKEN.search(client.get("/anmelden").text).group(1)
    response = client.post("/anmelden", data={"csrf_token": token, "schluessel": key})
    assert response.status_code == 303, response.text
    return TOKEN.search(client.get("/mein-bereich").text).group(1)


@pytest.fixture
def attached(app_service):
    """An only-to-view tender text on p-licht (Mossautal's, with LichtWerk)."""
    fields = {**files.FIELDS, "licence": "nur-ansicht", "procedure": "UVgO"}
    return app_service.add_document("p-licht", fields, files.pdf(), "led.pdf", Actor("admin"))


def test_a_project_lists_its_documents_with_licence_and_download(pages_client, attached):
    page = pages_client.get("/projekte/p-licht").text
    assert "Dokumente zum Nachnutzen" in page and "LED-Ausschreibung" in page
    assert f'href="/api/v1/documents/{attached.id}/download"' in page
    assert "Nur zur Ansicht:" in page and "Verfahren: UVgO" in page
    assert "Dokument hochladen" not in page  # anonymous: no form
    assert "Dokumente zum Nachnutzen" not in pages_client.get("/projekte/p-akte").text


def test_the_upload_form_is_for_the_projects_towns_only(app, pages_client):
    sign_in(pages_client, key_of(app, "kassel"))
    assert "Dokument hochladen" not in pages_client.get("/projekte/p-bus").text
    other = app.test_client()
    other.environ_base["HTTP_ORIGIN"] = OWN_ORIGIN
    sign_in(other, key_of(app, "brensbach"))
    page = other.get("/projekte/p-bus").text
    assert "Dokument hochladen" in page and 'enctype="multipart/form-data"' in page


def test_a_town_uploads_and_deletes_on_its_project_page(app, pages_client):
    token = sign_in(pages_client, key_of(app, "brensbach"))
    body = {"csrf_token": token, **files.FIELDS, "file": (io.BytesIO(files.docx()), "led.docx")}
    saved = pages_client.post("/projekte/p-bus/dokumente", data=body)
    assert saved.status_code == 303 and "#dokumente" in saved.headers["Location"]
    page = pages_client.get(saved.headers["Location"]).text
    assert "Das Dokument ist gespeichert" in page and "LED-Ausschreibung" in page
    doc = app.extensions["matcher"].project_documents("p-bus")[0]
    gone = pages_client.post(f"/vorlagen/{doc.id}/loeschen", data={"csrf_token": token})
    assert gone.status_code == 303
    assert app.extensions["matcher"].project_documents("p-bus") == []


def test_a_refused_upload_says_why_and_stores_nothing(app, pages_client):
    token = sign_in(pages_client, key_of(app, "brensbach"))
    body = {"csrf_token": token, **files.FIELDS, "file": (io.BytesIO(files.HTML), "x.pdf")}
    refused = pages_client.post("/projekte/p-bus/dokumente", data=body)
    assert refused.status_code == 400
    assert "nichts gespeichert" in refused.text and "getarnte Datei" in refused.text
    no_licence = {"csrf_token": token, **files.FIELDS, "licence": ""}
    no_licence["file"] = (io.BytesIO(files.txt()), "a.txt")
    refused = pages_client.post("/projekte/p-bus/dokumente", data=no_licence)
    assert refused.status_code == 400 and "Lizenz fehlt" in refused.text
    assert app.extensions["matcher"].project_documents("p-bus") == []


def test_uploads_need_the_session_and_the_projects_town(app, pages_client):
    body = {**files.FIELDS, "file": (io.BytesIO(files.txt()), "a.txt")}
    assert pages_client.post("/projekte/p-bus/dokumente", data=body).status_code == 401
    token = sign_in(pages_client, key_of(app, "brensbach"))
    body["file"] = (io.BytesIO(files.txt()), "a.txt")
    forged = pages_client.post("/projekte/p-bus/dokumente", data=body)  # no form token
    assert forged.status_code == 403
    body = {"csrf_token": token, **files.FIELDS, "file": (io.BytesIO(files.txt()), "a.txt")}
    assert pages_client.post("/projekte/p-licht/dokumente", data=body).status_code == 403
    assert app.extensions["matcher"].all_documents() == []


def test_the_toolbox_page_filters_by_kind_and_licence(pages_client, attached):
    assert "LED-Ausschreibung" in pages_client.get("/vorlagen").text
    assert "LED-Ausschreibung" in pages_client.get("/vorlagen?art=leistungsbeschreibung").text
    assert "LED-Ausschreibung" not in pages_client.get("/vorlagen?art=konzept").text
    assert "LED-Ausschreibung" not in pages_client.get("/vorlagen?lizenz=cc0-1.0").text
    odd = pages_client.get("/vorlagen?art=roman")
    assert odd.status_code == 200 and "gibt es nicht" in odd.text


def test_a_challenge_gets_templates_with_the_passage_quoted(pages_client, attached):
    page = pages_client.get("/", query_string={"text": CHALLENGE}).text
    assert "Vorlagen zu Ihrer Herausforderung" in page
    section = page[page.index('id="h-vorlagen"') :]
    assert "LED-Ausschreibung" in section and "Umrüstung der Straßenbeleuchtung" in section
    assert f"/api/v1/documents/{attached.id}/download" in section
    other = pages_client.get("/", query_string={"text": "Digitale Akte für das Rathaus"}).text
    assert "Vorlagen zu Ihrer Herausforderung" not in other
