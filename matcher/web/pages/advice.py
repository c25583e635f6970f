"""Advice when the start page's filters empty a result list: which filter is active, what
leaving it out would give, and the form fields of that looser search.

The start page sends challenges by POST (a text of 5,000 characters does not fit in a URL), so
"remove this filter" is a small form with the other fields hidden, not a link.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MultiDict

from matcher.domain.schema import CATEGORY_LABELS, Category, Filters
from matcher.matching.results import MatchResult

Params = MultiDict[str, str]

# The start page's fields, in the order of the form (the share link and the hidden fields).
FIELDS = ("text", "wir", "kategorie", "region", "kreis", "max_km", "min_ew", "max_ew")
LISTS = (("projects", "Projekte"), ("municipalities", "Partnerkommunen"), ("providers", "Anbieter"))
_ONE = {"Projekte": "Projekt", "Partnerkommunen": "Partnerkommune", "Anbieter": "Anbieter"}


@dataclass(frozen=True)
class FilterGroup:
    """A filter as the user sees it: its form fields and its name after „ohne“."""

    key: str
    fields: tuple[str, ...]
    name: str  # „ohne Entfernungsfilter“


GROUPS = (
    FilterGroup("distance", ("max_km",), "Entfernungsfilter"),
    FilterGroup("district", ("kreis",), "Kreisfilter"),
    FilterGroup("region", ("region",), "Filter Regierungsbezirk"),
    FilterGroup("population", ("min_ew", "max_ew"), "Einwohnerfilter"),
    FilterGroup("topic", ("kategorie",), "Themenfilter"),
)


@dataclass(frozen=True)
class Loosening:
    """One filter that empties lists, and what the search would find without it."""

    active: str  # „im Umkreis von 30 km“
    name: str  # „Entfernungsfilter“
    empty: str  # „Keine Treffer“ / „Keine Projekte und keine Anbieter“
    found: str  # „8 Projekte und 2 Anbieter“ ("" if it would find nothing either)
    fields: list[tuple[str, str]]  # the form without this filter


def _number(value: float) -> str:
    return f"{value:,.1f}".rstrip("0").rstrip(".").replace(",", " ").replace(".", ",")


def _people(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def describe(group: FilterGroup, filters: Filters) -> str | None:
    """The active filter of a group in words, or None if that filter is not set."""
    if group.key == "distance" and filters.max_distance_km:
        return f"im Umkreis von {_number(filters.max_distance_km)} km"
    if group.key == "district" and filters.district:
        return f"im Kreis „{filters.district}“"
    if group.key == "region" and filters.region:
        return f"im Regierungsbezirk „{filters.region}“"
    if group.key == "population":
        low, high = filters.min_population, filters.max_population
        if low is not None and high is not None:
            return f"bei {_people(low)} bis {_people(high)} Einwohnern"
        if low is not None:
            return f"ab {_people(low)} Einwohnern"
        if high is not None:
            return f"bis {_people(high)} Einwohner"
    if group.key == "topic" and filters.categories:
        names = [CATEGORY_LABELS[Category(c)] for c in filters.categories]
        return "zum Thema „" + "“, „".join(names) + "“"
    return None


def sure(result: MatchResult, kind: str) -> int:
    """How many confident results a list holds (the ones shown before „Weitere“)."""
    items: list = getattr(result, kind)
    return sum(1 for item in items if item.confidence != "niedrig")


def empty_lists(result: MatchResult) -> list[str]:
    """The lists (their German names) with no confident result."""
    return [label for kind, label in LISTS if not sure(result, kind)]


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " und " + parts[-1]


def empty_words(empty: list[str]) -> str:
    """„Keine Treffer“ when every list is empty, else „Keine Projekte und keine Anbieter“."""
    if len(empty) == len(LISTS):
        return "Keine Treffer"
    return "Keine " + _and(empty).replace(" und ", " und keine ").replace(", ", ", keine ")


def found_words(result: MatchResult, empty: list[str]) -> str:
    """What a looser search finds in the lists that were empty: „8 Projekte und 2 Anbieter“."""
    parts = []
    for kind, label in LISTS:
        if label in empty and (n := sure(result, kind)):
            parts.append(f"{n} {label if n > 1 else _ONE[label]}")
    return _and(parts) if parts else ""


def without(params: Params, group: FilterGroup) -> list[tuple[str, str]]:
    """The form's fields (text, place, filters) without this group's, as (name, value)."""
    return [
        (name, value)
        for name in FIELDS
        if name not in group.fields
        for value in params.getlist(name)
        if value.strip()
    ]
