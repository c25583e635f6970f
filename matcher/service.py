"""The matching service: composes the store, the encoder, the indexes and the ranking.

Every interface (CLI, HTTP API, notebooks) goes through this class. It raises domain
errors only and never imports Flask.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from matcher import directions
from matcher.config import Settings
from matcher.domain.catalog import Catalog
from matcher.domain.errors import ConflictError, NotFoundError, NotReadyError, ValidationError
from matcher.domain.schema import KINDS, Entity, Filters, Municipality, display_name, model_for
from matcher.embeddings import CachedEncoder, Encoder, create_encoder
from matcher.importing import parse_file
from matcher.importing.reader import ParsedFile, parse_bytes
from matcher.importing.resolve import Resolver, normalize_name
from matcher.joint import joint_projects
from matcher.matching.retrieval import SEARCHABLE, SearchIndexes
from matcher.ranking.analysis import GermanAnalyzer
from matcher.ranking.config import RankingConfig, load_ranking_config
from matcher.search import Query, Searcher
from matcher.store import Store

log = logging.getLogger(__name__)

RESULT_KINDS = ("projects", "municipalities", "providers")
MAX_QUERY_CHARS = 5000
# Results of recent challenges, valid while neither the data nor the ranking config changes.
RESULT_CACHE_SIZE = 512
# The demo corpus, in the order its references need.
DEMO_FILES = (
    ("municipalities", "municipalities.csv"),
    ("providers", "providers.jsonl"),
    ("projects", "projects.jsonl"),
    ("offerings", "offerings.jsonl"),
    ("needs", "needs.jsonl"),
)


@dataclass
class ImportReport:
    """What an import did."""

    kind: str
    imported: int
    created_municipalities: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class MatcherService:
    """Matching over a store; open() makes it ready to answer."""

    def __init__(
        self,
        settings: Settings,
        encoder: Encoder | None = None,
        ranking: RankingConfig | None = None,
    ) -> None:
        self.settings = settings
        settings.home.mkdir(parents=True, exist_ok=True)
        self.store = Store(settings.database_url)
        self.ranking = ranking or load_ranking_config(settings.ranking_config)
        self.analyzer = GermanAnalyzer()
        self._raw_encoder = encoder
        self._encoder: CachedEncoder | None = None
        self.catalog = Catalog()
        self.indexes: SearchIndexes | None = None
        self._lock = threading.RLock()
        self._seen = 0
        self._results: OrderedDict[tuple, dict] = OrderedDict()
        self._results_for: tuple[int, RankingConfig | None] = (-1, None)

    # -- set-up ------------------------------------------------------------------------------

    @property
    def encoder(self) -> CachedEncoder:
        """The encoder, loaded on first use, with the store as its cache."""
        if self._encoder is None:
            raw = self._raw_encoder or create_encoder(
                self.settings.encoder, self.settings.threads, self.settings.batch_size
            )
            self._encoder = CachedEncoder(
                raw, self.store, self.settings.batch_size, progress=self.settings.progress
            )
        return self._encoder

    @property
    def ready(self) -> bool:
        return self.indexes is not None

    def open(self) -> dict[str, dict[str, int]]:
        """Load every item and reconcile the indexes with the database."""
        with self._lock:
            # Read the change log position first: writes during loading are applied again
            # by the next refresh, which is harmless.
            self._seen = self.store.last_change()
            self.catalog = Catalog({k: {i.id: i for i in self.store.all(k)} for k in KINDS})
            self.settings.index_dir.mkdir(parents=True, exist_ok=True)
            indexes = SearchIndexes(
                self.encoder, self.settings.index_dir, self.analyzer, self.settings.exact_index_max
            )
            changes = {
                kind: indexes.reconcile(kind, self.catalog.items[kind].values())
                for kind in SEARCHABLE
            }
            if any(
                c["encoded_or_updated"] or c["dropped"] or c["rebuilt"] for c in changes.values()
            ):
                indexes.save()
            self.indexes = indexes
            return changes

    def build(self, data_dir: Path | None = None) -> dict:
        """Import the demo corpus if the store is empty, then encode and index."""
        data_dir = data_dir or self.settings.data_dir
        imported = {}
        if all(self.store.count(k) == 0 for k in KINDS):
            self.catalog = Catalog()
            for kind, name in DEMO_FILES:
                path = data_dir / name
                if path.exists():
                    imported[kind] = self._write(kind, parse_file(kind, path), index=False).imported
        changes = self.open()
        return {"imported": imported, "indexed": changes}

    def close(self) -> None:
        self.store.close()

    # -- writes ------------------------------------------------------------------------------

    def import_file(self, kind: str, path: str | Path) -> ImportReport:
        """Import a CSV/JSONL file (or a Destatis directory) whole, or nothing."""
        return self._write(kind, parse_file(kind, path))

    def import_bytes(self, kind: str, data: bytes, name: str = "") -> ImportReport:
        """Import file content (for uploads)."""
        return self._write(kind, parse_bytes(kind, data, name))

    def upsert(self, kind: str, items: list[Entity]) -> ImportReport:
        """Create or replace items given as models."""
        parsed = ParsedFile(kind, list(items), [0] * len(items))
        return self._write(kind, parsed)

    def _write(self, kind: str, parsed: ParsedFile, index: bool = True) -> ImportReport:
        model_for(kind)
        with self._lock:
            resolver = Resolver(self.catalog)
            items = resolver.resolve(kind, parsed.items, parsed.lines)
            created = list(resolver.new_municipalities.values())
            self.store.upsert_batches([("municipalities", created), (kind, items)])
            self.refresh()
            if index and self.indexes is not None:
                self.indexes.save()
            return ImportReport(kind, len(items), [m.id for m in created], parsed.warnings)

    def delete(self, kind: str, item_id: str) -> None:
        """Delete an item; ConflictError if others refer to it. The index forgets it at once."""
        model_for(kind)
        with self._lock:
            self.store.delete(kind, item_id)
            self.refresh()
            if self.indexes is not None:
                self.indexes.save()

    def refresh(self) -> int:
        """Apply every write committed since the last look, by this process or another (API
        workers share one database); returns how many items changed."""
        last = self.store.last_change()
        if last <= self._seen:
            return 0
        with self._lock:
            changes = self.store.changes_since(self._seen)
            if not changes:
                return 0
            latest: dict[tuple[str, str], str] = {}
            for _seq, kind, item_id, op in changes:
                latest[(kind, item_id)] = op
            for kind in KINDS:
                ids = [i for (k, i), op in latest.items() if k == kind and op == "upsert"]
                items = self.store.get_many(kind, ids) if ids else []
                gone = [i for (k, i), op in latest.items() if k == kind and op == "delete"]
                gone += sorted(set(ids) - {item.id for item in items})
                self.catalog.put(kind, items)
                self.catalog.drop(kind, gone)
                if self.indexes is not None:
                    self.indexes.upsert(kind, items)
                    self.indexes.remove(kind, gone)
            self._seen = changes[-1][0]
            return len(latest)

    # -- reads -------------------------------------------------------------------------------

    def searcher(self) -> Searcher:
        """A searcher over the current data (applies unseen writes first)."""
        if self.indexes is None:
            raise NotReadyError("the index is not built yet; run `matcher build`")
        self.refresh()
        return Searcher(self.catalog, self.indexes, self.ranking, self.analyzer)

    def query(
        self, text: str, municipality: str | None = None, filters: Filters | None = None
    ) -> Query:
        """Validate and analyse a challenge text once."""
        text = (text or "").strip()
        if len(text) < 3:
            raise ValidationError("text: at least 3 characters are needed", [("text", "too short")])
        if len(text) > MAX_QUERY_CHARS:
            raise ValidationError(
                f"text: at most {MAX_QUERY_CHARS} characters", [("text", "too long")]
            )
        asker = None
        if municipality:
            asker = self.catalog.municipality(municipality)
            if asker is None:
                raise ValidationError(
                    f"municipality: unknown id {municipality!r}", [("municipality", "unknown id")]
                )
        return Query(
            text=text,
            vector=self.encoder.encode_query(text),
            terms=self.analyzer.terms(text),
            words=self.analyzer.words(text),
            asker=asker,
            filters=filters or Filters(),
        )

    def search(
        self,
        text: str,
        kind: str = "projects",
        k: int = 10,
        municipality: str | None = None,
        filters: Filters | None = None,
    ) -> list[dict]:
        """Ranked, explained results of one kind."""
        return self.match(text, [kind], k, municipality, filters)[kind]

    def match(
        self,
        text: str,
        kinds: list[str] | None = None,
        k: int = 10,
        municipality: str | None = None,
        filters: Filters | None = None,
    ) -> dict:
        """Ranked, explained results of several kinds for one challenge."""
        kinds = list(kinds or RESULT_KINDS)
        unknown = [x for x in kinds if x not in RESULT_KINDS]
        if unknown:
            raise ValidationError(
                f"kinds: unknown {unknown}; expected {list(RESULT_KINDS)}",
                [("kinds", "unknown kind")],
            )
        self._checked_k(k)
        searcher = self.searcher()
        key = (
            (text or "").strip(),
            tuple(kinds),
            k,
            municipality,
            filters.model_dump_json() if filters else "",
        )
        hit = self._cached_result(key)
        if hit is not None:
            return hit
        q = self.query(text, municipality, filters)
        found = {kind: getattr(searcher, kind)(q, k) for kind in kinds}
        with self._lock:
            self._results[key] = found
            if len(self._results) > RESULT_CACHE_SIZE:
                self._results.popitem(last=False)
        return found

    def clear_query_caches(self) -> None:
        """Forget cached results and query vectors (benchmarks time the whole path)."""
        with self._lock:
            self._results.clear()
        self.encoder.clear_queries()

    def _cached_result(self, key: tuple) -> dict | None:
        """The stored result of the same challenge, if data and ranking are unchanged since
        (a repeated query costs neither encoding nor ranking). Treat it as read-only."""
        with self._lock:
            seen, ranking = self._results_for
            if seen != self._seen or ranking is not self.ranking:
                self._results.clear()
                self._results_for = (self._seen, self.ranking)
                return None
            hit = self._results.get(key)
            if hit is not None:
                self._results.move_to_end(key)
            return hit

    def _checked_k(self, k: int) -> None:
        if not 1 <= k <= 100:
            raise ValidationError("k: must be between 1 and 100", [("k", "out of range")])

    def peers(self, municipality_id: str, k: int = 10, filters: Filters | None = None) -> dict:
        """Peers of a municipality (by profile and structure) and its open needs, matched."""
        self._checked_k(k)
        return directions.peers(self.searcher(), municipality_id, k, filters)

    def leads(self, item_id: str, k: int = 10, filters: Filters | None = None) -> dict:
        """Municipalities for a provider or one of its offerings."""
        self._checked_k(k)
        return directions.leads(self.searcher(), item_id, k, filters)

    def similar(self, project_id: str, k: int = 10, filters: Filters | None = None) -> dict:
        """Projects like a project elsewhere, and the towns that could adopt it."""
        self._checked_k(k)
        return directions.similar(self.searcher(), project_id, k, filters)

    def joint_projects(self, k: int = 10, filters: Filters | None = None) -> list[dict]:
        """Suggested joint projects of nearby smaller towns with the same open need."""
        self._checked_k(k)
        return joint_projects(self.searcher(), k, filters)

    def list_items(
        self,
        kind: str,
        q: str | None = None,
        categories=(),
        district=None,
        region=None,
        municipality=None,
        provider=None,
        status=None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[Entity], int]:
        """A page of items of a kind, filtered, ordered by id; and how many match in all."""
        model_for(kind)
        self.refresh()
        wanted = {str(c) for c in categories}
        needle = (q or "").lower()
        out = []
        for item in sorted(self.catalog.items[kind].values(), key=lambda i: i.id):
            if needle and needle not in display_name(item).lower():
                continue
            if wanted and not wanted & {str(c) for c in getattr(item, "categories", [])}:
                continue
            if status and getattr(item, "status", None) != status:
                continue
            towns = self._towns_of(item)
            if municipality and municipality not in {t.id for t in towns}:
                continue
            if district and district not in {t.district for t in towns}:
                continue
            if region and region not in {t.region for t in towns}:
                continue
            if provider and provider not in (
                [getattr(item, "provider", None)] + list(getattr(item, "providers", []))
            ):
                continue
            out.append(item)
        return out[offset : offset + limit], len(out)

    def _towns_of(self, item: Entity) -> list:
        if isinstance(item, Municipality):
            return [item]
        ids = list(getattr(item, "municipalities", [])) or [getattr(item, "municipality", None)]
        return [t for t in (self.catalog.municipality(i) for i in ids if i) if t]

    def create(self, kind: str, item: Entity) -> Entity:
        """Add a new item; ConflictError if the id exists."""
        self.refresh()
        if item.id in self.catalog.items[kind]:
            raise ConflictError(f"{kind}: an item with id {item.id!r} exists; use PUT to change it")
        self.upsert(kind, [item])
        return self.catalog.get(kind, item.id)

    def replace(self, kind: str, item_id: str, item: Entity) -> Entity:
        """Replace an existing item; NotFoundError if there is none."""
        if item.id != item_id:
            raise ValidationError(
                "id: the body's id differs from the path", [("id", "must equal the id in the path")]
            )
        self.refresh()
        if item_id not in self.catalog.items[kind]:
            raise NotFoundError(f"{kind}: no item with id {item_id!r}")
        self.upsert(kind, [item])
        return self.catalog.get(kind, item_id)

    def add_feedback(self, query: str, item_kind: str, item_id: str, verdict: str) -> int:
        """Store a user's verdict on a result."""
        row = {
            "query": query,
            "item_kind": item_kind,
            "item_id": item_id,
            "verdict": verdict,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        return self.store.add_feedback(row)

    def find_municipality(self, text: str) -> str | None:
        """Id of a municipality given by id or by its unique name (as typed in a form)."""
        text = (text or "").strip()
        if not text:
            return None
        if self.catalog.municipality(text):
            return text
        wanted = normalize_name(text.split(" (")[0])
        hits = [
            m.id
            for m in self.catalog.items["municipalities"].values()
            if normalize_name(m.name) == wanted
        ]
        if len(hits) == 1:
            return hits[0]
        exact = [m.id for m in self.catalog.items["municipalities"].values() if m.name == text]
        return exact[0] if len(exact) == 1 else None

    def get(self, kind: str, item_id: str) -> Entity:
        return self.store.get(kind, item_id)

    def stats(self) -> dict:
        """Counts, encoder and index state."""
        return {
            "database": self.store.engine.dialect.name,
            "counts": {k: len(v) for k, v in self.catalog.items.items()},
            "encoder": self.settings.encoder,
            "index": self.indexes.describe() if self.indexes else {},
        }

    def data_hash(self) -> str:
        """A hash of every item, to tie a tuned ranking config to the data it was tuned on."""
        digest = hashlib.sha256()
        for kind in KINDS:
            for item_id in sorted(self.catalog.items[kind]):
                digest.update(self.catalog.items[kind][item_id].model_dump_json().encode())
        return digest.hexdigest()[:16]
