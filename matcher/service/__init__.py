"""The matching service: one façade over the parts that do its jobs.

Every interface (CLI, HTTP API, notebooks) goes through `MatcherService`. It raises domain
errors only and never imports Flask. Its parts, composed here:

- `home`: the home directory, the database and the encoder, each made on first need;
- `replica`: the catalog and indexes kept in step with the database, and the one lock;
- `writes`: names resolved, the outcome authorised, then committed in one transaction;
- `answers`: challenges (`Ask`) and item directions, with the two answer caches;
- `feedback`: users' verdicts on results, in the database only.

The façade itself opens and closes the service and reads the catalog for the pages.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
from collections.abc import Iterator
from pathlib import Path

from matcher.config import Settings
from matcher.domain.access import SYSTEM, Actor, Viewer, viewer_for
from matcher.domain.catalog import Catalog
from matcher.domain.errors import NotFoundError
from matcher.domain.schema import (
    KINDS,
    WITH_PRIVATE,
    Browse,
    Entity,
    Filters,
    Municipality,
    model_for,
)
from matcher.embeddings import CachedEncoder, Encoder
from matcher.importing import parse_file
from matcher.importing.reader import parse_bytes
from matcher.matching.context import Query
from matcher.matching.matcher import Matcher
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
from matcher.matching.retrieval import Observer, SearchIndexes
from matcher.ranking.analysis import GermanAnalyzer
from matcher.ranking.config import RankingConfig, load_ranking_config
from matcher.service.answers import Answers, Ask
from matcher.service.feedback import FEEDBACK_PER_CLIENT_PER_DAY, Feedback
from matcher.service.home import Home
from matcher.service.replica import Replica, View
from matcher.service.writes import ImportReport, Writes, as_parsed
from matcher.store import Store
from matcher.store.sessions import SessionStore

__all__ = [
    "DEMO_FILES",
    "FEEDBACK_PER_CLIENT_PER_DAY",
    "Ask",
    "ImportReport",
    "MatcherService",
    "View",
]

# The demo corpus, in the order its references need.
DEMO_FILES = (
    ("municipalities", "municipalities.csv"),
    ("providers", "providers.jsonl"),
    ("projects", "projects.jsonl"),
    ("offerings", "offerings.jsonl"),
    ("needs", "needs.jsonl"),
)


class MatcherService:
    """Matching over a store; open() makes it ready to answer. Constructing one creates no
    directory and no database engine: the home and the store are made on first need."""

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
        self._ranking = ranking or load_ranking_config(settings.ranking_path).for_encoder(
            settings.encoder
        )
        self.analyzer = GermanAnalyzer()
        self.home = Home(settings, encoder)
        self.replica = Replica(self.home, self.analyzer, observer=observer)
        self.writes = Writes(self.home, self.replica, observer)
        self.answers = Answers(self.home, self.replica, self._ranking)
        self.feedback = Feedback(self.home)

    # -- set-up ------------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        """The database, made (with the home directory) on first use."""
        return self.home.store

    @functools.cached_property
    def sessions(self) -> SessionStore:
        """Signed-in web sessions (the pages' sign-in), kept in this service's database."""
        return SessionStore(self.store.engine)

    @property
    def encoder(self) -> CachedEncoder:
        """The encoder, loaded on first use, with the store as its cache."""
        return self.home.encoder

    @property
    def ranking(self) -> RankingConfig:
        """The ranking config this service answers with; fixed for its lifetime (compare
        others through `matcher(ranking=…)`)."""
        return self._ranking

    @property
    def catalog(self) -> Catalog:
        """The items as this process has them (read under `exclusive()` in a server)."""
        return self.replica.catalog

    @property
    def indexes(self) -> SearchIndexes | None:
        """The vector and lexical indexes; None until `open`."""
        return self.replica.indexes

    @contextlib.contextmanager
    def snapshot(self, fresh: bool = True) -> Iterator[View]:
        """The data held still for the block (the one lock), the writes committed meanwhile
        applied first unless not `fresh`: how the pages read the catalog."""
        with self.replica.snapshot(fresh) as view:
            yield view

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the service's lock for a longer piece of work (an evaluation in a server)."""
        with self.replica.snapshot(fresh=False):
            yield

    @property
    def ready(self) -> bool:
        return self.replica.ready

    def open(self, load_only: bool = False) -> dict[str, dict[str, int]]:
        """Load every item and reconcile the indexes with the database; with `load_only`,
        NotReadyError if that needs encoding or rebuilding an index."""
        changes = self.replica.load(load_only)
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
            self.replica.start_empty()
            for kind, name in DEMO_FILES:
                path = data_dir / name
                if path.exists():
                    parsed = parse_file(kind, path)
                    imported[kind] = self.writes.write(kind, parsed, index=False).imported
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
        self.home.close()

    # -- writes ------------------------------------------------------------------------------

    def import_file(self, kind: str, path: str | Path) -> ImportReport:
        """Import a CSV/JSONL file (or a Destatis directory) whole, or nothing."""
        return self.writes.write(kind, parse_file(kind, path))

    def import_bytes(self, kind: str, data: bytes, name: str = "") -> ImportReport:
        """Import file content (for uploads)."""
        return self.writes.write(kind, parse_bytes(kind, data, name))

    def upsert(self, kind: str, items: list[Entity], actor: Actor = SYSTEM) -> ImportReport:
        """Create or replace items given as models."""
        return self.writes.write(kind, as_parsed(kind, items), actor=actor)

    def create(self, kind: str, item: Entity, actor: Actor = SYSTEM) -> Entity:
        """Add a new item; ConflictError if the id exists (also when another worker creates
        it at the same moment: the database refuses the second insert)."""
        return self.writes.create(kind, item, actor)

    def replace(self, kind: str, item_id: str, item: Entity, actor: Actor = SYSTEM) -> Entity:
        """Replace an existing item; NotFoundError if there is none."""
        return self.writes.replace(kind, item_id, item, actor)

    def delete(self, kind: str, item_id: str, actor: Actor = SYSTEM) -> None:
        """Delete an item; ConflictError if others refer to it. The index forgets it at once."""
        self.writes.delete(kind, item_id, actor)

    def refresh(self) -> int:
        """Apply every write committed since the last look, by this process or another (API
        workers share one database); returns how many items changed."""
        return self.replica.refresh()

    # -- answers -----------------------------------------------------------------------------

    def matcher(self, ranking: RankingConfig | None = None) -> Matcher:
        """A matcher over the current data (applies unseen writes first). With `ranking`, a
        matcher with that config instead (to compare systems): the service's own config,
        and so what other users get, never changes."""
        return self.answers.matcher(ranking)

    def query(
        self, text: str, municipality: str | None = None, filters: Filters | None = None
    ) -> Query:
        """Validate, encode and analyse a challenge text once."""
        ask = Ask.of(text, municipality=municipality, filters=filters)
        with self.replica.snapshot(fresh=False) as view:
            return self.answers.query(ask, view.catalog)

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
            self.answers.match(Ask.of(text, [kind], k, municipality, filters)), kind
        )
        return found

    def match(
        self,
        text: str,
        kinds: list[str] | None = None,
        k: int = 10,
        municipality: str | None = None,
        filters: Filters | None = None,
    ) -> MatchResult:
        """Ranked, explained results of several kinds for one challenge."""
        return self.answers.match(Ask.of(text, kinds, k, municipality, filters))

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
        return self.answers.match_json(Ask.of(text, kinds, k, municipality, filters))

    def warm_up(self, encoder: bool = True) -> None:
        """Load the model (unless not `encoder`), build the lexical indexes and work out the
        text of the first `warm_texts` items now, not on a user's first request."""
        self.answers.warm_up(encoder)

    def clear_query_caches(self) -> None:
        """Forget cached results and query vectors (benchmarks time the whole path)."""
        self.answers.clear()

    def peers(
        self, municipality_id: str, k: int = 10, filters: Filters | None = None
    ) -> PeersResult:
        """Peers of a municipality (by profile and structure) and its open needs, matched."""
        return self.answers.peers(municipality_id, k, filters)

    def leads(self, item_id: str, k: int = 10, filters: Filters | None = None) -> LeadsResult:
        """Municipalities for a provider or one of its offerings."""
        return self.answers.leads(item_id, k, filters)

    def similar(
        self, project_id: str, k: int = 10, filters: Filters | None = None
    ) -> SimilarResult:
        """Projects like a project elsewhere, and the towns that could adopt it."""
        return self.answers.similar(project_id, k, filters)

    def joint_projects(self, k: int = 10, filters: Filters | None = None) -> JointProjects:
        """Suggested joint projects of nearby smaller towns with the same open need."""
        return self.answers.joint_projects(k, filters)

    # -- feedback ----------------------------------------------------------------------------

    def add_feedback(
        self, query: str, item_kind: str, item_id: str, verdict: str, client: str = "key:local"
    ) -> int:
        """Store a user's verdict on a result (see `Feedback.add`); without the lock."""
        return self.feedback.add(query, item_kind, item_id, verdict, client)

    def feedback_page(self, limit: int, offset: int = 0) -> list[dict]:
        """A page of feedback rows, oldest first (staff's review list)."""
        return self.feedback.page(limit, offset)

    def feedback_counts(self) -> list[dict]:
        """Verdicts per item and verdict, counted in the database (no lock: no catalog)."""
        return self.feedback.counts()

    def review_feedback(self, feedback_id: int, status: str, actor: Actor) -> None:
        """Staff accept a verdict into training ("angenommen") or dismiss it ("verworfen")."""
        self.feedback.review(feedback_id, status, actor)

    # -- catalog reads -----------------------------------------------------------------------

    def list_items(self, kind: str, wanted: Browse | None = None) -> tuple[list[Entity], int]:
        """A page of items of a kind, filtered, ordered by id; and how many match in all."""
        model_for(kind)
        with self.replica.snapshot() as view:
            return view.catalog.browse(kind, wanted or Browse())

    def find_municipality(self, text: str) -> str | None:
        """Id of a municipality given by id or by its unique name (as typed in a form)."""
        with self.replica.snapshot(fresh=False) as view:
            return view.catalog.find_municipality(text, self.settings.home_land)

    def get(self, kind: str, item_id: str) -> Entity:
        return self.store.get(kind, item_id)

    def members(self, actor_id: str) -> tuple[Municipality, list[Municipality], list[Municipality]]:
        """An actor, its members (of a district or association) and the districts and
        associations it belongs to; NotFoundError if there is no such actor."""
        with self.replica.snapshot() as view:
            actor = view.catalog.municipality(actor_id)
            if actor is None:
                raise NotFoundError(f"municipalities: no item with id {actor_id!r}")
            return actor, view.catalog.members(actor), view.catalog.memberships(actor)

    def viewer(self, role: str | None) -> Viewer:
        """Whom an answer for `role` is for: which contact addresses it may carry (the rule is
        `matcher.domain.access.Viewer`; dumps take it as their serialisation context)."""
        with self.replica.snapshot(fresh=False) as view:
            return viewer_for(view.catalog, role)

    def stats(self) -> dict:
        """Counts, encoder and index state."""
        with self.replica.snapshot(fresh=False) as view:
            return {
                "database": self.store.engine.dialect.name,
                "counts": {k: len(v) for k, v in view.catalog.items.items()},
                "encoder": self.settings.encoder,
                "index": view.indexes.describe() if view.indexes else {},
            }

    def data_hash(self) -> str:
        """A hash of every item, to tie a tuned ranking config to the data it was tuned on."""
        digest = hashlib.sha256()
        with self.replica.snapshot(fresh=False) as view:
            for kind in KINDS:
                for item_id in sorted(view.catalog.items[kind]):
                    item = view.catalog.items[kind][item_id]
                    digest.update(item.model_dump_json(context=WITH_PRIVATE).encode())
        return digest.hexdigest()[:16]
