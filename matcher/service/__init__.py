"""The matching service: one façade over the parts that do its jobs.

Every interface (CLI, HTTP API, notebooks) goes through `MatcherService`. It raises domain
errors only and never imports Flask. Its parts, composed here:

- `home`: the home directory, the database and the encoder, each made on first need;
- `replica`: the catalog and indexes kept in step with the database, and the one lock;
- `writes`: names resolved, the outcome authorised, then committed in one transaction;
- `answers`: challenges (`Ask`) and item directions, with the two answer caches;
- `feedback`: users' verdicts on results, in the database only;
- `jobs`: long work (the staff's evaluation) in the background, recorded in the database.

The façade itself opens and closes the service and reads the catalog for the pages.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

from matcher.config import Settings
from matcher.domain.access import SYSTEM, Actor, Viewer, viewer_for
from matcher.domain.catalog import Catalog
from matcher.domain.documents import Document
from matcher.domain.errors import NotFoundError
from matcher.domain.funding import FundingCheck, FundingRequest, Programme
from matcher.domain.procurement import OfferingKind, OrderKind, ProcurementPath
from matcher.domain.schema import (
    KINDS,
    WITH_PRIVATE,
    Browse,
    Entity,
    Filters,
    Municipality,
    Project,
    model_for,
)
from matcher.embeddings import CachedEncoder, Encoder
from matcher.importing import parse_file
from matcher.importing.reader import parse_bytes
from matcher.matching.context import Query
from matcher.matching.matcher import Matcher
from matcher.matching.results import (
    DocumentResult,
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
from matcher.service.documents import FORM_FIELDS_BYTES, Documents, Download
from matcher.service.exchange import Exchange
from matcher.service.feedback import FEEDBACK_PER_CLIENT_PER_DAY, Feedback
from matcher.service.funding import Funding
from matcher.service.home import Home
from matcher.service.jobs import Jobs
from matcher.service.replica import Replica, View
from matcher.service.testfields import TestFields
from matcher.service.writes import ImportReport, Writes, as_parsed
from matcher.store import Store
from matcher.store.jobs import Job, JobStore
from matcher.store.searches import SavedSearches
from matcher.store.sessions import SessionStore
from matcher.store.visits import AreaVisits

__all__ = [
    "DEMO_FILES",
    "FEEDBACK_PER_CLIENT_PER_DAY",
    "Ask",
    "FundingRequest",
    "ImportReport",
    "Job",
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
    ("testfields", "testfields.jsonl"),
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
        # The documents' passages are matched when a challenge asks for them (`Documents`).
        self.answers = Answers(
            self.home, self.replica, self._ranking, passages=lambda: self.documents.index()
        )
        self.feedback = Feedback(self.home)
        self.funding = Funding(self.home, self.replica, self.answers)
        # The Toolbox (issue 24): documents of projects, matched to challenges by passage.
        self.documents = Documents(self.home, self.replica, self.answers)
        # Test fields (issue 24): matching both ways and the applications to pilot there.
        self.testfields = TestFields(self.home, self.replica, self.answers)
        # Exchange groups („Erfas“) and events, kept by staff, and who should meet or join.
        self.exchange = Exchange(self.home, self.replica, self.answers, self._ranking)

    # -- set-up ------------------------------------------------------------------------------

    @property
    def store(self) -> Store:
        """The database, made (with the home directory) on first use."""
        return self.home.store

    @functools.cached_property
    def sessions(self) -> SessionStore:
        """Signed-in web sessions (the pages' sign-in), kept in this service's database."""
        return SessionStore(self.store.engine)

    @functools.cached_property
    def _jobs(self) -> Jobs:
        return Jobs(JobStore(self.store.engine))

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
        self.documents.index()  # the documents' passages encoded now, not on a first search
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
            imported.update(self.exchange.load_demo(data_dir, SYSTEM))
            documents = self.documents.import_demo(data_dir)
            if documents:
                imported["documents"] = documents
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

    def need_matches(self, need_id: str, k: int = 10) -> MatchResult:
        """Projects, peer towns and providers for a stored need: its text asked as its town's
        challenge (distances to the town, its own projects marked, itself no peer)."""
        return self.answers.need(need_id, k)

    def joint_projects(self, k: int = 10, filters: Filters | None = None) -> JointProjects:
        """Suggested joint projects of nearby smaller towns with the same open need, each with
        its fitting funding programmes and a suggested lead (added after ranking)."""
        return self.funding.with_programmes(self.answers.joint_projects(k, filters))

    # -- the Toolbox (documents of projects) ---------------------------------------------------

    def add_document(
        self,
        project_id: str,
        fields: dict[str, object],
        data: bytes,
        filename: str = "",
        actor: Actor = SYSTEM,
    ) -> Document:
        """Attach a file to a project (its towns or an admin): checked whole (fields, type by
        content, size, encryption, zip bombs, text) and stored with its text, or nothing."""
        return self.documents.add(project_id, fields, data, filename, actor)

    def document_limits(self) -> tuple[int, int]:
        """(largest file, largest upload request body) the Toolbox accepts, in bytes."""
        return self.documents.limit, self.documents.limit + FORM_FIELDS_BYTES

    def delete_document(self, document_id: str, actor: Actor = SYSTEM) -> None:
        self.documents.delete(document_id, actor)

    def document(self, document_id: str) -> Document:
        return self.documents.get(document_id)

    def project_documents(self, project_id: str) -> list[Document]:
        """A project's documents, newest first; NotFoundError for an unknown project."""
        return self.documents.of_project(project_id)

    def all_documents(self, kind: str | None = None, licence: str | None = None) -> list[Document]:
        return self.documents.all(kind, licence)

    def document_download(self, document_id: str) -> Download:
        return self.documents.download(document_id)

    def document_matches(
        self, text: str, k: int = 5, municipality: str | None = None
    ) -> list[DocumentResult]:
        """„Vorlagen zu Ihrer Herausforderung“: documents whose passages fit, quoted."""
        return self.documents.matches(text, k, municipality)

    # -- funding and procurement -------------------------------------------------------------

    def programmes(self) -> list[Programme]:
        """Every funding programme record, by id."""
        return self.funding.store.all()

    def programme(self, programme_id: str) -> Programme:
        return self.funding.store.get(programme_id)

    def funded_projects(self, programme_id: str) -> list[Project]:
        """The projects a programme funded (their `funding` names it), by id."""
        return self.funding.funded_projects(programme_id)

    def create_programme(self, programme: Programme, actor: Actor = SYSTEM) -> Programme:
        """Add a programme (admin); contradictory rules are a German ValidationError."""
        return self.funding.create(programme, actor)

    def replace_programme(
        self, programme_id: str, programme: Programme, actor: Actor = SYSTEM
    ) -> Programme:
        return self.funding.replace(programme_id, programme, actor)

    def delete_programme(self, programme_id: str, actor: Actor = SYSTEM) -> None:
        self.funding.delete(programme_id, actor)

    def import_programmes(self, data: bytes, actor: Actor = SYSTEM) -> int:
        """Create or replace programmes from JSONL, all or nothing; how many."""
        return self.funding.import_bytes(data, actor)

    def funding_check(self, request: FundingRequest) -> FundingCheck:
        """The programmes for an idea and its applicants, each with why it fits or not, the
        share, the estimated grant and the call's state on the date."""
        return self.funding.check(request)

    def procurement(
        self,
        value_eur: float,
        kind: OrderKind,
        date: dt.date | None = None,
        offering: str | None = None,
        contract: OfferingKind | None = None,
    ) -> ProcurementPath:
        """The procurement procedure for an order of a Hessian municipality on a date."""
        return self.funding.procurement(value_eur, kind, date, offering, contract)

    # -- feedback ----------------------------------------------------------------------------

    def add_feedback(
        self, query: str, item_kind: str, item_id: str, verdict: str, client: str = "key:local"
    ) -> int:
        """Store a user's verdict on a result (see `Feedback.add`); without the lock."""
        return self.feedback.add(query, item_kind, item_id, verdict, client)

    def feedback_page(self, limit: int, offset: int = 0, status: str | None = None) -> list[dict]:
        """A page of feedback rows, oldest first (staff's review list); only those in
        `status` ("neu", "angenommen", "verworfen") if given."""
        return self.feedback.page(limit, offset, status)

    def feedback_counts(self) -> list[dict]:
        """Verdicts per item and verdict, counted in the database (no lock: no catalog)."""
        return self.feedback.counts()

    def review_feedback(self, feedback_id: int, status: str, actor: Actor) -> None:
        """Staff accept a verdict into training ("angenommen") or dismiss it ("verworfen")."""
        self.feedback.review(feedback_id, status, actor)

    # -- saved searches and visits (database only, no lock) ------------------------------------

    def save_search(self, query: str) -> str:
        """A short id for a search's fields (an address's query string): the same fields give
        the same id; kept for a year after its last use, in a table of bounded size."""
        return SavedSearches(self.store.engine).save(query)

    def saved_search(self, search_id: str) -> str | None:
        """The fields saved under `search_id`, or None (unknown or expired)."""
        return SavedSearches(self.store.engine).find(search_id)

    def area_visit(self, role: str, session: str) -> set[tuple[str, str]] | None:
        """Note that `role` looks at its area in `session` (a per-session secret, hashed);
        (kind, id) of every item added or changed since its previous visit began, or None on
        its first visit."""
        with self.replica.snapshot() as view:
            seq = view.change_sequence
        before = AreaVisits(self.store.engine).visit(role, session, seq)
        if before is None:
            return None
        return {
            (kind, item_id)
            for at, kind, item_id, op in self.store.changes_since(before)
            if op != "delete" and at <= seq
        }

    def feedback_tally(self) -> dict[str, int]:
        """How many verdicts are new, accepted and dismissed (staff's review)."""
        return self.feedback.tally()

    # -- background jobs ---------------------------------------------------------------------

    def start_job(self, kind: str, work: Callable[[], object]) -> tuple[Job, bool]:
        """Run `work` in the background as a job of `kind`, recorded in the database; (the
        job, True), or (the one of that kind already running, False): one at a time."""
        return self._jobs.start(kind, work)

    def job(self, job_id: int) -> Job | None:
        """A job by its id (any worker's), or None."""
        return self._jobs.get(job_id)

    def latest_job(self, kind: str, state: str | None = None) -> Job | None:
        """The newest job of `kind` (in `state`: "laeuft", "fertig", "fehler"), or None."""
        return self._jobs.latest(kind, state)

    def job_result(self, job: Job) -> object:
        """A finished job's result as its work returned it (through JSON)."""
        return Jobs.result(job)

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
