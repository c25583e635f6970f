"""The Toolbox's pages: /vorlagen lists every document (filters: kind, licence); a project's
page lists its documents with an upload form for its towns (and staff); the answer to a
challenge shows „Vorlagen zu Ihrer Herausforderung“ with the fitting passage quoted.

The project page and the answer are rendered by `public`; they include this module's partial
templates, which read through the template globals installed here (`install`). Uploads and
deletions are posted forms of a signed-in account (this server's origin and the session's
form token), decided by the service as for the API.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from matcher.domain.access import owns
from matcher.domain.documents import KIND_LABELS, LICENCES, Document, megabytes
from matcher.domain.errors import (
    ConflictError,
    NotFoundError,
    PermissionDenied,
    ValidationError,
)
from matcher.domain.schema import Project
from matcher.web.core.current import current_catalog, service
from matcher.web.core.limits import limited
from matcher.web.core.security import same_origin
from matcher.web.pages.session import current_account, form_token_ok

log = logging.getLogger(__name__)

toolbox = Blueprint("toolbox", __name__)

# „Vorlagen zu Ihrer Herausforderung“ shows this many documents: the best few, each quoted.
SHOWN_TEMPLATES = 3
FIELDS = ("kind", "title", "licence", "language", "procedure", "source_url")


def install(app: Flask) -> None:
    """Register the pages and the globals the project page and the answer include."""
    app.register_blueprint(toolbox)
    app.add_template_global(project_documents, "project_documents")
    app.add_template_global(manages_documents, "manages_documents")
    app.jinja_env.globals.update(document_kinds=KIND_LABELS, document_licences=LICENCES)
    app.add_template_global(document_limit_text, "document_limit_text")


# -- what the included partials read -----------------------------------------------------------


def project_documents(project_id: str) -> list[Document]:
    """A project's documents (none for an unknown project)."""
    try:
        return service().project_documents(project_id)
    except NotFoundError:
        return []


def manages_documents(project: Project) -> bool:
    """True if the signed-in account may attach and delete the project's documents."""
    me = current_account()
    return me is not None and owns(me.actor, project)


def document_limit_text() -> str:
    """The largest file an upload may have, in words."""
    return megabytes(service().document_limits()[0])


# -- pages -----------------------------------------------------------------------------------


@toolbox.get("/vorlagen")
def browse():
    """Every document of the Toolbox, filtered by kind and licence."""
    kind = request.args.get("art") or None
    licence = request.args.get("lizenz") or None
    notices = []
    if kind is not None and kind not in KIND_LABELS:
        notices.append("Diese Art von Dokument gibt es nicht; gezeigt werden alle Arten.")
        kind = None
    if licence is not None and licence not in LICENCES:
        notices.append("Diese Lizenz kennen wir nicht; gezeigt werden alle Lizenzen.")
        licence = None
    found = service().all_documents(kind, licence)
    catalog = current_catalog()
    return render_template(
        "documents/browse.html",
        documents=found,
        project=lambda pid: catalog.projects.get(pid),
        towns=lambda p: ", ".join(t.name for t in catalog.towns(p.municipalities)),
        chosen={"art": kind or "", "lizenz": licence or ""},
        notices=notices,
    )


def _refused(heading: str, text: str, status: int, back: str | None = None) -> ResponseReturnValue:
    page = render_template("documents/refused.html", heading=heading, text=text, back=back)
    return page, status


def _checked_post() -> ResponseReturnValue | None:
    """A post must come from this server's pages, in the signed-in account's session."""
    if current_account() is None:
        return _refused(
            "Bitte anmelden", "Dokumente hochladen und löschen können angemeldete Kommunen.", 401
        )
    if not same_origin() or not form_token_ok():
        return _refused(
            "Anfrage abgelehnt",
            "Dieses Formular lässt sich nur von den Seiten des Smart Region Matchers aus und nur "
            "in Ihrer eigenen Sitzung abschicken. Bitte öffnen Sie die Seite neu.",
            403,
        )
    return None


@toolbox.post("/projekte/<item_id>/dokumente")
@limited("writes")
def upload(item_id: str) -> ResponseReturnValue:
    """Attach a document to the project (its towns, staff); a refusal says why, in German."""
    refused = _checked_post()
    if refused is not None:
        return refused
    me = current_account()
    assert me is not None
    back = url_for("public.project", item_id=item_id) + "#dokumente"
    upload_file = request.files.get("file")
    limit, _ = service().document_limits()
    data = upload_file.stream.read(limit + 1) if upload_file is not None else b""
    fields: dict[str, object] = {name: request.form.get(name) for name in FIELDS}
    try:
        if upload_file is None or not upload_file.filename:
            raise ValidationError("Datei fehlt", [("file", "Bitte eine Datei auswählen.")])
        made = service().add_document(item_id, fields, data, upload_file.filename, me.actor)
    except ValidationError as exc:
        text = " ".join(message for _, message in exc.problems) or str(exc)
        return _refused("Dokument abgelehnt – nichts gespeichert", text, 400, back)
    except PermissionDenied:
        return _refused(
            "Keine Berechtigung",
            "Dokumente eines Projekts laden nur die beteiligten Kommunen hoch.",
            403,
            back,
        )
    except ConflictError:
        return _refused(
            "Schon vorhanden", "Diese Datei ist dem Projekt schon angehängt.", 409, back
        )
    log.info("document %s attached to %s by %s", made.id, item_id, me.role)
    return redirect(f"{back[: -len('#dokumente')]}?dokument={made.id}#dokumente", code=303)


@toolbox.post("/vorlagen/<doc_id>/loeschen")
@limited("writes")
def delete(doc_id: str) -> ResponseReturnValue:
    """Delete a document (its project's towns, staff)."""
    refused = _checked_post()
    if refused is not None:
        return refused
    me = current_account()
    assert me is not None
    try:
        document = service().document(doc_id)
        service().delete_document(doc_id, me.actor)
    except NotFoundError:
        return _refused("Nicht gefunden", "Dieses Dokument gibt es nicht (mehr).", 404)
    except PermissionDenied:
        return _refused(
            "Keine Berechtigung",
            "Dokumente eines Projekts löschen nur die beteiligten Kommunen.",
            403,
        )
    target = url_for("public.project", item_id=document.project)
    return redirect(f"{target}?geloescht=1#dokumente", code=303)
