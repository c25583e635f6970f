"""The account pages' forms: form fields → the API's pydantic models, errors in German.

A form names only the fields a submitter may set; everything else of a record is taken from the
stored record (an edit) or from the signed-in account (a new need's municipality, a new
offering's provider). Validation is the models' own, as for the API; only the words are German.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError as PydanticValidationError
from werkzeug.datastructures import MultiDict

from matcher.domain.errors import ValidationError
from matcher.domain.names import slug
from matcher.domain.schema import (
    CATEGORY_LABELS,
    NO_CONTROL,
    ONE_LINE,
    Category,
    Entity,
    model_for,
)
from matcher.web.pages.numbers import whole_number

# Which fields each form shows (and takes from the post), by kind.
FIELDS: dict[str, tuple[str, ...]] = {
    "needs": ("title", "description", "categories", "status", "date"),
    "projects": (
        "title",
        "description",
        "categories",
        "year",
        "status",
        "funding",
        "contact",
        "contact_email",
    ),
    "offerings": ("title", "description", "categories", "references"),
    "municipalities": ("contact_email",),
    "providers": ("contact_email",),
}
LIST_FIELDS = ("categories", "references")
OPTIONAL_NUMBERS = ("year",)
LABELS = {
    "title": "Titel",
    "description": "Beschreibung",
    "categories": "Themen",
    "status": "Stand",
    "date": "Gemeldet am",
    "year": "Startjahr",
    "funding": "Förderung",
    "contact": "Ansprechstelle",
    "contact_email": "E-Mail-Adresse (Funktionspostfach)",
    "references": "Referenzprojekte",
}
NEED_STATUS = {"offen": "offen", "in_arbeit": "in Arbeit", "erledigt": "erledigt"}
PROJECT_STATUS = {"geplant": "geplant", "laufend": "laufend", "abgeschlossen": "abgeschlossen"}
CATEGORIES = [(c.value, CATEGORY_LABELS[c]) for c in Category]
ID_PREFIX = {"needs": "bedarf", "projects": "prj", "offerings": "angebot"}
MAX_SLUG = 50  # of a title in a new id: readable, and the id stays far below its 120 characters
WHOLE_NUMBER = "Bitte eine ganze Zahl angeben, z. B. 2024."


class FormErrors(Exception):
    """The form's fields that need another look: field → German message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(errors))
        self.errors = errors


def values(kind: str, form: MultiDict) -> dict[str, Any]:
    """What the submitter entered, as the model's fields (empty optional numbers left out)."""
    out: dict[str, Any] = {}
    for name in FIELDS[kind]:
        if name in LIST_FIELDS:
            out[name] = [v for v in form.getlist(name) if v]
        elif name in OPTIONAL_NUMBERS or name == "date":
            value = form.get(name, "").strip()
            out[name] = value or None
        elif name == "status":
            out[name] = form.get(name) or None
        else:
            out[name] = form.get(name, "")
    return out


def build(kind: str, base: dict[str, Any], entered: dict[str, Any]) -> Entity:
    """The record the form describes: the stored (or given) fields with the entered ones; the
    model's validation, its complaints as German FormErrors."""
    data = {**base, **entered}
    if kind == "needs" and data.get("status") is None:
        data["status"] = "offen"
    errors: dict[str, str] = {}
    # ASCII digits, as every number of the pages (matcher.web.pages.numbers)
    for name in OPTIONAL_NUMBERS:
        if isinstance(entered.get(name), str):
            try:
                data[name] = whole_number(entered[name], name, WHOLE_NUMBER)
            except ValidationError as exc:
                errors[name] = exc.args[0]
                del data[name]
    try:
        item = model_for(kind).model_validate(data)
    except PydanticValidationError as exc:
        for problem in exc.errors():
            field = str(problem["loc"][0]) if problem["loc"] else "form"
            errors.setdefault(field if field in entered else "form", _german(problem))
        raise FormErrors(errors) from None
    if errors:
        raise FormErrors(errors)
    return item


def _german(problem: Any) -> str:
    kind, ctx = problem["type"], problem.get("ctx") or {}
    if kind in ("missing", "string_too_short") or "must not be empty" in problem["msg"]:
        return "Bitte füllen Sie dieses Feld aus."
    if ONE_LINE in problem["msg"]:
        return "Bitte in einer Zeile angeben, ohne Zeilenumbrüche und Steuerzeichen."
    if NO_CONTROL in problem["msg"]:
        return "Bitte ohne Steuerzeichen (Zeilenumbrüche und Tabulatoren sind erlaubt)."
    if kind == "string_too_long":
        return f"Bitte höchstens {ctx.get('max_length')} Zeichen."
    if "e-mail" in problem["msg"]:
        return "Bitte eine E-Mail-Adresse angeben, z. B. digitalisierung@ihre-kommune.de."
    if kind in ("int_parsing", "int_from_float"):
        return WHOLE_NUMBER
    if kind in ("greater_than_equal", "less_than_equal"):
        return "Bitte eine Jahreszahl zwischen 1990 und 2100 angeben."
    if kind.startswith("date"):
        return "Bitte ein Datum angeben (TT.MM.JJJJ)."
    if kind in ("literal_error", "enum"):
        return "Bitte einen der angebotenen Werte wählen."
    return "Bitte prüfen Sie diese Angabe."


def new_id(kind: str, owner: str, title: str, taken: set[str]) -> str:
    """A readable, unused id for a new record: `bedarf-mossautal-glaettewarnung`, then -2, …
    (only letters, digits and hyphens, at most 120 characters, as ids must be)."""
    stem = f"{ID_PREFIX[kind]}-{owner}-{slug(title)[:MAX_SLUG]}".strip("-")[:110]
    candidate, n = stem, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}"
    return candidate


def today() -> str:
    return dt.date.today().isoformat()
