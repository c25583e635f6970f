"""BM25 over analysed German text (bm25s), addressed by item id.

bm25s builds its index in one go (milliseconds for thousands of items, 8 s for 100,000).
Small indexes are simply rebuilt on the next query after a change. Large ones keep the built
index as the main part and score items written since in a delta, with the same Lucene BM25
formula and the current document frequencies; outdated main entries are masked. The main part
is rebuilt once the delta outgrows a share of it, so one write never costs a full rebuild.
"""

from __future__ import annotations

import logging
import math
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import bm25s
import numpy as np

# bm25s sets its own logger to DEBUG on import; keep its index messages out of our output.
logging.getLogger("bm25s").setLevel(logging.WARNING)


@dataclass(frozen=True)
class LexicalScores:
    """BM25 scores of one query against every item, addressable by id."""

    ids: list[str]  # the items of the main index, in the order of `scores`
    scores: np.ndarray
    position: dict[str, int]
    delta: dict[str, float] = field(default_factory=dict)  # items written since, with a score

    def of(self, item_id: str) -> float:
        """The score of one item (0 for unknown ids)."""
        if item_id in self.delta:
            return self.delta[item_id]
        at = self.position.get(item_id)
        return float(self.scores[at]) if at is not None else 0.0

    def top(self, k: int) -> list[tuple[str, float]]:
        """The k best (id, score) pairs with a positive score, best first."""
        if k <= 0:
            return []
        found: list[tuple[str, float]] = []
        if self.ids:
            n = min(k, len(self.ids))
            best = np.argpartition(-self.scores, n - 1)[:n]
            found = [(self.ids[i], float(self.scores[i])) for i in best if self.scores[i] > 0]
        found += [(i, s) for i, s in self.delta.items() if s > 0]
        found.sort(key=lambda pair: -pair[1])
        return found[:k]


class Analyzer(Protocol):
    """Text → terms (the German analyzer, or a plain one for baselines)."""

    def terms(self, text: str) -> list[str]: ...


class Terms:
    """Analysed terms of every item: a read-only base (arrays, possibly memory-mapped from a
    snapshot, shared by the processes that map it) under the items written since (a dict).
    Reads as a dict of id → terms."""

    def __init__(
        self,
        ids: list[str] | None = None,
        vocabulary: list[str] | None = None,
        flat: np.ndarray | None = None,
        offsets: np.ndarray | None = None,
    ) -> None:
        self._base_ids = ids or []
        self._row = {item_id: n for n, item_id in enumerate(self._base_ids)}
        self._vocabulary = vocabulary or []
        self._flat = flat if flat is not None else np.zeros(0, dtype=np.int32)
        self._offsets = offsets if offsets is not None else np.zeros(1, dtype=np.int64)
        self._written: dict[str, list[str]] = {}
        self._gone: set[str] = set()  # base items removed or rewritten

    def _base(self, item_id: str) -> list[str] | None:
        row = self._row.get(item_id)
        if row is None or item_id in self._gone:
            return None
        start, end = int(self._offsets[row]), int(self._offsets[row + 1])
        return [self._vocabulary[t] for t in self._flat[start:end].tolist()]

    def get(self, item_id: str, default: list[str] | None = None) -> list[str] | None:
        found = self._written.get(item_id)
        if found is None:
            found = self._base(item_id)
        return default if found is None else found

    def __getitem__(self, item_id: str) -> list[str]:
        found = self.get(item_id)
        if found is None:
            raise KeyError(item_id)
        return found

    def __setitem__(self, item_id: str, terms: list[str]) -> None:
        if item_id in self._row:
            self._gone.add(item_id)
        self._written[item_id] = terms

    def pop(self, item_id: str, default: list[str] | None = None) -> list[str] | None:
        found = self.get(item_id)
        if found is None:
            return default
        self._written.pop(item_id, None)
        if item_id in self._row:
            self._gone.add(item_id)
        return found

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._written or (item_id in self._row and item_id not in self._gone)

    def __len__(self) -> int:
        return len(self._base_ids) - len(self._gone) + len(self._written)

    def __iter__(self) -> Iterator[str]:
        for item_id in self._base_ids:
            if item_id not in self._gone:
                yield item_id
        yield from self._written

    def values(self) -> Iterator[list[str]]:
        return (self[i] for i in self)

    def base_counts(self) -> tuple[Counter[str], int]:
        """Document frequencies and total length of the base (as loaded, before any write)."""
        rows = np.repeat(np.arange(len(self._base_ids), dtype=np.int64), np.diff(self._offsets))
        size = max(len(self._vocabulary), 1)
        # Each (item, term) pair counts once for the document frequency.
        pairs = np.unique(rows * size + np.asarray(self._flat, dtype=np.int64)) % size
        df = np.bincount(pairs, minlength=len(self._vocabulary))
        counts = Counter({self._vocabulary[t]: int(df[t]) for t in np.flatnonzero(df).tolist()})
        return counts, int(self._flat.size)


