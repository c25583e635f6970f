"""Us against txtai on the same corpora and queries, in one run: index time, single-query
latency and nDCG@10 (demo judgments; external Musterdatenkatalog set when ../shared is there).

Our side is timed like txtai's: "index" is encoding every text from scratch plus building
the vector and BM25 indexes; a "query" is encoding the text plus the hybrid search (on the
demo: the service's whole project ranking with features and explanations).
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import numpy as np

from benchmarks import txtai_peer
from benchmarks.stats import percentiles, ratio
from matcher.config import Settings
from matcher.domain.schema import text_of
from matcher.embeddings import CachedEncoder, VectorIndex, create_encoder
from matcher.evaluation import metrics as ev
from matcher.evaluation.external import Systems, judgments, read_musterdatenkatalog
from matcher.evaluation.judgments import load as load_judgments
from matcher.importing import parse_file
from matcher.ranking.analysis import GermanAnalyzer
from matcher.ranking.config import load_ranking_config
from matcher.ranking.lexical import LexicalIndex
from matcher.service import MatcherService

EXTERNAL = (
    Path(__file__).resolve().parents[1].parent
    / "shared/data/musterdatenkatalog/musterdatenkatalog_v2_labelled.csv"
)
LATENCY_QUERIES = 200


def _ours_demo(settings: Settings, corpus: list[tuple[str, str]], graded) -> dict:
    raw = create_encoder(settings.encoder, settings.threads, settings.batch_size)
    raw.encode_query("Aufwärmen")
    texts = [t for _, t in corpus]
    start = time.perf_counter()
    step = settings.batch_size
    vectors = np.vstack([raw.encode(texts[i : i + step]) for i in range(0, len(texts), step)])
    index = VectorIndex(raw.dim, raw.name)
    index.rebuild([i for i, _ in corpus], vectors, [""] * len(corpus))
    LexicalIndex(GermanAnalyzer()).add([i for i, _ in corpus], texts)
    index_s = time.perf_counter() - start
    service = MatcherService(settings)
    try:
        service.build()
        qids = graded.of_kind("projects")
        rankings, times = {}, []
        for n in range(max(LATENCY_QUERIES, len(qids))):
            qid = qids[n % len(qids)]
            service.clear_query_caches()  # every search pays for everything, like txtai's
            start = time.perf_counter()
            found = service.search(graded.queries[qid], "projects", 50)
            times.append((time.perf_counter() - start) * 1000)
            rankings[qid] = [r.id for r in found]
    finally:
        service.close()
    return {
        "index_seconds": index_s,
        "query_ms": percentiles(times),
        "metrics": ev.evaluate(rankings, _projects_only(graded), {"ndcg": 10}),
    }


def _projects_only(graded) -> dict[str, dict[str, float]]:
    """The relevance of the challenge → projects queries (the other kinds are not compared)."""
    return {q: graded.relevant[q] for q in graded.of_kind("projects")}


def _ours_external(settings: Settings, path: Path) -> dict:
    corpus = read_musterdatenkatalog(path)
    raw = create_encoder(settings.encoder, settings.threads, settings.batch_size)
    raw.encode_query("Aufwärmen")
    start = time.perf_counter()
    systems = Systems(
        corpus,
        CachedEncoder(raw, batch_size=settings.batch_size),
        load_ranking_config(settings.ranking_path).for_encoder(settings.encoder),
    )
    index_s = time.perf_counter() - start
    qrels = judgments(corpus)
    position = {i: n for n, i in enumerate(corpus.ids)}
    rankings, times = {}, []
    for qid in qrels:
        q = position[qid]
        start = time.perf_counter()
        raw.encode_query(corpus.texts[q])  # the query is encoded, as for a new text
        rankings[qid] = systems.rank("hybrid", q, 50)
        times.append((time.perf_counter() - start) * 1000)
    return {
        "index_seconds": index_s,
        "query_ms": percentiles(times),
        "metrics": ev.evaluate(rankings, qrels, {"ndcg": 10}),
        "items": len(corpus.ids),
        "queries": len(qrels),
    }


def _txtai_external(path: Path, workdir: Path) -> dict:
    corpus = read_musterdatenkatalog(path)
    qrels = judgments(corpus)
    pairs = list(zip(corpus.ids, corpus.texts, strict=True))
    text = dict(pairs)
    # Deep enough that 50 remain once the query's own publisher is dropped (as for ours).
    depth = max(Counter(corpus.orgs).values()) + 51
    result = txtai_peer.run(pairs, [(q, text[q]) for q in qrels], depth, workdir)
    org = dict(zip(corpus.ids, corpus.orgs, strict=True))
    kept = {
        q: [i for i in ranked if i != q and org[i] != org[q]][:50]
        for q, ranked in result["rankings"].items()
    }
    result["metrics"] = ev.evaluate(kept, qrels, {"ndcg": 10})
    return result


def _side_by_side(ours: dict, theirs: dict) -> dict:
    return {
        "ours": {k: ours[k] for k in ("index_seconds", "query_ms", "metrics")},
        "txtai": {k: theirs[k] for k in ("index_seconds", "query_ms", "metrics")},
        "ratios": {
            "query_p50": ratio(ours["query_ms"]["p50"], theirs["query_ms"]["p50"]),
            "index": ratio(ours["index_seconds"], theirs["index_seconds"]),
            "ndcg@10 difference": ours["metrics"]["ndcg@10"] - theirs["metrics"]["ndcg@10"],
        },
    }


def run(settings: Settings, workdir: Path = Path(".bench"), external: Path = EXTERNAL) -> dict:
    """Both systems on the demo judgments and, if present, the external set."""
    out: dict = {}
    try:
        items = parse_file("projects", settings.demo_dir / "projects.jsonl").items
        corpus = [(item.id, text_of(item)) for item in items]
        graded = load_judgments(settings.demo_dir)
        qids = graded.of_kind("projects")
        theirs = txtai_peer.run(corpus, [(q, graded.queries[q]) for q in qids], 50, workdir)
        theirs["metrics"] = ev.evaluate(theirs["rankings"], _projects_only(graded), {"ndcg": 10})
        out["txtai"] = {"version": theirs["version"], "config": theirs["config"]}
        out["demo"] = _side_by_side(_ours_demo(settings, corpus, graded), theirs)
        out["demo"]["items"], out["demo"]["queries"] = len(corpus), len(qids)
        if external.exists():
            ours = _ours_external(settings, external)
            out["external"] = _side_by_side(ours, _txtai_external(external, workdir))
            out["external"]["items"], out["external"]["queries"] = ours["items"], ours["queries"]
    except txtai_peer.PeerUnavailable as exc:
        out["unavailable"] = str(exc)
    return out


def format_rows(peer: dict) -> list[str]:
    """The comparison as table lines."""
    if "unavailable" in peer and "demo" not in peer:
        return [f"txtai: not available ({peer['unavailable'][:300]})"]
    lines = [f"Peer: txtai {peer['txtai']['version']} {peer['txtai']['config']}"]
    for name in ("demo", "external"):
        if name not in peer:
            continue
        p = peer[name]
        lines.append(f"  {name} ({p['items']} items, {p['queries']} queries)")
        for who in ("ours", "txtai"):
            r = p[who]
            lines.append(
                f"    {who:<6} index {r['index_seconds']:7.1f} s   query p50 "
                f"{r['query_ms']['p50']:6.1f} ms p99 {r['query_ms']['p99']:6.1f} ms   "
                f"nDCG@10 {r['metrics']['ndcg@10']:.3f}"
            )
        rt = p["ratios"]
        lines.append(
            f"    ours ÷ txtai: query p50 {rt['query_p50']:.2f}×, index {rt['index']:.2f}×, "
            f"nDCG@10 {rt['ndcg@10 difference']:+.3f}"
        )
    return lines
