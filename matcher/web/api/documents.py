"""The Toolbox: documents of projects (concepts, tender texts, contracts …) to reuse.

Anyone lists, reads and downloads documents (a „nur zur Ansicht“ one says it may not be
reused: `reusable` is false); a project's towns and admins upload and delete them. An upload
is a multipart form (`file`, `kind`, `title`, `licence`, optional `language`, `procedure`,
`source_url`); a body larger than the file limit is refused from its Content-Length before it
is read, and the file is read to at most the limit plus one byte.
"""

from __future__ import annotations

from flask import Response, request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field
from werkzeug.exceptions import RequestEntityTooLarge

from matcher.domain.documents import (
    CONTENT_TYPES,
    KINDS,
    LICENCE_IDS,
    Document,
    DocumentKind,
    Licence,
    megabytes,
)
from matcher.domain.errors import ValidationError
from matcher.domain.schema import ItemId
from matcher.web.api.docs import BEARER, ERRORS, WRITE_ERRORS
from matcher.web.core.auth import writer
from matcher.web.core.current import role, service
from matcher.web.core.limits import limited

api = APIBlueprint(
    "documents",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[Tag(name="Toolbox", description="Dokumente aus Projekten zum Nachnutzen")],
)

# The form fields of an upload besides the file.
FIELDS = ("kind", "title", "licence", "language", "procedure", "source_url")
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "kind", "title", "licence"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "kind": {"type": "string", "enum": list(KINDS)},
                        "title": {"type": "string", "maxLength": 300},
                        "licence": {"type": "string", "enum": list(LICENCE_IDS)},
                        "language": {"type": "string", "pattern": "^[a-z]{2}$"},
                        "procedure": {"type": "string", "maxLength": 300},
                        "source_url": {"type": "string", "format": "uri"},
                    },
                }
            }
        },
    }
}


class DocumentPath(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: ItemId


class ProjectPath(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: ItemId


class DocumentQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: DocumentKind | None = Field(None, description="only documents of this kind")
    licence: Licence | None = Field(None, description="only documents under this licence")
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class DocumentList(BaseModel):
    items: list[Document]
    total: int


def _listed(items: list[Document], page: DocumentQuery | PageQuery) -> dict:
    shown = items[page.offset : page.offset + page.limit]
    return {"items": [d.model_dump(mode="json") for d in shown], "total": len(items)}


@api.get("/documents", responses={200: DocumentList, **ERRORS})
def list_documents(query: DocumentQuery):
    """Every document of the Toolbox, newest first (filter by kind and licence)."""
    return _listed(service().all_documents(query.kind, query.licence), query)


@api.get("/projects/<string:id>/documents", responses={200: DocumentList, **ERRORS})
def project_documents(path: ProjectPath, query: PageQuery):
    """A project's documents, newest first."""
    return _listed(service().project_documents(path.id), query)


@api.post(
    "/projects/<string:id>/documents",
    responses={201: Document, **WRITE_ERRORS},
    security=BEARER,
    openapi_extensions=UPLOAD_BODY,
)
@limited("writes")
def upload_document(path: ProjectPath):
    """A project's towns or an admin: attach a PDF, ODT, DOCX or UTF-8 text file with its
    kind, title and licence. A bad file (too large, a disguised or unknown type, encrypted,
    malformed, a zip bomb, no text) or a missing or unknown licence is a 400 (413 for a body
    over the limit) naming the field, and nothing is stored."""
    actor = writer(role())
    svc = service()
    limit, body_limit = svc.document_limits()
    if (request.content_length or 0) > body_limit:
        raise RequestEntityTooLarge(f"Datei abgelehnt: größer als {megabytes(limit)}")
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError("Datei fehlt", [("file", "die Datei als Feld „file“ senden")])
    data = upload.stream.read(limit + 1)
    fields: dict[str, object] = {name: request.form.get(name) for name in FIELDS}
    made = svc.add_document(path.id, fields, data, upload.filename or "", actor)
    return made.model_dump(mode="json"), 201


@api.get("/documents/<string:id>", responses={200: Document, **ERRORS})
def get_document(path: DocumentPath):
    """One document's record (its licence, its project, its file's type and size)."""
    return service().document(path.id).model_dump(mode="json")


@api.get(
    "/documents/<string:id>/download",
    responses={200: None, **ERRORS},
    openapi_extensions={
        "responses": {
            "200": {
                "description": "the file, as an attachment, with the type of its content",
                "content": {
                    content_type.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
                    for content_type in CONTENT_TYPES.values()
                },
            }
        }
    },
)
def download_document(path: DocumentPath):
    """The document's file as a download (never shown inline)."""
    found = service().document_download(path.id)
    return download_response(found.document, found.data)


@api.delete("/documents/<string:id>", responses={204: None, **WRITE_ERRORS}, security=BEARER)
@limited("writes")
def delete_document(path: DocumentPath):
    """The project's towns or an admin: delete a document (and its file)."""
    actor = writer(role())
    service().delete_document(path.id, actor)
    return "", 204


def download_response(document: Document, data: bytes) -> Response:
    """The file with headers that keep a browser from showing or sniffing it: an attachment
    with a safe ASCII name, the type of its checked content (from the whitelist, never what
    the upload declared), nosniff, and a sandbox should it be opened anyway."""
    response = Response(data, content_type=document.content_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
