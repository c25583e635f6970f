"""Matching endpoints: a challenge, and the directions that start from an item."""

from __future__ import annotations

from flask import Response
from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel

from matcher.matching.results import (
    JointProjects,
    LeadsResult,
    MatchResult,
    PeersResult,
    SimilarResult,
)
from matcher.web.api.docs import ERRORS
from matcher.web.api.models import FilterQuery, ItemPath, MatchRequest
from matcher.web.core.current import service
from matcher.web.core.limits import limited


def _json(result: BaseModel) -> Response:
    """A result as JSON, serialised by pydantic in one pass (a sixth of the time of a dict
    dumped by Flask's encoder for a /match answer of three lists, measured)."""
    return Response(result.model_dump_json(), mimetype="application/json")


api = APIBlueprint(
    "matching",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[Tag(name="Matching", description="Ranked, explained matches")],
)


@api.post("/match", responses={200: MatchResult, **ERRORS})
@limited("matching")
def match(body: MatchRequest):
    """Projects, peer municipalities and providers for a challenge, linked by ids."""
    found = service().match_json(
        body.text, list(dict.fromkeys(body.kinds)), body.k, body.municipality, body.filters
    )
    return Response(found, mimetype="application/json")


@api.get("/projects/<string:id>/similar", responses={200: SimilarResult, **ERRORS})
@limited("matching")
def project_similar(path: ItemPath, query: FilterQuery):
    """Similar projects elsewhere, and the municipalities that could adopt it."""
    return _json(service().similar(path.id, query.k, query.filters()))


@api.get("/municipalities/<string:id>/peers", responses={200: PeersResult, **ERRORS})
@limited("matching")
def municipality_peers(path: ItemPath, query: FilterQuery):
    """Peers by profile and structure, and the municipality's open needs with matches."""
    return _json(service().peers(path.id, query.k, query.filters()))


@api.get("/providers/<string:id>/leads", responses={200: LeadsResult, **ERRORS})
@limited("matching")
def provider_leads(path: ItemPath, query: FilterQuery):
    """Municipalities for a provider: matching open needs, then towns like its customers."""
    return _json(service().leads(path.id, query.k, query.filters()))


@api.get("/offerings/<string:id>/leads", responses={200: LeadsResult, **ERRORS})
@limited("matching")
def offering_leads(path: ItemPath, query: FilterQuery):
    """Municipalities for one offering."""
    return _json(service().leads(path.id, query.k, query.filters()))


@api.get("/joint-projects", responses={200: JointProjects, **ERRORS})
@limited("matching")
def joint_projects(query: FilterQuery):
    """Joint-project suggestions: nearby smaller towns with the same open need."""
    return _json(service().joint_projects(query.k, query.filters()))
