"""Test fields (issue 24): their vocabulary in German, whether a call is open, what an
offering needs of a place, and the rules of a provider's application to pilot there.

The record itself is `matcher.domain.schema.TestField` (a catalog kind like the others);
applications live in their own table (`matcher.store.testfields`) and are seen only by the test
field's owner, the applicant and admins (`may_see_application`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from matcher.domain.access import Actor, owns
from matcher.domain.errors import ConflictError, PermissionDenied, ValidationError
from matcher.domain.schema import ItemId, Offering, TestField, Text, text_of

PLACE_TYPE_LABELS: dict[str, str] = {
    "strassenzug": "Straßenzug",
    "quartier": "Quartier",
    "platz": "Platz",
    "gebaeude": "Gebäude",
    "park": "Park",
    "stadion": "Stadion",
    "gewerbegebiet": "Gewerbegebiet",
    "campus": "Campus",
    "landstrasse": "Landstraße",
    "ortskern": "Ortskern",
}
FACILITY_LABELS: dict[str, str] = {
    "strassenlaternen_strom": "Straßenlaternen mit Dauerstrom",
    "lorawan": "LoRaWAN",
    "5g": "5G",
    "glasfaser": "Glasfaser",
    "wlan": "WLAN",
    "datenplattform": "Datenplattform",
    "strom": "Stromanschluss",
    "masten": "Masten für Sensoren",
    "parkflaechen": "Park- und Halteflächen",
}
CONDITION_LABELS: dict[str, str] = {
    "genehmigung": "Genehmigung nötig",
    "datenschutz": "Datenschutzkonzept",
    "eu_hosting": "Hosting in der EU",
    "versicherung": "Haftpflichtversicherung",
}
PAYER_LABELS: dict[str, str] = {
    "anbieter": "Anbieter trägt die Kosten",
    "gastgeber": "Gastgeber trägt die Kosten",
    "foerderung": "über Fördermittel",
    "geteilt": "Kosten geteilt",
}

# What an offering's text says it needs of a place, by facility: a word (case-insensitive,
# at a word's start) that names the facility. A pilot that needs what a place lacks is told so.
FACILITY_WORDS: dict[str, tuple[str, ...]] = {
    "strassenlaternen_strom": ("straßenlaterne", "laterne", "lichtmast", "leuchtenk"),
    "lorawan": ("lorawan", "lora"),
    "5g": ("5g",),
    "glasfaser": ("glasfaser",),
    "wlan": ("wlan", "hotspot"),
    "datenplattform": ("datenplattform", "urbane datenplattform", "open data"),
    "masten": ("mast", "masten"),
}
_FACILITY_PATTERNS = {
    facility: re.compile(r"(?<![\w])(" + "|".join(map(re.escape, words)) + r")", re.IGNORECASE)
    for facility, words in FACILITY_WORDS.items()
}


def facilities_needed(offering: Offering) -> list[str]:
    """The facilities an offering's text names (LoRaWAN, Straßenlaternen, 5G, …), in the
    order of `FACILITY_WORDS`."""
    text = text_of(offering)
    return [f for f, pattern in _FACILITY_PATTERNS.items() if pattern.search(text)]


def call_open(field: TestField, today: dt.date) -> bool:
    """True if the test field takes applications on `today`: a rolling call until the field's
    time window ends, a call with a deadline until the deadline (inclusive)."""
    if field.available_until is not None and field.available_until < today:
        return False
    return field.call == "laufend" or (field.deadline is not None and field.deadline >= today)


def call_label(field: TestField, today: dt.date) -> str:
    """The call's state in German, for lists and details."""
    if not call_open(field, today):
        return "Aufruf geschlossen"
    if field.call == "frist" and field.deadline is not None:
        return f"offen bis {field.deadline:%d.%m.%Y}"
    return "laufende Bewerbung"


def owner_of(field: TestField) -> str:
    """The role that owns a test field: its host's, else its municipality's."""
    return f"host:{field.host}" if field.host else f"municipality:{field.municipality}"


# -- applications -------------------------------------------------------------------------