class LexicalIndex:
    """BM25 scores of a query against every item of one kind."""

    def __init__(
        self,
        analyzer: Analyzer,
        k1: float = 1.2,
        b: float = 0.75,
        rebuild_below: int = 5_000,
        delta_share: float = 0.05,
    ) -> None:
        self.analyzer = analyzer
        self.k1, self.b = k1, b
        self.rebuild_below = rebuild_below
        self.delta_share = delta_share
        self._terms: Terms = Terms()
        self._df: Counter[str] = Counter()
        self._total_length = 0
        self._lock = threading.Lock()
        # The main index and what changed since it was built: masked main entries, and the
        # items written since as postings (term → item → term frequency).
        self._bm25: bm25s.BM25 | None = None
        self._ids: list[str] = []
        self._position: dict[str, int] = {}
        self._masked: set[str] = set()
        self._delta: dict[str, int] = {}  # item → its length in terms
        self._postings: dict[str, dict[str, int]] = {}

    def __len__(self) -> int:
        return len(self._terms)

    def _keeps_main(self) -> bool:
        """True if writes go to the delta: the main index is built and large."""
        return self._bm25 is not None and len(self._ids) >= self.rebuild_below

    def _forget(self, item_id: str, delta: bool) -> None:
        old = self._terms.pop(item_id, None)
        if old is not None:
            self._df.subtract(set(old))
            self._total_length -= len(old)
        if self._delta.pop(item_id, None) is not None:
            for term in set(old or ()):
                self._postings[term].pop(item_id, None)
        if delta and item_id in self._position:
            self._masked.add(item_id)

    def add(self, ids: list[str], texts: list[str]) -> None:
        """Add or replace items."""
        with self._lock:
            delta = self._keeps_main()
            for item_id, text in zip(ids, texts, strict=True):
                self._forget(item_id, delta)
                terms = self.analyzer.terms(text)
                self._terms[item_id] = terms
                self._df.update(set(terms))
                self._total_length += len(terms)
                if delta:
                    self._delta[item_id] = len(terms)
                    for term, tf in Counter(terms).items():
                        self._postings.setdefault(term, {})[item_id] = tf
            self._changed(delta)

    def remove(self, ids: list[str]) -> None:
        """Remove items (unknown ids are ignored)."""
        with self._lock:
            delta = self._keeps_main()
            for item_id in ids:
                self._forget(item_id, delta)
            self._changed(delta)

    def _changed(self, delta: bool) -> None:
        """After a write: a small index is rebuilt on the next query, a large one only when
        its delta outgrows `delta_share` of it."""
        pending = len(self._delta) + len(self._masked)
        if not delta or pending > self.delta_share * len(self._ids):
            self._bm25 = None

    def snapshot(self) -> tuple[list[str], list[list[str]], bm25s.BM25 | None]:
        """Every item's terms, in the order of the main index, and the main index itself if it
        holds every item as it is (no delta, nothing masked), else None."""
        with self._lock:
            ids = list(self._terms)
            clean = not self._delta and not self._masked and ids == self._ids
            return ids, [self._terms[i] for i in ids], self._bm25 if clean else None

    def restore(
        self,
        terms: Terms,
        bm25: bm25s.BM25 | None,
        counts: tuple[Counter[str], int] | None = None,
    ) -> None:
        """Take the terms and main index of a snapshot (`bm25` built from `terms` in order),
        and `counts`, the terms' document frequencies and total length, if saved with it
        (else they are counted: seconds for 100,000 items)."""
        with self._lock:
            self._terms = terms
            self._df, self._total_length = counts or terms.base_counts()
            self._ids = list(terms)
            self._position = {i: n for n, i in enumerate(self._ids)}
            self._masked, self._delta, self._postings = set(), {}, {}
            self._bm25 = bm25

    def document_frequency(self, term: str) -> int:
        """In how many items a term occurs."""
        return self._df.get(term, 0)

    def terms_of(self, item_id: str) -> list[str]:
        """Analysed terms of an item."""
        return self._terms.get(item_id) or []

    def _rebuild(self) -> None:
        ids = list(self._terms)
        self._ids, self._position = ids, {i: n for n, i in enumerate(ids)}
        self._masked, self._delta, self._postings = set(), {}, {}
        self._bm25 = None
        if ids:
            bm25 = bm25s.BM25(k1=self.k1, b=self.b)
            # An item with no terms still needs a slot; bm25s wants a non-empty list.
            bm25.index([self._terms[i] or [""] for i in ids], show_progress=False)
            self._bm25 = bm25

    def _delta_scores(self, terms: list[str]) -> dict[str, float]:
        """Lucene BM25, as bm25s computes it, of the items written since the main build
        (positive scores only); the caller holds the lock."""
        n = len(self._terms)
        average = self._total_length / n if n else 1.0
        out: dict[str, float] = {}
        for term in terms:
            postings = self._postings.get(term)
            if not postings:
                continue
            df = self._df.get(term, 0)
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            for item_id, tf in postings.items():
                norm = self.k1 * ((1 - self.b) + self.b * self._delta[item_id] / average)
                out[item_id] = out.get(item_id, 0.0) + idf * tf / (norm + tf)
        return out

    def query(self, query_terms: list[str]) -> LexicalScores:
        """BM25 scores of a query against every item."""
        terms = [t for t in query_terms if t]
        with self._lock:
            if self._bm25 is None:
                self._rebuild()
            bm25, ids, position = self._bm25, self._ids, self._position
            masked = [position[i] for i in self._masked]
            delta = self._delta_scores(terms) if self._delta else {}
        if bm25 is None:
            return LexicalScores([], np.zeros(0, dtype=np.float32), {}, delta)
        known = [t for t in terms if t in bm25.vocab_dict]
        scores = bm25.get_scores(known) if known else np.zeros(len(ids), dtype=np.float32)
        if masked:
            scores[masked] = 0.0  # a fresh array per query: safe to change
        return LexicalScores(ids, scores, position, delta)

    def top(self, query_terms: list[str], k: int) -> list[tuple[str, float]]:
        """The k best (id, score) pairs with a positive score."""
        return self.query(query_terms).top(k)
