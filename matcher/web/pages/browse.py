"""List pages in German: projects, municipalities (with districts and associations) and providers,
filtered by Landkreis, Regierungsbezirk, topic, status, funding programme and size, paged.

Every filter is a GET parameter (`/projekte?kreis=Odenwaldkreis&thema=energie&seite=2`), so a list
can be bookmarked and shared. Values outside the offered choices are ignored with a notice. An
empty list names the filters whose removal would bring items back, with their counts. A name
searched in the municipality directory that matches nothing gets "Meinten Sie …?" suggestions.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request, send_from_directory
from pydantic import ValidationError as PydanticValidationError

from matcher.domain.catalog import Catalog
from matcher.domain.errors import ValidationError
from matcher.domain.schema import (
    ACTOR_KIND_LABELS,
    CATEGORY_LABELS,
    Browse,
    Category,
    Entity,
    Municipality,
)
from matcher.web.core.current import current_catalog, service
from matcher.web.pages.numbers import whole_number

browse = Blueprint("browse", __name__, template_folder="templates")

PAGE_SIZE = 20  # items a page: a screen or two on a phone
MAX_QUERY_CHARS = 200  # as the API's `q`
MAX_PAGE = 100_000  # a page number beyond any list (the directory has about 11,000 actors)
SUGGESTIONS = 3  # "Meinten Sie …?" names at most
# Size bands by inhabitants (value → label, lowest, highest): the usual split into small
# municipalities, small towns, medium towns and large cities.
SIZE_BANDS: dict[str, tuple[str, int | None, int | None]] = {
    "klein": ("unter 5.000 Einwohner", None, 4_999),
    "mittel": ("5.000 bis 19.999 Einwohner", 5_000, 19_999),
    "gross": ("20.000 bis 99.999 Einwohner", 20_000, 99_999),
    "grossstadt": ("100.000 Einwohner und mehr", 100_000, None),
}
STATUS_LABELS = {"geplant": "geplant", "laufend": "laufend", "abgeschlossen": "abgeschlossen"}


@dataclass(frozen=True)
class Facet:
    """One filter of a list page: its URL parameter, German label, choices and what a chosen
    value restricts (keyword arguments of `Browse`)."""

    param: str
    label: str
    options: list[tuple[str, str]]  # (value, label)
    restrict: Callable[[str], dict[str, Any]]

    def label_of(self, value: str) -> str:
        return dict(self.options).get(value, value)


def _sorted(values: set[str]) -> list[tuple[str, str]]:
    return [(v, v) for v in sorted(values, key=str.casefold)]


def _place_facets(catalog: Catalog) -> list[Facet]:
    towns = [m for m in catalog.municipalities.values() if m.kind == "gemeinde"]
    return [
        Facet(
            "kreis",
            "Landkreis",
            _sorted({m.district for m in towns if m.district}),
            lambda v: {"district": v},
        ),
        Facet(
            "bezirk",
            "Regierungsbezirk",
            _sorted({m.region for m in catalog.municipalities.values() if m.region}),
            lambda v: {"region": v},
        ),
    ]


def _topic_facet() -> Facet:
    return Facet(
        "thema",
        "Thema",
        [(c.value, CATEGORY_LABELS[c]) for c in Category],
        lambda v: {"categories": [v]},
    )


def _size_facet() -> Facet:
    return Facet(
        "groesse",
        "Größe",
        [(k, label) for k, (label, _, _) in SIZE_BANDS.items()],
        lambda v: {"min_population": SIZE_BANDS[v][1], "max_population": SIZE_BANDS[v][2]},
    )


def project_facets(catalog: Catalog) -> list[Facet]:
    """The filters of the project list."""
    funding = Counter(p.funding for p in catalog.projects.values() if p.funding)
    return [
        *_place_facets(catalog),
        _topic_facet(),
        Facet("status", "Status", list(STATUS_LABELS.items()), lambda v: {"status": v}),
        Facet("foerderung", "Förderprogramm", _sorted(set(funding)), lambda v: {"funding": v}),
        _size_facet(),
    ]


def municipality_facets(catalog: Catalog) -> list[Facet]:
    """The filters of the municipality directory."""
    return [
        *_place_facets(catalog),
        Facet("art", "Art", list(ACTOR_KIND_LABELS.items()), lambda v: {"actor_kind": v}),
        _topic_facet(),
        _size_facet(),
    ]


def provider_facets(catalog: Catalog) -> list[Facet]:
    """The filters of the provider directory (a provider's topics are its offerings')."""
    return [_topic_facet()]


@dataclass
class Listing:
    """What a list page shows: the items of one page and how to get elsewhere."""

    items: list[Entity]
    total: int
    page: int
    pages: int
    chosen: dict[str, str]  # param → value, only valid ones
    notices: list[str]
    loosen: list[tuple[str, int, str]]  # (what to drop, items then, URL)
    suggestions: list[Municipality]

    def url(self, **changes: str | int | None) -> str:
        """This list's URL with some parameters changed (None: dropped)."""
        args: dict[str, str | int] = dict(self.chosen)
        if self.page > 1:
            args["seite"] = self.page
        for key, value in changes.items():
            args.pop(key, None)
            if value not in (None, ""):
                args[key] = value  # type: ignore[assignment]  # None is excluded above
        if args.get("seite") == 1:
            del args["seite"]
        return f"{request.path}?{urlencode(args)}" if args else request.path


