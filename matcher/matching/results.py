"""The results a client reads (JSON, CLI, web pages), declared once as pydantic models.

The OpenAPI document describes these, mypy checks their users, and a renamed field is one diff.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from matcher.domain.funding import LeadSuggestion, ProgrammeFit
from matcher.domain.schema import ActorKind

# „hoch“: the calibrated probability of relevance reaches the kind's line (precision ≥ 0.9 on
# the tune half); „mittel“: a strong match by the rules that order the lists, but not sure;
# „niedrig“: neither (the pages fold these away as „unsicher“).
Confidence = Literal["hoch", "mittel", "niedrig"]


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Explanation(_Result):
    """Why a result was chosen: score components, matched query words, reasons in German."""

    text_fit: float | None = Field(None, description="how well the text fits, in [0, 1]")
    components: dict[str, float] = Field(
        default_factory=dict, description="each weighted part of the score"
    )
    matched_terms: list[str] = Field(
        default_factory=list, description="query words the item shares, rarest first"
    )
    reasons: list[str] = Field(default_factory=list, description="„Warum passt das?“ in German")


class ProviderRef(_Result):
    id: str
    name: str


class ItemRef(_Result):
    id: str
    title: str


class TownFields(_Result):
    """The fields every result about a municipality starts with."""

    id: str
    name: str
    title: str
    district: str
    region: str
    population: int | None
    actor_kind: ActorKind = Field(
        "gemeinde", description="gemeinde (municipality), kreis (district) or verband"
    )


class TownSummary(TownFields):
    """A municipality with its position (for maps)."""

    latitude: float | None
    longitude: float | None


class ProjectSummary(_Result):
    """The fields of a project that every list shows."""

    id: str
    title: str
    categories: list[str]
    municipalities: list[str] = Field(description="names of the towns taking part")
    municipality_ids: list[str]
    providers: list[ProviderRef]
    year: int | None
    status: str | None


class ProjectResult(ProjectSummary):
    """A project that fits the query."""

    kind: Literal["project"] = "project"
    score: float
    confidence: Confidence
    probability: float | None = Field(
        None, description="calibrated probability that it is relevant (kinds with a calibration)"
    )
    own: bool = Field(False, description="the asking municipality takes part in it")
    explanation: Explanation


class OfferingHit(_Result):
    id: str
    title: str
    score: float


class ProviderResult(_Result):
    """A provider with its fitting offerings and the matching projects it delivered."""

    kind: Literal["provider"] = "provider"
    id: str
    name: str
    title: str
    categories: list[str]
    regions: list[str]
    score: float
    confidence: Confidence
    probability: float | None = Field(
        None, description="calibrated probability that it is relevant (kinds with a calibration)"
    )
    offerings: list[OfferingHit]
    references: list[ProjectSummary]
    municipalities: list[str] = Field(description="names of the reference towns")
    existing_partner: bool = Field(
        False, description="it delivered a project in the asking municipality already"
    )
    explanation: Explanation


class MunicipalityResult(TownFields):
    """A peer municipality with the projects and needs that make it one."""

    kind: Literal["municipality"] = "municipality"
    distance_km: float | None
    categories: list[str]
    score: float
    confidence: Confidence
    probability: float | None = Field(
        None, description="calibrated probability that it is relevant (kinds with a calibration)"
    )
    relations: list[Literal["partner", "hat_geloest", "gleicher_bedarf"]]
    projects: list[str] = Field(description="ids of its matching projects")
    needs: list[str] = Field(description="ids of its matching needs")
    municipalities: list[str]
    explanation: Explanation


class LeadNeed(_Result):
    """A lead's open need that matched."""

    id: str
    title: str
    status: str
    score: float
    matched: str = Field(description="what the need matched, e.g. the offering's title")


class LeadResult(TownFields):
    """A municipality that could take up an offering or a project."""

    kind: Literal["lead"] = "lead"
    score: float
    confidence: Confidence
    probability: float | None = Field(
        None, description="calibrated probability that it is relevant (kinds with a calibration)"
    )
    basis: Literal["bedarf", "aehnliche_kommune"]
    needs: list[LeadNeed]
    similar_to: str | None = Field(description="id of the reference town it is like")
    existing_customer: bool = Field(
        False, description="the town already has a project with this provider"
    )
    explanation: Explanation


