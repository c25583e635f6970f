"""Entities of the domain: municipalities, projects, providers, offerings, needs.

These pydantic models are the data contract of every layer: the importer produces them,
the store persists them, the service ranks them, the API serializes them.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_serializer,
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
Kind = Literal["municipalities", "projects", "providers", "offerings", "needs", "testfields"]
KINDS: tuple[str, ...] = get_args(Kind)  # the item kinds, named once

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

# Records read back from the store were valid when they were written: the rules below that came
# later (the id alphabet, no control characters) apply to what is written, so that an existing
# database stays readable. The store validates what it reads with this context.
STORED: dict[str, object] = {"stored": True}


def _stored(info: ValidationInfo) -> bool:
    return isinstance(info.context, dict) and info.context.get("stored") is True


# Lengths are checked on the text as sent, then surrounding white space is dropped: the OpenAPI
# document's maxLength is then exactly what is accepted (stripping first let a long text padded
# with spaces through).
# A one-line field (title, name, id, district, contact, …) has no control character (C0, DEL,
# C1) and no Unicode line or paragraph separator: it cannot break a mail header, a mailto:
# link, a CSV row or a log line. A multi-line text keeps line feeds and tabs (CR LF and a lone
# CR become a line feed) and no other control character.
LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NOT_IN_A_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ONE_LINE = "must be one line, without line breaks or control characters"
NO_CONTROL = "must not contain control characters other than line breaks and tabs"


def _one_line(value: str, info: ValidationInfo) -> str:
    value = value.strip()
    if not _stored(info) and LINE_BREAKING.search(value):
        raise ValueError(ONE_LINE)
    return value


def _one_line_not_empty(value: str, info: ValidationInfo) -> str:
    value = _one_line(value, info)
    if not value:
        raise ValueError("must not be empty")
    return value


def _lines(value: str, info: ValidationInfo) -> str:
    if _stored(info):
        return value.strip()
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if _NOT_IN_A_TEXT.search(value):
        raise ValueError(NO_CONTROL)
    return value


# Ids are part of addresses (/projekte/<id>, /api/v1/projects/<id>) and file names: a safe slug
# alphabet, after NFC normalisation (so that "münchen" sent composed or decomposed is one id):
# lower-case letters (with ä, ö, ü, ß), digits, and `_`, `-` and `.` inside, beginning with a
# letter or digit; a dot is followed by another character (no `..`, no dot at the end). No white
# space, zero-width or other format character, `/`, `\`, `?`, `#`, `%` or capital: every id is
# reachable, and none looks like another. Existing ids (slugs, official keys) all fit.
MAX_ID_CHARS = 120
# A title, name or other one-line field (district, funding, a name in a list); the database
# columns are as long.
MAX_TITLE_CHARS = 300
ID_PATTERN = r"^[a-z0-9äöüß](?:[a-z0-9äöüß_-]|\.[a-z0-9äöüß_-])*$"
_ID = re.compile(ID_PATTERN)
ID_RULE = (
    "must be an id of lower-case letters, digits, '-', '_' and '.' (not '..'), "
    "beginning with a letter or digit"
)


def _safe_id(value: str, info: ValidationInfo) -> str:
    if _stored(info):
        return value
    value = unicodedata.normalize("NFC", value)
    if not _ID.fullmatch(value):
        raise ValueError(ID_RULE)
    return value


ItemId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_ID_CHARS),
    AfterValidator(_safe_id),
    WithJsonSchema(
        {"type": "string", "minLength": 1, "maxLength": MAX_ID_CHARS, "pattern": ID_PATTERN}
    ),
]
Title = Annotated[
    str,
    StringConstraints(min_length=1, max_length=MAX_TITLE_CHARS),
    AfterValidator(_one_line_not_empty),
]
Text = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(_lines)]
# Short fields (district, funding, a name or id in a list) are as long as a title at most, as
# their database columns are: a megabyte there is a mistake or an attack, refused with a 400.
Short = Annotated[str, StringConstraints(max_length=MAX_TITLE_CHARS), AfterValidator(_one_line)]


def _reference(value: str, info: ValidationInfo) -> str:
    """An actor named by id, official key or name ("Erbach (Odenwald)"), resolved to an id on
    writing: one line, NFC, without format characters (a zero-width space) or only dots."""
    value = _one_line_not_empty(value, info)
    if _stored(info):
        return value
    value = unicodedata.normalize("NFC", value)
    if not value.strip(".") or any(unicodedata.category(c) == "Cf" for c in value):
        raise ValueError("must be an id or a name, not only dots, without format characters")
    return value


# A reference to an actor: an id, an official key or a name as people write it.
Reference = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_TITLE_CHARS), AfterValidator(_reference)
]


# A contact is a role mailbox ("digitalisierung@mossautal.example"), never a person's address.
PRIVATE_MAILBOX = (
    "A role mailbox, no person's; private: only in answers to keys that may see it (SECURITY.md)"
)
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
ItemIds = Annotated[list[ItemId], BeforeValidator(_at_most_list_items)]
References = Annotated[list[Reference], BeforeValidator(_at_most_list_items)]
Members = Annotated[list[Reference], BeforeValidator(_at_most_members)]


# The serialisation context key that names who a dump is for (`model_dump(context={VIEWER:
# …})`): an object with `may_see_private(item) -> bool` (`matcher.domain.access.Viewer`), or
# EVERYONE_PRIVATE for the store, hashes and trusted local callers. Without it, a dump carries
# no private field: a new endpoint or page that forgets to say who asks cannot leak an address.
VIEWER = "viewer"
EVERYONE_PRIVATE = "all"
WITH_PRIVATE: dict[str, object] = {VIEWER: EVERYONE_PRIVATE}


class Entity(BaseModel):
    """Common base: strict about unknown fields, ids are stripped non-empty strings.

    `PRIVATE` names the fields (contact addresses) that leave a dump only for a viewer that
    may see them (the serialisation context's VIEWER); every other dump drops them."""

    model_config = ConfigDict(extra="forbid")
    PRIVATE: ClassVar[tuple[str, ...]] = ()

    id: ItemId

    # No return annotation: pydantic would take it as the serialised schema (an opaque object)
    # and the OpenAPI document would lose every response's fields.
    @model_serializer(mode="wrap")
    def _private_by_default(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo):  # type: ignore[no-untyped-def]
        data: dict[str, Any] = handler(self)
        if not self.PRIVATE:
            return data
        viewer = (info.context or {}).get(VIEWER) if isinstance(info.context, dict) else None
        if viewer == EVERYONE_PRIVATE or (
            viewer is not None and not isinstance(viewer, str) and viewer.may_see_private(self)
        ):
            return data
        for name in self.PRIVATE:
            data.pop(name, None)
        return data


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
    # ASCII digits: `\d` would also take other scripts' digits ("٠٦٤١١٠٠٠").
    ags: str = Field(default="", pattern=r"^([0-9]{5}|[0-9]{8}|[0-9]{9})?$")
    kind: ActorKind = "gemeinde"
    members: Members = Field(
        default_factory=list, description="Ids of an association's members (kind 'verband')"
    )
    area_km2: float | None = Field(default=None, ge=0)
    contact_email: ContactEmail = Field(default="", description=PRIVATE_MAILBOX)
    PRIVATE: ClassVar[tuple[str, ...]] = ("contact_email",)

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
    municipalities: References = Field(default_factory=list)
    year: int | None = Field(default=None, ge=1990, le=2100)
    status: ProjectStatus | None = None
    funding: Short = ""
    providers: ItemIds = Field(default_factory=list)
    contact: Short = ""
    contact_email: ContactEmail = Field(default="", description=PRIVATE_MAILBOX)
    PRIVATE: ClassVar[tuple[str, ...]] = ("contact", "contact_email")

    _unique = field_validator("categories", "municipalities", "providers")(_dedupe)


class Provider(Entity):
    """A solution provider (company, cooperative, association)."""

    name: Title
    description: Text = ""
    regions: Shorts = Field(default_factory=list)
    contact_email: ContactEmail = Field(default="", description=PRIVATE_MAILBOX)
    PRIVATE: ClassVar[tuple[str, ...]] = ("contact_email",)

    _unique = field_validator("regions")(_dedupe)


class Offering(Entity):
    """A provider's product or service, with the projects it was used in."""

    provider: ItemId
    title: Title
    description: Text = ""
    categories: Categories = Field(default_factory=list)
    references: ItemIds = Field(default_factory=list)

    _unique = field_validator("categories", "references")(_dedupe)


class Need(Entity):
    """A municipality's open challenge (or a district's, or an association's)."""

    # An id, or a name as people write it ("Landkreis Gießen"), resolved to an id on import.
    municipality: Reference
    title: Title
    description: Text = ""
    categories: Categories = Field(default_factory=list)
    status: NeedStatus = "offen"
    date: dt.date | None = None

    _unique = field_validator("categories")(_dedupe)


# -- test fields (issue 24; vocabulary, labels and the application rules: domain/testfields.py)

PlaceType = Literal[
    "strassenzug",
    "quartier",
    "platz",
    "gebaeude",
    "park",
    "stadion",
    "gewerbegebiet",
    "campus",
    "landstrasse",
    "ortskern",
]
# What a test field offers a pilot on the spot.
Facility = Literal[
    "strassenlaternen_strom",
    "lorawan",
    "5g",
    "glasfaser",
    "wlan",
    "datenplattform",
    "strom",
    "masten",
    "parkflaechen",
]
# What a pilot must bring or fulfil.
Condition = Literal["genehmigung", "datenschutz", "eu_hosting", "versicherung"]
Payer = Literal["anbieter", "gastgeber", "foerderung", "geteilt"]
CallMode = Literal["frist", "laufend"]
# A test field lasts at most this long, in months (a pilot beyond that is a roll-out).
MAX_PILOT_MONTHS = 60
# Slots a test field may offer at once (a stadium hosts a handful, not hundreds).
MAX_SLOTS = 50


class TestField(Entity):
    """A place where providers may pilot a solution in daily municipal use (a street, a
    quarter, a square, a stadium), kept by its owner: the municipality or district it lies in,
    or a host organisation that is neither (`host`: a stadium operator, a utility, a campus),
    which then owns it alone (role `host:<host>`)."""

    __test__ = False  # not a pytest test class, whatever its name says

    title: Title
    description: Text = ""
    # Where it lies: an id, or a name as people write it, resolved to an id on writing.
    municipality: Reference
    host: ItemId | None = Field(
        default=None, description="Id of the host organisation that owns it, if not the town"
    )
    # The organisation on site (an operator), also where the town keeps the test field.
    host_name: Short = ""
    place_type: PlaceType
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    area_ha: float | None = Field(default=None, ge=0, le=100_000)
    categories: Categories = Field(default_factory=list)
    facilities: Annotated[list[Facility], BeforeValidator(_at_most_list_items)] = Field(
        default_factory=list
    )
    data_licence: Short = Field(default="", description="Licence of the data platform's data")
    available_from: dt.date | None = None
    available_until: dt.date | None = None
    max_pilot_months: int | None = Field(default=None, ge=1, le=MAX_PILOT_MONTHS)
    slots: int = Field(default=1, ge=1, le=MAX_SLOTS)
    payer: Payer = "anbieter"
    conditions: Annotated[list[Condition], BeforeValidator(_at_most_list_items)] = Field(
        default_factory=list
    )
    conditions_note: Text = ""
    evaluation: Text = ""
    report_published: bool = False
    call: CallMode = "laufend"
    deadline: dt.date | None = None
    contact: Short = ""
    contact_email: ContactEmail = Field(default="", description=PRIVATE_MAILBOX)
    PRIVATE: ClassVar[tuple[str, ...]] = ("contact", "contact_email")

    _unique = field_validator("categories", "facilities", "conditions")(_dedupe)

    @model_validator(mode="after")
    def _consistent(self) -> TestField:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("latitude and longitude: give both or neither")
        start, end = self.available_from, self.available_until
        if start and end and end < start:
            raise ValueError("available_until: must not be before available_from")
        if self.call == "frist" and self.deadline is None:
            raise ValueError("deadline: a call with a deadline (call 'frist') needs its date")
        if self.call == "laufend" and self.deadline is not None:
            raise ValueError("deadline: a rolling call (call 'laufend') has no deadline")
        return self


MODELS: dict[str, type[Entity]] = {
    "municipalities": Municipality,
    "projects": Project,
    "providers": Provider,
    "offerings": Offering,
    "needs": Need,
    "testfields": TestField,
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
    place_type: str | None = None  # test fields only: the kind of place ("stadion", …)
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
