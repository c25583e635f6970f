"""Actors by name: municipalities, districts and associations found as people name them.

A name is looked up by its base key (`names.parse_place`); the kind its words say ("Landkreis
…", "Stadt …", "Zweckverband …") and its qualifiers ("am Main", "(Hessen)") narrow the
candidates, then the place context does: the row's district, region or Land, the actors named
beside it, and finally the service's home Land. Each step narrows only if something is left;
what stays ambiguous is reported with every candidate's district and Land.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from matcher.domain.geography import land_of
from matcher.domain.names import PlaceName, compact, fold, parse_place, place_words
from matcher.domain.schema import ACTOR_KIND_LABELS, Municipality

# Candidates named in an ambiguity message; more are counted, not listed.
MAX_CANDIDATES_SHOWN = 8
_KREISFREI = re.compile(r"kreisfreie stadt|stadtkreis", re.IGNORECASE)
_OFFICIAL_KEY = re.compile(r"\d{5}|\d{8}|\d{9}")


@lru_cache(maxsize=4096)
def district_words(district: str) -> frozenset[str]:
    """The keys of a district label ('Landkreis Darmstadt-Dieburg' → {'darmstadtdieburg'});
    empty for a kreisfreie Stadt, which belongs to no district."""
    if not district or _KREISFREI.search(district):
        return frozenset()
    return place_words(district)


@lru_cache(maxsize=4096)
def _key(text: str) -> str:
    return compact(fold(text))


@dataclass(frozen=True)
class PlaceContext:
    """What says where a named actor is: the row's district, region and Land (as written),
    the actors already resolved beside it, and the service's home Land."""

    district: str = ""
    region: str = ""
    land: str = ""
    near: tuple[Municipality, ...] = ()
    home_land: str = ""

    def beside(self, actors: Iterable[Municipality]) -> PlaceContext:
        """The same context with these actors named beside the name."""
        return PlaceContext(
            self.district, self.region, self.land, (*self.near, *actors), self.home_land
        )


@dataclass(frozen=True)
class _Place:
    """What the index knows of one actor's name and place, folded once."""

    actor: Municipality
    name: PlaceName
    land: str
    region: str
    districts: frozenset[str]
    words: frozenset[str]  # everything a qualifier in a name may refer to


@dataclass
class Lookup:
    """The outcome of a look-up: the actor found, or the candidates that remain (none: the
    name is unknown)."""

    found: Municipality | None = None
    candidates: list[Municipality] = field(default_factory=list)


def describe(m: Municipality) -> str:
    """'Münster (Landkreis Darmstadt-Dieburg, Hessen) [06432015]': a candidate as a person
    tells it apart."""
    shown = re.sub(r"\s*\(.*?\)\s*$", "", m.name) or m.name
    if m.kind != "gemeinde":
        where = [ACTOR_KIND_LABELS[m.kind]]
    elif _KREISFREI.search(m.district):
        where = ["kreisfreie Stadt"]
    else:
        where = [m.district] if m.district else []
    land = land_of(m)
    if land:
        where.append(land)
    return f"{shown} ({', '.join(where)}) [{m.id}]" if where else f"{shown} [{m.id}]"


def describe_candidates(candidates: list[Municipality], home_land: str = "") -> str:
    """The candidates of an ambiguous name, those of the home Land first, a few at most."""
    ordered = sorted(candidates, key=lambda m: (land_of(m) != home_land, m.name, m.id))
    shown = ", ".join(describe(m) for m in ordered[:MAX_CANDIDATES_SHOWN])
    more = len(ordered) - MAX_CANDIDATES_SHOWN
    return shown + (f" und {more} weitere" if more > 0 else "")


