"""Answers: challenges, and the directions that start from an item, over the replica's data.

A challenge is one value, `Ask`, checked once, that carries its key in the two answer caches:
the result objects, and their JSON bytes for the API (a repeated challenge is not serialised
again). Both are keyed by the replica's change sequence: a write anywhere empties them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from matcher.domain.catalog import Catalog
from matcher.domain.errors import NotFoundError, NotReadyError, ValidationError
from matcher.domain.schema import MAX_CHALLENGE_CHARS, MAX_RESULTS, MIN_CHALLENGE_CHARS, Filters
from matcher.matching.cache import MODEL_BYTES_PER_JSON_BYTE, AnswerCache
from matcher.matching.context import MatchData, Query
from matcher.matching.documents import PassageIndex
from matcher.matching.matcher import MORE_KINDS, RESULT_KINDS, Matcher
from matcher.matching.results import (
    JointProjects,
    LeadsResult,
    MatchResult,
    PeersResult,
    SimilarResult,
)
from matcher.ranking.config import RankingConfig
from matcher.service.home import Home
from matcher.service.replica import Replica, View

# Answers kept for repeated challenges (each valid while the data is unchanged).
RESULT_CACHE_SIZE = 512
# And at most this much memory in each of the two answer caches (result objects, their JSON),
# as the caches estimate it: a k=100 answer of the demo corpus is 150 kB of JSON and 700 kB of
# objects, so 512 of each took 440 MB per worker (measured with tracemalloc), and the rate
# limit lets one client fill them. 32 MiB holds about 220 such answers as JSON and 45 as
# objects; at k=10 (the pages' lists, 25 kB of JSON) all 512 as JSON and 270 as objects.
RESULT_CACHE_BYTES = 32 * 2**20
WARM_UP_TEXT = "Aufwärmen des Matchers"


def checked_k(k: int) -> int:
    """`k` if it is a number of results one may ask for."""
    if not 1 <= k <= MAX_RESULTS:
        raise ValidationError(f"k: must be between 1 and {MAX_RESULTS}", [("k", "out of range")])
    return k


@dataclass(frozen=True)
class Ask:
    """One challenge: its text, the kinds of result, how many of each, the asking municipality
    (an id) and the filters. The kinds and `k` are checked on construction; the text and the
    municipality when the question is analysed (`Answers.query`)."""

    text: str
    kinds: tuple[str, ...] = RESULT_KINDS
    k: int = 10
    municipality: str | None = None
    filters: Filters | None = None

    def __post_init__(self) -> None:
        unknown = [x for x in self.kinds if x not in RESULT_KINDS + MORE_KINDS]
        if unknown:
            raise ValidationError(
                f"kinds: unknown {unknown}; expected {list(RESULT_KINDS + MORE_KINDS)}",
                [("kinds", "unknown kind")],
            )
        checked_k(self.k)

    @classmethod
    def of(
        cls,
        text: str,
        kinds: Sequence[str] | None = None,
        k: int = 10,
        municipality: str | None = None,
        filters: Filters | None = None,
    ) -> Ask:
        """A challenge as callers give it: the text stripped, no kinds meaning all."""
        return cls((text or "").strip(), tuple(kinds or RESULT_KINDS), k, municipality, filters)

    @property
    def key(self) -> tuple:
        """The answer's key in the caches."""
        filters = self.filters.model_dump_json() if self.filters else ""
        return (self.text, self.kinds, self.k, self.municipality, filters)


def _not_ready() -> NotReadyError:
    return NotReadyError("the index is not built yet; run `matcher build`")


