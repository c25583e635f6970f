"""Exchange groups („Erfas“) and events, and the suggestions about them.

Groups and events are read by everyone (the organiser's contact only by keys that may see it,
by the one rule); staff (admin key) create, replace, delete and import them. Suggestions run
matching (the matching budget); the invitation list as CSV carries contact addresses and is
the staff's only.
"""

from __future__ import annotations

from flask import request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from matcher.domain.errors import ValidationError
from matcher.domain.exchange import (
    ExchangeEvent,
    ExchangeGroup,
    ExchangeSuggestions,
    GroupCandidates,
    Invitations,
    IsoDate,
)
from matcher.domain.schema import MAX_RESULTS, ItemId
from matcher.web.api.docs import BEARER, ERRORS, WRITE_ERRORS
from matcher.web.api.models import ImportResponse
from matcher.web.core.auth import writer
from matcher.web.core.current import dumped, role, service
from matcher.web.core.downloads import csv_download
from matcher.web.core.limits import limited

api = APIBlueprint(
    "exchange",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[
        Tag(name="Austausch", description="Erfa-Gruppen, Termine und wer sich treffen sollte")
    ],
)
JSONL_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
    }
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class IdPath(_Strict):
    id: ItemId


class PageQuery(_Strict):
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class EventQuery(PageQuery):
    ab: IsoDate | None = Field(None, description="only events on or after this day (JJJJ-MM-TT)")


class HowMany(_Strict):
    k: int = Field(20, ge=1, le=MAX_RESULTS)


class GroupList(BaseModel):
    items: list[ExchangeGroup]
    total: int


class EventList(BaseModel):
    items: list[ExchangeEvent]
    total: int


def _body() -> bytes:
    data = request.get_data(cache=False)
    if not data:
        raise ValidationError("body: leer", [("body", "die JSONL-Datei als Inhalt senden")])
    return data


# -- groups ----------------------------------------------------------------------------------


@api.get("/groups", responses={200: GroupList, **ERRORS})
@limited("contacts")
def list_groups(query: PageQuery):
    """Exchange groups with their topic and members."""
    items = service().exchange.groups()
    page = items[query.offset : query.offset + query.limit]
    return {"items": [dumped(g) for g in page], "total": len(items)}


@api.get("/groups/<string:id>", responses={200: ExchangeGroup, **ERRORS})
@limited("contacts")
def get_group(path: IdPath):
    """One exchange group."""
    return dumped(service().exchange.group(path.id))


@api.get("/groups/<string:id>/suggestions", responses={200: GroupCandidates, **ERRORS})
@limited("matching")
def group_suggestions(path: IdPath, query: HowMany):
    """The towns that should join the group: not members, with an open need or a project on
    its topic, best first, with reasons."""
    return service().exchange.group_candidates(path.id, query.k).model_dump(mode="json")


@api.post("/groups", responses={201: ExchangeGroup, **WRITE_ERRORS}, security=BEARER)
@limited("writes")
def create_group(body: ExchangeGroup):
    """Staff (admin key): add a group; unknown member towns are a 400 naming them."""
    return dumped(service().exchange.create_group(body, writer(role()))), 201


@api.put("/groups/<string:id>", responses={200: ExchangeGroup, **WRITE_ERRORS}, security=BEARER)
@limited("writes")
def replace_group(path: IdPath, body: ExchangeGroup):
    """Staff (admin key): replace a group."""
    return dumped(service().exchange.replace_group(path.id, body, writer(role())))


@api.delete("/groups/<string:id>", responses={204: None, **WRITE_ERRORS}, security=BEARER)
@limited("writes")
def delete_group(path: IdPath):
    """Staff (admin key): delete a group (a 409 while events name it)."""
    service().exchange.delete_group(path.id, writer(role()))
    return "", 204


@api.post(
    "/groups:import",
    responses={200: ImportResponse, **WRITE_ERRORS},
    security=BEARER,
    openapi_extensions=JSONL_BODY,
)
@limited("writes")
def import_groups():
    """Staff (admin key): create or replace groups from JSONL, all or nothing."""
    actor = writer(role())
    return {"kind": "groups", "imported": service().exchange.import_groups(_body(), actor)}


@api.get("/municipalities/<string:id>/exchange", responses={200: ExchangeSuggestions, **ERRORS})
@limited("matching")
def municipality_exchange(path: IdPath):
    """For a town: the groups it should join (not those it is in) and the towns it should
    meet (they have done what it plans; near first; no town is suggested to everyone)."""
    return service().exchange.suggestions(path.id).model_dump(mode="json")


# -- events ----------------------------------------------------------------------------------


@api.get("/events", responses={200: EventList, **ERRORS})
@limited("contacts")
def list_events(query: EventQuery):
    """Events by date (from a day on with `ab`)."""
    items = service().exchange.events(query.ab)
    page = items[query.offset : query.offset + query.limit]
    return {"items": [dumped(e) for e in page], "total": len(items)}


@api.get("/events/<string:id>", responses={200: ExchangeEvent, **ERRORS})
@limited("contacts")
def get_event(path: IdPath):
    """One event."""
    return dumped(service().exchange.event(path.id))


@api.get("/events/<string:id>/invitations", responses={200: Invitations, **ERRORS})
@limited("matching")
def event_invitations(path: IdPath, query: HowMany):
    """Whom to invite: the towns whose open needs fit the topic (for towns' exchanges also
    those that have done it), the group's members, and the providers whose offerings fit."""
    return service().exchange.invitations(path.id, query.k).model_dump(mode="json")


@api.get(
    "/events/<string:id>/invitations.csv",
    responses={200: None, **WRITE_ERRORS},
    security=BEARER,
)
@limited("matching")
def event_invitations_csv(path: IdPath, query: HowMany):
    """Staff (admin key): the invitation list as CSV (`;`, UTF-8 with BOM) with contacts."""
    body = service().exchange.invitation_csv(path.id, writer(role()), query.k)
    return csv_download(body, "einladungen", path.id, private=True)


@api.post("/events", responses={201: ExchangeEvent, **WRITE_ERRORS}, security=BEARER)
@limited("writes")
def create_event(body: ExchangeEvent):
    """Staff (admin key): add an event; a bad date or an unknown group is a 400."""
    return dumped(service().exchange.create_event(body, writer(role()))), 201


@api.put("/events/<string:id>", responses={200: ExchangeEvent, **WRITE_ERRORS}, security=BEARER)
@limited("writes")
def replace_event(path: IdPath, body: ExchangeEvent):
    """Staff (admin key): replace an event."""
    return dumped(service().exchange.replace_event(path.id, body, writer(role())))


@api.delete("/events/<string:id>", responses={204: None, **WRITE_ERRORS}, security=BEARER)
@limited("writes")
def delete_event(path: IdPath):
    """Staff (admin key): delete an event."""
    service().exchange.delete_event(path.id, writer(role()))
    return "", 204


@api.post(
    "/events:import",
    responses={200: ImportResponse, **WRITE_ERRORS},
    security=BEARER,
    openapi_extensions=JSONL_BODY,
)
@limited("writes")
def import_events():
    """Staff (admin key): create or replace events from JSONL, all or nothing."""
    actor = writer(role())
    return {"kind": "events", "imported": service().exchange.import_events(_body(), actor)}
