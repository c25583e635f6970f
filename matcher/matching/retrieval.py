"""Keeping the search indexes (vector and lexical) in step with the store.

The database is the truth. At start-up the saved vector indexes are loaded and reconciled
with it: missing or stale vectors are encoded (most come from the embedding cache), orphans
are dropped. A missing, corrupt or foreign index is rebuilt from the database, never served.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from matcher.domain.errors import NotReadyError
from matcher.domain.schema import Entity, text_of
from matcher.embeddings import CachedEncoder, VectorIndex, text_hash
from matcher.embeddings.index import Observer, search_on_one_thread
from matcher.matching.texts import sentence_texts
from matcher.ranking import lexical_snapshot
from matcher.ranking.analysis import GermanAnalyzer
from matcher.ranking.fusion import Candidate
from matcher.ranking.lexical import LexicalIndex, LexicalScores

log = logging.getLogger(__name__)

SEARCHABLE = ("projects", "needs", "offerings", "providers", "testfields")


class SearchIndexes:
    """A vector index and a BM25 index for each searchable kind.

    `observer`, if given, hears "save-start" and "save-done" (detail: the kinds saved) around
    each save, and the "file-start"/"file-done" events of the vector indexes written.
    """

    def __init__(
        self,
        encoder: CachedEncoder,
        directory: Path,
        analyzer: GermanAnalyzer,
        exact_max: int,
        *,
        observer: Observer | None = None,
        load_only: bool = False,
    ) -> None:
        self.encoder = encoder
        # Refuse (NotReadyError) to encode or rebuild at reconcile: their native thread pools
        # must not run in a process that forks afterwards (OpenMP hangs in the child).
        self.load_only = load_only
        self.observer = observer
        self.directory = directory
        self.analyzer = analyzer
        self.exact_max = exact_max
        self.vectors: dict[str, VectorIndex] = {}
        self.lexical: dict[str, LexicalIndex] = {}
        self._unsaved: set[str] = set()  # kinds whose vector index changed since the last save
        search_on_one_thread()

    def _load_or_new(self, kind: str) -> VectorIndex:
        try:
            index = VectorIndex.load(self.directory, kind, self.encoder.name)
            index.exact_max = self.exact_max  # the setting may have changed since
            return index
        except NotReadyError as exc:
            if (self.directory / f"{kind}.config.json").exists():
                log.warning("rebuilding the %s index from the database: %s", kind, exc)
            return VectorIndex(self.encoder.dim, self.encoder.name, self.exact_max)

    def reconcile(self, kind: str, items: Iterable[Entity]) -> dict[str, int]:
        """Make the indexes of `kind` hold exactly `items`; returns what changed."""
        items = list(items)
        index = self.vectors.get(kind) or self._load_or_new(kind)
        texts = {item.id: text_of(item) for item in items}
        hashes = {i: text_hash(t) for i, t in texts.items()}
        orphans = [i for i in index.ids if i not in texts]
        stale = [i for i in texts if index.hashes.get(i) != hashes[i]]
        if self.load_only and (stale or orphans or index.needs_rebuild):
            raise NotReadyError(f"the {kind} index must be brought up to date first")
        index.remove(orphans)
        rebuild = len(index) == 0 and len(stale) == len(texts)
        if stale:
            vectors = self.encoder.encode([texts[i] for i in stale])
            if rebuild:
                index.rebuild(stale, vectors, [hashes[i] for i in stale])
            else:
                index.add(stale, vectors, [hashes[i] for i in stale])
        if not self.load_only:
            # The vectors of the items' sentences, which tell the sense of a shared word
            # (`ItemTexts.senses`), go to the embedding cache: encoded once, looked up after.
            self.encoder.encode([s for item in items for s in sentence_texts(item)])
        rebuilt = index.needs_rebuild
        if rebuilt:
            log.info("rebuilding the %s index as %s", kind, index.chosen_type())
            index.compact()
        # A kind never saved (a new kind, or an empty one) is written too: the directory then
        # holds every searchable kind, as a check of the home expects.
        unsaved = not self.load_only and not (self.directory / f"{kind}.config.json").exists()
        if stale or orphans or rebuilt or unsaved:
            self._unsaved.add(kind)
        self.vectors[kind] = index
        self.lexical[kind] = lexical_snapshot.reconciled(
            self.directory, kind, self.analyzer, texts, hashes
        )
        return {
            "items": len(texts),
            "encoded_or_updated": len(stale),
            "dropped": len(orphans),
            "rebuilt": int(rebuilt),
        }

    def upsert(self, kind: str, items: list[Entity]) -> None:
        """Index new or changed items of a kind."""
        if kind not in SEARCHABLE or not items:
            return
        texts = [text_of(item) for item in items]
        ids = [item.id for item in items]
        vectors = self.encoder.encode(texts)
        index = self.vectors[kind]
        index.add(ids, vectors, [text_hash(t) for t in texts])
        if index.needs_rebuild:
            index.compact()
        self._unsaved.add(kind)
        self.lexical[kind].add(ids, texts)

    def remove(self, kind: str, ids: list[str]) -> None:
        """Forget items of a kind."""
        if kind not in SEARCHABLE or not ids:
            return
        index = self.vectors[kind]
        index.remove(ids)
        if index.needs_rebuild:
            index.compact()
        self._unsaved.add(kind)
        self.lexical[kind].remove(ids)

    @property
    def unsaved(self) -> bool:
        """Whether a vector index changed (or was never written) since the last save."""
        return bool(self._unsaved)

    def save(self) -> None:
        """Write the vector indexes that changed since the last save to disk (atomically)."""
        kinds = sorted(self._unsaved)
        if self.observer is not None:
            self.observer("save-start", ",".join(kinds))
        for kind in kinds:
            self.vectors[kind].save(self.directory, kind, self.observer)
        self._unsaved.clear()
        if self.observer is not None:
            self.observer("save-done", ",".join(kinds))

    def describe(self) -> dict[str, dict]:
        """Per kind: item count and index type (for health and the CLI)."""
        return {
            kind: {
                "count": len(index),
                "type": index.index_type,
                "ef_search": index.ef_search,
                "exact_up_to": index.exact_max,
            }
            for kind, index in self.vectors.items()
        }

    def dense(self, kind: str, query: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Nearest items by cosine."""
        return self.vectors[kind].search(query, k)


