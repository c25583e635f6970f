"""Exchange between towns: themed exchange groups („Erfas“) and events, and what the matching
suggests about them.

A group (`ExchangeGroup`) has a topic (its categories, keywords and description) and member
towns; an event (`ExchangeEvent`) has a date, a place, a topic and a format (providers present
to towns, or towns exchange among themselves). Both are kept by staff (admin key); the
organiser's contact is private by the one rule (`Entity.PRIVATE`, `access.Viewer`). The result
models (`ExchangeSuggestions`, `GroupCandidates`, `Invitations`) are what a client reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Annotated, ClassVar, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from matcher.domain.access import Actor
from matcher.domain.errors import PermissionDenied, ValidationError
from matcher.domain.schema import (
    CATEGORY_LABELS,
    MAX_MEMBERS,
    PRIVATE_MAILBOX,
    Categories,
    ContactEmail,
    Entity,
    ItemId,
    Short,
    Shorts,
    Text,
    Title,
)

EventFormat = Literal["anbieter_stellen_vor", "kommunen_tauschen_aus"]
EVENT_FORMATS: tuple[str, ...] = get_args(EventFormat)
FORMAT_LABELS: dict[str, str] = {
    "anbieter_stellen_vor": "Anbieter stellen vor",
    "kommunen_tauschen_aus": "Kommunen tauschen sich aus",
}
# An event's date lies in these years: an exchange is planned at most a few years ahead, and a
# date outside them is a typo (2207 for 2027), refused with a message naming the field.
FIRST_EVENT_DATE = dt.date(2020, 1, 1)
LAST_EVENT_DATE = dt.date(2035, 12, 31)
DATE_RULE = "ein Datum im Format JJJJ-MM-TT, z. B. 2027-03-04"


def _member_list(value: object) -> object:
    if isinstance(value, list) and len(value) > MAX_MEMBERS:
        raise ValueError(f"höchstens {MAX_MEMBERS} Mitglieder")
    return value


def _iso_date(value: object) -> object:
    """A date as JSON sends it: text in ISO form (JJJJ-MM-TT), in German terms; not a number
    (pydantic would read 0 as 1 January 1970)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(DATE_RULE)


MemberIds = Annotated[list[ItemId], BeforeValidator(_member_list)]
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]


def _dedupe(values: list) -> list:
    return list(dict.fromkeys(values))


def _topic(title: str, description: str, keywords: list[str]) -> str:
    parts = [title, description, ", ".join(keywords)]
    return ". ".join(p.strip().rstrip(".") for p in parts if p.strip())


class ExchangeGroup(Entity):
    """A themed exchange group („Erfa“) of towns, kept by the programme's staff."""

    name: Title
    description: Text = ""
    categories: Categories = Field(min_length=1, description="the group's topic: at least one")
    keywords: Shorts = Field(default_factory=list, description="further words of its topic")
    members: MemberIds = Field(default_factory=list, description="ids of the member towns")
    organiser: Short = Field("", description="who runs the group (an office, not a person)")
    contact: Short = ""
    contact_email: ContactEmail = Field(default="", description=PRIVATE_MAILBOX)
    PRIVATE: ClassVar[tuple[str, ...]] = ("contact", "contact_email")

    _unique = field_validator("categories", "keywords", "members")(_dedupe)

    @property
    def topic(self) -> str:
        """The text its topic is matched by: name, description and keywords."""
        return _topic(self.name, self.description, self.keywords)


class ExchangeEvent(Entity):
    """An event on a topic: providers present to towns, or towns exchange among themselves."""

    title: Title
    date: IsoDate = Field(description="the day of the event (JJJJ-MM-TT)")
    place: Title = Field(description="where: a town hall, a venue, or „online“")
    description: Text = Field("", description="the topic in words")
    categories: Categories = Field(default_factory=list)
    format: EventFormat = "anbieter_stellen_vor"
    group: ItemId | None = Field(None, description="the exchange group that holds it, if any")
    organiser: Short = ""
    contact: Short = ""
    contact_email: ContactEmail = Field(default="", description=PRIVATE_MAILBOX)
    PRIVATE: ClassVar[tuple[str, ...]] = ("contact", "contact_email")

    _unique = field_validator("categories")(_dedupe)

    @property
    def topic(self) -> str:
        """The text its topic is matched by: title and description."""
        return _topic(self.title, self.description, [])

    @property
    def format_label(self) -> str:
        return FORMAT_LABELS[self.format]


def check_event(event: ExchangeEvent) -> None:
    """A ValidationError naming the field unless the event's date lies in the plannable years
    (checked on writing, after the key: the document's `format: date` cannot say it)."""
    if not FIRST_EVENT_DATE <= event.date <= LAST_EVENT_DATE:
        rule = f"ein Datum zwischen {FIRST_EVENT_DATE:%d.%m.%Y} und {LAST_EVENT_DATE:%d.%m.%Y}"
        raise ValidationError(f"date: {rule}", [("date", rule)])


def category_words(categories: Iterable[str]) -> str:
    """The categories' German labels, „A“, „B“."""
    labels = {str(c): label for c, label in CATEGORY_LABELS.items()}
    return ", ".join(f"„{labels[str(c)]}“" for c in categories if str(c) in labels)


def check_exchange_writer(actor: Actor) -> None:
    """Exchange groups and events are the programme staff's: only an admin creates, replaces,
    deletes or imports them (a town could otherwise enrol other towns in its group)."""
    if not actor.is_admin:
        raise PermissionDenied("Erfas und Termine pflegen nur Mitarbeitende (Admin-Schlüssel)")


# -- results ---------------------------------------------------------------------------------


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Ref(_Result):
    """An item by id and its title or name."""

    id: str
    title: str


class TownRef(_Result):
    id: str
    name: str
    district: str
    population: int | None


class GroupFit(_Result):
    """A group a town should join (or a town a group should invite), and why."""

    group: Ref
    town: TownRef
    score: float
    needs: list[Ref] = Field(description="the town's open needs that fit the group's topic")
    projects: list[Ref] = Field(description="the town's projects on the group's topic")
    reasons: list[str] = Field(description="why, in German")


class TownToMeet(_Result):
    """A town that has done what the asking town plans: its project answers an open need."""

    town: TownRef
    distance_km: float | None
    score: float
    needs: list[Ref] = Field(description="the asking town's open needs it has answered")
    projects: list[Ref] = Field(description="its projects that answer them")
    reasons: list[str]


class ExchangeSuggestions(_Result):
    """For one town: the groups it should join and the towns it should meet."""

    municipality: TownRef
    member_of: list[Ref] = Field(description="the groups it is a member of")
    groups: list[GroupFit]
    meet: list[TownToMeet] = Field(description="near first")
    asked_by: list[TownRef] = Field(
        description="the towns that are suggested to meet this one (it has done what they plan)"
    )


class GroupCandidates(_Result):
    """The towns a group should invite: not members, with a fitting open need or project."""

    group: Ref
    towns: list[GroupFit]


InviteeRole = Literal["bedarf", "erfahrung", "mitglied", "anbieter"]


class Invitee(_Result):
    """A town or provider to invite to an event, and why."""

    kind: Literal["kommune", "anbieter"]
    id: str
    name: str
    role: InviteeRole = Field(
        description="bedarf: an open need fits; erfahrung: it has done it; mitglied: member of "
        "the event's group; anbieter: an offering fits"
    )
    score: float
    reasons: list[str]


class Invitations(_Result):
    """Whom to invite to an event: towns, then providers, each ranked with reasons."""

    event: Ref
    date: dt.date
    format: EventFormat
    towns: list[Invitee]
    providers: list[Invitee]
