"""The items of every kind in memory, typed, with the relations between them looked up both ways."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any

from matcher.domain.names import normalize_name
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
    display_name,
)

_RELATIONS = (
    "projects_of_municipality",
    "projects_of_provider",
    "offerings_of_provider",
    "offerings_citing",
    "needs_of_municipality",
)


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
        self._invalidate()

    def drop(self, kind: str, ids: Iterable[str]) -> None:
        """Forget items."""
        target = self._mutable(kind)
        for item_id in ids:
            target.pop(item_id, None)
        self._invalidate()

    def _invalidate(self) -> None:
        for name in _RELATIONS:
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

    def towns_of(self, item: Entity) -> list[Municipality]:
        """The municipalities an item belongs to (itself, for a municipality)."""
        if isinstance(item, Municipality):
            return [item]
        if isinstance(item, Project):
            return self.towns(item.municipalities)
        if isinstance(item, Need):
            return self.towns([item.municipality])
        return []

    def browse(self, kind: str, wanted: Browse) -> tuple[list[Entity], int]:
        """A page of items of a kind that pass `wanted`, ordered by id; and how many pass."""
        cats = {str(c) for c in wanted.categories}
        needle = (wanted.text or "").lower()
        out = []
        for item in sorted(self._mutable(kind).values(), key=lambda i: i.id):
            if needle and needle not in display_name(item).lower():
                continue
            if cats and not cats & {str(c) for c in getattr(item, "categories", [])}:
                continue
            if wanted.status and getattr(item, "status", None) != wanted.status:
                continue
            towns = self.towns_of(item)
            if wanted.municipality and wanted.municipality not in {t.id for t in towns}:
                continue
            if wanted.district and wanted.district not in {t.district for t in towns}:
                continue
            if wanted.region and wanted.region not in {t.region for t in towns}:
                continue
            if wanted.provider and wanted.provider not in (
                [getattr(item, "provider", None)] + list(getattr(item, "providers", []))
            ):
                continue
            out.append(item)
        return out[wanted.offset : wanted.offset + wanted.limit], len(out)

    def find_municipality(self, text: str) -> str | None:
        """Id of a municipality given by id or by its unique name (as typed in a form)."""
        text = (text or "").strip()
        if not text:
            return None
        if text in self.municipalities:
            return text
        wanted = normalize_name(text.split(" (")[0])
        hits = [m.id for m in self.municipalities.values() if normalize_name(m.name) == wanted]
        if len(hits) == 1:
            return hits[0]
        exact = [m.id for m in self.municipalities.values() if m.name == text]
        return exact[0] if len(exact) == 1 else None

    def reference_projects(self, provider_id: str) -> list[Project]:
        """Projects a provider delivered: named on the project or cited by its offerings."""
        found = {p.id: p for p in self.projects_of_provider.get(provider_id, [])}
        for offering in self.offerings_of_provider.get(provider_id, []):
            for ref in offering.references:
                project = self.projects.get(ref)
                if project:
                    found.setdefault(project.id, project)
        return list(found.values())