def merge_candidates(
    vectors: VectorIndex,
    lexical: LexicalIndex,
    vector: np.ndarray,
    terms: list[str],
    dense_depth: int,
    lexical_depth: int,
    include: Iterable[str] = (),
    exact_terms_max: int = 0,
) -> dict[str, Candidate]:
    """The union of the dense top `dense_depth` and the lexical top `lexical_depth` (plus any
    `include` ids the index holds), each candidate with both raw scores; with a query of at
    most `exact_terms_max` distinct terms, those that hold every one of them are `exact`."""
    dense = dict(vectors.search(vector, dense_depth))
    scores = lexical.query(terms)
    missing = [i for i, _ in scores.top(lexical_depth) if i not in dense]
    for i in include:
        if i not in dense and i in vectors and i not in missing:
            missing.append(i)
    if missing:
        dense.update(zip(missing, vectors.scores(vector, missing).tolist(), strict=True))
    lexical_of = _lexical_of(scores, list(dense))
    found = {i: Candidate(i, s, lex) for (i, s), lex in zip(dense.items(), lexical_of, strict=True)}
    wanted = set(terms)
    if 0 < len(wanted) <= exact_terms_max:
        for cand in found.values():
            cand.exact = cand.lexical > 0 and wanted.issubset(lexical.terms_of(cand.id))
    return found


def _lexical_of(scores: LexicalScores, ids: list[str]) -> list[float]:
    """`scores.of(i)` of every id, in one array lookup."""
    position, delta = scores.position, scores.delta
    rows = [-1 if i in delta else position.get(i, -1) for i in ids]
    found = scores.scores[np.maximum(rows, 0)].tolist() if len(scores.scores) else [0.0] * len(ids)
    return [
        delta.get(i, value if row >= 0 else 0.0)
        for i, row, value in zip(ids, rows, found, strict=True)
    ]
