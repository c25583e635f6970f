"""Funding programmes, the funding check and the procurement path.

Programmes are public records (their contact is the funder's office and its page, never a
person's address); staff (admin key) create, replace, delete and import them. A funding check
runs matching (the matching budget); the procurement path reads dated rules only.
"""

from __future__ import annotations

import datetime as dt

from flask import request
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field, field_validator

from matcher.domain.errors import ValidationError
from matcher.domain.funding import MAX_COST_EUR, FundingCheck, FundingRequest, Programme
from matcher.domain.procurement import OfferingKind, OrderKind, ProcurementPath
from matcher.domain.schema import MAX_CHALLENGE_CHARS, ItemId, ItemIds
from matcher.web.api.docs import BEARER, ERRORS, WRITE_ERRORS
from matcher.web.api.models import ImportResponse
from matcher.web.core.auth import writer
from matcher.web.core.current import role, service
from matcher.web.core.limits import limited

api = APIBlueprint(
    "funding",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[Tag(name="Förderung und Vergabe", description="Hinweise, keine Rechtsberatung")],
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _no_booleans(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("eine Zahl, nicht true/false")
    return value


class FundingCheckRequest(_Strict):
    """An idea (exactly one of `text`, `need`, `project`), its applicants and its cost."""

    text: str | None = Field(None, max_length=MAX_CHALLENGE_CHARS)
    need: ItemId | None = None
    project: ItemId | None = None
    municipalities: ItemIds = Field(
        default_factory=list, description="ids of the applicants (default: the need's or project's)"
    )
    cost_eur: float | None = Field(
        None, description=f"estimated eligible cost, > 0, ≤ {MAX_COST_EUR}"
    )
    date: dt.date | None = Field(None, description="the day to judge the calls on (default today)")

    _numbers = field_validator("cost_eur", mode="before")(_no_booleans)


class ProcurementQuery(_Strict):
    value_eur: float = Field(description="estimated order value, net, > 0")
    kind: OrderKind = Field("supplies", description="supplies (also services) or works")
    date: dt.date | None = None
    offering: ItemId | None = Field(None, description="an offering: suggests the EVB-IT type")
    contract: OfferingKind | None = Field(None, description="the offering's kind, if known")

    _numbers = field_validator("value_eur", mode="before")(_no_booleans)


class ProgrammePath(_Strict):
    id: ItemId


class ProgrammeListQuery(_Strict):
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class ProgrammeList(BaseModel):
    items: list[Programme]
    total: int


def _funding_request(body: FundingCheckRequest) -> FundingRequest:
    return FundingRequest(
        text=body.text,
        need=body.need,
        project=body.project,
        municipalities=tuple(body.municipalities),
        cost_eur=body.cost_eur,
        date=body.date,
    )


@api.post("/funding-check", responses={200: FundingCheck, **ERRORS})
@limited("matching")
def funding_check(body: FundingCheckRequest):
    """Fitting funding programmes for an idea: why each fits or not, share, estimated grant
    and own contribution, the call's state on the date, and line 2 with a funded reference."""
    found = service().funding_check(_funding_request(body))
    return found.model_dump(mode="json")


@api.get("/procurement", responses={200: ProcurementPath, **ERRORS})
def procurement(query: ProcurementQuery):
    """Which procedure applies to an order of a Hessian municipality on a date, with the
    rule's source; buying together; the EVB-IT contract type. A note, not legal advice."""
    found = service().procurement(
        query.value_eur, query.kind, query.date, query.offering, query.contract
    )
    return found.model_dump(mode="json")


@api.get("/programmes", responses={200: ProgrammeList, **ERRORS})
def list_programmes(query: ProgrammeListQuery):
    """Funding programme records with their sources and „Stand“ date."""
    items = service().programmes()
    page = items[query.offset : query.offset + query.limit]
    return {"items": [p.model_dump(mode="json") for p in page], "total": len(items)}


@api.get("/programmes/<string:id>", responses={200: Programme, **ERRORS})
def get_programme(path: ProgrammePath):
    """One funding programme record."""
    return service().programme(path.id).model_dump(mode="json")


@api.post("/programmes", responses={201: Programme, **WRITE_ERRORS}, security=BEARER)
@limited("writes")
def create_programme(body: Programme):
    """Staff (admin key): add a programme; contradictory rules are a 400 naming the field."""
    made = service().create_programme(body, writer(role()))
    return made.model_dump(mode="json"), 201


@api.put("/programmes/<string:id>", responses={200: Programme, **WRITE_ERRORS}, security=BEARER)
@limited("writes")
def replace_programme(path: ProgrammePath, body: Programme):
    """Staff (admin key): replace a programme record."""
    return service().replace_programme(path.id, body, writer(role())).model_dump(mode="json")


@api.delete("/programmes/<string:id>", responses={204: None, **WRITE_ERRORS}, security=BEARER)
@limited("writes")
def delete_programme(path: ProgrammePath):
    """Staff (admin key): delete a programme record."""
    service().delete_programme(path.id, writer(role()))
    return "", 204


@api.post(
    "/programmes:import",
    responses={200: ImportResponse, **WRITE_ERRORS},
    security=BEARER,
    openapi_extensions={
        "requestBody": {
            "required": True,
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
        }
    },
)
@limited("writes")
def import_programmes():
    """Staff (admin key): create or replace programmes from JSONL, all or nothing."""
    actor = writer(role())
    data = request.get_data(cache=False)
    if not data:
        raise ValidationError("body: leer", [("body", "die JSONL-Datei als Inhalt senden")])
    count = service().import_programmes(data, actor)
    return {"kind": "programmes", "imported": count}
