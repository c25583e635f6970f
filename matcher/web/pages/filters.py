"""The pages' search form: its fields parsed into `Filters` (a German message for a value that
cannot be used) and the choices the form offers."""

from __future__ import annotations

from flask import request
from pydantic import ValidationError as PydanticValidationError

from matcher.domain.errors import ValidationError
from matcher.domain.schema import CATEGORY_LABELS, Category, Filters
from matcher.web.core.current import current_catalog
from matcher.web.pages.advice import Params
from matcher.web.pages.numbers import decimal_number, whole_number

MAX_PLACE_CHARS = 300  # as Filters' region and district
MAX_TOWN_CHARS = 200
# Up to this many known towns, the "Wir sind" field offers them as a list while typing.
MAX_NAME_CHOICES = 500
MAX_KM_DIGITS = 5  # 99,999 km: any distance on earth


class PageInputError(Exception):
    """A page parameter that cannot be used; the message is German, for the page."""


def form_text(name: str, limit: int, label: str, params: Params | None = None) -> str | None:
    """A one-line field's text (from `params`, else the query string), None when empty."""
    value = (request.args if params is None else params).get(name, "").strip()
    if len(value) > limit:
        raise PageInputError(f"Die Angabe bei „{label}“ ist zu lang (höchstens {limit} Zeichen).")
    return value or None


def _whole(name: str, label: str, params: Params | None = None) -> int | None:
    raw = (request.args if params is None else params).get(name, "")
    value = raw.strip().replace(".", "").replace(" ", "")
    if not value:
        return None
    return whole_number(
        value,
        name,
        f"Bitte geben Sie bei „{label}“ eine ganze Zahl an (z. B. 5000), höchstens neunstellig.",
    )


def _km(params: Params | None = None) -> float | None:
    value = (request.args if params is None else params).get("max_km", "")
    value = value.strip().replace(",", ".")
    if not value:
        return None
    distance = decimal_number(
        value,
        "max_km",
        "Bitte geben Sie die Entfernung in Kilometern als Zahl an (z. B. 25 oder 12,5).",
        max_digits=MAX_KM_DIGITS,
    )
    return distance if distance > 0 else None


def filters_of(params: Params | None = None) -> Filters:
    """The page's filters (from `params`, else the query string); PageInputError (German) for
    a value that cannot be used."""
    params = request.args if params is None else params
    cats = [c for c in params.getlist("kategorie") if c in Category.__members__]
    try:
        return Filters(
            categories=cats,
            region=form_text("region", MAX_PLACE_CHARS, "Regierungsbezirk", params),
            district=form_text("kreis", MAX_PLACE_CHARS, "Kreis", params),
            min_population=_whole("min_ew", "Einwohner von", params),
            max_population=_whole("max_ew", "Einwohner bis", params),
            max_distance_km=_km(params),
        )
    except PydanticValidationError:
        raise PageInputError(
            "Die Filter konnten nicht verarbeitet werden. Bitte prüfen Sie Ihre Angaben."
        ) from None
    except ValidationError as exc:  # a number that is not plain ASCII: its German message
        raise PageInputError(exc.args[0]) from None


def choices() -> dict:
    """What the form offers: categories, towns while the list is short, regions, districts."""
    towns = sorted(current_catalog().municipalities.values(), key=lambda m: m.name)
    return {
        "categories": [(c.value, CATEGORY_LABELS[c]) for c in Category],
        # A short list helps typing; the whole directory (11,000 names) is searched on the
        # server instead, with "Meinten Sie …?" for an unknown name.
        "towns": towns if len(towns) <= MAX_NAME_CHOICES else [],
        "regions": sorted({m.region for m in towns if m.region}),
        "districts": sorted({m.district for m in towns if m.district}),
    }
