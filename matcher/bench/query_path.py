"""The query path in process, stage by stage, against the encoder's own time.

Every text is first matched whole (`MatcherService.match`, all three lists, as the API does;
the text is new to the query cache, so this includes encoding), then its stages are timed
one by one: the raw encoder, text analysis, FAISS search and BM25 over the four searchable
kinds, ranking of the three lists (retrieval, features, fusion, peers and providers) and the
explanations. A repeated query is timed too: it must not pay for encoding again.
"""

from __future__ import annotations

from matcher.bench.stats import percentiles, timed
from matcher.matching.retrieval import SEARCHABLE
from matcher.peers import rank_municipalities
from matcher.service import MatcherService
from matcher.suppliers import rank_providers

STAGES = (
    "encode",
    "match_in_process",
    "match_repeated",
    "analyse",
    "vector_search",
    "lexical_search",
    "ranking",
    "explanation",
)


def _time_one(service: MatcherService, text: str, k: int) -> dict[str, float]:
    """Milliseconds of each stage for one text."""
    out = {}
    _, out["match_in_process"] = timed(service.match, text, None, k)
    _, out["match_repeated"] = timed(service.match, text, None, k)
    vector, out["encode"] = timed(service.encoder.encoder.encode_query, text)
    analyzer, indexes = service.analyzer, service.indexes
    (terms, _), out["analyse"] = timed(lambda: (analyzer.terms(text), analyzer.words(text)))
    n = service.ranking.candidates
    _, out["vector_search"] = timed(lambda: [indexes.dense(x, vector, n) for x in SEARCHABLE])
    _, out["lexical_search"] = timed(lambda: [indexes.lexical[x].query(terms) for x in SEARCHABLE])
    q = service.query(text)
    s = service.searcher()
    _, out["ranking"] = timed(
        lambda: (s.scored_projects(q), rank_providers(s, q), rank_municipalities(s, q))
    )
    # The searcher keeps the ranked projects, as in a match; providers() and municipalities()
    # rank their lists again inside, so that share is subtracted.
    _, total = timed(lambda: (s.projects(q, k), s.providers(q, k), s.municipalities(q, k)))
    out["explanation"] = max(0.0, total - out["ranking"])
    return out


def run(service: MatcherService, texts: list[str], k: int = 10) -> dict:
    """Per-stage timings (ms) over the texts; `service` must be open."""
    service.encoder.encoder.encode_query("Aufwärmen")  # loads the model; not part of a query
    samples: dict[str, list[float]] = {name: [] for name in STAGES}
    for text in texts:
        for name, ms in _time_one(service, text, k).items():
            samples[name].append(ms)
    figures = {name: percentiles(values) for name, values in samples.items()}
    encode = figures["encode"]["p50"]
    return {
        "queries": len(texts),
        "stages": figures,
        "ratios": {
            "in_process_p50 / encode_p50": figures["match_in_process"]["p50"] / encode,
            "in_process_p99 / encode_p50": figures["match_in_process"]["p99"] / encode,
            "repeated_p50 / encode_p50": figures["match_repeated"]["p50"] / encode,
        },
    }
