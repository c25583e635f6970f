"""BM25 over analysed German text (bm25s), addressed by item id.

Changes mark the index stale; it is rebuilt on the next query (bm25s indexes thousands of
documents in milliseconds), so single writes stay cheap.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from dataclasses import dataclass

import bm25s
import numpy as np

from matcher.ranking.analysis import GermanAnalyzer

# bm25s sets its own logger to DEBUG on import; keep its index messages out of our output.
logging.getLogger("bm25s").setLevel(logging.WARNING)


@dataclass(frozen=True)
class LexicalScores:
    """BM25 scores of one query against every item, addressable by id."""

    ids: list[str]
    scores: np.ndarray
    position: dict[str, int]

    def of(self, item_id: str) -> float:
        """The score of one item (0 for unknown ids)."""
        at = self.position.get(item_id)
        return float(self.scores[at]) if at is not None else 0.0

    def top(self, k: int) -> list[tuple[str, float]]:
        """The k best (id, score) pairs with a positive score, best first."""
        if not self.ids or k <= 0:
            return []
        k = min(k, len(self.ids))
        best = np.argpartition(-self.scores, k - 1)[:k]
        best = best[np.argsort(-self.scores[best], kind="stable")]
        return [(self.ids[i], float(self.scores[i])) for i in best if self.scores[i] > 0]


class LexicalIndex:
    """BM25 scores of a query against every item of one kind."""

    def __init__(self, analyzer: GermanAnalyzer, k1: float = 1.2, b: float = 0.75) -> None:
        self.analyzer = analyzer
        self.k1, self.b = k1, b
        self._terms: dict[str, list[str]] = {}
        self._ids: list[str] = []
        self._position: dict[str, int] = {}
        self._bm25: bm25s.BM25 | None = None
        self._df: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._terms)

    def add(self, ids: list[str], texts: list[str]) -> None:
        """Add or replace items."""
        with self._lock:
            for item_id, text in zip(ids, texts, strict=True):
                if item_id in self._terms:
                    self._df.subtract(set(self._terms[item_id]))
                self._terms[item_id] = self.analyzer.terms(text)
                self._df.update(set(self._terms[item_id]))
            self._bm25 = None

    def remove(self, ids: list[str]) -> None:
        """Remove items (unknown ids are ignored)."""
        with self._lock:
            for item_id in ids:
                self._df.subtract(set(self._terms.pop(item_id, [])))
            self._bm25 = None

    def document_frequency(self, term: str) -> int:
        """In how many items a term occurs."""
        return self._df.get(term, 0)

    def terms_of(self, item_id: str) -> list[str]:
        """Analysed terms of an item."""
        return self._terms.get(item_id, [])

    def _ready(self) -> tuple[bm25s.BM25 | None, list[str], dict[str, int]]:
        with self._lock:
            if self._bm25 is None and self._terms:
                ids = list(self._terms)
                bm25 = bm25s.BM25(k1=self.k1, b=self.b)
                # An item with no terms still needs a slot; bm25s wants a non-empty list.
                bm25.index([self._terms[i] or [""] for i in ids], show_progress=False)
                self._ids, self._position = ids, {i: n for n, i in enumerate(ids)}
                self._bm25 = bm25
            return self._bm25, self._ids, self._position

    def query(self, query_terms: list[str]) -> LexicalScores:
        """BM25 scores of a query against every item."""
        bm25, ids, position = self._ready()
        if bm25 is None:
            return LexicalScores([], np.zeros(0, dtype=np.float32), {})
        known = [t for t in query_terms if t in bm25.vocab_dict and t]
        if not known:
            return LexicalScores(ids, np.zeros(len(ids), dtype=np.float32), position)
        return LexicalScores(ids, bm25.get_scores(known), position)

    def scores(self, query_terms: list[str]) -> tuple[list[str], np.ndarray]:
        """(ids, BM25 score of each) for every item."""
        result = self.query(query_terms)
        return result.ids, result.scores

    def top(self, query_terms: list[str], k: int) -> list[tuple[str, float]]:
        """The k best (id, score) pairs with a positive score."""
        return self.query(query_terms).top(k)
