"""Documents in the database: record, text and file in one transaction, files kept once by
their hash, and nothing orphaned (on SQLite and, with PG_TEST_URL, PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest

from matcher.domain.documents import Document, content_hash, document_id
from matcher.domain.errors import ConflictError, NotFoundError
from matcher.domain.schema import Municipality, Project
from matcher.store.documents import DocumentStore


@pytest.fixture
def documents(store):
    store.upsert("municipalities", [Municipality(id="a", name="A")])
    store.upsert(
        "projects",
        [Project(id=p, title=p.upper(), municipalities=["a"]) for p in ("p1", "p2")],
    )
    return DocumentStore(store)


def record(project: str, data: bytes, title: str = "Vorlage") -> Document:
    sha = content_hash(data)
    return Document(
        id=document_id(project, sha),
        project=project,
        kind="konzept",
        title=title,
        licence="cc0-1.0",
        filename="vorlage.txt",
        file_type="txt",
        size=len(data),
        sha256=sha,
        passages=1,
        created=dt.date(2026, 12, 1),
    )


def test_a_document_round_trips_with_its_text_and_file(documents):
    doc = record("p1", b"Text der Vorlage")
    documents.add(doc, b"Text der Vorlage", "Text der Vorlage")
    assert documents.get(doc.id) == doc
    assert documents.data(doc) == b"Text der Vorlage"
    assert documents.texts() == [(doc, "Text der Vorlage")]
    assert documents.all("p1") == [doc] and documents.all("p2") == []
    assert documents.ids() == (doc.id,)


def test_the_same_file_is_kept_once_and_deleted_with_its_last_document(documents):
    first, second = record("p1", b"gleich"), record("p2", b"gleich")
    documents.add(first, b"gleich", "gleich")
    documents.add(second, b"gleich", "gleich")
    assert documents.counts() == (2, 1)
    documents.delete(first.id)
    assert documents.counts() == (1, 1)
    assert documents.data(second) == b"gleich"
    documents.delete(second.id)
    assert documents.counts() == (0, 0)
    with pytest.raises(NotFoundError):
        documents.delete(second.id)


def test_a_second_upload_of_the_same_file_to_a_project_is_a_conflict(documents):
    doc = record("p1", b"einmal")
    documents.add(doc, b"einmal", "einmal")
    with pytest.raises(ConflictError):
        documents.add(doc, b"einmal", "einmal")
    assert documents.counts() == (1, 1)


def test_a_document_of_a_missing_project_leaves_no_file(documents):
    with pytest.raises(ConflictError):
        documents.add(record("gibt-es-nicht", b"Waise"), b"Waise", "Waise")
    assert documents.counts() == (0, 0)


def test_a_project_with_documents_cannot_be_deleted(store, documents):
    documents.add(record("p1", b"bleibt"), b"bleibt", "bleibt")
    with pytest.raises(ConflictError):
        store.delete("projects", "p1")
    assert store.get("projects", "p1").id == "p1"
