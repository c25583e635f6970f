"""The items of every kind in memory, with the relations between them looked up both ways."""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property

from matcher.domain.schema import KINDS, Entity, Filters, Municipality, Need, Offering, Project
from matcher.ranking.features import haversine_km


class Catalog:
    """A snapshot of the store that the ranking reads; refreshed on every write."""

    def __init__(self, items: dict[str, dict[str, Entity]] | None = None) -> None:
        self.items: dict[str, dict[str, Entity]] = {k: {} for k in KINDS}
        for kind, by_id in (items or {}).items():
            self.items[kind].update(by_id)

    def put(self, kind: str, items: list[Entity]) -> None:
        """Add or replace items."""
        self.items[kind].update((i.id, i) for i in items)
        self._invalidate()

    def drop(self, kind: str, ids: list[str]) -> None:
        """Forget items."""
        for item_id in ids:
            self.items[kind].pop(item_id, None)
        self._invalidate()

    def _invalidate(self) -> None:
        for name in (
            "projects_of_municipality",
            "projects_of_provider",
            "offerings_of_provider",
            "offerings_citing",
            "needs_of_municipality",
        ):
            self.__dict__.pop(name, None)

    def get(self, kind: str, item_id: str) -> Entity | None:
        """An item or None."""
        return self.items[kind].get(item_id)

    def municipality(self, item_id: str) -> Municipality | None:
        """A municipality or None."""
        return self.items["municipalities"].get(item_id)  # type: ignore[return-value]

    # -- relations ---------------------------------------------------------------------------

    @cached_property
    def projects_of_municipality(self) -> dict[str, list[Project]]:
        out: dict[str, list[Project]] = defaultdict(list)
        for p in self.items["projects"].values():
            for m in p.municipalities:
                out[m].append(p)
        return out

    @cached_property
    def projects_of_provider(self) -> dict[str, list[Project]]:
        out: dict[str, list[Project]] = defaultdict(list)
        for p in self.items["projects"].values():
            for prov in p.providers:
                out[prov].append(p)
        return out

    @cached_property
    def offerings_of_provider(self) -> dict[str, list[Offering]]:
        out: dict[str, list[Offering]] = defaultdict(list)
        for o in self.items["offerings"].values():
            out[o.provider].append(o)
        return out

    @cached_property
    def offerings_citing(self) -> dict[str, list[Offering]]:
        out: dict[str, list[Offering]] = defaultdict(list)
        for o in self.items["offerings"].values():
            for ref in o.references:
                out[ref].append(o)
        return out

    @cached_property
    def needs_of_municipality(self) -> dict[str, list[Need]]:
        out: dict[str, list[Need]] = defaultdict(list)
        for n in self.items["needs"].values():
            out[n.municipality].append(n)
        return out

    def reference_projects(self, provider_id: str) -> list[Project]:
        """Projects a provider delivered: named on the project or cited by its offerings."""
        found = {p.id: p for p in self.projects_of_provider.get(provider_id, [])}
        for offering in self.offerings_of_provider.get(provider_id, []):
            for ref in offering.references:
                project = self.items["projects"].get(ref)
                if project:
                    found.setdefault(project.id, project)
        return list(found.values())

    # -- geography ---------------------------------------------------------------------------

    def distance_km(self, a: Municipality | None, b: Municipality | None) -> float | None:
        """Distance between two municipalities, None when a position is unknown."""
        if a is None or b is None or None in (a.latitude, a.longitude, b.latitude, b.longitude):
            return None
        return haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)

    def municipality_passes(
        self, m: Municipality | None, filters: Filters, asker: Municipality | None
    ) -> bool:
        """True if a municipality meets the place and size filters."""
        if m is None:
            return False
        if filters.district and m.district != filters.district:
            return False
        if filters.region and m.region != filters.region:
            return False
        if filters.min_population is not None and (m.population or 0) < filters.min_population:
            return False
        if filters.max_population is not None and (
            m.population is None or m.population > filters.max_population
        ):
            return False
        if filters.max_distance_km is not None and asker is not None:
            km = self.distance_km(asker, m)
            if km is None or km > filters.max_distance_km:
                return False
        return True
