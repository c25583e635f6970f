"""Entities of the domain: municipalities, projects, providers, offerings, needs.

These pydantic models are the data contract of every layer: the importer produces them,
the store persists them, the service ranks them, the API serializes them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

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

# What kind of actor a `Municipality` record is: a municipality (also a kreisfreie Stadt), a
# district (Landkreis/Kreis) or an association of municipalities (Zweckverband, Amt, …).
ActorKind = Literal["gemeinde", "kreis", "verband"]
ACTOR_KINDS: tuple[str, ...] = get_args(ActorKind)
ACTOR_KIND_LABELS: dict[str, str] = {
    "gemeinde": "Kommune",
    "kreis": "Landkreis",
    "verband": "Kommunaler Zusammenschluss",
}
# Digits of the official key of each kind: the AGS of a municipality, the Kreisschlüssel of a
# district, the Gemeindeverbandsschlüssel (Land, Regierungsbezirk, Kreis, Verband) of an
# association in the official directory.
AGS_DIGITS: dict[str, int] = {"gemeinde": 8, "kreis": 5, "verband": 9}
# The members an association may list: the largest Gemeindeverband of the official directory (a
# Verbandsgemeinde) has 71; a district's members are never listed (they follow from its key).
MAX_MEMBERS = 100

ProjectStatus = Literal["geplant", "laufend", "abgeschlossen"]
NeedStatus = Literal["offen", "in_arbeit", "erledigt"]
Kind = Literal["municipalities", "projects", "providers", "offerings", "needs"]
KINDS: tuple[str, ...] = ("municipalities", "projects", "providers", "offerings", "needs")

# The shortest and longest challenge text accepted anywhere (API, web form, service).
MIN_CHALLENGE_CHARS = 3
MAX_CHALLENGE_CHARS = 5000
# The longest result list anyone may ask for (k).
MAX_RESULTS = 100
# What a "passt / passt nicht" verdict may be about: an entity kind or a result list.
FeedbackKind = Literal[
    "projects", "municipalities", "providers", "offerings", "needs", "joint_projects", "leads"
]
FEEDBACK_KINDS: tuple[str, ...] = get_args(FeedbackKind)
Verdict = Literal["passt", "passt_nicht"]
VERDICTS: tuple[str, ...] = get_args(Verdict)

# Lengths are checked on the text as sent, then surrounding white space is dropped: the OpenAPI
# document's maxLength is then exactly what is accepted (stripping first let a long text padded
# with spaces through).


def _stripped(value: str) -> str:
    return value.strip()


def _stripped_not_empty(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty")
    return value


ItemId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=120, pattern=r"^[^\s/]+$"),
]
Title = Annotated[
    str, StringConstraints(min_length=1, max_length=300), AfterValidator(_stripped_not_empty)
]
Text = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(_stripped)]
# Short fields (district, funding, a name or id in a list) are as long as a title at most, as
# their database columns are: a megabyte there is a mistake or an attack, refused with a 400.
Short = Annotated[str, StringConstraints(max_length=300), AfterValidator(_stripped)]


# A contact is a role mailbox ("digitalisierung@mossautal.example"), never a person's address.
# Local part and domain as mail servers take them, but without the characters that would let
# an address smuggle headers into a mailto: link (`?`, `&`, `=`, spaces); 254 characters is the
# longest address SMTP carries.
MAX_EMAIL_CHARS = 254
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+"
)


def _mailbox(value: str) -> str:
    value = value.strip()
    if value and not _EMAIL.fullmatch(value):
        raise ValueError("must be an e-mail address like name@domain.example")
    return value


ContactEmail = Annotated[
    str, StringConstraints(max_length=MAX_EMAIL_CHARS), AfterValidator(_mailbox)
]


# A list in a request is at most this long (towns of a project, references, regions): real
# records have a handful; a million entries would only cost CPU.
MAX_LIST_ITEMS = 200


def _at_most_the_taxonomy(value: object) -> object:
    if isinstance(value, list) and len(value) > len(Category):
        raise ValueError(f"at most {len(Category)} categories (the taxonomy has no more)")
    return value


def _at_most_list_items(value: object) -> object:
    if isinstance(value, list) and len(value) > MAX_LIST_ITEMS:
        raise ValueError(f"at most {MAX_LIST_ITEMS} entries")
    return value


def _at_most_members(value: object) -> object:
    if isinstance(value, list) and len(value) > MAX_MEMBERS:
        raise ValueError(f"at most {MAX_MEMBERS} members")
    return value


Categories = Annotated[list[Category], BeforeValidator(_at_most_the_taxonomy)]
Shorts = Annotated[list[Short], BeforeValidator(_at_most_list_items)]
Members = Annotated[list[Short], BeforeValidator(_at_most_members)]


class Entity(BaseModel):
    """Common base: strict about unknown fields, ids are stripped non-empty strings."""

    model_config = ConfigDict(extra="forbid")

    id: ItemId


def _dedupe(values: list) -> list:
    return list(dict.fromkeys(values))


class Municipality(Entity):
    """An actor that runs projects and has needs: a municipality (Gemeinde, also a kreisfreie
    Stadt), a district (Landkreis/Kreis) or an association of municipalities (Zweckverband,
    Gemeindeverwaltungsverband, Amt, interkommunale Zusammenarbeit), told apart by `kind`.

    `id` is the official key where known (`ags`: 8-digit AGS, 5-digit Kreisschlüssel, 9-digit
    Gemeindeverbandsschlüssel), else a slug. A district's `district` is its own name, so that
    district filters find it with its towns. Its members follow from its key or name
    (`Catalog.members`); an association lists its members' ids in `members`.
    """

    name: Title
    district: Short = ""
    region: Short = ""
    population: int | None = Field(default=None, ge=0)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    ags: str = Field(default="", pattern=r"^(\d{5}|\d{8}|\d{9})?$")
    kind: ActorKind = "gemeinde"
    members: Members = Field(
        default_factory=list, description="Ids of an association's members (kind 'verband')"
    )
    area_km2: float | None = Field(default=None, ge=0)
    contact_email: ContactEmail = Field(default="", description="A role mailbox, no person's")

    _unique = field_validator("members")(_dedupe)

    @model_validator(mode="after")
    def _fits_its_kind(self) -> Municipality:
        if self.ags and len(self.ags) != AGS_DIGITS[self.kind]:
            raise ValueError(
                f"the official key of a {self.kind} has {AGS_DIGITS[self.kind]} digits"
            )
        if self.members and self.kind != "verband":
            raise ValueError(
                "only an association (kind 'verband') lists members; a district's members "
                "follow from its key or name"
            )
        if self.id in self.members:
            raise ValueError("an association cannot be its own member")
        return self


class Project(Entity):
    """A digitalisation project already running somewhere (a best practice)."""

    title: Title
    description: Text = ""
    categories: Categories = Field(default_factory=list)
    municipalities: Shorts = Field(default_factory=list)
    year: int | None = Field(default=None, ge=1990, le=2100)
    status: ProjectStatus | None = None
    funding: Short = ""
    providers: Shorts = Field(default_factory=list)
    contact: Short = ""
    contact_email: ContactEmail = Field(default="", description="A role mailbox, no person's")

    _unique = field_validator("categories", "municipalities", "providers")(_dedupe)


class Provider(Entity):
    """A solution provider (company, cooperative, association)."""

    name: Title
    description: Text = ""
    regions: Shorts = Field(default_factory=list)
    contact_email: ContactEmail = Field(default="", description="A role mailbox, no person's")

    _unique = field_validator("regions")(_dedupe)


class Offering(Entity):
    """A provider's product or service, with the projects it was used in."""

    provider: ItemId
    title: Title
    description: Text = ""
    categories: Categories = Field(default_factory=list)
    references: Shorts = Field(default_factory=list)

    _unique = field_validator("categories", "references")(_dedupe)


