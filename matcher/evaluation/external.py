"""Relevance experiments: our hybrid ranking against its parts, side by side, in one run.

The external protocol (see ../shared/data/README.md): every labelled row is a query (title +
description) against all rows; the row itself and rows of the same publisher are excluded;
gain 2 for the same `musterdatensatz`, 1 for the same `thema`.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from matcher.config import Settings
from matcher.domain.errors import ValidationError
from matcher.embeddings import CachedEncoder, VectorIndex, create_encoder
from matcher.evaluation import metrics as ev
from matcher.matching.retrieval import merge_candidates
from matcher.ranking.analysis import GermanAnalyzer
from matcher.ranking.config import RankingConfig, load_ranking_config
from matcher.ranking.fusion import fuse
from matcher.ranking.lexical import LexicalIndex

AT = {"ndcg": 10, "mrr": 10, "recall": 50}
_PLAIN = re.compile(r"\w+")


@dataclass
class LabelledCorpus:
    """Rows of a labelled corpus: id → text, publisher, fine and coarse label."""

    ids: list[str]
    texts: list[str]
    orgs: list[str]
    fine: list[str]
    coarse: list[str]


def read_musterdatenkatalog(path: Path) -> LabelledCorpus:
    """Read the Musterdatenkatalog CSV (id,title,description,org,thema,musterdatensatz,…)."""
    with Path(path).open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    needed = {"id", "title", "description", "org", "thema", "musterdatensatz"}
    if not rows or not needed <= set(rows[0]):
        raise ValidationError(f"{path}: expected columns {sorted(needed)}")
    return LabelledCorpus(
        ids=[r["id"] for r in rows],
        texts=[f"{r['title']}. {r['description']}".strip() for r in rows],
        orgs=[r["org"] for r in rows],
        fine=[r["musterdatensatz"] for r in rows],
        coarse=[r["thema"] for r in rows],
    )


def judgments(corpus: LabelledCorpus) -> dict[str, dict[str, float]]:
    """Graded relevance of other publishers' rows for every row as a query."""
    out: dict[str, dict[str, float]] = {}
    by_coarse: dict[str, list[int]] = {}
    for i, label in enumerate(corpus.coarse):
        by_coarse.setdefault(label, []).append(i)
    for q, qid in enumerate(corpus.ids):
        rel = {}
        for d in by_coarse[corpus.coarse[q]]:
            if d != q and corpus.orgs[d] != corpus.orgs[q]:
                rel[corpus.ids[d]] = 2.0 if corpus.fine[d] == corpus.fine[q] else 1.0
        if rel:
            out[qid] = rel
    return out


def split(corpus: LabelledCorpus, qids: list[str]) -> tuple[list[str], list[str]]:
    """(tune, held_out) of the queries by publisher (`org`), stable by a hash of its name:
    weights chosen on one half never saw a publisher of the other (a publisher's rows are
    alike: Kiel alone has 775)."""
    org = dict(zip(corpus.ids, corpus.orgs, strict=True))
    tune = [q for q in qids if _draw("org:" + org[q]) % 2 == 0]
    held_out = [q for q in qids if _draw("org:" + org[q]) % 2 == 1]
    return tune, held_out


def _draw(key: str) -> int:
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16)


class Systems:
    """The rankers compared: BM25 (plain and German), dense, and the hybrid fusion."""

    def __init__(self, corpus: LabelledCorpus, encoder: CachedEncoder, config: RankingConfig):
        self.corpus = corpus
        self.config = config.model_copy(update={"min_score": -1.0})
        self.vectors = encoder.encode(corpus.texts)
        self.index = VectorIndex(encoder.dim, encoder.name)
        self.index.rebuild(corpus.ids, self.vectors, [""] * len(corpus.ids))
        self.analyzer = GermanAnalyzer()
        self.german = LexicalIndex(self.analyzer)
        self.german.add(corpus.ids, corpus.texts)
        self.plain = LexicalIndex(_PlainAnalyzer())
        self.plain.add(corpus.ids, corpus.texts)
        self.position = {i: n for n, i in enumerate(corpus.ids)}
        # Rows of the query's own publisher are dropped after ranking; rank deep enough that k
        # remain even for the largest publisher (Kiel has 775 of 3,002 rows).
        self.largest_org = max(Counter(corpus.orgs).values(), default=0)

    def with_config(self, config: RankingConfig) -> Systems:
        """The same indexes ranked by another config (a new object; vectors not encoded again)."""
        other = copy.copy(self)
        other.config = config.model_copy(update={"min_score": -1.0})
        return other

    def _keep(self, q: int, ranked: list[str], k: int) -> list[str]:
        org = self.corpus.orgs[q]
        out = [
            i for i in ranked if self.corpus.orgs[self.position[i]] != org and self.position[i] != q
        ]
        return out[:k]

    def rank(self, system: str, q: int, k: int = 50) -> list[str]:
        """Top k ids of one system for row q as the query."""
        text, depth = self.corpus.texts[q], k + self.largest_org + 1
        if system == "bm25-plain":
            return self._keep(
                q, [i for i, _ in self.plain.top(self.plain.analyzer.terms(text), depth)], k
            )
        if system == "bm25":
            return self._keep(
                q, [i for i, _ in self.german.top(self.analyzer.terms(text), depth)], k
            )
        if system == "dense":
            return self._keep(q, [i for i, _ in self.index.search(self.vectors[q], depth)], k)
        if system == "hybrid":
            cands = merge_candidates(
                self.index,
                self.german,
                self.vectors[q],
                self.analyzer.terms(text),
                max(depth, self.config.candidates),
                depth,
                exact_terms_max=self.config.exact_terms_max,
            )
            fused = fuse(list(cands.values()), self.config)
            return self._keep(q, [s.id for s in fused], k)
        raise ValueError(f"unknown system {system!r}")


