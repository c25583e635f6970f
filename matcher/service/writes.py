"""Writes: names resolved, the outcome authorised, then one transaction; the replica follows.

Each write holds the replica still from the first read to the commit: it resolves and
authorises against the data as other workers left it, and the change it commits is applied
to this process's catalog and indexes before the lock is let go.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from matcher.domain.access import SYSTEM, Actor, check_change
from matcher.domain.catalog import Catalog
from matcher.domain.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from matcher.domain.schema import Entity, Offering, Project, model_for
from matcher.importing.reader import ParsedFile
from matcher.importing.resolve import Resolver
from matcher.matching.retrieval import Observer
from matcher.service.home import Home
from matcher.service.replica import Replica

WriteMode = Literal["upsert", "create", "replace"]


@dataclass
class ImportReport:
    """What an import did."""

    kind: str
    imported: int
    created_municipalities: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)  # of the items written, as resolved


def as_parsed(kind: str, items: list[Entity]) -> ParsedFile:
    """Items given as models, as if read from a file."""
    return ParsedFile(kind, list(items), [0] * len(items))


class Writes:
    """Every change to the items, by file, by model or by id."""

    def __init__(self, home: Home, replica: Replica, observer: Observer | None = None) -> None:
        self._home = home
        self._replica = replica
        # Hears "commit-start"/"commit-done" (detail: the kind) around each transaction.
        self._observer = observer

    def write(
        self,
        kind: str,
        parsed: ParsedFile,
        index: bool = True,
        actor: Actor = SYSTEM,
        mode: WriteMode = "upsert",
    ) -> ImportReport:
        """Resolve, authorise what will really change, then store in one transaction.

        `mode` "create" stores only new ids (a concurrent create of the same id fails in the
        database: 409); "replace" and "upsert" replace what exists.
        """
        model_for(kind)
        # Fresh: authorise against what other workers wrote meanwhile, too.
        with self._replica.snapshot() as view:
            catalog = view.catalog
            resolver = Resolver(catalog, self._home.settings.home_land)
            items = resolver.resolve(kind, parsed.items, parsed.lines, parsed.place_contexts())
            new_towns = list(resolver.new_municipalities.values())
            created: list[Entity] = list(new_towns)
            if created and not actor.is_admin:
                names = ", ".join(m.name for m in new_towns)
                raise PermissionDenied(
                    f"creating municipalities ({names}) needs an admin; name known ones"
                )
            for item in items:
                before = catalog.get(kind, item.id)
                if mode == "create" and before is not None:
                    raise ConflictError(f"{kind}: an item with id {item.id!r} exists")
                check_change(catalog, actor, kind, before, item)
            # Follows from the change just authorised, in the same transaction: a town that
            # removes a provider from its project withdraws its consent to be cited.
            withdrawn = _citations_withdrawn(catalog, kind, items)
            if self._observer is not None:
                self._observer("commit-start", kind)
            self._home.store.upsert_batches(
                [("offerings", withdrawn), ("municipalities", created), (kind, items)],
                create_only=mode == "create",
            )
            if self._observer is not None:
                self._observer("commit-done", kind)
            self._replica.refresh()
            if index and view.indexes is not None:
                view.indexes.save()
            return ImportReport(
                kind, len(items), [m.id for m in created], parsed.warnings, [i.id for i in items]
            )

    def create(self, kind: str, item: Entity, actor: Actor = SYSTEM) -> Entity:
        """Add a new item; ConflictError if the id exists (also when another worker creates
        it at the same moment: the database refuses the second insert)."""
        with self._replica.snapshot() as view:
            if item.id in view.catalog.items[kind]:
                raise ConflictError(
                    f"{kind}: an item with id {item.id!r} exists; use PUT to change it"
                )
            report = self.write(kind, as_parsed(kind, [item]), actor=actor, mode="create")
            return self._stored(kind, report.ids[0])

    def replace(self, kind: str, item_id: str, item: Entity, actor: Actor = SYSTEM) -> Entity:
        """Replace an existing item; NotFoundError if there is none."""
        if item.id != item_id:
            raise ValidationError(
                "id: the body's id differs from the path", [("id", "must equal the id in the path")]
            )
        with self._replica.snapshot() as view:
            if item_id not in view.catalog.items[kind]:
                raise NotFoundError(f"{kind}: no item with id {item_id!r}")
            report = self.write(kind, as_parsed(kind, [item]), actor=actor, mode="replace")
            return self._stored(kind, report.ids[0])

    def _stored(self, kind: str, item_id: str) -> Entity:
        """An item just written (as resolved and stored)."""
        with self._replica.snapshot(fresh=False) as view:
            item = view.catalog.get(kind, item_id)
        if item is None:  # another process deleted it in between
            raise NotFoundError(f"{kind}: no item with id {item_id!r}")
        return item

    def delete(self, kind: str, item_id: str, actor: Actor = SYSTEM) -> None:
        """Delete an item; ConflictError if others refer to it. The index forgets it at once."""
        model_for(kind)
        with self._replica.snapshot() as view:
            check_change(view.catalog, actor, kind, view.catalog.get(kind, item_id), None)
            self._home.store.delete(kind, item_id)
            self._replica.refresh()
            if view.indexes is not None:
                view.indexes.save()


def _citations_withdrawn(catalog: Catalog, kind: str, items: list[Entity]) -> list[Entity]:
    """The offerings that cite a project whose write removes their provider, without that
    citation (an offering's references need the project to name its provider)."""
    changed: dict[str, Offering] = {}
    for item in items if kind == "projects" else ():
        before = catalog.projects.get(item.id)
        if not isinstance(item, Project) or before is None:
            continue
        gone = set(before.providers) - set(item.providers)
        for offering in catalog.offerings_citing.get(item.id, []):
            if offering.provider in gone:
                current = changed.get(offering.id, offering)
                refs = [r for r in current.references if r != item.id]
                changed[offering.id] = current.model_copy(update={"references": refs})
    return list(changed.values())
