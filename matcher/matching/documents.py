"""„Vorlagen zu Ihrer Herausforderung“: the documents whose passages fit a challenge, each with
the passage quoted.

A `PassageIndex` holds every document's passages with their vectors (the service's encoder,
through its cache) and their analysed terms; it is a plain value made from the store's
documents, replaced (never changed) when they change. `rank_documents` scores each passage by
its cosine with the query and the share of the query's words it holds (the ranking config's
dense and lexical weights, as for items), keeps a document by its best passage, and drops
documents whose best passage is not itself close to the query (the config's
`sense_min_cosine`, the line of a sentence "close to the query").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from matcher.domain import geography
from matcher.domain.catalog import Catalog
from matcher.domain.documents import Document, split_passages
from matcher.domain.schema import Project
from matcher.matching.context import QueryContext
from matcher.matching.results import DocumentResult
from matcher.ranking.analysis import GermanAnalyzer

# A quoted passage is cut to this many characters (about three lines of a result card),
# starting this many characters before its first shared word when it has to be cut.
MAX_QUOTE_CHARS = 280
QUOTE_LEAD_CHARS = 60
# „hoch“ needs this many of the query's words in the quoted passage besides a close cosine:
# one shared word is often incidental ("Kommune"), two name what both are about.
CONFIDENT_WORDS = 2
# Explanations name at most this many shared words.
MAX_MATCHED_WORDS = 6


@dataclass(frozen=True)
class PassageIndex:
    """Every document's passages, their vectors (unit length, one row a passage), their
    analysed terms and the document each belongs to; `ids` says which documents it holds."""

    documents: tuple[Document, ...] = ()
    passages: tuple[str, ...] = ()
    owner: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64), repr=False)
    vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.float32), repr=False)
    terms: tuple[frozenset[str], ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(sorted(d.id for d in self.documents))

    @classmethod
    def build(
        cls,
        items: Sequence[tuple[Document, str]],
        encode: Callable[[list[str]], np.ndarray],
        analyzer: GermanAnalyzer,
    ) -> PassageIndex:
        """The index of documents with their extracted text (`encode` gives passage vectors)."""
        docs: list[Document] = []
        passages: list[str] = []
        owner: list[int] = []
        for document, text in items:
            found = split_passages(text)
            if not found:
                continue
            owner += [len(docs)] * len(found)
            docs.append(document)
            passages += found
        vectors = encode(passages) if passages else np.zeros((0, 1), np.float32)
        return cls(
            documents=tuple(docs),
            passages=tuple(passages),
            owner=np.asarray(owner, dtype=np.int64),
            vectors=np.asarray(vectors, dtype=np.float32),
            terms=tuple(frozenset(analyzer.terms(p)) for p in passages),
        )

    def of_document(self, document_id: str) -> list[str]:
        """The passages of one document, in order."""
        number = next((i for i, d in enumerate(self.documents) if d.id == document_id), None)
        return [p for p, o in zip(self.passages, self.owner, strict=True) if o == number]


def rank_documents(ctx: QueryContext, k: int, index: PassageIndex) -> list[DocumentResult]:
    """The `k` documents that fit the challenge best, each with its best passage quoted."""
    if not len(index.passages) or index.vectors.shape[1] != len(ctx.q.vector):
        return []
    config = ctx.data.config
    cosines = index.vectors @ np.asarray(ctx.q.vector, dtype=np.float32)
    word_terms = {w: ctx.data.analyzer.word_terms(w) for w in dict.fromkeys(ctx.q.words)}
    best: dict[int, tuple[float, float, int, list[str]]] = {}
    for number, cosine in enumerate(cosines.tolist()):
        words = [w for w, terms in word_terms.items() if index.terms[number] & set(terms)]
        share = len(words) / len(word_terms) if word_terms else 0.0
        score = (config.weights.dense * cosine + config.weights.lexical * share) / (
            config.weights.dense + config.weights.lexical
        )
        doc = int(index.owner[number])
        if doc not in best or score > best[doc][0]:
            best[doc] = (score, cosine, number, words)
    ranked = sorted(best.items(), key=lambda kv: (-kv[1][0], index.documents[kv[0]].id))
    out: list[DocumentResult] = []
    for doc, (score, cosine, number, words) in ranked:
        document = index.documents[doc]
        project = ctx.catalog.projects.get(document.project)
        if cosine < config.sense_min_cosine or project is None or not _passes(ctx, project):
            continue
        out.append(_result(ctx, document, project, score, cosine, index.passages[number], words))
        if len(out) == k:
            break
    return out


def _passes(ctx: QueryContext, project: Project) -> bool:
    """The project of a document passes the query's exclusions and filters."""
    q, f = ctx.q, ctx.q.filters
    if project.id in q.exclude or not f.allows(project.categories):
        return False
    if f.has_place():
        return any(
            geography.passes(ctx.catalog.municipality(m), f, q.asker)
            for m in project.municipalities
        )
    return True


def _result(
    ctx: QueryContext,
    document: Document,
    project: Project,
    score: float,
    cosine: float,
    passage: str,
    words: list[str],
) -> DocumentResult:
    towns = _towns(ctx.catalog, project)
    confident = cosine >= ctx.data.config.sense_min_cosine and len(words) >= CONFIDENT_WORDS
    return DocumentResult(
        id=document.id,
        title=document.title,
        document_kind=document.kind,
        kind_label=document.kind_label,
        project=project.id,
        project_title=project.title,
        municipalities=[name for _, name in towns],
        municipality_ids=[town_id for town_id, _ in towns],
        licence=document.licence,
        licence_label=document.licence_label,
        reusable=document.reusable,
        file_type=document.file_type,
        language=document.language,
        score=round(score, 4),
        confidence="hoch" if confident else "mittel",
        own=ctx.q.asker is not None and ctx.q.asker.id in project.municipalities,
        passage=quote(passage, words),
        matched_terms=words[:MAX_MATCHED_WORDS],
    )


def _towns(catalog: Catalog, project: Project) -> list[tuple[str, str]]:
    return [(t.id, t.name) for t in catalog.towns(project.municipalities)]


def quote(passage: str, words: list[str]) -> str:
    """The passage, cut to `MAX_QUOTE_CHARS` at word boundaries around its first shared word."""
    if len(passage) <= MAX_QUOTE_CHARS:
        return passage
    lowered = passage.lower()
    found = [lowered.find(w) for w in words if lowered.find(w) >= 0]
    first = min(found, default=0)
    start = max(0, first - QUOTE_LEAD_CHARS)
    if start:
        start = passage.find(" ", start) + 1 or start
    cut = passage[start : start + MAX_QUOTE_CHARS]
    if start + MAX_QUOTE_CHARS < len(passage):
        cut = (cut[: cut.rfind(" ")] if " " in cut else cut) + " …"
    return ("… " if start else "") + cut
