"""txtai's figures on our two relevance sets (figures, not a test).

    .venv/bin/python scripts/bench_txtai.py [--workdir .bench] [--external PATH] [--json OUT]

Runs benchmarks.txtai_peer (which makes txtai's own venv on first use, a few minutes) on
1. the demo projects (matcher/data/projects.jsonl) with the 70 queries of
   matcher/data/judgments/projects.csv,
2. the external Musterdatenkatalog set, with the protocol of ../shared/data/README.md: every
   row a query, the row itself and rows of the same org excluded, gain 2 same musterdatensatz,
   1 same thema (skipped with a message when ../shared is absent),
and prints index seconds, query latency p50/p95/p99 and nDCG@10 of each.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # benchmarks/ is a tool of the checkout, not installed

from benchmarks import txtai_peer  # noqa: E402
from matcher.domain.schema import text_of  # noqa: E402
from matcher.evaluation import metrics as ev  # noqa: E402
from matcher.evaluation.external import (  # noqa: E402
    LabelledCorpus,
    judgments,
    read_musterdatenkatalog,
)
from matcher.importing import parse_file  # noqa: E402

EXTERNAL = ROOT.parent / "shared/data/musterdatenkatalog/musterdatenkatalog_v2_labelled.csv"
DEMO_AT = {"ndcg": 10, "mrr": 10, "recall": 10}
EXTERNAL_AT = {"ndcg": 10, "mrr": 10, "recall": 50}
DEMO_K = 50
KEEP = 50  # results left per query after the exclusions (Recall@50)


def demo(workdir: Path) -> dict:
    """txtai on the demo projects and their hand-graded queries."""
    items = parse_file("projects", ROOT / "matcher" / "data" / "projects.jsonl").items
    corpus = [(item.id, text_of(item)) for item in items]
    graded = ev.read_judgments([ROOT / "matcher" / "data" / "judgments" / "projects.csv"])
    queries = [(qid, graded.queries[qid]) for qid in graded.of_kind("projects")]
    result = txtai_peer.run(corpus, queries, k=DEMO_K, workdir=workdir)
    result["metrics"] = ev.evaluate(result["rankings"], graded.relevant, DEMO_AT)
    result["queries"] = len(queries)
    result["depth"] = DEMO_K
    return result


def other_orgs(corpus: LabelledCorpus, rankings: dict[str, list[str]], k: int) -> dict:
    """Each ranking without the query's own row and rows of its org, cut to k."""
    org = dict(zip(corpus.ids, corpus.orgs, strict=True))
    return {
        qid: [i for i in ranked if i != qid and org[i] != org[qid]][:k]
        for qid, ranked in rankings.items()
    }


def external(path: Path, workdir: Path) -> dict:
    """txtai on the external labelled set, every row with a relevant row elsewhere a query."""
    corpus = read_musterdatenkatalog(path)
    qrels = judgments(corpus)
    corpus_pairs = list(zip(corpus.ids, corpus.texts, strict=True))
    text = dict(corpus_pairs)
    queries = [(qid, text[qid]) for qid in qrels]
    # Deep enough that KEEP remain even when the query's whole org ranks first: orgs publish
    # near-identical rows (Kiel alone has 775), and at depth 200 a third of the queries kept
    # fewer than 10.
    depth = max(Counter(corpus.orgs).values()) + KEEP + 1
    result = txtai_peer.run(corpus_pairs, queries, k=depth, workdir=workdir)
    kept = other_orgs(corpus, result["rankings"], KEEP)
    result["rankings"] = kept
    result["metrics"] = ev.evaluate(kept, qrels, EXTERNAL_AT)
    result["queries"] = len(queries)
    result["depth"] = depth
    result["short_rankings"] = sum(1 for ranked in kept.values() if len(ranked) < 10)
    return result


def report(name: str, result: dict) -> str:
    q = result["query_ms"]
    metrics = "  ".join(f"{m} {v:.3f}" for m, v in result["metrics"].items())
    return (
        f"{name}: {result['items']} items, {result['queries']} queries\n"
        f"  index {result['index_seconds']:.1f} s (model load {result['load_seconds']:.1f} s)\n"
        f"  query p50 {q['p50']:.1f} ms  p95 {q['p95']:.1f} ms  p99 {q['p99']:.1f} ms"
        f"  ({result['timed_queries']} single searches of depth {result['depth']})\n"
        f"  {metrics}\n"
        f"  load average {result['machine']['load'][0]:.1f} → {result['machine']['load'][1]:.1f}"
        f" on {result['machine']['cpus']} cpus"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=ROOT / ".bench")
    parser.add_argument("--external", type=Path, default=EXTERNAL)
    parser.add_argument("--json", type=Path, help="Write both results (without rankings) here.")
    args = parser.parse_args()
    try:
        results = {"demo": demo(args.workdir)}
        first = results["demo"]
        print(f"txtai {first['version']}, config {json.dumps(first['config'])}")
        print(f"install {first['install_seconds']:.0f} s (0 = venv reused)")
        print(report("demo projects", first), flush=True)
        if args.external.exists():
            results["external"] = external(args.external, args.workdir)
            print(report("external Musterdatenkatalog", results["external"]))
        else:
            print(f"external set: {args.external} not found, skipped")
    except txtai_peer.PeerUnavailable as exc:
        print(f"txtai: not available ({exc})", file=sys.stderr)
        return 1
    if args.json:
        slim = {
            name: {k: v for k, v in r.items() if k != "rankings"} for name, r in results.items()
        }
        args.json.write_text(json.dumps(slim, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
