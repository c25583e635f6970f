"""Request and response models: the API's contract, validated by pydantic and published as
OpenAPI by flask-openapi3."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from matcher.domain.schema import Category, Filters

ResultKind = Literal["projects", "municipalities", "providers"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MatchRequest(_Strict):
    """A municipality's challenge in free text."""

    text: str = Field(min_length=3, max_length=5000, description="The challenge, in German")
    k: int = Field(10, ge=1, le=100)
    kinds: list[ResultKind] = Field(
        default_factory=lambda: ["projects", "municipalities", "providers"], min_length=1
    )
    municipality: str | None = Field(None, max_length=120, description="Id of the asker")
    filters: Filters = Field(default_factory=Filters)

    @field_validator("k", mode="before")
    @classmethod
    def _no_booleans(cls, value):
        if isinstance(value, bool):
            raise ValueError("a number is required, not true/false")
        return value


class MatchResponse(BaseModel):
    projects: list[dict[str, Any]] = []
    municipalities: list[dict[str, Any]] = []
    providers: list[dict[str, Any]] = []


class FilterQuery(_Strict):
    """Filters and size of a ranked list, as query parameters."""

    k: int = Field(10, ge=1, le=100)
    category: list[Category] = Field(default_factory=list)
    district: str | None = Field(None, max_length=300)
    region: str | None = Field(None, max_length=300)
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
    category: list[Category] = Field(default_factory=list)
    district: str | None = Field(None, max_length=300)
    region: str | None = Field(None, max_length=300)
    municipality: str | None = Field(None, max_length=120)
    provider: str | None = Field(None, max_length=120)
    status: str | None = Field(None, max_length=40)


class ItemPath(_Strict):
    id: str = Field(min_length=1, max_length=120, pattern=r"^[^\s/]+$")


class ListResponse(BaseModel):
    items: list[dict[str, Any]]
    total: int
    limit: int
    offset: int


class Feedback(_Strict):
    """A user's verdict on one result, for the tuning notebooks."""

    query: str = Field(min_length=1, max_length=5000)
    item_kind: Literal[
        "projects", "municipalities", "providers", "offerings", "needs", "joint_projects", "leads"
    ]
    item_id: str = Field(min_length=1, max_length=120)
    verdict: Literal["passt", "passt_nicht"]


class FeedbackResponse(BaseModel):
    id: int


class ImportResponse(BaseModel):
    kind: str
    imported: int
    created_municipalities: list[str] = []
    warnings: list[str] = []


class AnyResponse(BaseModel):
    """A JSON object (see the description for its fields)."""

    model_config = ConfigDict(extra="allow")


class JointResponse(BaseModel):
    items: list[dict[str, Any]]