ApplicationStatus = Literal[
    "beworben", "vorausgewaehlt", "pilot", "evaluiert", "uebernommen", "beendet"
]
APPLICATION_STATUSES: tuple[str, ...] = get_args(ApplicationStatus)
STATUS_LABELS: dict[str, str] = {
    "beworben": "beworben",
    "vorausgewaehlt": "in der engeren Wahl",
    "pilot": "im Pilotbetrieb",
    "evaluiert": "evaluiert",
    "uebernommen": "übernommen",
    "beendet": "beendet",
}
# applied → shortlisted → piloting → evaluated → adopted / ended; an owner may end an
# application at any step before its outcome (a pilot that is turned down or stopped).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "beworben": ("vorausgewaehlt", "beendet"),
    "vorausgewaehlt": ("pilot", "beendet"),
    "pilot": ("evaluiert", "beendet"),
    "evaluiert": ("uebernommen", "beendet"),
    "uebernommen": (),
    "beendet": (),
}
# Statuses in which a pilot is evidence on the provider's references („erprobt in …“).
PROVEN: frozenset[str] = frozenset({"evaluiert", "uebernommen"})
# An expression of interest is short: a few sentences, as on a contact form.
MAX_MESSAGE_CHARS = 2000
MIN_MESSAGE_CHARS = 10

Message = Annotated[
    str, StringConstraints(min_length=MIN_MESSAGE_CHARS, max_length=MAX_MESSAGE_CHARS)
]


class ApplicationRequest(BaseModel):
    """What a provider sends: why it wants to pilot here, and what it needs of the place."""

    model_config = ConfigDict(extra="forbid")

    message: Message = Field(description="Kurz: was erprobt werden soll und warum hier")
    needs: Annotated[Text, StringConstraints(max_length=MAX_MESSAGE_CHARS)] = ""
    offering: ItemId | None = Field(default=None, description="The offering to pilot, if one")


class StatusChange(BaseModel):
    """The owner moves an application on."""

    model_config = ConfigDict(extra="forbid")

    status: ApplicationStatus


def _stripped(value: str) -> str:
    return value.strip()


class Application(BaseModel):
    """A provider's expression of interest in a test field, and where its pilot stands."""

    model_config = ConfigDict(extra="forbid")

    id: str
    testfield: str
    testfield_title: str = ""
    provider: str
    provider_name: str = ""
    offering: str | None = None
    message: Annotated[str, AfterValidator(_stripped)]
    needs: str = ""
    status: ApplicationStatus = "beworben"
    status_label: str = ""
    next_statuses: list[ApplicationStatus] = Field(default_factory=list)
    created: str
    updated: str


class Pilot(BaseModel):
    """A public trace of an evaluated or adopted pilot: „erprobt in …“ on the provider."""

    testfield: str
    title: str
    town: str
    status: ApplicationStatus
    status_label: str


def may_see_application(actor: Actor | None, field: TestField, provider: str) -> bool:
    """The test field's owner, the applicant and admins see an application; nobody else."""
    if actor is None:
        return False
    if actor.is_admin or owns(actor, field):
        return True
    return actor.kind == "provider" and actor.owner == provider


def check_apply(
    actor: Actor | None,
    field: TestField,
    request: ApplicationRequest,
    offering: Offering | None,
    today: dt.date,
) -> str:
    """The provider id an application is from; PermissionDenied unless a provider key sends
    it, ConflictError (German) if the call is closed, ValidationError for another's offering."""
    if actor is None or actor.kind != "provider":
        raise PermissionDenied("Bewerben können nur Anbieter (Schlüssel mit Rolle provider:<id>)")
    if not call_open(field, today):
        raise ConflictError(
            f"Der Aufruf für „{field.title}“ ist geschlossen: Bewerbungen sind nicht mehr möglich"
        )
    if request.offering is not None and (offering is None or offering.provider != actor.owner):
        raise ValidationError(
            "offering: kein Angebot dieses Anbieters", [("offering", "not the provider's")]
        )
    return actor.owner


def check_move(actor: Actor, field: TestField, current: str, wanted: str) -> None:
    """PermissionDenied unless the test field's owner (or an admin) moves the application;
    ConflictError (German) for a step the order does not allow."""
    if not (actor.is_admin or owns(actor, field)):
        raise PermissionDenied("Den Stand einer Bewerbung ändert nur, wem das Testfeld gehört")
    if wanted not in STATUS_LABELS:
        raise ValidationError(
            f"status: unbekannt; möglich sind {', '.join(APPLICATION_STATUSES)}",
            [("status", "unknown")],
        )
    if wanted not in TRANSITIONS.get(current, ()):
        allowed = ", ".join(STATUS_LABELS[s] for s in TRANSITIONS.get(current, ())) or "keiner"
        raise ConflictError(
            f"status: von „{STATUS_LABELS[current]}“ geht es nicht zu "
            f"„{STATUS_LABELS[wanted]}“ (möglich: {allowed})"
        )
