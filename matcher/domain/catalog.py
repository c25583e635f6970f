"""The items of every kind in memory, typed, with the relations between them looked up both ways."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any

from rapidfuzz import fuzz, process

from matcher.domain.actors import Lookup, NameIndex, PlaceContext, district_words
from matcher.domain.geography import land_of
from matcher.domain.names import fold, place_words
from matcher.domain.schema import (
    KINDS,
    MODELS,
    Browse,
    Entity,
    Municipality,
    Need,
    Offering,
    Project,
    Provider,
    TestField,
    display_name,
)

# Relations computed on first use, and the kind whose writes make each of them stale.
_RELATIONS = {
    "projects_of_municipality": "projects",
    "projects_of_provider": "projects",
    "offerings_of_provider": "offerings",
    "offerings_citing": "offerings",
    "needs_of_municipality": "needs",
    "_towns_by_district": "municipalities",
    "_memberships": "municipalities",
    "_folded_names": "municipalities",
}
# A name suggested for a misspelt one ("Mossautahl" → "Mossautal") is at least this similar
# (rapidfuzz's normalised Indel similarity, 0–100, of the folded names): one or two letters off
# in a name of eight or more, not a merely similar-sounding other place.
SUGGESTION_MIN_SCORE = 80


class Catalog:
    """A snapshot of the store that the ranking reads; refreshed on every write.

    Each kind has its own typed mapping (`catalog.projects["p1"]` is a `Project`); `items`
    gives the same mappings by kind name for code that handles every kind alike.
    """

    def __init__(self, items: Mapping[str, Mapping[str, Entity]] | None = None) -> None:
        self.municipalities: dict[str, Municipality] = {}
        self.projects: dict[str, Project] = {}
        self.providers: dict[str, Provider] = {}
        self.offerings: dict[str, Offering] = {}
        self.needs: dict[str, Need] = {}
        self.testfields: dict[str, TestField] = {}
        for kind, by_id in (items or {}).items():
            self.put(kind, by_id.values())

    def _mutable(self, kind: str) -> dict[str, Any]:
        if kind not in KINDS:
            raise KeyError(kind)
        mapping: dict[str, Any] = getattr(self, kind)
        return mapping

    @property
    def items(self) -> Mapping[str, Mapping[str, Entity]]:
        """Kind name → id → item (the typed mappings, read-only by contract)."""
        return {kind: self._mutable(kind) for kind in KINDS}

    def put(self, kind: str, items: Iterable[Entity]) -> None:
        """Add or replace items; TypeError if an item is not of the kind's model."""
        model, target = MODELS[kind], self._mutable(kind)
        for item in items:
            if not isinstance(item, model):
                raise TypeError(f"{kind}: expected {model.__name__}, got {type(item).__name__}")
            target[item.id] = item
            if isinstance(item, Municipality) and "name_index" in self.__dict__:
                self.name_index.add(item)  # kept up to date: rebuilding it takes a while
        self._invalidate(kind)

    def drop(self, kind: str, ids: Iterable[str]) -> None:
        """Forget items."""
        target = self._mutable(kind)
        for item_id in ids:
            target.pop(item_id, None)
            if kind == "municipalities" and "name_index" in self.__dict__:
                self.name_index.remove(item_id)
        self._invalidate(kind)

    def _invalidate(self, kind: str) -> None:
        for name, depends_on in _RELATIONS.items():
            if depends_on == kind:
                self.__dict__.pop(name, None)

    def get(self, kind: str, item_id: str) -> Entity | None:
        """An item of any kind, or None (prefer the typed mappings where the kind is known)."""
        found: Entity | None = self._mutable(kind).get(item_id)
        return found

    def municipality(self, item_id: str) -> Municipality | None:
        """A municipality or None."""
        return self.municipalities.get(item_id)

    def towns(self, ids: Iterable[str]) -> list[Municipality]:
        """The known municipalities among these ids, in order."""
        return [t for i in ids if (t := self.municipalities.get(i)) is not None]

    # -- relations ---------------------------------------------------------------------------

    @cached_property
    def projects_of_municipality(self) -> dict[str, list[Project]]:
        out: dict[str, list[Project]] = defaultdict(list)
        for p in self.projects.values():
            for m in p.municipalities:
                out[m].append(p)
        return out

    @cached_property
    def projects_of_provider(self) -> dict[str, list[Project]]:
        out: dict[str, list[Project]] = defaultdict(list)
        for p in self.projects.values():
            for prov in p.providers:
                out[prov].append(p)
        return out

    @cached_property
    def offerings_of_provider(self) -> dict[str, list[Offering]]:
        out: dict[str, list[Offering]] = defaultdict(list)
        for o in self.offerings.values():
            out[o.provider].append(o)
        return out

    @cached_property
    def offerings_citing(self) -> dict[str, list[Offering]]:
        out: dict[str, list[Offering]] = defaultdict(list)
        for o in self.offerings.values():
            for ref in o.references:
                out[ref].append(o)
        return out

    @cached_property
    def needs_of_municipality(self) -> dict[str, list[Need]]:
        out: dict[str, list[Need]] = defaultdict(list)
        for n in self.needs.values():
            out[n.municipality].append(n)
        return out

    # -- districts and associations ----------------------------------------------------------

    @cached_property
    def _towns_by_district(
        self,
    ) -> tuple[dict[str, list[Municipality]], dict[str, list[Municipality]]]:
        """Municipalities by Kreisschlüssel (their AGS's first five digits) and by the keys of
        their district's name."""
        by_key: dict[str, list[Municipality]] = defaultdict(list)
        by_word: dict[str, list[Municipality]] = defaultdict(list)
        for m in self.municipalities.values():
            if m.kind != "gemeinde":
                continue
            if len(m.ags) == 8:
                by_key[m.ags[:5]].append(m)
            for word in district_words(m.district):
                by_word[word].append(m)
        return by_key, by_word

    def members(self, actor: Municipality) -> list[Municipality]:
        """The members of a district (municipalities in it, by official key, else by district
        name in the same Land) or of an association (as it lists them); none for a town."""
        if actor.kind == "verband":
            return self.towns(actor.members)
        if actor.kind != "kreis":
            return []
        by_key, by_word = self._towns_by_district
        found = {m.id: m for m in by_key.get(actor.ags, [])} if actor.ags else {}
        land = land_of(actor)
        for word in place_words(actor.name):
            for m in by_word.get(word, []):
                if actor.ags and m.ags:
                    continue  # both have official keys: those decide
                if land and land_of(m) and land_of(m) != land:
                    continue
                found.setdefault(m.id, m)
        return sorted(found.values(), key=lambda m: (m.name, m.id))

    @cached_property
    def _memberships(self) -> dict[str, list[Municipality]]:
        out: dict[str, list[Municipality]] = defaultdict(list)
        for actor in self.municipalities.values():
            for member in self.members(actor):
                out[member.id].append(actor)
        return out

    def memberships(self, actor: Municipality) -> list[Municipality]:
        """The districts and associations an actor is a member of (its Landkreis first)."""
        found = self._memberships.get(actor.id, [])
        return sorted(found, key=lambda m: (m.kind != "kreis", m.name, m.id))

    @cached_property
    def name_index(self) -> NameIndex:
        """Every actor by the keys of its name (for resolving names as people write them)."""
        return NameIndex(self.municipalities.values())

    def towns_of(self, item: Entity) -> list[Municipality]:
        """The municipalities an item belongs to (itself, for a municipality)."""
        if isinstance(item, Municipality):
            return [item]
        if isinstance(item, Project):
            return self.towns(item.municipalities)
        if isinstance(item, Need | TestField):
            return self.towns([item.municipality])
        return []

    def browse(self, kind: str, wanted: Browse) -> tuple[list[Entity], int]:
        """A page of items of a kind that pass `wanted`, ordered by id (or by name); and how
        many pass."""
        items = self._mutable(kind).values()
        order = (lambda i: (fold(display_name(i)), i.id)) if wanted.by_name else (lambda i: i.id)
        out = [item for item in sorted(items, key=order) if self._passes(item, wanted)]
        return out[wanted.offset : wanted.offset + wanted.limit], len(out)

    def _passes(self, item: Entity, wanted: Browse) -> bool:
        """True if an item passes every restriction of `wanted` (paging aside)."""
        if wanted.text and fold(wanted.text) not in fold(display_name(item)):
            return False
        if wanted.categories and not {str(c) for c in wanted.categories} & self.topics(item):
            return False
        if wanted.status and getattr(item, "status", None) != wanted.status:
            return False
        if wanted.actor_kind and getattr(item, "kind", None) != wanted.actor_kind:
            return False
        if wanted.funding and getattr(item, "funding", None) != wanted.funding:
            return False
        if wanted.place_type and getattr(item, "place_type", None) != wanted.place_type:
            return False
        if wanted.provider and wanted.provider not in (
            [getattr(item, "provider", None)] + list(getattr(item, "providers", []))
        ):
            return False
        places = (wanted.municipality, wanted.district, wanted.region)
        sizes = (wanted.min_population, wanted.max_population)
        if not any(places) and all(s is None for s in sizes):
            return True
        towns = self.towns_of(item)
        if wanted.municipality and wanted.municipality not in {t.id for t in towns}:
            return False
        if wanted.district and wanted.district not in {t.district for t in towns}:
            return False
        if wanted.region and wanted.region not in {t.region for t in towns}:
            return False
        low, high = wanted.min_population, wanted.max_population
        if low is not None or high is not None:
            return any(
                t.population is not None
                and (low is None or t.population >= low)
                and (high is None or t.population <= high)
                for t in towns
            )
        return True

    def topics(self, item: Entity) -> set[str]:
        """An item's categories; a provider's are its offerings', a municipality's those of its
        projects and needs."""
        if isinstance(item, Provider):
            offerings = self.offerings_of_provider.get(item.id, [])
            return {str(c) for o in offerings for c in o.categories}
        if isinstance(item, Municipality):
            own: list[Project | Need] = [*self.projects_of_municipality.get(item.id, [])]
            own += self.needs_of_municipality.get(item.id, [])
            return {str(c) for x in own for c in x.categories}
        return {str(c) for c in getattr(item, "categories", [])}

    @cached_property
    def _folded_names(self) -> tuple[list[str], list[str]]:
        """Every actor's folded name and its id, in the same order (for fuzzy look-ups)."""
        pairs = sorted((fold(m.name), m.id) for m in self.municipalities.values())
        return [name for name, _ in pairs], [i for _, i in pairs]

    def suggest_municipalities(self, text: str, limit: int = 3) -> list[Municipality]:
        """The actors whose names are spelt closest to `text` ("Mossautahl" → Mossautal), best
        first; none unless one is close (SUGGESTION_MIN_SCORE)."""
        wanted = fold(text.strip())
        if not wanted:
            return []
        names, ids = self._folded_names
        found = process.extract(
            wanted,
            names,
            scorer=fuzz.ratio,
            limit=limit,
            score_cutoff=SUGGESTION_MIN_SCORE,
        )
        return [self.municipalities[ids[index]] for _, _, index in found]

    def find_municipality(self, text: str, home_land: str = "") -> str | None:
        """Id of an actor given by id, official key or a name that leaves no doubt (as typed
        in a form); among same-named places, one in `home_land` wins."""
        found = self.lookup(text, PlaceContext(home_land=home_land)).found
        return found.id if found else None

    def lookup(self, text: str, context: PlaceContext | None = None) -> Lookup:
        """The actor a name means in a place context, or the candidates it leaves."""
        return self.name_index.lookup(text, context)

    def reference_projects(self, provider_id: str) -> list[Project]:
        """Projects a provider delivered: named on the project or cited by its offerings."""
        found = {p.id: p for p in self.projects_of_provider.get(provider_id, [])}
        for offering in self.offerings_of_provider.get(provider_id, []):
            for ref in offering.references:
                project = self.projects.get(ref)
                if project:
                    found.setdefault(project.id, project)
        return list(found.values())
