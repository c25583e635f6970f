"""The Toolbox's documents in the database: the record, the extracted text and the file (one
row per distinct content, by SHA-256), each write one transaction.

A document and its file are inserted together or not at all; deleting a document deletes its
file when no other document has the same content. Nothing is kept on disk beside the database,
so a failed write leaves nothing behind, and every worker reads the same documents.
"""

from __future__ import annotations

from sqlalchemy import Engine, delete, exists, func, insert, select
from sqlalchemy.exc import IntegrityError

from matcher.domain.documents import Document
from matcher.domain.errors import ConflictError, NotFoundError
from matcher.domain.schema import STORED
from matcher.store.engine import reachable  # a lost database is a 503, as elsewhere
from matcher.store.repository import Store
from matcher.store.tables import document_blobs, documents


class DocumentStore:
    """Read and write documents with their text and file."""

    def __init__(self, store: Store) -> None:
        self._store = store

    @property
    def engine(self) -> Engine:
        """The store's engine as it is now (a server reconnects it after forking)."""
        return self._store.engine

    def add(self, document: Document, data: bytes, text: str) -> None:
        """Store a document, its text and its file in one transaction; ConflictError if the
        project has it already, NotFoundError if the project is gone."""
        try:
            with reachable(), self.engine.begin() as conn:
                same = select(documents.c.id).where(documents.c.id == document.id)
                if conn.execute(same).first():
                    raise ConflictError(
                        f"documents: {document.id!r} exists: dieses Dokument ist dem Projekt "
                        "schon angehängt"
                    )
                known = conn.execute(
                    select(document_blobs.c.sha256).where(
                        document_blobs.c.sha256 == document.sha256
                    )
                ).first()
                if known is None:
                    conn.execute(insert(document_blobs).values(sha256=document.sha256, data=data))
                conn.execute(
                    insert(documents).values(
                        id=document.id,
                        project=document.project,
                        sha256=document.sha256,
                        record=_json(document),
                        text=text,
                    )
                )
        except IntegrityError as exc:  # the project deleted meanwhile, or the same upload twice
            raise ConflictError(
                f"documents: {document.id!r} could not be stored (project gone or a second "
                "upload of the same file)"
            ) from exc

    def get(self, document_id: str) -> Document:
        with reachable(), self.engine.begin() as conn:
            row = conn.execute(
                select(documents.c.record).where(documents.c.id == document_id)
            ).first()
        if row is None:
            raise NotFoundError(f"documents: no item with id {document_id!r}")
        return Document.model_validate(row.record, context=STORED)

    def all(self, project: str | None = None) -> list[Document]:
        """Every document (of one project), newest first, then by title."""
        query = select(documents.c.record)
        if project is not None:
            query = query.where(documents.c.project == project)
        with reachable(), self.engine.begin() as conn:
            rows = conn.execute(query).all()
        found = [Document.model_validate(r.record, context=STORED) for r in rows]
        return sorted(found, key=lambda d: (-d.created.toordinal(), d.title, d.id))

    def texts(self) -> list[tuple[Document, str]]:
        """Every document with its extracted text, by id (what the passage index is made of)."""
        with reachable(), self.engine.begin() as conn:
            rows = conn.execute(
                select(documents.c.record, documents.c.text).order_by(documents.c.id)
            ).all()
        return [(Document.model_validate(r.record, context=STORED), r.text) for r in rows]

    def ids(self) -> tuple[str, ...]:
        """The ids of every document, in order: what the passage index must hold."""
        with reachable(), self.engine.begin() as conn:
            return tuple(conn.execute(select(documents.c.id).order_by(documents.c.id)).scalars())

    def data(self, document: Document) -> bytes:
        """The document's file."""
        with reachable(), self.engine.begin() as conn:
            found = conn.execute(
                select(document_blobs.c.data).where(document_blobs.c.sha256 == document.sha256)
            ).scalar_one_or_none()
        if found is None:
            raise NotFoundError(f"documents: the file of {document.id!r} is gone")
        return bytes(found)

    def delete(self, document_id: str) -> None:
        """Delete a document, and its file if no other document has the same content."""
        with reachable(), self.engine.begin() as conn:
            sha = conn.execute(
                select(documents.c.sha256).where(documents.c.id == document_id)
            ).scalar_one_or_none()
            if sha is None:
                raise NotFoundError(f"documents: no item with id {document_id!r}")
            conn.execute(delete(documents).where(documents.c.id == document_id))
            still_used = conn.execute(select(exists().where(documents.c.sha256 == sha))).scalar()
            if not still_used:
                conn.execute(delete(document_blobs).where(document_blobs.c.sha256 == sha))

    def counts(self) -> tuple[int, int]:
        """(documents, files) stored: what a refused upload must leave unchanged."""
        with reachable(), self.engine.begin() as conn:
            docs = conn.execute(select(func.count()).select_from(documents)).scalar_one()
            blobs = conn.execute(select(func.count()).select_from(document_blobs)).scalar_one()
        return int(docs), int(blobs)


def _json(document: Document) -> dict:
    return document.model_dump(
        mode="json",
        exclude={"kind_label", "licence_label", "licence_url", "reusable", "content_type"},
    )