class DocumentResult(BaseModel):
    """A document that fits a challenge, with the passage that fits best."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["document"] = "document"
    id: str
    title: str
    document_kind: str = Field(description="konzept, leistungsbeschreibung, …")
    kind_label: str
    project: str = Field(description="the project's id")
    project_title: str
    municipalities: list[str] = Field(description="names of the project's towns")
    municipality_ids: list[str]
    licence: str
    licence_label: str
    reusable: bool = Field(description="False for „nur zur Ansicht“: read it, do not copy it")
    file_type: str
    language: str
    score: float
    confidence: Confidence
    own: bool = Field(False, description="the asking municipality takes part in the project")
    passage: str = Field(description="the fitting passage, quoted (shortened with …)")
    matched_terms: list[str] = Field(description="query words the passage shares")


class MatchResult(_Result):
    """Projects, peer municipalities and providers for a challenge."""

    projects: list[ProjectResult] = Field(default_factory=list)
    municipalities: list[MunicipalityResult] = Field(default_factory=list)
    providers: list[ProviderResult] = Field(default_factory=list)
    testfields: list[TestFieldResult] = Field(
        default_factory=list, description="only when asked for (kind `testfields`)"
    )
    documents: list[DocumentResult] = Field(
        default_factory=list, description="only when asked for (kind `documents`)"
    )


class NeedMatches(_Result):
    """An open need of a municipality with the projects and providers that fit it."""

    id: str
    title: str
    status: str
    projects: list[ProjectResult]
    providers: list[ProviderResult]


class PeersResult(_Result):
    """Peers of a municipality and its open needs, matched."""

    municipality: TownSummary
    peers: list[MunicipalityResult]
    needs: list[NeedMatches]


class LeadsResult(_Result):
    """Municipalities for a provider or one of its offerings."""

    provider: ProviderRef
    offerings: list[ItemRef]
    leads: list[LeadResult]


class SimilarResult(_Result):
    """Projects like a project elsewhere, and the municipalities that could adopt it."""

    project: ProjectSummary
    similar: list[ProjectResult]
    adopters: list[LeadResult]


class JointMember(TownSummary):
    """A member town of a joint project and its need."""

    need: str
    need_title: str


class Spread(_Result):
    """Largest and mean distance between members, in km."""

    max: float
    mean: float


class Likeness(_Result):
    """Smallest and mean cosine between the members' needs."""

    min: float
    mean: float


class JointProject(_Result):
    """Nearby smaller towns with the same open need, with a provider and a model project."""

    kind: Literal["joint_project"] = "joint_project"
    id: str
    title: str
    theme: str
    categories: list[str]
    score: float
    members: list[JointMember]
    distances_km: Spread
    similarity: Likeness
    providers: list[ProviderResult]
    projects: list[ProjectResult]
    explanation: Explanation
    programmes: list[ProgrammeFit] = Field(
        default_factory=list, description="fitting funding programmes (added by the service)"
    )
    lead: LeadSuggestion | None = Field(None, description="who could lead the group, and why")


class JointProjects(_Result):
    """Joint-project suggestions, best first."""

    items: list[JointProject]


# -- test fields (issue 24; ranked in matcher/matching/testfields.py) ---------------------------


class TestFieldResult(_Result):
    """A test field that fits a challenge or an offering, and why."""

    __test__ = False  # not a pytest test class

    kind: Literal["testfield"] = "testfield"
    id: str
    title: str
    place_type: str
    place_type_label: str
    municipality: str
    town: str = Field(description="name of the municipality it lies in")
    host_name: str
    categories: list[str]
    facilities: list[str]
    call_open: bool
    call_label: str
    distance_km: float | None = Field(None, description="from the asking town, if one asks")
    needs_met: list[str] = Field(
        default_factory=list, description="what the offering needs of a place, and it has"
    )
    needs_missing: list[str] = Field(
        default_factory=list, description="what the offering needs of a place, and it lacks"
    )
    score: float
    confidence: Confidence
    explanation: Explanation


class TestFieldProviders(_Result):
    """Providers whose offerings fit a test field."""

    __test__ = False

    testfield: ItemRef
    providers: list[ProviderResult]


class OfferingTestFields(_Result):
    """Open test fields for an offering."""

    offering: ItemRef
    needs: list[str] = Field(description="what the offering needs of a place, by its text")
    testfields: list[TestFieldResult]
