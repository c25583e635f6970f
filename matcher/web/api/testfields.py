"""Test fields (issue 24): matching both ways, and providers' applications to pilot there.

The test fields themselves are an item kind: `/api/v1/testfields` lists, reads and writes them
like every other kind (`entities`). Here: the providers for a test field, the open test fields
for an offering, and the applications, which only the test field's owner, the applicant and
admins see (anyone else gets a 404).
"""

from __future__ import annotations

from flask_openapi3 import APIBlueprint, Tag
from pydantic import BaseModel, ConfigDict, Field

from matcher.domain.schema import MAX_RESULTS, ItemId
from matcher.domain.testfields import Application, ApplicationRequest, Pilot, StatusChange
from matcher.matching.results import OfferingTestFields, TestFieldProviders
from matcher.web.api.docs import BEARER, ERRORS, WRITE_ERRORS
from matcher.web.api.models import ItemPath
from matcher.web.core.auth import writer
from matcher.web.core.current import dumped, role, service
from matcher.web.core.limits import limited

api = APIBlueprint(
    "testfields",
    __name__,
    url_prefix="/api/v1",
    abp_tags=[Tag(name="Testfelder", description="Orte zum Erproben, Bewerbungen, Piloten")],
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KQuery(_Strict):
    k: int = Field(10, ge=1, le=MAX_RESULTS)


class ApplicationPath(_Strict):
    # Application ids are "bew-" and 16 hex digits; anything else cannot exist (a 400).
    id: str = Field(pattern=r"^bew-[0-9a-f]{16}$", max_length=20)


class ApplicationList(BaseModel):
    items: list[Application]


class PilotList(BaseModel):
    items: list[Pilot]


class ProviderPath(_Strict):
    id: ItemId


@api.get("/testfields/<string:id>/providers", responses={200: TestFieldProviders, **ERRORS})
@limited("matching")
def testfield_providers(path: ItemPath, query: KQuery):
    """Providers whose offerings fit a test field, with what their offering needs of it."""
    return dumped(service().testfields.providers(path.id, query.k))


@api.get("/offerings/<string:id>/testfields", responses={200: OfferingTestFields, **ERRORS})
@limited("matching")
def offering_testfields(path: ItemPath, query: KQuery):
    """Open test fields for an offering: topic, what it needs of a place, where."""
    return dumped(service().testfields.for_offering(path.id, query.k))


@api.post(
    "/testfields/<string:id>/applications",
    responses={201: Application, **WRITE_ERRORS},
    security=BEARER,
)
@limited("writes")
def apply(path: ItemPath, body: ApplicationRequest):
    """A provider (key provider:<id>) applies to pilot on a test field; a closed call is a
    409 with a German message."""
    actor = writer(role())
    return dumped(service().testfields.apply(path.id, body, actor)), 201


@api.get(
    "/testfields/<string:id>/applications",
    responses={200: ApplicationList, **WRITE_ERRORS},
    security=BEARER,
)
@limited("contacts")
def applications(path: ItemPath):
    """The applications to a test field: every one for its owner and admins, a provider's
    own for a provider, none for anyone else (a key is needed)."""
    found = service().testfields.applications(path.id, writer(role()))
    return dumped(ApplicationList(items=found))


@api.get(
    "/applications/<string:id>",
    responses={200: Application, **WRITE_ERRORS},
    security=BEARER,
)
@limited("contacts")
def application(path: ApplicationPath):
    """One application: for the test field's owner, the applicant and admins; 404 else."""
    return dumped(service().testfields.application(path.id, writer(role())))


@api.patch(
    "/applications/<string:id>",
    responses={200: Application, **WRITE_ERRORS},
    security=BEARER,
)
@limited("writes")
def move_application(path: ApplicationPath, body: StatusChange):
    """The test field's owner moves an application on: beworben → vorausgewaehlt → pilot →
    evaluiert → uebernommen, or beendet at any step; any other step is a 409."""
    return dumped(service().testfields.move(path.id, body.status, writer(role())))


@api.get("/providers/<string:id>/pilots", responses={200: PilotList, **ERRORS})
@limited("contacts")
def provider_pilots(path: ProviderPath):
    """A provider's evaluated or adopted pilots on test fields („erprobt in …“)."""
    service().get("providers", path.id)  # 404 for a provider that does not exist
    return dumped(PilotList(items=service().testfields.pilots(path.id)))