class Need(Entity):
    """A municipality's open challenge (or a district's, or an association's)."""

    # An id, or a name as people write it ("Landkreis Gießen"), resolved to an id on import.
    municipality: Annotated[
        str, StringConstraints(min_length=1, max_length=300), AfterValidator(_stripped_not_empty)
    ]
    title: Title
    description: Text = ""
    categories: Categories = Field(default_factory=list)
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
    # Every entity has a `title` or a `name` (both non-empty strings); Entity itself has neither.
    title: str | None = getattr(item, "title", None)
    if title:
        return title
    name: str = getattr(item, "name", "")
    return name


def text_of(item: Entity) -> str:
    """The text that represents an item for matching (title, then description)."""
    head = display_name(item)
    body = getattr(item, "description", "") or ""
    return f"{head}. {body}".strip() if body else head


class Browse(BaseModel):
    """What a plain list of items is restricted to, and which page of it."""

    model_config = ConfigDict(extra="forbid")

    text: str | None = None  # a substring of the name or title
    categories: Categories = Field(default_factory=list)
    district: str | None = None
    region: str | None = None
    municipality: str | None = None
    provider: str | None = None
    status: str | None = None
    actor_kind: ActorKind | None = None  # municipalities only
    funding: str | None = None  # projects only: the funding programme, as written
    min_population: int | None = None  # a town of the item has at least this many inhabitants
    max_population: int | None = None  # … and at most this many
    by_name: bool = False  # order by name or title (as people read a list), else by id
    limit: int = 50
    offset: int = 0


class Filters(BaseModel):
    """Restrictions a user puts on any result list."""

    model_config = ConfigDict(extra="forbid")

    categories: Categories = Field(default_factory=list)
    district: Short | None = None
    region: Short | None = None
    min_population: int | None = Field(default=None, ge=0)
    max_population: int | None = Field(default=None, ge=0)
    max_distance_km: float | None = Field(default=None, gt=0)

    _unique = field_validator("categories")(_dedupe)

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

    def has_place(self) -> bool:
        """True if any place or size filter is set (district, region, population, distance)."""
        return bool(self.district or self.region) or any(
            v is not None for v in (self.min_population, self.max_population, self.max_distance_km)
        )

    def only_region(self) -> bool:
        """True if the region is the only place filter (a provider may pass it by serving it)."""
        return bool(self.region) and self.model_copy(update={"region": None}).has_place() is False

    def allows(self, categories: Iterable[str]) -> bool:
        """True unless categories are asked for and these share none of them."""
        return not self.categories or bool(set(self.categories) & {str(c) for c in categories})

    def without_distance(self) -> Filters:
        """The same filters without the distance (for lists that have no asker)."""
        return self.model_copy(update={"max_distance_km": None})
