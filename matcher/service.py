"""The matching service: composes the store, the encoder, the indexes and the ranking.

Every interface (CLI, HTTP API, notebooks) goes through this class. It raises domain
errors only and never imports Flask.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import hashlib
import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from matcher.config import Settings
from matcher.domain.access import SYSTEM, Actor, Viewer, check_change, viewer_for
from matcher.domain.catalog import Catalog
from matcher.domain.errors import (
    ConflictError,
    NotFoundError,
    NotReadyError,
    PermissionDenied,
    ValidationError,
)
from matcher.domain.schema import (
    KINDS,
    MAX_CHALLENGE_CHARS,
    MAX_RESULTS,
    MIN_CHALLENGE_CHARS,
    WITH_PRIVATE,
    Browse,
    Entity,
    Filters,
    Municipality,
    Offering,
    Project,
    model_for,
)
from matcher.embeddings import CachedEncoder, Encoder, create_encoder
from matcher.importing import parse_file
from matcher.importing.reader import ParsedFile, parse_bytes
from matcher.importing.resolve import Resolver
from matcher.matching.cache import MODEL_BYTES_PER_JSON_BYTE, AnswerCache
from matcher.matching.context import MatchData, Query
from matcher.matching.matcher import RESULT_KINDS, Matcher
from matcher.matching.results import (
    JointProjects,
    LeadsResult,
    MatchResult,
    MunicipalityResult,
    PeersResult,
    ProjectResult,
    ProviderResult,
    SimilarResult,
)
from matcher.matching.retrieval import SEARCHABLE, Observer, SearchIndexes
from matcher.matching.texts import ItemTexts
from matcher.matching.towns import TownPairs
from matcher.ranking.analysis import GermanAnalyzer
from matcher.ranking.config import RankingConfig, load_ranking_config
from matcher.store import Store
from matcher.store.sessions import SessionStore

log = logging.getLogger(__name__)
T = TypeVar("T")
WriteMode = Literal["upsert", "create", "replace"]

# Answers kept for repeated challenges (each valid while the data is unchanged).
RESULT_CACHE_SIZE = 512
# And at most this much memory in each of the two answer caches (result objects, their JSON),
# as the caches estimate it: a k=100 answer of the demo corpus is 150 kB of JSON and 700 kB of
# objects, so 512 of each took 440 MB per worker (measured with tracemalloc), and the rate
# limit lets one client fill them. 32 MiB holds about 220 such answers as JSON and 45 as
# objects; at k=10 (the pages' lists, 25 kB of JSON) all 512 as JSON and 270 as objects.
RESULT_CACHE_BYTES = 32 * 2**20
WARM_UP_TEXT = "Aufwärmen des Matchers"
# New feedback verdicts one client may give a day: a town's staff rating every result of ten
# searches a day stays far below; one address adding 345,000 rows a day (the finding) cannot.
FEEDBACK_PER_CLIENT_PER_DAY = 200
FEEDBACK_REVIEW = ("neu", "angenommen", "verworfen")
# The demo corpus, in the order its references need.
DEMO_FILES = (
    ("municipalities", "municipalities.csv"),
    ("providers", "providers.jsonl"),
    ("projects", "projects.jsonl"),
    ("offerings", "offerings.jsonl"),
    ("needs", "needs.jsonl"),
)


def _exclusive(method: Callable[..., T]) -> Callable[..., T]:
    """Run a service method under the service's lock: a server may call one service from
    several threads, and the catalog and indexes change in place on writes."""

    @functools.wraps(method)
    def locked(self: MatcherService, *args: Any, **kwargs: Any) -> T:
        with self._lock:
            return method(self, *args, **kwargs)

    return locked


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


@dataclass
class ImportReport:
    """What an import did."""

    kind: str
    imported: int
    created_municipalities: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)  # of the items written, as resolved


class MatcherService:
    """Matching over a store; open() makes it ready to answer."""

    def __init__(
        self,
        settings: Settings,
        encoder: Encoder | None = None,
        ranking: RankingConfig | None = None,
        *,
        observer: Observer | None = None,
    ) -> None:
        self.settings = settings
        # Hears the phases of writes (event, detail): "commit-start"/"commit-done" around each
        # transaction, "opened" when open() is done, and the index saves' events (SearchIndexes).
        self.observer = observer
        # The home holds the database, keys and indexes: a new one is its owner's alone.
        with contextlib.suppress(FileExistsError):
            settings.home.mkdir(parents=True, mode=0o700)
        self.store = Store(settings.database_url, settings.db_statement_timeout or None)
        self._ranking = ranking or load_ranking_config(settings.ranking_path).for_encoder(
            settings.encoder
        )
        self.analyzer = GermanAnalyzer()
        self._raw_encoder = encoder
        self._encoder: CachedEncoder | None = None
        self.catalog = Catalog()
        self.indexes: SearchIndexes | None = None
        self._lock = threading.RLock()
        self._seen = 0
        # Results of recent challenges, valid while the data is unchanged (the ranking config
        # of a service never changes; other configs are run through other matchers).
        self._results: AnswerCache[MatchResult] = AnswerCache.of_models(
            RESULT_CACHE_SIZE, RESULT_CACHE_BYTES
        )
        # The same answers as JSON, for the API (a repeated answer is not serialised again).
        self._json_answers: AnswerCache[bytes] = AnswerCache.of_bytes(
            RESULT_CACHE_SIZE, RESULT_CACHE_BYTES
        )
        # The items' analysed text for explanations, of the data as it is now: replaced
        # whenever a write is applied (`_data_changed`).
        self._texts: ItemTexts | None = None
        self._towns = TownPairs(self.catalog)

    # -- set-up ------------------------------------------------------------------------------

    @functools.cached_property
    def sessions(self) -> SessionStore:
        """Signed-in web sessions (the pages' sign-in), kept in this service's database."""
        return SessionStore(self.store.engine)

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
    def ranking(self) -> RankingConfig:
        """The ranking config this service answers with; fixed for its lifetime (compare
        others through `matcher(ranking=…)`)."""
        return self._ranking

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the service's lock for a longer piece of work (an evaluation in a server)."""
        with self._lock:
            yield

    @property
    def ready(self) -> bool:
        return self.indexes is not None

    def open(self, load_only: bool = False) -> dict[str, dict[str, int]]:
        """Load every item and reconcile the indexes with the database; with `load_only`,
        NotReadyError if that needs encoding or rebuilding an index."""
        with self._lock:
            # Read the change log position first: writes during loading are applied again
            # by the next refresh, which is harmless.
            self._seen = self.store.last_change()
            with _collector_paused():
                self.catalog = Catalog({k: {i.id: i for i in self.store.all(k)} for k in KINDS})
                self.settings.index_dir.mkdir(parents=True, exist_ok=True)
                indexes = SearchIndexes(
                    self.encoder,
                    self.settings.index_dir,
                    self.analyzer,
                    self.settings.exact_index_max,
                    observer=self.observer,
                    load_only=load_only,
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
            self._data_changed()
            if self.observer is not None:
                self.observer("opened", "")
            return changes

    def build(self, data_dir: Path | None = None) -> dict:
        """Import the demo corpus if the store is empty, then encode and index."""
        imported = self.import_demo(data_dir)
        changes = self.open()
        return {"imported": imported, "indexed": changes}

    def import_demo(self, data_dir: Path | None = None) -> dict[str, int]:
        """Import the demo corpus if the store is empty (nothing is indexed: `open` does
        that); how many items of each kind were imported."""
        data_dir = data_dir or self.settings.demo_dir
        imported: dict[str, int] = {}
        if self.store.is_empty():
            self.catalog = Catalog()
            for kind, name in DEMO_FILES:
                path = data_dir / name
                if path.exists():
                    imported[kind] = self._write(kind, parse_file(kind, path), index=False).imported
        return imported

    def open_before_fork(self) -> dict[str, dict[str, int]]:
        """`open` in a server's master process, for the workers it forks to inherit: the
        lexical indexes are made ready too, and the database connections are closed at the end
        (each process opens its own on first use). NotReadyError if the saved indexes need
        encoding or a rebuild (`matcher build` first): the native thread pools of the encoder
        and of FAISS must not run before a fork (OpenMP hangs in the child; tried)."""
        # Reading every item is batch work: no statement bound (the workers' requests have one).
        self.store.reconnect(None)
        changes = self.open(load_only=True)
        self.warm_up(encoder=False)
        self.store.reconnect(self.settings.db_statement_timeout or None)
        return changes

    def close(self) -> None:
        self.store.close()

    # -- writes ------------------------------------------------------------------------------

    def import_file(self, kind: str, path: str | Path) -> ImportReport:
        """Import a CSV/JSONL file (or a Destatis directory) whole, or nothing."""
        return self._write(kind, parse_file(kind, path))

    def import_bytes(self, kind: str, data: bytes, name: str = "") -> ImportReport:
        """Import file content (for uploads)."""
        return self._write(kind, parse_bytes(kind, data, name))

    def upsert(self, kind: str, items: list[Entity], actor: Actor = SYSTEM) -> ImportReport:
        """Create or replace items given as models."""
        return self._write(kind, self._parsed(kind, items), actor=actor)

    @staticmethod
    def _parsed(kind: str, items: list[Entity]) -> ParsedFile:
        return ParsedFile(kind, list(items), [0] * len(items))

    def _write(
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
        with self._lock:
            self.refresh()  # authorise against what other workers wrote meanwhile, too
            resolver = Resolver(self.catalog, self.settings.home_land)
            items = resolver.resolve(kind, parsed.items, parsed.lines, parsed.place_contexts())
            new_towns = list(resolver.new_municipalities.values())
            created: list[Entity] = list(new_towns)
            if created and not actor.is_admin:
                names = ", ".join(m.name for m in new_towns)
                raise PermissionDenied(
                    f"creating municipalities ({names}) needs an admin; name known ones"
                )
            for item in items:
                before = self.catalog.get(kind, item.id)
                if mode == "create" and before is not None:
                    raise ConflictError(f"{kind}: an item with id {item.id!r} exists")
                check_change(self.catalog, actor, kind, before, item)
            # Follows from the change just authorised, in the same transaction: a town that
            # removes a provider from its project withdraws its consent to be cited.
            withdrawn = self._citations_withdrawn(kind, items)
            if self.observer is not None:
                self.observer("commit-start", kind)
            self.store.upsert_batches(
                [("offerings", withdrawn), ("municipalities", created), (kind, items)],
                create_only=mode == "create",
            )
            if self.observer is not None:
                self.observer("commit-done", kind)
            self.refresh()
            if index and self.indexes is not None:
                self.indexes.save()
            return ImportReport(
                kind, len(items), [m.id for m in created], parsed.warnings, [i.id for i in items]
            )

    def _citations_withdrawn(self, kind: str, items: list[Entity]) -> list[Entity]:
        """The offerings that cite a project whose write removes their provider, without
        that citation (an offering's references need the project to name its provider)."""
        changed: dict[str, Offering] = {}
        for item in items if kind == "projects" else ():
            before = self.catalog.projects.get(item.id)
            if not isinstance(item, Project) or before is None:
                continue
            gone = set(before.providers) - set(item.providers)
            for offering in self.catalog.offerings_citing.get(item.id, []):
                if offering.provider in gone:
                    current = changed.get(offering.id, offering)
                    refs = [r for r in current.references if r != item.id]
                    changed[offering.id] = current.model_copy(update={"references": refs})
        return list(changed.values())

    def delete(self, kind: str, item_id: str, actor: Actor = SYSTEM) -> None:
        """Delete an item; ConflictError if others refer to it. The index forgets it at once."""
        model_for(kind)
        with self._lock:
            self.refresh()
            check_change(self.catalog, actor, kind, self.catalog.get(kind, item_id), None)
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
            self._data_changed(set(latest))
            return len(latest)

    def _data_changed(self, changed: set[tuple[str, str]] | None = None) -> None:
        """Forget what was derived from the items (the towns' distances; the text of the
        `changed` items, or of all without): the catalog and the indexes changed in place."""
        self._towns = TownPairs(self.catalog)
        previous = self._texts if changed is not None else None
        self._texts = (
            ItemTexts(self.catalog, self.indexes.lexical, self.analyzer, previous, changed or set())
            if self.indexes is not None
            else None
        )

    # -- reads -------------------------------------------------------------------------------

    def matcher(self, ranking: RankingConfig | None = None) -> Matcher:
        """A matcher over the current data (applies unseen writes first). With `ranking`, a
        matcher with that config instead (to compare systems): the service's own config,
        and so what other users get, never changes."""
        if self.indexes is None:
            raise NotReadyError("the index is not built yet; run `matcher build`")
        self.refresh()
        if self._texts is None:
            self._data_changed()
        return Matcher(
            MatchData(
                self.catalog,
                self.indexes,
                ranking or self.ranking,
                self.analyzer,
                known_texts=self._texts,
                known_towns=self._towns,
            )
        )

    def query(
        self, text: str, municipality: str | None = None, filters: Filters | None = None
    ) -> Query:
        """Validate, encode and analyse a challenge text once."""
        text = (text or "").strip()
        if len(text) < MIN_CHALLENGE_CHARS:
            raise ValidationError(
                f"text: at least {MIN_CHALLENGE_CHARS} characters are needed",
                [("text", "too short")],
            )
        if len(text) > MAX_CHALLENGE_CHARS:
            raise ValidationError(
                f"text: at most {MAX_CHALLENGE_CHARS} characters", [("text", "too long")]
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
    ) -> list[ProjectResult] | list[MunicipalityResult] | list[ProviderResult]:
        """Ranked, explained results of one kind."""
        found: list[ProjectResult] | list[MunicipalityResult] | list[ProviderResult] = getattr(
            self.match(text, [kind], k, municipality, filters), kind
        )
        return found

    @_exclusive
    def match(
        self,
        text: str,
        kinds: list[str] | None = None,
        k: int = 10,
        municipality: str | None = None,
        filters: Filters | None = None,
    ) -> MatchResult:
        """Ranked, explained results of several kinds for one challenge."""
        matcher, key, kinds = self._match_key(text, kinds, k, municipality, filters)
        return self._answer(matcher, key, text, kinds, k, municipality, filters)

    @_exclusive
    def match_json(
        self,
        text: str,
        kinds: list[str] | None = None,
        k: int = 10,
        municipality: str | None = None,
        filters: Filters | None = None,
    ) -> bytes:
        """`match` serialised as JSON (UTF-8); a repeated challenge gets the bytes kept from
        its first answer while the data is unchanged, and is not serialised again."""
        matcher, key, kinds = self._match_key(text, kinds, k, municipality, filters)
        hit = self._json_answers.get(key, self._seen)
        if hit is not None:
            return hit
        found = self._results.get(key, self._seen)
        if found is None:
            found = matcher.match(self.query(text, municipality, filters), kinds, k)
        body = found.model_dump_json().encode()
        # Weighed by the body just made: no second serialisation on the request's path.
        self._results.put(key, self._seen, found, len(body) * MODEL_BYTES_PER_JSON_BYTE)
        self._json_answers.put(key, self._seen, body)
        return body

    def _match_key(
        self,
        text: str,
        kinds: list[str] | None,
        k: int,
        municipality: str | None,
        filters: Filters | None,
    ) -> tuple[Matcher, tuple, list[str]]:
        """Check a challenge's options, apply unseen writes; the matcher, the key of its
        answer in the caches, and the kinds asked."""
        kinds = list(kinds or RESULT_KINDS)
        unknown = [x for x in kinds if x not in RESULT_KINDS]
        if unknown:
            raise ValidationError(
                f"kinds: unknown {unknown}; expected {list(RESULT_KINDS)}",
                [("kinds", "unknown kind")],
            )
        self._checked_k(k)
        matcher = self.matcher()
        key = (
            (text or "").strip(),
            tuple(kinds),
            k,
            municipality,
            filters.model_dump_json() if filters else "",
        )
        return matcher, key, kinds

    def _answer(
        self,
        matcher: Matcher,
        key: tuple,
        text: str,
        kinds: list[str],
        k: int,
        municipality: str | None,
        filters: Filters | None,
    ) -> MatchResult:
        # A repeated challenge costs neither encoding nor ranking while the data is unchanged.
        hit = self._results.get(key, self._seen)
        if hit is not None:
            return hit
        found = matcher.match(self.query(text, municipality, filters), kinds, k)
        self._results.put(key, self._seen, found)
        return found

    @_exclusive
    def warm_up(self, encoder: bool = True) -> None:
        """Load the model (unless not `encoder`), build the lexical indexes and work out the
        text of the first `warm_texts` items now, not on a user's first request."""
        if encoder:
            self.encoder.encode_query(WARM_UP_TEXT)
        if self.indexes is not None:
            for lexical in self.indexes.lexical.values():
                lexical.query([])
            if self._texts is None:
                self._data_changed()
            if self._texts is not None:
                self._texts.warm(self.settings.warm_texts)

    def clear_query_caches(self) -> None:
        """Forget cached results and query vectors (benchmarks time the whole path)."""
        with self._lock:
            self._results.clear()
            self._json_answers.clear()
        self.encoder.clear_queries()

    def _checked_k(self, k: int) -> None:
        if not 1 <= k <= MAX_RESULTS:
            raise ValidationError(
                f"k: must be between 1 and {MAX_RESULTS}", [("k", "out of range")]
            )

    @_exclusive
    def peers(
        self, municipality_id: str, k: int = 10, filters: Filters | None = None
    ) -> PeersResult:
        """Peers of a municipality (by profile and structure) and its open needs, matched."""
        self._checked_k(k)
        return self.matcher().peers(municipality_id, k, filters)

    @_exclusive
    def leads(self, item_id: str, k: int = 10, filters: Filters | None = None) -> LeadsResult:
        """Municipalities for a provider or one of its offerings."""
        self._checked_k(k)
        return self.matcher().leads(item_id, k, filters)

    @_exclusive
    def similar(
        self, project_id: str, k: int = 10, filters: Filters | None = None
    ) -> SimilarResult:
        """Projects like a project elsewhere, and the towns that could adopt it."""
        self._checked_k(k)
        return self.matcher().similar(project_id, k, filters)

    @_exclusive
    def joint_projects(self, k: int = 10, filters: Filters | None = None) -> JointProjects:
        """Suggested joint projects of nearby smaller towns with the same open need."""
        self._checked_k(k)
        return self.matcher().joint_projects(k, filters)

    @_exclusive
    def list_items(self, kind: str, wanted: Browse | None = None) -> tuple[list[Entity], int]:
        """A page of items of a kind, filtered, ordered by id; and how many match in all."""
        model_for(kind)
        self.refresh()
        return self.catalog.browse(kind, wanted or Browse())

    @_exclusive
    def create(self, kind: str, item: Entity, actor: Actor = SYSTEM) -> Entity:
        """Add a new item; ConflictError if the id exists (also when another worker creates
        it at the same moment: the database refuses the second insert)."""
        self.refresh()
        if item.id in self.catalog.items[kind]:
            raise ConflictError(f"{kind}: an item with id {item.id!r} exists; use PUT to change it")
        report = self._write(kind, self._parsed(kind, [item]), actor=actor, mode="create")
        return self._stored(kind, report.ids[0])

    @_exclusive
    def replace(self, kind: str, item_id: str, item: Entity, actor: Actor = SYSTEM) -> Entity:
        """Replace an existing item; NotFoundError if there is none."""
        if item.id != item_id:
            raise ValidationError(
                "id: the body's id differs from the path", [("id", "must equal the id in the path")]
            )
        self.refresh()
        if item_id not in self.catalog.items[kind]:
            raise NotFoundError(f"{kind}: no item with id {item_id!r}")
        report = self._write(kind, self._parsed(kind, [item]), actor=actor, mode="replace")
        return self._stored(kind, report.ids[0])

    def _stored(self, kind: str, item_id: str) -> Entity:
        """An item just written (as resolved and stored)."""
        item = self.catalog.get(kind, item_id)
        if item is None:  # another process deleted it in between
            raise NotFoundError(f"{kind}: no item with id {item_id!r}")
        return item

    def add_feedback(
        self, query: str, item_kind: str, item_id: str, verdict: str, client: str = "key:local"
    ) -> int:
        """Store a user's verdict on a result. `client` says who gave it ("key:…" for a known
        key, "ip:…" for an anonymous address, hashed); one verdict per client, query and item
        (a new one replaces the last), at most FEEDBACK_PER_CLIENT_PER_DAY new ones a day
        (TooManyRequests). Runs without the service's lock: it only touches the database."""
        row = {
            "query": query.strip()[:MAX_CHALLENGE_CHARS],
            "item_kind": item_kind,
            "item_id": item_id,
            "verdict": verdict,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "client": client,
            "status": "neu",
        }
        return self.store.add_feedback(row, FEEDBACK_PER_CLIENT_PER_DAY)

    def feedback_page(self, limit: int, offset: int = 0) -> list[dict]:
        """A page of feedback rows, oldest first (staff's review list)."""
        return self.store.feedback(limit, offset)

    def feedback_counts(self) -> list[dict]:
        """Verdicts per item and verdict, counted in the database (no lock: no catalog)."""
        return self.store.feedback_counts()

    def review_feedback(self, feedback_id: int, status: str, actor: Actor) -> None:
        """Staff accept a verdict into training ("angenommen") or dismiss it ("verworfen")."""
        if not actor.is_admin:
            raise PermissionDenied("reviewing feedback needs an admin key")
        if status not in FEEDBACK_REVIEW:
            raise ValidationError(
                f"status: one of {', '.join(FEEDBACK_REVIEW)}", [("status", "unknown status")]
            )
        self.store.set_feedback_status(feedback_id, status)

    @_exclusive
    def find_municipality(self, text: str) -> str | None:
        """Id of a municipality given by id or by its unique name (as typed in a form)."""
        return self.catalog.find_municipality(text, self.settings.home_land)

    def get(self, kind: str, item_id: str) -> Entity:
        return self.store.get(kind, item_id)

    @_exclusive
    def members(self, actor_id: str) -> tuple[Municipality, list[Municipality], list[Municipality]]:
        """An actor, its members (of a district or association) and the districts and
        associations it belongs to; NotFoundError if there is no such actor."""
        self.refresh()
        actor = self.catalog.municipality(actor_id)
        if actor is None:
            raise NotFoundError(f"municipalities: no item with id {actor_id!r}")
        return actor, self.catalog.members(actor), self.catalog.memberships(actor)

    @_exclusive
    def viewer(self, role: str | None) -> Viewer:
        """Whom an answer for `role` is for: which contact addresses it may carry (the rule is
        `matcher.domain.access.Viewer`; dumps take it as their serialisation context)."""
        return viewer_for(self.catalog, role)

    @_exclusive
    def stats(self) -> dict:
        """Counts, encoder and index state."""
        return {
            "database": self.store.engine.dialect.name,
            "counts": {k: len(v) for k, v in self.catalog.items.items()},
            "encoder": self.settings.encoder,
            "index": self.indexes.describe() if self.indexes else {},
        }

    @_exclusive
    def data_hash(self) -> str:
        """A hash of every item, to tie a tuned ranking config to the data it was tuned on."""
        digest = hashlib.sha256()
        for kind in KINDS:
            for item_id in sorted(self.catalog.items[kind]):
                item = self.catalog.items[kind][item_id]
                digest.update(item.model_dump_json(context=WITH_PRIVATE).encode())
        return digest.hexdigest()[:16]
