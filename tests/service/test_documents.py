"""The Toolbox through the service: who may attach and delete, every bad file refused with
nothing stored and no vector indexed, and a challenge finding a template with its passage."""

from __future__ import annotations

import pytest

from matcher.domain.access import Actor
from matcher.domain.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    ValidationError,
)
from matcher.service import MatcherService
from tests import document_files as files
from tests.helpers import FIXTURES, make_settings
from tools.fakes import FakeEncoder

OWNER = Actor("municipality:mossautal")  # on p-licht and p-bus
OTHER_TOWN = Actor("municipality:kassel")
PROVIDER = Actor("provider:lichtwerk")  # named on p-licht, but it is the towns' project
ADMIN = Actor("admin")
CHALLENGE = "Wir wollen die Straßenbeleuchtung auf LED umrüsten und nachts dimmen."


def stored(service: MatcherService) -> tuple[tuple[int, int], tuple[str, ...]]:
    """Rows of documents and files, and the documents the passage index holds."""
    return service.documents.store.counts(), service.documents.index().ids


@pytest.mark.parametrize("actor", [OWNER, ADMIN])
def test_the_projects_towns_and_admins_attach_and_delete(service, actor):
    made = service.add_document("p-licht", files.FIELDS, files.pdf(), "led.pdf", actor)
    assert (
        made.file_type == "pdf" and made.passages >= 2 and made.filename == "LED-Ausschreibung.pdf"
    )
    assert [d.id for d in service.project_documents("p-licht")] == [made.id]
    assert service.document_download(made.id).data == files.pdf()
    service.delete_document(made.id, actor)
    assert stored(service) == ((0, 0), ())


@pytest.mark.parametrize("actor", [OTHER_TOWN, PROVIDER])
def test_others_may_neither_attach_nor_delete(service, actor):
    with pytest.raises(PermissionDenied, match="beteiligten Kommunen"):
        service.add_document("p-licht", files.FIELDS, files.pdf(), "led.pdf", actor)
    made = service.add_document("p-licht", files.FIELDS, files.pdf(), "led.pdf", OWNER)
    with pytest.raises(PermissionDenied):
        service.delete_document(made.id, actor)
    assert service.document(made.id) == made


def test_a_town_of_another_project_may_not_attach_to_this_one(service):
    brensbach = Actor("municipality:brensbach")  # on p-bus, not on p-licht
    with pytest.raises(PermissionDenied):
        service.add_document("p-licht", files.FIELDS, files.txt(), "a.txt", brensbach)
    assert service.add_document("p-bus", files.FIELDS, files.txt(), "a.txt", brensbach)


def test_unknown_project_and_a_second_upload(service):
    with pytest.raises(NotFoundError):
        service.add_document("p-gibt-es-nicht", files.FIELDS, files.txt(), "a.txt", ADMIN)
    service.add_document("p-licht", files.FIELDS, files.txt(), "a.txt", OWNER)
    with pytest.raises(ConflictError):
        service.add_document("p-licht", files.FIELDS, files.txt(), "b.txt", OWNER)