class Answers:
    """Ranked, explained results over the replica's current data, repeated ones from caches."""

    def __init__(
        self,
        home: Home,
        replica: Replica,
        ranking: RankingConfig,
        passages: Callable[[], PassageIndex] | None = None,
    ) -> None:
        self._home = home
        self._replica = replica
        self._ranking = ranking  # fixed: another config is another matcher (`matcher(ranking)`)
        # The documents' passages as stored now (kept apart from the catalog: the Toolbox).
        self._passages = passages
        # Results of recent challenges, valid while the data is unchanged (the ranking config
        # of a service never changes; other configs are run through other matchers).
        self.results: AnswerCache[MatchResult] = AnswerCache.of_models(
            RESULT_CACHE_SIZE, RESULT_CACHE_BYTES
        )
        # The same answers as JSON, for the API (a repeated answer is not serialised again).
        self.json_answers: AnswerCache[bytes] = AnswerCache.of_bytes(
            RESULT_CACHE_SIZE, RESULT_CACHE_BYTES
        )

    @contextlib.contextmanager
    def _current(self) -> Iterator[View]:
        """The current data (unseen writes applied), held still for the block; NotReadyError
        before the replica is loaded, with nothing read."""
        if not self._replica.ready:
            raise _not_ready()
        with self._replica.snapshot() as view:
            yield view

    def _matcher(self, view: View, ranking: RankingConfig | None = None) -> Matcher:
        if view.indexes is None:
            raise _not_ready()
        return Matcher(
            MatchData(
                view.catalog,
                view.indexes,
                ranking or self._ranking,
                self._replica.analyzer,
                known_texts=view.texts,
                known_towns=view.towns,
            )
        )

    def matcher(self, ranking: RankingConfig | None = None) -> Matcher:
        """A matcher over the current data; with `ranking`, that config instead of this
        service's own (which never changes)."""
        with self._current() as view:
            return self._matcher(view, ranking)

    def query(self, ask: Ask, catalog: Catalog) -> Query:
        """Validate, encode and analyse a challenge text once (the asker as in `catalog`)."""
        if len(ask.text) < MIN_CHALLENGE_CHARS:
            raise ValidationError(
                f"text: at least {MIN_CHALLENGE_CHARS} characters are needed",
                [("text", "too short")],
            )
        if len(ask.text) > MAX_CHALLENGE_CHARS:
            raise ValidationError(
                f"text: at most {MAX_CHALLENGE_CHARS} characters", [("text", "too long")]
            )
        asker = None
        if ask.municipality:
            asker = catalog.municipality(ask.municipality)
            if asker is None:
                raise ValidationError(
                    f"municipality: unknown id {ask.municipality!r}",
                    [("municipality", "unknown id")],
                )
        return Query(
            text=ask.text,
            vector=self._home.encoder.encode_query(ask.text),
            terms=self._replica.analyzer.terms(ask.text),
            words=self._replica.analyzer.words(ask.text),
            asker=asker,
            filters=ask.filters or Filters(),
        )

    def _passages_for(self, ask: Ask) -> PassageIndex | None:
        """The documents' passages when the challenge asks for documents, else None."""
        if "documents" not in ask.kinds or self._passages is None:
            return None
        return self._passages()

    def match(self, ask: Ask) -> MatchResult:
        """Ranked, explained results of the kinds asked."""
        passages = self._passages_for(ask)
        # Documents change apart from the catalog's changes: their ids are part of the key.
        key = (ask.key, passages.ids if passages is not None else ())
        with self._current() as view:
            # A repeated challenge costs neither encoding nor ranking while the data is
            # unchanged.
            hit = self.results.get(key, view.change_sequence)
            if hit is not None:
                return hit
            found = self._found(ask, view, passages)
            self.results.put(key, view.change_sequence, found)
            return found

    def match_json(self, ask: Ask) -> bytes:
        """`match` serialised as JSON (UTF-8); a repeated challenge gets the bytes kept from
        its first answer while the data is unchanged, and is not serialised again."""
        passages = self._passages_for(ask)
        key = (ask.key, passages.ids if passages is not None else ())
        with self._current() as view:
            version = view.change_sequence
            hit = self.json_answers.get(key, version)
            if hit is not None:
                return hit
            found = self.results.get(key, version)
            if found is None:
                found = self._found(ask, view, passages)
            # Test fields and documents are in the answer only when asked for by name.
            body = found.model_dump_json(exclude=set(MORE_KINDS) - set(ask.kinds)).encode()
            # Weighed by the body just made: no second serialisation on the request's path.
            self.results.put(key, version, found, len(body) * MODEL_BYTES_PER_JSON_BYTE)
            self.json_answers.put(key, version, body)
            return body

    def _found(self, ask: Ask, view: View, passages: PassageIndex | None) -> MatchResult:
        query = self.query(ask, view.catalog)
        return self._matcher(view).match(query, list(ask.kinds), ask.k, passages)

    def peers(self, municipality_id: str, k: int, filters: Filters | None) -> PeersResult:
        checked_k(k)
        with self._current() as view:
            return self._matcher(view).peers(municipality_id, k, filters)

    def leads(self, item_id: str, k: int, filters: Filters | None) -> LeadsResult:
        checked_k(k)
        with self._current() as view:
            return self._matcher(view).leads(item_id, k, filters)

    def similar(self, project_id: str, k: int, filters: Filters | None) -> SimilarResult:
        checked_k(k)
        with self._current() as view:
            return self._matcher(view).similar(project_id, k, filters)

    def need(self, need_id: str, k: int) -> MatchResult:
        """Projects, peer towns and providers for a stored need: its title and description
        asked as its town's challenge (as the search that may have reported it: the same
        calibrated lists, distances to the town, its own projects marked, itself no peer)."""
        with self._current() as view:
            found = view.catalog.needs.get(need_id)
            if found is None:
                raise NotFoundError(f"needs: no item with id {need_id!r}")
            title = found.title.removesuffix(" …")
            text = found.description
            if not text.startswith(title):  # a need reported from a search repeats no title
                text = f"{found.title}. {text}"
        text = text.strip()[:MAX_CHALLENGE_CHARS]
        if len(text) < MIN_CHALLENGE_CHARS:
            return MatchResult()
        return self.match(Ask.of(text, RESULT_KINDS, k, found.municipality))

    def joint_projects(self, k: int, filters: Filters | None) -> JointProjects:
        checked_k(k)
        with self._current() as view:
            return self._matcher(view).joint_projects(k, filters)

    def warm_up(self, encoder: bool = True) -> None:
        """Load the model (unless not `encoder`), build the lexical indexes and work out the
        text of the first `warm_texts` items now, not on a user's first request."""
        with self._replica.snapshot(fresh=False) as view:
            if encoder:
                self._home.encoder.encode_query(WARM_UP_TEXT)
            if view.indexes is not None:
                for lexical in view.indexes.lexical.values():
                    lexical.query([])
            if view.texts is not None:
                view.texts.warm(self._home.settings.warm_texts)

    def clear(self) -> None:
        """Forget cached results and query vectors (benchmarks time the whole path)."""
        with self._replica.snapshot(fresh=False):
            self.results.clear()
            self.json_answers.clear()
        self._home.encoder.clear_queries()
