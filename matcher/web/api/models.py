"""Request and response models: the API's contract, validated by pydantic and published as
OpenAPI by flask-openapi3."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator

from matcher.domain.schema import (
    MAX_CHALLENGE_CHARS,
    MAX_ID_CHARS,
    MAX_RESULTS,
    MIN_CHALLENGE_CHARS,
    ActorKind,
    Browse,
    Categories,
    Entity,
    FeedbackKind,
    Filters,
    ItemId,
    Municipality,
    Short,
    Verdict,
)

ResultKind = Literal["projects", "municipalities", "providers", "testfields", "documents"]
# Without `kinds`, a challenge gets these three; test fields and documents are asked for by name.
DEFAULT_RESULT_KINDS: tuple[ResultKind, ...] = ("projects", "municipalities", "providers")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MatchRequest(_Strict):
    """A municipality's challenge in free text."""

    text: str = Field(
        min_length=MIN_CHALLENGE_CHARS,
        max_length=MAX_CHALLENGE_CHARS,
        description="The challenge, in German",
    )
    k: int = Field(10, ge=1, le=MAX_RESULTS)
    kinds: list[ResultKind] = Field(
        default_factory=lambda: list(DEFAULT_RESULT_KINDS),
        min_length=1,
        description="the three of a challenge unless named; also testfields and documents",
    )
    municipality: str | None = Field(None, max_length=MAX_ID_CHARS, description="Id of the asker")
    filters: Filters = Field(default_factory=Filters)

    @field_validator("k", mode="before")
    @classmethod
    def _no_booleans(cls, value):
        if isinstance(value, bool):
            raise ValueError("a number is required, not true/false")
        return value


class FilterQuery(_Strict):
    """Filters and size of a ranked list, as query parameters."""

    k: int = Field(10, ge=1, le=MAX_RESULTS)
    category: Categories = Field(default_factory=list)
    district: Short | None = None  # as the filters' own (one line): a 400 here, not in `filters`
    region: Short | None = None
    min_population: int | None = Field(None, ge=0)
    max_population: int | None = Field(None, ge=0)
    max_distance_km: float | None = Field(None, gt=0)

    def filters(self) -> Filters:
        return Filters(
            categories=self.category,
            district=self.district,
            region=self.region,
            min_population=self.min_population,
            max_population=self.max_population,
            max_distance_km=self.max_distance_km,
        )


class ListQuery(_Strict):
    """Paging and simple filters of a plain list."""

    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)
    q: str | None = Field(None, max_length=200, description="Substring of name or title")
    category: Categories = Field(default_factory=list)
    district: str | None = Field(None, max_length=300)
    region: str | None = Field(None, max_length=300)
    municipality: str | None = Field(None, max_length=MAX_ID_CHARS)
    provider: str | None = Field(None, max_length=MAX_ID_CHARS)
    status: str | None = Field(None, max_length=40)
    actor_kind: ActorKind | None = Field(
        None, description="Municipalities only: gemeinde, kreis (district) or verband"
    )

    def browse(self) -> Browse:
        return Browse(
            text=self.q,
            categories=self.category,
            district=self.district,
            region=self.region,
            municipality=self.municipality,
            provider=self.provider,
            status=self.status,
            actor_kind=self.actor_kind,
            limit=self.limit,
            offset=self.offset,
        )


class ItemPath(_Strict):
    """An item's id in a path: the schema's id type (an id that cannot exist is a 400)."""

    id: ItemId


class ListResponse(BaseModel):
    """A page of items of one kind (`list_response` makes one per kind, with its item schema)."""

    items: list[Any]
    total: int
    limit: int
    offset: int


def list_response(model: type[Entity]) -> type[ListResponse]:
    """The list response of one kind of entity, its items typed (for the OpenAPI document)."""
    return create_model(
        f"{model.__name__}List",
        __base__=ListResponse,
        items=(list[model], ...),  # type: ignore[valid-type]
    )


class ActorMembers(BaseModel):
    """A district's or association's members, and the districts and associations an actor
    (of any kind) belongs to. A district's members follow from its official key or name; an
    association's are the ones it lists."""

    id: str
    kind: ActorKind
    members: list[Municipality]
    memberships: list[Municipality]


class Feedback(_Strict):
    """A user's verdict on one result, for the tuning notebooks."""

    query: str = Field(min_length=1, max_length=MAX_CHALLENGE_CHARS)
    item_kind: FeedbackKind
    item_id: ItemId
    verdict: Verdict


class FeedbackResponse(BaseModel):
    id: int


class FeedbackQuery(_Strict):
    limit: int = Field(100, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


class FeedbackPath(_Strict):
    id: int = Field(ge=1, le=2**62)


class FeedbackReview(_Strict):
    """Staff's decision: „angenommen“ (into training), „verworfen“, or back to „neu“."""

    status: Literal["neu", "angenommen", "verworfen"]


class FeedbackEntry(BaseModel):
    """One verdict as staff review it (who gave it stays a hash)."""

    id: int
    query: str
    item_kind: str
    item_id: str
    verdict: str
    created: str
    status: str
    anonymous: bool = Field(description="From an address without a key")


class FeedbackList(BaseModel):
    items: list[FeedbackEntry]


class ImportResponse(BaseModel):
    kind: str
    imported: int
    created_municipalities: list[str] = []
    warnings: list[str] = []


class Health(BaseModel):
    """Service state and item counts; with an admin key also the extra fields database,
    encoder and index (per kind)."""

    model_config = ConfigDict(extra="allow")

    status: Literal["ok", "starting", "unavailable"]
    counts: dict[str, int] | None = Field(None, description="Items per kind (absent if down)")