BAD = {
    "too big": ({}, b"x" * 9000, "a.txt", "größer als 8 kB"),
    "exe as pdf": ({}, files.exe(), "vertrag.pdf", "getarnte Datei"),
    "html as pdf": ({}, files.HTML, "vertrag.pdf", "getarnte Datei"),
    "encrypted pdf": ({}, files.encrypted_pdf(), "a.pdf", "verschlüsseltes PDF"),
    "malformed pdf": ({}, files.pdf()[:600], "a.pdf", "beschädigte PDF-Datei"),
    "malformed docx": (
        {},
        files.zip_of({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<kaputt"}),
        "a.docx",
        "beschädigte DOCX-Datei",
    ),
    "zip bomb": ({}, files.zip_bomb(), "a.docx", "Zip-Bombe"),
    "no licence": ({"licence": None}, files.txt(), "a.txt", "Lizenz fehlt"),
    "unknown licence": ({"licence": "proprietär"}, files.txt(), "a.txt", "unbekannte Lizenz"),
    "empty text": ({}, files.blank_pdf(), "scan.pdf", "kein Text gefunden"),
}


@pytest.fixture(scope="module")
def small_service(tmp_path_factory):
    """The fixture corpus with an 8 kB file limit (a „too big“ file stays small) and one
    document; shared by the refusals, which must leave it as it is."""
    settings = make_settings(tmp_path_factory.mktemp("small") / "home", max_document_bytes=8192)
    svc = MatcherService(settings, FakeEncoder())
    svc.build(FIXTURES)
    svc.add_document("p-licht", files.FIELDS, files.txt("Anderer Text."), "a.txt")
    yield svc
    svc.close()


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_each_bad_file_is_refused_with_its_reason_and_nothing_is_stored(small_service, case):
    changes, data, name, said = BAD[case]
    before = stored(small_service)
    assert before[0] == (1, 1) and len(before[1]) == 1
    with pytest.raises(ValidationError) as caught:
        small_service.add_document("p-licht", {**files.FIELDS, **changes}, data, name, OWNER)
    assert said in " ".join(message for _, message in caught.value.problems)
    assert stored(small_service) == before


def test_a_failed_commit_leaves_no_vector(service, monkeypatch):
    def fail(*_args):
        raise ConflictError("the database refused it")

    monkeypatch.setattr(type(service.documents.store), "add", fail)
    with pytest.raises(ConflictError):
        service.add_document("p-licht", files.FIELDS, files.txt(), "a.txt", OWNER)
    monkeypatch.undo()
    assert stored(service) == ((0, 0), ())


def test_a_challenge_finds_the_template_with_its_passage_quoted(service):
    service.add_document("p-licht", files.FIELDS, files.odt(), "led.odt", OWNER)
    other = {**files.FIELDS, "title": "Rufbus-Vertrag", "kind": "kooperationsvertrag"}
    bus = "Kooperationsvertrag\n\nDie Gemeinden betreiben gemeinsam einen Rufbus mit App-Buchung."
    service.add_document("p-bus", other, files.txt(bus), "bus.txt", OWNER)
    found = service.document_matches(CHALLENGE, 5, "brensbach")
    assert [d.title for d in found][:1] == ["LED-Ausschreibung"]
    best = found[0]
    assert "Straßenbeleuchtung auf LED-Leuchten" in best.passage
    assert {"straßenbeleuchtung", "led"} <= set(best.matched_terms)
    assert best.confidence == "hoch" and best.reusable and best.project == "p-licht"
    assert best.municipalities == ["Mossautal"] and not best.own
    assert all(d.title != "Rufbus-Vertrag" for d in found)


def test_another_worker_sees_an_upload_and_a_deletion(service, settings):
    other = MatcherService(settings, encoder=FakeEncoder())
    other.open()
    made = service.add_document("p-licht", files.FIELDS, files.txt(), "a.txt", OWNER)
    assert [d.id for d in other.document_matches(CHALLENGE, 3)] == [made.id]
    service.delete_document(made.id, OWNER)
    assert other.document_matches(CHALLENGE, 3) == []
    other.close()


def test_the_demo_documents_are_attached_on_build(tmp_path):
    svc = MatcherService(make_settings(tmp_path / "home"), FakeEncoder())
    built = svc.build()
    try:
        assert built["imported"]["documents"] == 6
        kinds = {d.file_type for d in svc.all_documents()}
        assert kinds == {"pdf", "odt", "docx", "txt"}
        assert {d.licence for d in svc.all_documents(licence="nur-ansicht")} == {"nur-ansicht"}
        found = svc.document_matches(
            "Wir suchen eine Ausschreibung für LED-Straßenbeleuchtung mit Dimmprofilen", 3
        )
        assert found[0].project == "prj-en-02" and found[0].document_kind == "leistungsbeschreibung"
    finally:
        svc.close()
