"""The query path in process, stage by stage, against the encoder's own time.

Every text is first matched whole (`MatcherService.match`, all three lists, as the API does;
the text is new to the query cache, so this includes encoding), then its stages are timed
one by one: the raw encoder, text analysis, FAISS search and BM25 over the four searchable
kinds, ranking of the three lists (retrieval, features, fusion, peers and providers) and the
explanations. A repeated query is timed too: it must not pay for encoding again.
"""

from __future__ import annotations

from benchmarks.stats import percentiles, timed
from matcher.matching.matcher import RESULT_KINDS
from matcher.matching.peers import rank_peers
from matcher.matching.projects import rank_projects
from matcher.matching.providers import rank_providers
from matcher.matching.retrieval import SEARCHABLE
from matcher.service import MatcherService
from matcher.web import heap

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
    matcher = service.matcher()
    # Ranking: the three lists ranked on a fresh context (retrieval, features, fusion, peers,
    # providers); explanation: presenting them on another fresh context, less the ranking.
    ctx = matcher.context(q)
    _, out["ranking"] = timed(lambda: (rank_projects(ctx), rank_providers(ctx), rank_peers(ctx)))
    _, total = timed(lambda: matcher.match(q, RESULT_KINDS, k))
    out["explanation"] = max(0.0, total - out["ranking"])
    return out


def run(service: MatcherService, texts: list[str], k: int = 10) -> dict:
    """Per-stage timings (ms) over the texts; `service` must be open."""
    # As a server worker does: the model loaded, the items' text worked out, then the heap
    # settled for the collector.
    service.warm_up()
    heap.settle()
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