def _page_number(notices: list[str]) -> int:
    """The page asked for (`seite`, ASCII digits), else page 1, with a notice for a value that
    is no page number ("²", "abc")."""
    raw = request.args.get("seite", "").strip()
    if not raw:
        return 1
    try:
        page = whole_number(
            raw, "seite", f"„{raw[:20]}“ ist keine Seitenzahl; gezeigt wird Seite 1."
        )
    except ValidationError as exc:
        notices.append(exc.args[0])
        return 1
    return min(max(page, 1), MAX_PAGE)


def listing(kind: str, facets: list[Facet], suggest: bool = False) -> Listing:
    """Read the request's filters, fetch one page of `kind`; when nothing passes, count what
    dropping each filter would bring back. Call under the service's lock."""
    svc = service()
    chosen: dict[str, str] = {}
    notices: list[str] = []
    restrict: dict[str, Any] = {}
    text = request.args.get("q", "").strip()
    if len(text) > MAX_QUERY_CHARS:
        notices.append(f"Der Suchbegriff ist zu lang (höchstens {MAX_QUERY_CHARS} Zeichen).")
        text = ""
    if text:
        chosen["q"] = text
        restrict["text"] = text
    for facet in facets:
        value = request.args.get(facet.param, "").strip()
        if not value:
            continue
        if value not in dict(facet.options):
            notices.append(f"„{value[:80]}“ gibt es bei „{facet.label}“ nicht; ohne diesen Filter.")
            continue
        chosen[facet.param] = value
        restrict.update(facet.restrict(value))
    page = _page_number(notices)
    try:
        wanted = Browse(**restrict, by_name=True, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    except PydanticValidationError:  # the options come from the data; cannot happen
        wanted, chosen = Browse(by_name=True, limit=PAGE_SIZE), {}
    items, total = svc.list_items(kind, wanted)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    result = Listing(items, total, page, pages, chosen, notices, [], [])
    if total == 0:
        result.loosen = _loosen(kind, facets, restrict, result)
        if suggest and text:
            result.suggestions = suggest_towns(text)
            if result.suggestions and list(chosen) == ["q"]:
                result.loosen = []  # the suggestion is the advice
    return result


def _loosen(
    kind: str, facets: list[Facet], restrict: dict[str, Any], shown: Listing
) -> list[tuple[str, int, str]]:
    """For each chosen filter: its label and value, how many items remain without it, and the
    URL without it (only those that bring items back)."""
    out = []
    named = {f.param: f for f in facets}
    for param, value in shown.chosen.items():
        if param == "q":
            what, keys = f"Suchbegriff: {value}", ["text"]
        else:
            facet = named[param]
            what, keys = f"{facet.label}: {facet.label_of(value)}", list(facet.restrict(value))
        rest = {k: v for k, v in restrict.items() if k not in keys}
        _, count = service().list_items(kind, Browse(**rest, limit=0))
        if count:
            out.append((what, count, shown.url(**{param: None, "seite": None})))
    return sorted(out, key=lambda x: -x[1])


def _render(template: str, kind: str, facets: list[Facet], **extra: Any) -> str:
    found = listing(kind, facets, suggest=kind == "municipalities")
    return render_template(
        template,
        listing=found,
        facets=facets,
        catalog=current_catalog(),
        page_size=PAGE_SIZE,
        category_labels=CATEGORY_LABELS,
        category_order=[c.value for c in Category],
        **extra,
    )


@browse.get("/projekte")
def projects() -> str:
    """Projekte durchsuchen."""
    return _render("browse/projects.html", "projects", project_facets(current_catalog()))


@browse.get("/kommunen")
def municipalities() -> str:
    """Das Kommunenverzeichnis: Kommunen, Landkreise und Zusammenschlüsse, mit Namenssuche."""
    return _render(
        "browse/municipalities.html",
        "municipalities",
        municipality_facets(current_catalog()),
        kind_labels=ACTOR_KIND_LABELS,
    )


@browse.get("/anbieter")
def providers() -> str:
    """Das Anbieterverzeichnis."""
    return _render("browse/providers.html", "providers", provider_facets(current_catalog()))


@browse.get("/favicon.ico")
def favicon() -> Response:
    """For clients that ask for the icon without reading the page's link."""
    response = send_from_directory(
        browse.root_path + "/static", "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )
    return response


def suggest_towns(text: str) -> list[Municipality]:
    """Actors spelt like `text` ("Mossautahl" → Mossautal), best first, for a "Meinten Sie …?"
    under a name field that found nobody."""
    items = current_catalog()
    named = items.lookup(text).candidates  # "Stadt Erbach", "Erbach (Odenwald)", …
    close = items.suggest_municipalities(text, SUGGESTIONS)
    return list({m.id: m for m in [*named, *close]}.values())[:SUGGESTIONS]
