"""Entities of the domain: municipalities, projects, providers, offerings, needs.

These pydantic models are the data contract of every layer: the importer produces them,
the store persists them, the service ranks them, the API serializes them.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from matcher.domain.errors import ValidationError


class Category(StrEnum):
    """The fixed taxonomy of topics."""

    mobilitaet = "mobilitaet"
    energie = "energie"
    umwelt = "umwelt"
    verwaltung = "verwaltung"
    beteiligung = "beteiligung"
    bildung = "bildung"
    gesundheit = "gesundheit"
    wirtschaft = "wirtschaft"
    infrastruktur = "infrastruktur"
    sicherheit = "sicherheit"
    daten = "daten"


CATEGORY_LABELS: dict[Category, str] = {
    Category.mobilitaet: "Mobilität & Verkehr",
    Category.energie: "Energie & Beleuchtung",
    Category.umwelt: "Umwelt, Klima & Wasser",
    Category.verwaltung: "Digitale Verwaltung & Bürgerservices",
    Category.beteiligung: "Bürgerbeteiligung & Kommunikation",
    Category.bildung: "Bildung & digitale Teilhabe",
    Category.gesundheit: "Gesundheit & Pflege",
    Category.wirtschaft: "Wirtschaft, Handel & Tourismus",
    Category.infrastruktur: "Netze & Sensorik",
    Category.sicherheit: "Sicherheit & Katastrophenschutz",
    Category.daten: "Daten, Open Data & digitaler Zwilling",
}

ProjectStatus = Literal["geplant", "laufend", "abgeschlossen"]
NeedStatus = Literal["offen", "in_arbeit", "erledigt"]
Kind = Literal["municipalities", "projects", "providers", "offerings", "needs"]
KINDS: tuple[str, ...] = ("municipalities", "projects", "providers", "offerings", "needs")

ItemId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=r"^[^\s/]+$"),
]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
# Short fields (district, funding, a name or id in a list) are as long as a title at most, as
# their database columns are: a megabyte there is a mistake or an attack, refused with a 400.
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)]


class Entity(BaseModel):
    """Common base: strict about unknown fields, ids are stripped non-empty strings."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: ItemId


def _dedupe(values: list) -> list:
    return list(dict.fromkeys(values))


class Municipality(Entity):
    """A German municipality (Gemeinde); `id` is its 8-digit AGS where known, else a slug."""

    name: Title
    district: Short = ""
    region: Short = ""
    population: int | None = Field(default=None, ge=0)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    ags: str = Field(default="", pattern=r"^(\d{8})?$")


class Project(Entity):
    """A digitalisation project already running somewhere (a best practice)."""

    title: Title
    description: Text = ""
    categories: list[Category] = Field(default_factory=list)
    municipalities: list[Short] = Field(default_factory=list)
    year: int | None = Field(default=None, ge=1990, le=2100)
    status: ProjectStatus | None = None
    funding: Short = ""
    providers: list[Short] = Field(default_factory=list)
    contact: Short = ""

    _unique = field_validator("categories", "municipalities", "providers")(_dedupe)


class Provider(Entity):
    """A solution provider (company, cooperative, association)."""

    name: Title
    description: Text = ""
    regions: list[Short] = Field(default_factory=list)

    _unique = field_validator("regions")(_dedupe)


class Offering(Entity):
    """A provider's product or service, with the projects it was used in."""

    provider: ItemId
    title: Title
    description: Text = ""
    categories: list[Category] = Field(default_factory=list)
    references: list[Short] = Field(default_factory=list)

    _unique = field_validator("categories", "references")(_dedupe)


class Need(Entity):
    """A municipality's open challenge."""

    municipality: ItemId
    title: Title
    description: Text = ""
    categories: list[Category] = Field(default_factory=list)
    status: NeedStatus = "offen"
    date: dt.date | None = None

    _unique = field_validator("categories")(_dedupe)


MODELS: dict[str, type[Entity]] = {
    "municipalities": Municipality,
    "projects": Project,
    "providers": Provider,
    "offerings": Offering,
    "needs": Need,
}

# Fields that hold a list; in CSV they are written with ";" between the values.
LIST_FIELDS: dict[str, tuple[str, ...]] = {
    kind: tuple(
        name
        for name, f in model.model_fields.items()
        if getattr(f.annotation, "__origin__", None) is list
    )
    for kind, model in MODELS.items()
}


def model_for(kind: str) -> type[Entity]:
    """The entity class of a kind name ("projects", …)."""
    try:
        return MODELS[kind]
    except KeyError:
        raise ValidationError(
            f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}"
        ) from None


def display_name(item: Entity) -> str:
    """Title or name of any entity."""
    return getattr(item, "title", None) or getattr(item, "name", "")


def text_of(item: Entity) -> str:
    """The text that represents an item for matching (title, then description)."""
    head = display_name(item)
    body = getattr(item, "description", "") or ""
    return f"{head}. {body}".strip() if body else head


class Filters(BaseModel):
    """Restrictions a user puts on any result list."""

    model_config = ConfigDict(extra="forbid")

    categories: list[Category] = Field(default_factory=list)
    district: Short | None = None
    region: Short | None = None
    min_population: int | None = Field(default=None, ge=0)
    max_population: int | None = Field(default=None, ge=0)
    max_distance_km: float | None = Field(default=None, gt=0)

    @field_validator("min_population", "max_population", "max_distance_km", mode="before")
    @classmethod
    def _no_booleans(cls, value):
        # JSON true/false is not a number, though Python would take it as 1/0.
        if isinstance(value, bool):
            raise ValueError("a number is required, not true/false")
        return value

    def is_empty(self) -> bool:
        """True if nothing is restricted."""
        return not any(v for v in self.model_dump().values())
