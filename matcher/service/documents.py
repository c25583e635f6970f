"""The Toolbox: documents attached to projects, checked, stored and matched to challenges.

An upload is checked whole before anything is written (the project exists, the caller owns
it, the fields, the file: `matcher.importing.documents`), its passages are encoded (into the
encoder's cache only), and then the record, text and file are committed in one transaction.
The passage index is made from the store's documents and made anew whenever the set of
documents differs from the one it holds (another worker's upload included), so it never holds
a vector of a document that was not committed, nor misses one that was.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass
from pathlib import Path

from matcher.domain.access import SYSTEM, Actor, check_documents_writer
from matcher.domain.documents import (
    Document,
    DocumentMeta,
    content_hash,
    document_id,
    safe_filename,
    split_passages,
)
from matcher.domain.errors import NotFoundError
from matcher.domain.schema import Project
from matcher.importing.documents import read_document
from matcher.matching.documents import PassageIndex, rank_documents
from matcher.matching.results import DocumentResult
from matcher.service.answers import Answers, Ask
from matcher.service.home import Home
from matcher.service.replica import Replica
from matcher.store.documents import DocumentStore

# The demo's documents: a manifest (JSON lines: project, file, kind, title, licence, …) beside
# the files, in the demo directory.
DEMO_DOCUMENTS = Path("documents") / "documents.jsonl"
# Room for an upload's other form fields (kind, title, licence …) within the request body.
FORM_FIELDS_BYTES = 16 * 1024


@dataclass(frozen=True)
class Download:
    """A document's file as served: its record (name, type) and its bytes."""

    document: Document
    data: bytes


class Documents:
    """Upload, list, serve, delete and match the Toolbox's documents."""

    def __init__(self, home: Home, replica: Replica, answers: Answers) -> None:
        self._home = home
        self._replica = replica
        self._answers = answers
        self._index = PassageIndex()
        self._index_lock = threading.Lock()

    @property
    def store(self) -> DocumentStore:
        return DocumentStore(self._home.store)

    @property
    def limit(self) -> int:
        """The largest file accepted: the setting, within what a request body may carry."""
        settings = self._home.settings
        return min(settings.max_document_bytes, settings.max_body_bytes - FORM_FIELDS_BYTES)

    # -- writes ------------------------------------------------------------------------------

    def add(
        self,
        project_id: str,
        fields: dict[str, object],
        data: bytes,
        filename: str,
        actor: Actor = SYSTEM,
    ) -> Document:
        """Check and store a document of a project; nothing is stored if any check fails."""
        project = self._project(project_id)
        check_documents_writer(actor, project)
        meta = DocumentMeta.of(fields)
        extracted = read_document(data, filename, self.limit)
        passages = split_passages(extracted.text)
        sha = content_hash(data)
        document = Document(
            id=document_id(project.id, sha),
            project=project.id,
            kind=meta.kind,
            title=meta.title,
            licence=meta.licence,
            language=meta.language,
            procedure=meta.procedure,
            source_url=meta.source_url,
            filename=safe_filename(meta.title, extracted.file_type),
            file_type=extracted.file_type,  # type: ignore[arg-type]  # one of FILE_TYPES
            size=len(data),
            sha256=sha,
            passages=len(passages),
            created=dt.date.today(),
        )
        self._home.encoder.encode(passages)  # into the cache, before the commit: no lock held
        self.store.add(document, data, extracted.text)
        return document

    def delete(self, document_id: str, actor: Actor = SYSTEM) -> None:
        """Delete a document (its project's towns or an admin)."""
        document = self.store.get(document_id)
        check_documents_writer(actor, self._project(document.project))
        self.store.delete(document_id)

    def import_demo(self, data_dir: Path) -> int:
        """Attach the demo documents listed in the demo directory's manifest; how many."""
        manifest = data_dir / DEMO_DOCUMENTS
        if not manifest.exists():
            return 0
        count = 0
        for line in manifest.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            entry = json.loads(line)
            path = manifest.parent / entry.pop("file")
            project = entry.pop("project")
            self.add(project, entry, path.read_bytes(), path.name)
            count += 1
        return count

    # -- reads -------------------------------------------------------------------------------

    def get(self, document_id: str) -> Document:
        return self.store.get(document_id)

    def of_project(self, project_id: str) -> list[Document]:
        self._project(project_id)
        return self.store.all(project_id)

    def all(self, kind: str | None = None, licence: str | None = None) -> list[Document]:
        """Every document, newest first; only of a kind or licence if given."""
        return [
            d
            for d in self.store.all()
            if (kind is None or d.kind == kind) and (licence is None or d.licence == licence)
        ]

    def download(self, document_id: str) -> Download:
        document = self.store.get(document_id)
        return Download(document, self.store.data(document))

    def passages(self, document_id: str) -> list[str]:
        """A document's passages as they are matched."""
        self.store.get(document_id)
        return self.index().of_document(document_id)

    # -- matching ----------------------------------------------------------------------------

    def index(self) -> PassageIndex:
        """The passage index of the documents stored now (made anew when they changed)."""
        ids = self.store.ids()
        with self._index_lock:
            if self._index.ids != ids:
                self._index = PassageIndex.build(
                    self.store.texts(), self._home.encoder.encode, self._replica.analyzer
                )
            return self._index

    def matches(
        self, text: str, k: int = 5, municipality: str | None = None
    ) -> list[DocumentResult]:
        """„Vorlagen zu Ihrer Herausforderung“: the documents whose passages fit the challenge."""
        ask = Ask.of(text, ["projects"], k, municipality)
        index = self.index()
        with self._replica.snapshot() as view:
            matcher = self._answers.matcher()  # the same data: the lock is held
            query = self._answers.query(ask, view.catalog)
            return rank_documents(matcher.context(query), k, index)

    def _project(self, project_id: str) -> Project:
        with self._replica.snapshot() as view:
            project = view.catalog.projects.get(project_id)
        if project is None:
            raise NotFoundError(f"projects: no item with id {project_id!r}")
        return project