class NameIndex:
    """Actors by the keys of their names, with what their place is called."""

    def __init__(self, actors: Iterable[Municipality] = ()) -> None:
        self._places: dict[str, _Place] = {}
        self._by_base: dict[str, set[str]] = {}
        self._by_literal: dict[str, set[str]] = {}
        self._by_ags: dict[str, str] = {}
        for actor in actors:
            self.add(actor)

    def add(self, actor: Municipality) -> None:
        """Index an actor (replacing an earlier version of the same id)."""
        self.remove(actor.id)
        name = parse_place(actor.name)
        districts = district_words(actor.district)
        if actor.kind == "kreis":
            districts |= place_words(actor.name)
        land, region = _key(land_of(actor)), _key(actor.region)
        words = name.qualifiers | districts | {w for w in (land, region) if w}
        self._places[actor.id] = _Place(actor, name, land, region, districts, words)
        self._by_base.setdefault(name.base, set()).add(actor.id)
        self._by_literal.setdefault(name.literal, set()).add(actor.id)
        if actor.ags:
            self._by_ags[actor.ags] = actor.id

    def remove(self, actor_id: str) -> None:
        """Forget an actor."""
        old = self._places.pop(actor_id, None)
        if old is None:
            return
        self._by_base.get(old.name.base, set()).discard(actor_id)
        self._by_literal.get(old.name.literal, set()).discard(actor_id)
        if old.actor.ags and self._by_ags.get(old.actor.ags) == actor_id:
            del self._by_ags[old.actor.ags]

    def get(self, actor_id: str) -> Municipality | None:
        """An indexed actor by id."""
        place = self._places.get(actor_id)
        return place.actor if place else None

    def by_key(self, key: str) -> Municipality | None:
        """An actor by its id or its official key (AGS, Kreisschlüssel)."""
        if key in self._places:
            return self._places[key].actor
        if _OFFICIAL_KEY.fullmatch(key) and key in self._by_ags:
            return self._places[self._by_ags[key]].actor
        return None

    def lookup(self, ref: str, context: PlaceContext | None = None) -> Lookup:
        """The actor a reference (id, official key or name as written) means in this context."""
        ref = (ref or "").strip()
        if not ref:
            return Lookup()
        if (by_key := self.by_key(ref)) is not None:
            return Lookup(by_key)
        wanted = parse_place(ref)
        places = self._of_kind(
            wanted, [self._places[i] for i in self._by_base.get(wanted.base, ())]
        )
        if not places:
            return Lookup()
        for narrow in self._steps(wanted, context or PlaceContext()):
            narrower = [p for p in places if narrow(p)]
            if narrower:
                places = narrower
        if len(places) > 1:
            exact = [p for p in places if p.actor.name == ref]
            places = exact if len(exact) == 1 else places
        actors = sorted((p.actor for p in places), key=lambda m: m.id)
        return Lookup(actors[0] if len(actors) == 1 else None, actors)

    def _of_kind(self, wanted: PlaceName, places: list[_Place]) -> list[_Place]:
        """The places of the kind the name's words say; without such words municipalities
        first ('Gießen' is the town, 'Landkreis Gießen' the district)."""
        if wanted.hint is None:
            towns = [p for p in places if p.actor.kind == "gemeinde"]
            return towns or places
        of_kind = [p for p in places if p.actor.kind == wanted.hint]
        if of_kind:
            return of_kind
        # A kind word that is part of a municipality's name ("Amt Neuhaus").
        literal = self._by_literal.get(wanted.literal, set())
        return [self._places[i] for i in sorted(literal)]

    @staticmethod
    def _steps(wanted: PlaceName, ctx: PlaceContext) -> list:
        """The narrowing tests, strongest evidence first."""
        steps = []
        if wanted.qualifiers:
            # "Frankfurt am Main" also matches by its whole name; "(Odenwald)" only by place.
            spelled_out = wanted.full != wanted.base
            steps.append(
                lambda p: (
                    bool(wanted.qualifiers & p.words)
                    or (spelled_out and p.name.full == wanted.full)
                )
            )
        if ctx.district and (row_district := district_words(ctx.district)):
            steps.append(lambda p: bool(row_district & p.districts))
        if ctx.region:
            region = _key(ctx.region)
            steps.append(lambda p: region in (p.region, p.land))
        if ctx.land:
            land = _key(ctx.land)
            steps.append(lambda p: p.land == land)
        near_districts = frozenset().union(*(_districts_of(m) for m in ctx.near))
        if near_districts:
            steps.append(lambda p: bool(near_districts & p.districts))
        near_lands = {_key(land) for m in ctx.near if (land := land_of(m))}
        if near_lands:
            steps.append(lambda p: p.land in near_lands)
        if ctx.home_land:
            home = _key(ctx.home_land)
            steps.append(lambda p: p.land == home)
        return steps


def _districts_of(m: Municipality) -> frozenset[str]:
    words = district_words(m.district)
    return words | place_words(m.name) if m.kind == "kreis" else words