class _PlainAnalyzer:
    """Lower-cased words, nothing else: the textbook BM25 baseline."""

    def terms(self, text: str) -> list[str]:
        return _PLAIN.findall(text.lower())

    def word_terms(self, word: str) -> list[str]:
        return [word]


SYSTEMS = ("bm25-plain", "bm25", "dense", "hybrid")


def half(corpus: LabelledCorpus, qids: list[str], which: str) -> list[str]:
    """The queries of one half by publisher (`split`): "tune", "held-out", or "all"."""
    if which == "all":
        return qids
    tune, held_out = split(corpus, qids)
    return {"tune": tune, "held-out": held_out}[which]


def compare(
    systems: Systems,
    qrels: dict[str, dict[str, float]],
    limit: int | None = None,
    which: str = "all",
) -> list[dict]:
    """Per system: mean metrics with bootstrap CIs, and nDCG difference to BM25 with its CI
    (on one half of the queries by publisher, `which`)."""
    qids = half(systems.corpus, list(qrels), which)
    qids = qids[:limit] if limit else qids
    qrels = {q: qrels[q] for q in qids}
    pos = {i: n for n, i in enumerate(systems.corpus.ids)}
    per_system: dict[str, dict[str, dict[str, float]]] = {}
    for name in SYSTEMS:
        run = {q: systems.rank(name, pos[q]) for q in qids}
        per_system[name] = {f"{m}@{k}": ev.per_query(run, qrels, m, k) for m, k in AT.items()}
    rows = []
    base = per_system["bm25-plain"]["ndcg@10"]
    for name in SYSTEMS:
        row: dict = {"system": name, "queries": len(qids)}
        for metric, values in per_system[name].items():
            vals = [values[q] for q in qids]
            row[metric] = float(np.mean(vals))
            row[f"{metric}_ci"] = ev.bootstrap_ci(vals)
        diff = [per_system[name]["ndcg@10"][q] - base[q] for q in qids]
        row["ndcg@10_vs_bm25_plain"] = float(np.mean(diff))
        row["ndcg@10_vs_bm25_plain_ci"] = ev.bootstrap_ci(diff)
        rows.append(row)
    return rows


def external_table(
    path: Path, settings: Settings, limit: int | None = None, half: str = "all"
) -> list[dict]:
    """Evaluate on an external labelled corpus in memory (the demo store is not touched), on
    one half of its queries by publisher (`split`) or all of them."""
    corpus = read_musterdatenkatalog(path)
    encoder = CachedEncoder(
        create_encoder(settings.encoder, settings.threads, settings.batch_size),
        batch_size=settings.batch_size,
        progress=settings.progress,
    )
    config = load_ranking_config(settings.ranking_path).for_encoder(settings.encoder)
    systems = Systems(corpus, encoder, config)
    return compare(systems, judgments(corpus), limit, half)


def format_table(rows: list[dict]) -> str:
    """A side-by-side text table."""
    metrics = (("mrr@10", "MRR@10", 8), ("recall@50", "Recall@50", 10))
    lines = ev.format_comparison(
        rows,
        (("system", "system", 12),),
        metrics,
        "ndcg@10_vs_bm25_plain",
        "ΔnDCG vs BM25-plain [95% CI]",
    )
    lines.append(f"queries: {rows[0]['queries'] if rows else 0}")
    return "\n".join(lines)
