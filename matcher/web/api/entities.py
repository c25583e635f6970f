"""Reading and writing municipalities, projects, providers, offerings and needs.

Every write needs a key; the service checks that its role owns every record the write
finally changes (after names are resolved). A write is committed to the database and is
visible to the very next match request (the index is updated incrementally).
"""

# No `from __future__ import annotations` here: the routes are built per kind, and
# flask-openapi3 reads each body model from the real annotation objects.
from collections.abc import Callable
from typing import Any

from flask import request
from flask_openapi3 import APIBlueprint, Tag

from matcher.domain.errors import PermissionDenied, ValidationError
from matcher.domain.schema import KINDS, model_for
from matcher.web.api.docs import BEARER, ERRORS, WRITE_ERRORS
from matcher.web.api.models import ActorMembers, ImportResponse, ItemPath, ListQuery, list_response
from matcher.web.core.auth import writer
from matcher.web.core.current import dumped, role, service
from matcher.web.core.limits import Budget, limited

api = APIBlueprint(
    "entities",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[Tag(name="Daten", description="Kommunen, Projekte, Anbieter, …")],
)

IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


def _routes(kind: str) -> None:
    model = model_for(kind)
    label = kind.capitalize()

    def list_items(query: ListQuery):
        items, total = service().list_items(kind, query.browse())
        return {
            "items": [dumped(i) for i in items],
            "total": total,
            "limit": query.limit,
            "offset": query.offset,
        }

    def get_item(path: ItemPath):
        return dumped(service().get(kind, path.id))

    def create_item(body: model):  # type: ignore[valid-type]
        actor = writer(role())
        return dumped(service().create(kind, body, actor)), 201

    def replace_item(path: ItemPath, body: model):  # type: ignore[valid-type]
        actor = writer(role())
        return dumped(service().replace(kind, path.id, body, actor))

    def delete_item(path: ItemPath):
        actor = writer(role())
        service().get(kind, path.id)  # 404 before 403 for an id that does not exist
        service().delete(kind, path.id, actor)
        return "", 204

    def import_items():
        if not writer(role()).is_admin:
            raise PermissionDenied("bulk import needs an admin key")
        data = request.get_data(cache=False)
        if not data:
            raise ValidationError(
                "body: send the CSV or JSONL file as the request body", [("body", "empty")]
            )
        jsonl = "json" in (request.mimetype or "")
        report = service().import_bytes(kind, data, "upload.jsonl" if jsonl else "upload.csv")
        return {
            "kind": kind,
            "imported": report.imported,
            "created_municipalities": report.created_municipalities,
            "warnings": report.warnings,
        }

    budgets: tuple[tuple[Callable[..., Any], Budget], ...] = (
        (list_items, "contacts"),
        (get_item, "contacts"),
        (create_item, "writes"),
        (replace_item, "writes"),
        (delete_item, "writes"),
        (import_items, "writes"),
    )
    for fn, budget in budgets:
        limited(budget)(fn)
    for fn, name in (
        (list_items, "list"),
        (get_item, "get"),
        (create_item, "create"),
        (replace_item, "replace"),
        (delete_item, "delete"),
        (import_items, "import"),
    ):
        fn.__name__ = f"{name}_{kind}"
    api.get(
        f"/{kind}",
        responses={200: list_response(model), **ERRORS},
        summary=f"{label}: list, filtered and paged",
    )(list_items)
    api.get(
        f"/{kind}/<string:id>", responses={200: model, **ERRORS}, summary=f"{label}: one by id"
    )(get_item)
    api.post(
        f"/{kind}",
        responses={201: model, **WRITE_ERRORS},
        security=BEARER,
        summary=f"{label}: create",
    )(create_item)
    api.put(
        f"/{kind}/<string:id>",
        responses={200: model, **WRITE_ERRORS},
        security=BEARER,
        summary=f"{label}: replace",
    )(replace_item)
    api.delete(
        f"/{kind}/<string:id>",
        responses={204: None, **WRITE_ERRORS},
        security=BEARER,
        summary=f"{label}: delete",
    )(delete_item)
    api.post(
        f"/{kind}:import",
        responses={200: ImportResponse, **WRITE_ERRORS},
        security=BEARER,
        openapi_extensions=IMPORT_BODY,
        summary=f"{label}: bulk import (CSV or JSONL), all or nothing",
    )(import_items)


for _kind in KINDS:
    _routes(_kind)


@api.get(
    "/municipalities/<string:id>/members",
    responses={200: ActorMembers, **ERRORS},
    summary="Municipalities: members of a district or association, and memberships",
)
@limited("contacts")
def municipality_members(path: ItemPath):
    actor, members, memberships = service().members(path.id)
    return dumped(
        ActorMembers(id=actor.id, kind=actor.kind, members=members, memberships=memberships)
    )
