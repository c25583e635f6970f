"""The replica: the data the service answers from, kept in step with the database.

The catalog and the search indexes, what is derived from them per data version (the items'
analysed text, the towns' distances), the change sequence they are in step with, and the one
lock that holds them still. Readers and writers hold it one way, `with replica.snapshot() as
view:`, which first applies the writes committed since the last look (by this process or
another: API workers share one database) unless `fresh=False`.

Where the items live is a `CatalogKeeper`'s business. The in-memory keeper reads every item
at `load`; at a million projects that is what does not fit (docs/scaling.md). A store-backed
keeper would read on demand behind the same `Catalog` reads, and be handed the changed items
by `refresh` like this one.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from matcher.domain.catalog import Catalog
from matcher.domain.schema import KINDS, Entity
from matcher.matching.retrieval import SEARCHABLE, Observer, SearchIndexes
from matcher.matching.texts import ItemTexts, keep_nouns
from matcher.matching.towns import TownPairs
from matcher.ranking.analysis import GermanAnalyzer
from matcher.service.home import Home
from matcher.store import Store


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """No garbage collection while loading: every item read is kept, and the collector's
    passes over the growing heap took half the time of reading 100,000 projects (3.4 s of
    CPU with it, 1.5 s without)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class CatalogKeeper(Protocol):
    """Where the replica's items live: read when the replica loads, then kept in step with
    each change the replica applies."""

    def empty(self) -> Catalog:
        """A catalog of no items."""
        ...

    def load(self, store: Store) -> Catalog:
        """The catalog of every item in `store`."""
        ...

    def apply(
        self, catalog: Catalog, kind: str, items: Sequence[Entity], gone: Sequence[str]
    ) -> None:
        """Items of `kind` written since the last change applied put in, `gone` ids dropped."""
        ...


class InMemoryCatalog:
    """Every item as a Python object, read whole at load."""

    def empty(self) -> Catalog:
        return Catalog()

    def load(self, store: Store) -> Catalog:
        return Catalog({k: {i.id: i for i in store.all(k)} for k in KINDS})

    def apply(
        self, catalog: Catalog, kind: str, items: Sequence[Entity], gone: Sequence[str]
    ) -> None:
        catalog.put(kind, items)
        catalog.drop(kind, gone)


@dataclass(frozen=True)
class View:
    """The data as of one change sequence, for the `snapshot` block that gave it (the
    catalog and the indexes change in place when the next writes are applied)."""

    catalog: Catalog
    indexes: SearchIndexes | None  # None until the replica is loaded
    texts: ItemTexts | None  # the items' analysed text of this version (with the indexes)
    towns: TownPairs  # the towns' distances and likeness of this version
    change_sequence: int


class Replica:
    """The catalog and indexes of one process, in step with the store's change log."""

    def __init__(
        self,
        home: Home,
        analyzer: GermanAnalyzer,
        *,
        observer: Observer | None = None,
        keeper: CatalogKeeper | None = None,
    ) -> None:
        self._home = home
        self.analyzer = analyzer
        self._observer = observer
        self._keeper = keeper or InMemoryCatalog()
        # A server may use one service from several threads, and the catalog and the indexes
        # change in place when writes are applied.
        self._lock = threading.RLock()
        self.catalog = self._keeper.empty()
        self.indexes: SearchIndexes | None = None
        # The position in the store's change log up to which the catalog and the indexes
        # are in step (and the version the answer caches are keyed by).
        self.change_sequence = 0
        # Derived from the items of the current version: replaced whenever changes are
        # applied (`_data_changed`), the texts keeping what they knew of unchanged items.
        self._texts: ItemTexts | None = None
        self._towns = TownPairs(self.catalog)

    @property
    def ready(self) -> bool:
        return self.indexes is not None

    @contextlib.contextmanager
    def snapshot(self, fresh: bool = True) -> Iterator[View]:
        """Hold the data still for the block: the one way to hold the replica's lock. With
        `fresh`, the writes committed since the last look are applied first."""
        with self._lock:
            if fresh:
                self.refresh()
            yield View(self.catalog, self.indexes, self._texts, self._towns, self.change_sequence)

    def load(self, load_only: bool = False) -> dict[str, dict[str, int]]:
        """Read every item and reconcile the indexes with them; what changed in each index.
        With `load_only`, NotReadyError if that needs encoding or rebuilding an index."""
        store = self._home.store
        with self._lock:
            # Read the change log position first: writes during loading are applied again
            # by the next refresh, which is harmless.
            self.change_sequence = store.last_change()
            with _collector_paused():
                self.catalog = self._keeper.load(store)
                indexes = SearchIndexes(
                    self._home.encoder,
                    self._home.index_dir(),
                    self.analyzer,
                    self._home.settings.exact_index_max,
                    observer=self._observer,
                    load_only=load_only,
                )
                changes = {
                    kind: indexes.reconcile(kind, self.catalog.items[kind].values())
                    for kind in SEARCHABLE
                }
            if indexes.unsaved:
                indexes.save()
            # The tagged nouns of the items warmed up, from the home (tagged and kept if new).
            settings = self._home.settings
            keep_nouns(self.analyzer, self.catalog, self._home.index_dir(), settings.warm_texts)
            self.indexes = indexes
            self._data_changed()
            return changes

    def start_empty(self) -> None:
        """Forget every item (the store is empty: names must not resolve to earlier ones)."""
        with self._lock:
            self.catalog = self._keeper.empty()
            self._data_changed()

    def refresh(self) -> int:
        """Apply every write committed since the last look; how many items changed."""
        store = self._home.store
        if store.last_change() <= self.change_sequence:
            return 0
        with self._lock:
            changes = store.changes_since(self.change_sequence)
            if not changes:
                return 0
            latest: dict[tuple[str, str], str] = {}
            for _seq, kind, item_id, op in changes:
                latest[(kind, item_id)] = op
            for kind in KINDS:
                ids = [i for (k, i), op in latest.items() if k == kind and op == "upsert"]
                items = store.get_many(kind, ids) if ids else []
                gone = [i for (k, i), op in latest.items() if k == kind and op == "delete"]
                gone += sorted(set(ids) - {item.id for item in items})
                self._keeper.apply(self.catalog, kind, items, gone)
                if self.indexes is not None:
                    self.indexes.upsert(kind, items)
                    self.indexes.remove(kind, gone)
            self.change_sequence = changes[-1][0]
            self._data_changed(set(latest))
            return len(latest)

    def _data_changed(self, changed: set[tuple[str, str]] | None = None) -> None:
        """Forget what was derived from the items (the towns' distances; the text of the
        `changed` items, or of all without): the catalog and the indexes changed in place."""
        self._towns = TownPairs(self.catalog)
        previous = self._texts if changed is not None else None
        self._texts = (
            ItemTexts(
                self.catalog,
                self.indexes.lexical,
                self.analyzer,
                previous,
                changed or set(),
                encoder=self.indexes.encoder,
            )
            if self.indexes is not None
            else None
        )
