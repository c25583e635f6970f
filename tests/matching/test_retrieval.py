"""merge_candidates: the union of both retrievers, and the exact matches of short queries."""

import numpy as np

from matcher.embeddings import VectorIndex
from matcher.matching.retrieval import merge_candidates
from matcher.ranking.analysis import GermanAnalyzer
from matcher.ranking.lexical import LexicalIndex

TEXTS = {
    "rufbus": "Rufbus Quorvex für die Dörfer am Vogelsberg",
    "licht": "Quorvex-Straßenbeleuchtung mit Dimmung",
    "akte": "E-Akte in der Verwaltung",
}


def _indexes():
    vectors = VectorIndex(4, "test")
    ids = list(TEXTS)
    vectors.add(ids, np.eye(4, dtype=np.float32)[: len(ids)], [f"h{i}" for i in ids])
    lexical = LexicalIndex(GermanAnalyzer())
    lexical.add(ids, list(TEXTS.values()))
    return vectors, lexical


def _merge(query: str, exact_terms_max: int):
    vectors, lexical = _indexes()
    terms = GermanAnalyzer().terms(query)
    far = np.array([0, 0, 0, 1], dtype=np.float32)  # the encoder sees no likeness
    return merge_candidates(vectors, lexical, far, terms, 10, 10, (), exact_terms_max), terms


def test_items_holding_every_word_of_a_short_query_are_exact():
    found, terms = _merge("Rufbus Quorvex", 3)
    assert len(set(terms)) == 2
    assert found["rufbus"].exact
    assert not found["licht"].exact  # only one of the two words
    assert not found["akte"].exact


def test_long_queries_and_a_limit_of_zero_mark_nothing():
    assert not any(c.exact for c in _merge("Rufbus Quorvex", 0)[0].values())
    long_query = "Rufbus Quorvex Dörfer Vogelsberg"
    found, terms = _merge(long_query, 3)
    assert len(set(terms)) > 3
    assert not any(c.exact for c in found.values())
